// trees::find_predictor_defect: the HistGradientBoosting predictor check both amber readers run.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/families/hgb_arrays.hpp"

namespace amber::rt::trees {
namespace {

/// A predictor: node 0 splits on feature 1 into leaves 1 and 2.
struct Predictor {
  std::vector<int64_t> is_leaf{0, 1, 1}, left{1, 0, 0}, right{2, 0, 0}, feature{1, 0, 0},
      is_categorical{0, 0, 0}, bitset_idx{0, 0, 0};
  std::vector<uint8_t> categorical_features{0, 0};
  size_t n_bitsets = 0;

  std::optional<TreeDefect> check() {
    const PredictorColumns c{is_leaf, left, right, feature, is_categorical, bitset_idx};
    const PredictorLimits limits{2, categorical_features, n_bitsets};
    PredictorScratch scratch;
    return find_predictor_defect(c, limits, scratch);
  }
};

void expect_defect(const std::optional<TreeDefect>& d, const std::string& column, size_t node,
                   const std::string& part) {
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->column, column);
  EXPECT_EQ(d->node, node);
  EXPECT_NE(d->what.find(part), std::string::npos) << d->what;
}

TEST(PredictorCheck, AScikitLearnPredictorPasses) { EXPECT_FALSE(Predictor{}.check()); }

TEST(PredictorCheck, LeavesChildrenAndFeaturesAreNotRead) {
  Predictor p;
  p.left = {1, 99, -7};  // what scikit-learn leaves there does not matter
  p.right = {2, 5, 12};
  p.feature = {1, 1000, -3};
  p.is_categorical = {0, 1, 1};
  EXPECT_FALSE(p.check());
}

TEST(PredictorCheck, AnyNonZeroIsLeafIsALeaf) {
  Predictor p;
  p.is_leaf = {0, 2, 255};
  EXPECT_FALSE(p.check());
}

TEST(PredictorCheck, AChildOutOfRangeOrACycleIsRefused) {
  Predictor out;
  out.right = {3, 0, 0};
  expect_defect(out.check(), "right", 0, "");
  Predictor cycle;
  cycle.left = {0, 0, 0};  // node 0 is its own child; node 1 is never reached
  EXPECT_TRUE(cycle.check().has_value());
}

TEST(PredictorCheck, ASplitFeatureMustBeAFeature) {
  Predictor p;
  p.feature = {2, 0, 0};
  expect_defect(p.check(), "feature_idx", 0, "2 is not a feature index in [0, 2)");
  p.feature = {-1, 0, 0};
  expect_defect(p.check(), "feature_idx", 0, "-1 is not a feature index");
}

TEST(PredictorCheck, ACategoricalSplitNeedsACategoricalFeatureAndABitsetRow) {
  Predictor numeric;
  numeric.is_categorical = {1, 0, 0};
  numeric.n_bitsets = 1;
  expect_defect(numeric.check(), "is_categorical", 0, "numeric feature 1");
  numeric.categorical_features.clear();  // no categorical feature at all
  expect_defect(numeric.check(), "is_categorical", 0, "numeric feature 1");

  Predictor categorical;
  categorical.is_categorical = {1, 0, 0};
  categorical.categorical_features = {0, 1};
  categorical.n_bitsets = 1;
  EXPECT_FALSE(categorical.check());
  categorical.bitset_idx = {1, 0, 0};
  expect_defect(categorical.check(), "bitset_idx", 0, "1 is out of range [0, 1)");
}

}  // namespace
}  // namespace amber::rt::trees
