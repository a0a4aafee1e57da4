// Reads HGB predictor columns; refuses loops, out-of-range children, features and bitset rows.
#include "runtime/families/hgb_arrays.hpp"

#include <cstring>
#include <iterator>
#include <limits>
#include <span>

#include "runtime/families/tree_arrays.hpp"
#include "runtime/families/tree_common.hpp"

namespace amber::rt::trees {
namespace {

enum Column {
  kOffsets,
  kValue,
  kFeature,
  kThreshold,
  kMissing,
  kLeft,
  kRight,
  kIsLeaf,
  kIsCategorical,
  kBitsetIdx,
  kBitsetOffsets,
  kRawBitsets,
  kColumns
};
constexpr const char* kNames[kColumns] = {
    "node_offsets",       "value",      "feature_idx",    "num_threshold",
    "missing_go_to_left", "left",       "right",          "is_leaf",
    "is_categorical",     "bitset_idx", "bitset_offsets", "raw_left_cat_bitsets"};
/// Columns only the Python reader needs; the runtime checks their shapes.
constexpr const char* kStats[] = {"count", "gain", "depth", "bin_threshold"};

std::vector<int64_t> offsets_of(const Node& node, const amber::ArrayData& data, size_t n_trees,
                                bool strict) {
  auto offsets = to_int64(data, node);
  if (offsets.size() != n_trees + 1) {
    node.fail("has " + std::to_string(offsets.size()) + " entries, expected " +
              std::to_string(n_trees + 1));
  }
  if (offsets[0] != 0) node.fail("must start at 0");
  for (size_t t = 0; t < n_trees; ++t) {
    if (offsets[t + 1] < offsets[t] || (strict && offsets[t + 1] == offsets[t])) {
      node.fail(strict ? "must increase strictly" : "must not decrease");
    }
  }
  if (offsets.back() > std::numeric_limits<int32_t>::max()) node.unsupported("too many nodes");
  return offsets;
}

/// The integer columns, read as stored: whole widened copies cost a first native open more in
/// page faults than the checks themselves.
constexpr Column kIntegers[] = {kFeature,       kLeft,      kRight,  kIsLeaf,
                                kIsCategorical, kBitsetIdx, kMissing};

/// One predictor's integer columns widened to int64.
struct TreeInts {
  std::vector<int64_t> feature, left, right, is_leaf, is_categorical, bitset_idx, missing;
  void take(std::span<const amber::ArrayData> data, std::span<const Node> nodes, size_t begin,
            size_t end) {
    std::vector<int64_t>* into[] = {&feature,        &left,       &right,  &is_leaf,
                                    &is_categorical, &bitset_idx, &missing};
    for (size_t i = 0; i < std::size(kIntegers); ++i) {
      widen_rows(data[kIntegers[i]], nodes[kIntegers[i]], begin, end, *into[i]);
    }
  }
};

std::string tree_name(const HgbSpec& spec, size_t t) {
  return join_path(spec.prefix, "_predictors[" + std::to_string(t / spec.per_iteration) + "][" +
                                    std::to_string(t % spec.per_iteration) + "].nodes");
}

void check_tree(const TreeInts& c, const PredictorLimits& limits, const std::string& tree,
                PredictorScratch& scratch) {
  const PredictorColumns columns{c.is_leaf, c.left,           c.right,
                                 c.feature, c.is_categorical, c.bitset_idx};
  if (auto defect = find_predictor_defect(columns, limits, scratch)) {
    fail_at(tree + "." + defect->column + "[" + std::to_string(defect->node) + "]", defect->what);
  }
}

/// The checked predictor's nodes [begin, end) of `out`, from its rows `c` (local indices).
void flatten(const TreeInts& c, std::span<const double> threshold, size_t begin, size_t bitset_base,
             HgbForest& out) {
  for (size_t i = 0; i < c.is_leaf.size(); ++i) {
    HgbNode& n = out.nodes[begin + i];
    const bool leaf = c.is_leaf[i] != 0;
    n.threshold = threshold[begin + i];
    n.feature = leaf ? 0 : static_cast<int32_t>(c.feature[i]);
    n.left = leaf ? -1 : static_cast<int32_t>(begin + c.left[i]);
    n.right = leaf ? -1 : static_cast<int32_t>(begin + c.right[i]);
    n.missing_left = c.missing[i] != 0;
    n.categorical = !leaf && c.is_categorical[i] != 0;
    n.bitset = n.categorical ? static_cast<uint32_t>(bitset_base + c.bitset_idx[i]) : 0;
  }
}

std::vector<Bitset> read_bitsets(const Node& node, const amber::ArrayData& data, uint64_t count) {
  const uint64_t shape[] = {count, 8};
  expect_shape(node, shape);
  if (data.info->dtype != DType::UInt32) node.fail("must be a uint32 array");
  std::vector<Bitset> out(count);
  if (count) std::memcpy(out.data(), data.bytes.data(), count * sizeof(Bitset));
  return out;
}

}  // namespace

std::optional<TreeDefect> find_predictor_defect(const PredictorColumns& c,
                                                const PredictorLimits& limits,
                                                PredictorScratch& scratch) {
  const size_t n = c.is_leaf.size();
  scratch.left.resize(n);
  scratch.right.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const bool leaf = c.is_leaf[i] != 0;
    scratch.left[i] = leaf ? -1 : c.left[i];
    scratch.right[i] = leaf ? -1 : c.right[i];
  }
  TreeWalk walk = walk_tree(scratch.left, scratch.right, scratch.walk);
  if (walk.defect) return std::move(walk.defect);
  for (size_t i = 0; i < n; ++i) {
    if (scratch.left[i] == -1) continue;
    const int64_t f = c.feature[i];
    if (f < 0 || static_cast<uint64_t>(f) >= limits.n_features) {
      return TreeDefect{"feature_idx", i,
                        std::to_string(f) + " is not a feature index in [0, " +
                            std::to_string(limits.n_features) + ")"};
    }
    if (!c.is_categorical[i]) continue;
    if (limits.is_categorical.empty() || !limits.is_categorical[static_cast<size_t>(f)]) {
      return TreeDefect{"is_categorical", i,
                        "a categorical split on the numeric feature " + std::to_string(f)};
    }
    const int64_t b = c.bitset_idx[i];
    if (b < 0 || static_cast<uint64_t>(b) >= limits.n_bitsets) {
      return TreeDefect{
          "bitset_idx", i,
          std::to_string(b) + " is out of range [0, " + std::to_string(limits.n_bitsets) + ")"};
    }
  }
  return std::nullopt;
}

