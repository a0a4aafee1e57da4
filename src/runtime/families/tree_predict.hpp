// Traversal kernels over flattened trees: float32-rounded rows in, leaf values summed tree-major.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "runtime/families/tree_arrays.hpp"
#include "runtime/frame.hpp"
#include "runtime/stage.hpp"

namespace amber::rt::trees {

/// One step down from split `n` at index `at`. scikit-learn's rule: NaN goes by the node's
/// missing flag, else left when x <= threshold (x is the float32-rounded input as a double).
/// Branch-free: which way a row goes is data, and mispredicting it costs more than computing both.
/// `x` is double or float (float32-rounded rows widen exactly).
template <typename T>
inline int32_t step(const FlatNode& n, int32_t at, const T* x) noexcept {
  const double v = static_cast<double>(x[n.feature & kFeatureMask]);
  const int32_t nan_left = (n.feature >> 30) & 1;
  const int32_t left =
      static_cast<int32_t>(v <= n.threshold) | (static_cast<int32_t>(std::isnan(v)) & nan_left);
  // Arithmetic, not `left ? a : b`, which compilers turn back into a branch.
  return n.next + left * (at + 1 - n.next);
}

/// The row of TreeSet::value of the leaf that row `x` reaches from `node`.
template <typename T>
inline int32_t find_leaf(const FlatNode* nodes, int32_t node, const T* x) noexcept {
  while (!nodes[node].is_leaf()) node = step(nodes[node], node, x);
  return nodes[node].next;
}

/// find_leaf for G walks at once (from start[k] with row x[k]), in lockstep: their loads do not
/// depend on each other, so the cache misses of one walk overlap those of the others.
template <size_t G, typename T>
inline void find_leaves(const FlatNode* nodes, const int32_t* start, const T* const* x,
                        int32_t* leaf) noexcept {
  int32_t at[G];
  for (size_t k = 0; k < G; ++k) at[k] = start[k];
  for (bool moving = true; moving;) {
    moving = false;
    for (size_t k = 0; k < G; ++k) {
      // A walk at its leaf computes a step anyway and keeps its place: no branch to mispredict.
      const FlatNode& n = nodes[at[k]];
      const auto leaf = static_cast<int32_t>(n.is_leaf());
      const int32_t next = step(n, at[k], x[k]);
      at[k] = next + leaf * (at[k] - next);
      moving |= leaf == 0;
    }
  }
  for (size_t k = 0; k < G; ++k) leaf[k] = nodes[at[k]].next;
}

/// The rows of `in` (numeric columns only) rounded to float32 and widened back to double,
/// row-major in scratch slot `slot`: the values scikit-learn's trees compare.
const double* float32_rows(const Frame& in, size_t n_features, Scratch& scratch, size_t slot);

/// float32_rows as floats (slot of Scratch::get_floats): half the cache for the same values.
const float* float32_values(const Frame& in, size_t n_features, Scratch& scratch, size_t slot);

/// The rows of `in` as doubles, row-major, unrounded.
const double* float64_rows(const Frame& in, size_t n_features, Scratch& scratch, size_t slot);

/// For trees [first, last): out[r, j] += value[leaf(r), j] for j < set.stride, tree after tree
/// (each element sums the trees in their order). `out` has `rows` rows of set.stride doubles.
void add_tree_values(const TreeSet& set, size_t first, size_t last, const float* x, size_t rows,
                     size_t n_features, double* out);

/// For tree t: out[r, k] += scale * value[leaf(r)] (first value of the leaf); rows of `width`.
void add_scaled_tree(const TreeSet& set, size_t t, const double* x, size_t rows, size_t n_features,
                     double scale, double* out, size_t width, size_t k);

}  // namespace amber::rt::trees
