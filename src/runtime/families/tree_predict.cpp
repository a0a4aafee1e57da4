// Tree-major traversal over a block of rows, the order that keeps one tree's nodes in cache.
#include "runtime/families/tree_predict.hpp"

#include "runtime/families/tree_common.hpp"

namespace amber::rt::trees {
namespace {

template <bool kRound, typename T>
void gather_rows(const Frame& in, size_t n_features, T* x) {
  for (size_t j = 0; j < n_features; ++j) {
    const Column& column = in.columns[j];
    if (column.is_string()) bad_input(j, "is a string column; this model reads numbers");
    for (size_t r = 0; r < in.rows; ++r) {
      const double v = column.number(r);
      x[r * n_features + j] = kRound ? static_cast<T>(static_cast<float>(v)) : static_cast<T>(v);
    }
  }
}

/// Walks in flight at once: enough to overlap cache misses, few enough to stay in registers.
constexpr size_t kGroup = 8;

void add_row(const TreeSet& set, int32_t leaf, double* out) {
  const double* v = set.leaf_value(leaf);
  for (size_t j = 0; j < set.stride; ++j) out[j] += v[j];
}

/// Few rows: each row walks kGroup trees in lockstep, values added in tree order.
void add_by_tree_groups(const TreeSet& set, size_t first, size_t last, const float* x, size_t rows,
                        size_t n_features, double* out) {
  const FlatNode* nodes = set.nodes.data();
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x + r * n_features;
    const float* xs[kGroup];
    for (auto& p : xs) p = row;
    double* o = out + r * set.stride;
    size_t t = first;
    for (; t + kGroup <= last; t += kGroup) {
      int32_t leaves[kGroup];
      find_leaves<kGroup>(nodes, set.roots.data() + t, xs, leaves);
      for (const int32_t leaf : leaves) add_row(set, leaf, o);
    }
    for (; t < last; ++t) add_row(set, find_leaf(nodes, set.roots[t], row), o);
  }
}

/// The leaves of tree `t` for every row, kGroup rows in lockstep.
template <typename T, typename Use>
void each_leaf(const TreeSet& set, size_t t, const T* x, size_t rows, size_t n_features, Use use) {
  const FlatNode* nodes = set.nodes.data();
  const int32_t root = set.roots[t];
  int32_t starts[kGroup];
  for (auto& s : starts) s = root;
  size_t r = 0;
  for (; r + kGroup <= rows; r += kGroup) {
    const T* xs[kGroup];
    for (size_t k = 0; k < kGroup; ++k) xs[k] = x + (r + k) * n_features;
    int32_t leaves[kGroup];
    find_leaves<kGroup>(nodes, starts, xs, leaves);
    for (size_t k = 0; k < kGroup; ++k) use(r + k, leaves[k]);
  }
  for (; r < rows; ++r) use(r, find_leaf(nodes, root, x + r * n_features));
}

}  // namespace

const double* float32_rows(const Frame& in, size_t n_features, Scratch& scratch, size_t slot) {
  double* x = scratch.get(slot, in.rows * n_features);
  gather_rows<true>(in, n_features, x);
  return x;
}

const float* float32_values(const Frame& in, size_t n_features, Scratch& scratch, size_t slot) {
  float* x = scratch.get_floats(slot, in.rows * n_features);
  gather_rows<true>(in, n_features, x);
  return x;
}

const double* float64_rows(const Frame& in, size_t n_features, Scratch& scratch, size_t slot) {
  double* x = scratch.get(slot, in.rows * n_features);
  gather_rows<false>(in, n_features, x);
  return x;
}

void add_tree_values(const TreeSet& set, size_t first, size_t last, const float* x, size_t rows,
                     size_t n_features, double* out) {
  if (rows < kGroup) return add_by_tree_groups(set, first, last, x, rows, n_features, out);
  // Tree-major: one tree's nodes stay in cache while every row of the block walks it; each
  // output element still sums the trees in their order.
  for (size_t t = first; t < last; ++t) {
    each_leaf(set, t, x, rows, n_features,
              [&](size_t r, int32_t leaf) { add_row(set, leaf, out + r * set.stride); });
  }
}

void add_scaled_tree(const TreeSet& set, size_t t, const double* x, size_t rows, size_t n_features,
                     double scale, double* out, size_t width, size_t k) {
  each_leaf(set, t, x, rows, n_features, [&](size_t r, int32_t leaf) {
    const double product = scale * set.leaf_value(leaf)[0];
    out[r * width + k] += product;
  });
}

}  // namespace amber::rt::trees
