// Compilers of schema dummy/1 (DummyClassifier, DummyRegressor): constant predictions.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "runtime/families/tree_common.hpp"
#include "runtime/registry.hpp"

namespace amber::rt::trees {
namespace {

/// `predicted` of a classifier whose predict draws at random (only probabilities are offered).
constexpr size_t kRandom = static_cast<size_t>(-1);

/// Every row gets the same `proba` (classifiers) or `values` (regressors).
class ConstantStage final : public Stage {
 public:
  ConstantStage(size_t n_features, Labels labels, std::vector<double> values, size_t predicted)
      : n_features_(n_features),
        labels_(std::move(labels)),
        values_(std::move(values)),
        predicted_(predicted) {}

  std::vector<Method> methods() const override {
    if (labels_.size() == 0) return {Method::Predict};
    if (predicted_ == kRandom) return {Method::PredictProba, Method::PredictLogProba};
    return {Method::Predict, Method::PredictProba, Method::PredictLogProba};
  }
  size_t n_inputs() const override { return n_features_; }
  size_t n_outputs(Method method) const override {
    return labels_.size() && method == Method::Predict ? 1 : values_.size();
  }
  const Labels& labels() const override { return labels_; }

  void run(Method method, const Frame& in, double* out, Scratch&) const override {
    if (labels_.size() && method == Method::Predict) {
      std::fill(out, out + in.rows, static_cast<double>(predicted_));
      return;
    }
    const size_t width = values_.size();
    for (size_t r = 0; r < in.rows; ++r) {
      std::memcpy(out + r * width, values_.data(), width * sizeof(double));
    }
    if (method == Method::PredictLogProba) {
      for (size_t i = 0; i < in.rows * width; ++i) out[i] = std::log(out[i]);
    }
  }

 private:
  size_t n_features_;
  Labels labels_;
  std::vector<double> values_;
  size_t predicted_;
};

/// The input width: the file's n_features_in, else `known` (scikit-learn up to 1.4 did not
/// record it for dummies, which read only the row count; a booster's init gets its width).
size_t dummy_features(const Node& estimator, const Node& fitted, std::optional<size_t> known) {
  if (fitted.find("n_features_in")) return n_features_of(fitted);
  if (!known) estimator.unsupported("a dummy estimator fitted without n_features_in");
  return *known;
}

/// The index of the class equal to `constant` (the first one, as np.where picks it).
size_t constant_index(const Node& constant, const Labels& labels) {
  if (labels.is_string) {
    const auto value = constant.as_string();
    auto found = std::find(labels.strings.begin(), labels.strings.end(), value);
    if (found != labels.strings.end()) return found - labels.strings.begin();
  } else {
    const double value = constant.as_double();
    auto found = std::find(labels.numbers.begin(), labels.numbers.end(), value);
    if (found != labels.numbers.end()) return found - labels.numbers.begin();
  }
  constant.fail("the constant is not one of the classes");
}

StagePtr compile_classifier(const Node& estimator, std::optional<size_t> known_features) {
  expect_schema(estimator, "dummy/1");
  const Node fitted = fitted_of(estimator);
  const size_t n_features = dummy_features(estimator, fitted, known_features);
  if (fitted["n_outputs"].as_int() != 1 || fitted["classes"].kind() == "list") {
    fitted["classes"].unsupported("multi-output dummy classifiers are not supported natively");
  }
  if (fitted["sparse_output"].as_bool()) fitted.unsupported("sparse targets (sparse_output_)");
  Labels labels = read_labels(fitted["classes"]);
  const size_t n = labels.size();
  const auto prior = fitted["class_prior"].doubles();
  if (prior.size() != n) fitted["class_prior"].fail("must have one entry per class");
  const auto strategy = estimator["params"]["strategy"].as_string();
  std::vector<double> proba(n, 0.0);
  size_t predicted = argmax(prior.data(), n);
  if (strategy == "prior") {
    proba = prior;
  } else if (strategy == "most_frequent") {
    proba[predicted] = 1.0;
  } else if (strategy == "uniform") {
    std::fill(proba.begin(), proba.end(), 1.0 / static_cast<double>(n));
    predicted = kRandom;
  } else if (strategy == "constant") {
    predicted = constant_index(estimator["params"]["constant"], labels);
    proba[predicted] = 1.0;
  } else {
    estimator["params"]["strategy"].unsupported("strategy \"" + strategy + "\" predicts at random");
  }
  return std::make_unique<ConstantStage>(n_features, std::move(labels), std::move(proba),
                                         predicted);
}

StagePtr compile_regressor(const Node& estimator, std::optional<size_t> known_features) {
  expect_schema(estimator, "dummy/1");
  const Node fitted = fitted_of(estimator);
  const size_t n_features = dummy_features(estimator, fitted, known_features);
  const int64_t n_outputs = fitted["n_outputs"].as_int();
  auto constant = fitted["constant"].doubles();
  if (n_outputs < 1 || constant.size() != static_cast<size_t>(n_outputs)) {
    fitted["constant"].fail("must hold n_outputs values");
  }
  return std::make_unique<ConstantStage>(n_features, Labels{}, std::move(constant), 0);
}

}  // namespace

StagePtr compile_dummy_init(const Node& init, bool classifier, size_t n_features) {
  return classifier ? compile_classifier(init, n_features) : compile_regressor(init, n_features);
}

void register_dummies() {
  register_compiler("sklearn.dummy:DummyClassifier",
                    [](const Node& estimator) { return compile_classifier(estimator, {}); });
  register_compiler("sklearn.dummy:DummyRegressor",
                    [](const Node& estimator) { return compile_regressor(estimator, {}); });
}

}  // namespace amber::rt::trees