HgbForest read_predictors(const Node& predictors, const HgbSpec& spec) {
  std::vector<Node> nodes;
  for (const char* name : kNames) nodes.push_back(predictors[name]);
  const auto data = fetch(nodes);
  const auto offsets = offsets_of(nodes[kOffsets], data[kOffsets], spec.n_trees, true);
  const auto bitset_offsets =
      offsets_of(nodes[kBitsetOffsets], data[kBitsetOffsets], spec.n_trees, false);
  const uint64_t flat[] = {static_cast<uint64_t>(offsets.back())};
  for (size_t c = kValue; c <= kBitsetIdx; ++c) expect_shape(nodes[c], flat);
  for (const char* stat : kStats) expect_shape(predictors[stat], flat);

  for (Column k : kIntegers) {
    // Charged as to_int64 charges a widened column: refs that name these predictors many
    // times are bounded by the compile budget all the same.
    nodes[k].context().charge(data[k].info->element_count(), nodes[k]);
    require_integers(data[k], nodes[k]);
  }
  std::vector<double> threshold_storage;
  const auto threshold = as_doubles(data[kThreshold], threshold_storage, nodes[kThreshold]);

  HgbForest out;
  out.nodes.resize(flat[0]);
  out.left_bitsets = read_bitsets(nodes[kRawBitsets], data[kRawBitsets], bitset_offsets.back());
  expect_shape(predictors["binned_left_cat_bitsets"],
               std::vector<uint64_t>{static_cast<uint64_t>(bitset_offsets.back()), 8});
  PredictorScratch scratch;
  TreeInts tree;
  PredictorLimits limits{spec.n_features, spec.is_categorical, 0};
  for (size_t t = 0; t < spec.n_trees; ++t) {
    const auto begin = static_cast<size_t>(offsets[t]);
    const auto end = static_cast<size_t>(offsets[t + 1]);
    limits.n_bitsets = static_cast<size_t>(bitset_offsets[t + 1] - bitset_offsets[t]);
    tree.take(data, nodes, begin, end);
    check_tree(tree, limits, tree_name(spec, t), scratch);
    flatten(tree, threshold, begin, static_cast<size_t>(bitset_offsets[t]), out);
    out.roots.push_back(static_cast<int32_t>(begin));
  }
  out.value_data = data[kValue];
  out.value = as_doubles(out.value_data, out.value_storage, nodes[kValue]);
  return out;
}

}  // namespace amber::rt::trees
