// HistGradientBoosting predictors (docs/schema/tree.md §5) read, validated and flattened.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "format/reader.hpp"
#include "runtime/families/tree_arrays.hpp"
#include "runtime/graph_node.hpp"

namespace amber::rt::trees {

/// One node of a predictor. Leaves have left == -1 and their value in HgbForest::value.
struct HgbNode {
  double threshold;
  int32_t feature;
  int32_t left;  ///< global index, -1 at leaves
  int32_t right;
  uint32_t bitset;  ///< global row of HgbForest::left_bitsets (categorical splits)
  uint8_t missing_left;
  uint8_t categorical;
};

/// A 256-bit set of category codes, as scikit-learn's uint32[8] bitsets.
struct Bitset {
  uint32_t words[8];
  bool has(uint8_t code) const noexcept { return (words[code / 32] >> (code % 32)) & 1u; }
};

/// Every predictor of the model, concatenated in iteration-major order.
struct HgbForest {
  std::vector<HgbNode> nodes;
  std::vector<int32_t> roots;
  std::span<const double> value;
  std::vector<double> value_storage;
  amber::ArrayData value_data;
  std::vector<Bitset> left_bitsets;  ///< raw_left_cat_bitsets, all predictors
};

/// What the predictors may refer to.
struct HgbSpec {
  size_t n_trees = 0;
  size_t n_features = 0;
  std::vector<uint8_t> is_categorical;  ///< per input feature (empty: none)
  std::string prefix;
  size_t per_iteration = 1;
};

/// Reads and validates the `predictors` member of a hist_gradient_boosting/1 `fitted` object.
HgbForest read_predictors(const Node& predictors, const HgbSpec& spec);

/// One predictor's integer columns, local node numbers, widened to int64.
struct PredictorColumns {
  std::span<const int64_t> is_leaf, left, right, feature, is_categorical, bitset_idx;
};

/// What one predictor's splits may refer to.
struct PredictorLimits {
  size_t n_features = 0;
  std::span<const uint8_t> is_categorical;  ///< per feature; empty: no categorical feature
  size_t n_bitsets = 0;                     ///< this predictor's rows of bitsets
};

/// A predictor's children with -1 at its leaves (is_leaf decides, whatever left and right
/// hold there), and the walk's scratch, reused from predictor to predictor.
struct PredictorScratch {
  std::vector<int64_t> left, right;
  WalkScratch walk;
};

/// The first defect of one predictor, without throwing: its children walked from node 0
/// (walk_tree), then each split's feature index, categorical flag and bitset row. Both readers
/// (the runtime here, the Python loader through amber._core) refuse with these messages.
std::optional<TreeDefect> find_predictor_defect(const PredictorColumns& c,
                                                const PredictorLimits& limits,
                                                PredictorScratch& scratch);

/// scikit-learn's _predict_one_from_raw_data: `x` holds numbers and category codes (NaN for
/// missing or unknown categories); `known[f]` is the number of categories of feature f.
inline int32_t hgb_leaf(const HgbForest& f, int32_t node, const double* x) noexcept {
  const HgbNode* nodes = f.nodes.data();
  while (nodes[node].left >= 0) {
    const HgbNode& n = nodes[node];
    const double v = x[n.feature];
    bool left;
    if (std::isnan(v)) {
      left = n.missing_left;
    } else if (n.categorical) {
      // Codes are in [0, n_categories) by construction (categories_of maps others to NaN).
      left = f.left_bitsets[n.bitset].has(static_cast<uint8_t>(v));
    } else {
      left = v <= n.threshold;
    }
    node = left ? n.left : n.right;
  }
  return node;
}

}  // namespace amber::rt::trees
