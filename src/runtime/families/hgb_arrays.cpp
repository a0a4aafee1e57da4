// Reads HGB predictor columns; refuses loops, out-of-range children, features and bitset rows.
#include "runtime/families/hgb_arrays.hpp"

#include <cstring>
#include <limits>

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

struct Columns {
  std::vector<int64_t> feature, left, right, is_leaf, is_categorical, bitset_idx, missing;
  std::span<const double> threshold;
  std::vector<double> threshold_storage;
};

std::string tree_name(const HgbSpec& spec, size_t t) {
  return join_path(spec.prefix, "_predictors[" + std::to_string(t / spec.per_iteration) + "][" +
                                    std::to_string(t % spec.per_iteration) + "].nodes");
}

void check_tree(const Columns& c, size_t begin, size_t end, const PredictorLimits& limits,
                const std::string& tree, PredictorScratch& scratch) {
  const size_t n = end - begin;
  auto part = [&](const std::vector<int64_t>& column) {
    return std::span<const int64_t>(column.data() + begin, n);
  };
  const PredictorColumns columns{part(c.is_leaf), part(c.left),           part(c.right),
                                 part(c.feature), part(c.is_categorical), part(c.bitset_idx)};
  if (auto defect = find_predictor_defect(columns, limits, scratch)) {
    fail_at(tree + "." + defect->column + "[" + std::to_string(defect->node) + "]", defect->what);
  }
}

void flatten(const Columns& c, size_t begin, size_t end, size_t bitset_base, HgbForest& out) {
  for (size_t g = begin; g < end; ++g) {
    HgbNode& n = out.nodes[g];
    const bool leaf = c.is_leaf[g] != 0;
    n.threshold = c.threshold[g];
    n.feature = leaf ? 0 : static_cast<int32_t>(c.feature[g]);
    n.left = leaf ? -1 : static_cast<int32_t>(begin + c.left[g]);
    n.right = leaf ? -1 : static_cast<int32_t>(begin + c.right[g]);
    n.missing_left = c.missing[g] != 0;
    n.categorical = !leaf && c.is_categorical[g] != 0;
    n.bitset = n.categorical ? static_cast<uint32_t>(bitset_base + c.bitset_idx[g]) : 0;
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

  Columns c;
  c.feature = to_int64(data[kFeature], nodes[kFeature]);
  c.left = to_int64(data[kLeft], nodes[kLeft]);
  c.right = to_int64(data[kRight], nodes[kRight]);
  c.is_leaf = to_int64(data[kIsLeaf], nodes[kIsLeaf]);
  c.is_categorical = to_int64(data[kIsCategorical], nodes[kIsCategorical]);
  c.bitset_idx = to_int64(data[kBitsetIdx], nodes[kBitsetIdx]);
  c.missing = to_int64(data[kMissing], nodes[kMissing]);
  c.threshold = as_doubles(data[kThreshold], c.threshold_storage, nodes[kThreshold]);

  HgbForest out;
  out.nodes.resize(flat[0]);
  out.left_bitsets = read_bitsets(nodes[kRawBitsets], data[kRawBitsets], bitset_offsets.back());
  expect_shape(predictors["binned_left_cat_bitsets"],
               std::vector<uint64_t>{static_cast<uint64_t>(bitset_offsets.back()), 8});
  PredictorScratch scratch;
  PredictorLimits limits{spec.n_features, spec.is_categorical, 0};
  for (size_t t = 0; t < spec.n_trees; ++t) {
    const auto begin = static_cast<size_t>(offsets[t]);
    const auto end = static_cast<size_t>(offsets[t + 1]);
    limits.n_bitsets = static_cast<size_t>(bitset_offsets[t + 1] - bitset_offsets[t]);
    check_tree(c, begin, end, limits, tree_name(spec, t), scratch);
    flatten(c, begin, end, static_cast<size_t>(bitset_offsets[t]), out);
    out.roots.push_back(static_cast<int32_t>(begin));
  }
  out.value_data = data[kValue];
  out.value = as_doubles(out.value_data, out.value_storage, nodes[kValue]);
  return out;
}

}  // namespace amber::rt::trees
