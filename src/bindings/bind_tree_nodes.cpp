// amber._core.fill_tree_nodes: the Python loader's tree check and record fill in one native pass.
//
// Loading a forest hands scikit-learn millions of node records. Checking the canonical columns
// (docs/schema/tree.md §2) with whole-array NumPy operations and then filling the records field
// by field took several passes over every column; this walks each tree once with the runtime's
// own check (trees::walk_tree), so the Python reader and the native runtime refuse exactly the
// same trees.
#include <nanobind/stl/array.h>
#include <nanobind/stl/string.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "bindings/node_columns.hpp"
#include "format/error.hpp"
#include "runtime/families/tree_arrays.hpp"

namespace amber::py {
namespace {

using Depths = nb::ndarray<int64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

constexpr const char* kFunction = "fill_tree_nodes";
constexpr int64_t kLeaf = -1;
constexpr int64_t kUndefinedFeature = -2;

/// Byte offsets of NODE_DTYPE's fields in a record, in this order; -1 for a field the installed
/// scikit-learn does not have (missing_go_to_left before 1.3).
enum Field {
  kLeftChild,
  kRightChild,
  kFeature,
  kThreshold,
  kImpurity,
  kNodeSamples,
  kWeightedSamples,
  kMissingLeft,
  kFields
};
using FieldOffsets = std::array<int64_t, kFields>;

/// scikit-learn's NODE_DTYPE on 64-bit platforms since 1.3: the layout of the fast path.
struct SklearnNode {
  int64_t left_child, right_child, feature;
  double threshold, impurity;
  int64_t n_node_samples;
  double weighted_n_node_samples;
  uint8_t missing_go_to_left;
  uint8_t padding[7];
};
static_assert(sizeof(SklearnNode) == 64);
constexpr FieldOffsets kSklearnLayout = {offsetof(SklearnNode, left_child),
                                         offsetof(SklearnNode, right_child),
                                         offsetof(SklearnNode, feature),
                                         offsetof(SklearnNode, threshold),
                                         offsetof(SklearnNode, impurity),
                                         offsetof(SklearnNode, n_node_samples),
                                         offsetof(SklearnNode, weighted_n_node_samples),
                                         offsetof(SklearnNode, missing_go_to_left)};

struct Columns {
  IntColumn left, right, feature, n_node_samples, missing_left;
  const double* threshold;
  const double* impurity;
  const double* weighted;
};

/// One tree's integer columns widened to int64, reused from tree to tree.
struct TreeScratch {
  std::vector<int64_t> left, right, feature, n_node_samples, missing;
  rt::trees::WalkScratch walk;
};

/// Checks the features and missing flags of tree [a, b) (its children already walked).
std::optional<Defect> check_splits(const TreeScratch& s, size_t t, int64_t n_features) {
  for (size_t i = 0; i < s.left.size(); ++i) {
    const int64_t feature = s.feature[i];
    if (s.left[i] == kLeaf) {
      if (feature != kUndefinedFeature) return Defect{t, "feature", i, "must be -2 at a leaf"};
    } else if (feature < 0 || feature >= n_features) {
      return Defect{t, "feature", i,
                    std::to_string(feature) + " is not a feature index in [0, " +
                        std::to_string(n_features) + ")"};
    }
    if (s.missing[i] != 0 && s.missing[i] != 1) {
      return Defect{t, "missing_left", i, "must be 0 or 1"};
    }
  }
  return std::nullopt;
}

/// Writes the records of tree [a, b): straight into SklearnNode when the layout is that one.
void write_records(const Columns& c, const TreeScratch& s, size_t a, uint8_t* records,
                   size_t itemsize, const FieldOffsets& at) {
  const size_t n = s.left.size();
  if (itemsize == sizeof(SklearnNode) && at == kSklearnLayout) {
    auto* out = reinterpret_cast<SklearnNode*>(records) + a;
    for (size_t i = 0; i < n; ++i) {
      SklearnNode& node = out[i];
      node.left_child = s.left[i];
      node.right_child = s.right[i];
      node.feature = s.feature[i];
      node.threshold = c.threshold[a + i];
      node.impurity = c.impurity[a + i];
      node.n_node_samples = s.n_node_samples[i];
      node.weighted_n_node_samples = c.weighted[a + i];
      node.missing_go_to_left = static_cast<uint8_t>(s.missing[i]);
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    uint8_t* record = records + (a + i) * itemsize;
    put<int64_t>(record, at[kLeftChild], s.left[i]);
    put<int64_t>(record, at[kRightChild], s.right[i]);
    put<int64_t>(record, at[kFeature], s.feature[i]);
    put<double>(record, at[kThreshold], c.threshold[a + i]);
    put<double>(record, at[kImpurity], c.impurity[a + i]);
    put<int64_t>(record, at[kNodeSamples], s.n_node_samples[i]);
    put<double>(record, at[kWeightedSamples], c.weighted[a + i]);
    put<uint8_t>(record, at[kMissingLeft], static_cast<uint8_t>(s.missing[i]));
  }
}

/// The common case in one pass: a tree in scikit-learn's own order (every child after its
/// parent) with nothing wrong, written straight into SklearnNode records. Returns its depth, or
/// nothing at the first anomaly of any kind, for the general path to name exactly (walk_tree and
/// check_splits, whose verdict this one never contradicts: it accepts only trees they accept).
/// Checking, walking and writing in one loop is what makes it fast: the separate passes cost
/// more than the writing. The pointers start at the tree's first node and may be the columns
/// themselves, read as they are stored, since widening them first costs a pass of its own.
template <typename L, typename F, typename S, typename M>
std::optional<size_t> fill_forward(const L* left, const L* right, const F* features,
                                   const S* samples, const M* missing, const Columns& c, size_t a,
                                   size_t n, rt::trees::WalkScratch& w, SklearnNode* out,
                                   int64_t n_features) {
  auto& seen = w.seen;
  auto& depth = w.depth;
  seen.assign(n, 0);
  depth.resize(n);
  seen[0] = 1;
  depth[0] = 0;
  uint32_t deepest = 0;
  size_t entered = 0;
  const auto un = static_cast<int64_t>(n);
  for (size_t i = 0; i < n; ++i) {
    const auto l = static_cast<int64_t>(left[i]), r = static_cast<int64_t>(right[i]);
    const auto f = static_cast<int64_t>(features[i]), m = static_cast<int64_t>(missing[i]);
    const auto si = static_cast<int64_t>(i);
    if (static_cast<uint64_t>(m) > 1) return std::nullopt;
    if (l == kLeaf) {
      if (r != kLeaf || f != kUndefinedFeature) return std::nullopt;
    } else {
      if (l <= si || r <= si || l >= un || r >= un || f < 0 || f >= n_features) {
        return std::nullopt;
      }
      const auto lc = static_cast<size_t>(l), rc = static_cast<size_t>(r);
      if (seen[lc]) return std::nullopt;
      seen[lc] = 1;
      if (seen[rc]) return std::nullopt;
      seen[rc] = 1;
      const uint32_t below = depth[i] + 1;
      depth[lc] = depth[rc] = below;
      deepest = std::max(deepest, below);
      entered += 2;
    }
    SklearnNode& node = out[i];
    node.left_child = l;
    node.right_child = r;
    node.feature = f;
    node.threshold = c.threshold[a + i];
    node.impurity = c.impurity[a + i];
    node.n_node_samples = static_cast<int64_t>(samples[i]);
    node.weighted_n_node_samples = c.weighted[a + i];
    node.missing_go_to_left = static_cast<uint8_t>(m);
  }
  // Each entry marked a distinct non-root node: all n reached exactly once.
  if (entered + 1 != n) return std::nullopt;
  return deepest;
}

/// fill_forward on the columns in place when they have the types amber writes for a
/// scikit-learn forest of under 128 features, else on copies widened to int64.
std::optional<size_t> fill_forward_any(const Columns& c, TreeScratch& s, size_t a, size_t b,
                                       SklearnNode* records, int64_t n_features) {
  const auto* left = c.left.typed<int32_t>();
  const auto* right = c.right.typed<int32_t>();
  const auto* feature = c.feature.typed<int8_t>();
  const auto* samples = c.n_node_samples.typed<int32_t>();
  const auto* missing = c.missing_left.typed<uint8_t>();
  if (left && right && feature && samples && missing) {
    return fill_forward(left + a, right + a, feature + a, samples + a, missing + a, c, a, b - a,
                        s.walk, records + a, n_features);
  }
  c.left.copy(a, b, s.left);
  c.right.copy(a, b, s.right);
  c.feature.copy(a, b, s.feature);
  c.missing_left.copy(a, b, s.missing);
  c.n_node_samples.copy(a, b, s.n_node_samples);
  return fill_forward(s.left.data(), s.right.data(), s.feature.data(), s.n_node_samples.data(),
                      s.missing.data(), c, a, b - a, s.walk, records + a, n_features);
}

/// Copies tree [a, b)'s children into the scratch and walks it: its depth or its defect.
rt::trees::TreeWalk walk(const IntColumn& left_column, const IntColumn& right_column, size_t a,
                         size_t b, TreeScratch& s) {
  left_column.copy(a, b, s.left);
  right_column.copy(a, b, s.right);
  return rt::trees::walk_tree(s.left, s.right, s.walk);
}

std::optional<Defect> fill_all(const Columns& c, const Int64s& offsets, const Int64s& max_depth,
                               int64_t n_features, uint8_t* records, size_t itemsize,
                               const FieldOffsets& at, int64_t* depths) {
  TreeScratch s;
  const bool fast = itemsize == sizeof(SklearnNode) && at == kSklearnLayout;
  for (size_t t = 0; t + 1 < offsets.size(); ++t) {
    const auto a = static_cast<size_t>(offsets(t));
    const auto b = static_cast<size_t>(offsets(t + 1));
    if (fast) {
      const auto depth =
          fill_forward_any(c, s, a, b, reinterpret_cast<SklearnNode*>(records), n_features);
      if (depth && max_depth(t) >= static_cast<int64_t>(*depth)) {
        depths[t] = static_cast<int64_t>(*depth);
        continue;
      }
    }
    const auto tree = walk(c.left, c.right, a, b, s);
    if (tree.defect) return Defect{t, tree.defect->column, tree.defect->node, tree.defect->what};
    if (max_depth(t) < static_cast<int64_t>(tree.depth)) {
      return Defect{t, "max_depth", t, "is below the tree's depth"};
    }
    depths[t] = static_cast<int64_t>(tree.depth);
    c.feature.copy(a, b, s.feature);
    c.missing_left.copy(a, b, s.missing);
    c.n_node_samples.copy(a, b, s.n_node_samples);
    if (auto defect = check_splits(s, t, n_features)) return defect;
    write_records(c, s, a, records, itemsize, at);
  }
  return std::nullopt;
}

nb::object fill_tree_nodes(Records records, FieldOffsets fields, Int64s offsets, AnyColumn left,
                           AnyColumn right, AnyColumn feature, Doubles threshold, Doubles impurity,
                           AnyColumn n_node_samples, Doubles weighted, AnyColumn missing_left,
                           int64_t n_features, Int64s max_depth, Depths depths) {
  const size_t itemsize = records.shape(1);
  const size_t widths[kFields] = {8, 8, 8, 8, 8, 8, 8, 1};
  for (size_t f = 0; f < kFields; ++f) {
    if (fields[f] >= 0 && static_cast<size_t>(fields[f]) + widths[f] > itemsize) {
      misuse(kFunction, "a field lies outside the record");
    }
  }
  const Columns c{IntColumn(left, kFunction, "left"),
                  IntColumn(right, kFunction, "right"),
                  IntColumn(feature, kFunction, "feature"),
                  IntColumn(n_node_samples, kFunction, "n_node_samples"),
                  IntColumn(missing_left, kFunction, "missing_left"),
                  threshold.data(),
                  impurity.data(),
                  weighted.data()};
  check_offsets(
      kFunction, offsets,
      {records.shape(0), c.left.size(), c.right.size(), c.feature.size(), c.n_node_samples.size(),
       c.missing_left.size(), threshold.size(), impurity.size(), weighted.size()});
  if (max_depth.size() + 1 != offsets.size() || depths.size() + 1 != offsets.size()) {
    misuse(kFunction, "max_depth and depths need one entry per tree");
  }
  std::optional<Defect> defect;
  {
    nb::gil_scoped_release release;
    defect = fill_all(c, offsets, max_depth, n_features, records.data(), itemsize, fields,
                      depths.data());
  }
  return to_python(defect);
}

}  // namespace

void bind_tree_nodes(nb::module_& m) {
  m.def("fill_tree_nodes", &fill_tree_nodes, nb::arg("records"), nb::arg("fields"),
        nb::arg("offsets"), nb::arg("left"), nb::arg("right"), nb::arg("feature"),
        nb::arg("threshold"), nb::arg("impurity"), nb::arg("n_node_samples"), nb::arg("weighted"),
        nb::arg("missing_left"), nb::arg("n_features"), nb::arg("max_depth"), nb::arg("depths"),
        "Checks the canonical columns of consecutive trees and writes scikit-learn's node\n"
        "records (a uint8 view, one row per node) at the given field offsets. Returns None, or\n"
        "(tree, column, local node, what) for the first bad value; depths gets each tree's depth.");
}

}  // namespace amber::py
