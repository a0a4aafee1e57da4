// Compilers for the linear family (docs/schema/linear.md, schema linear/1): linear regressors,
// generalized linear models and linear classifiers.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "format/error.hpp"
#include "runtime/families/stage_util.hpp"
#include "runtime/registry.hpp"

namespace amber::rt {
namespace {

using fam::Matrix;

enum class Kind { Regressor, Classifier };
enum class Link { Identity, Log };
enum class Probability { None, Logistic, Softmax, ModifiedHuber };

/// X·coefᵀ + intercept for every row, then a link (regressors) or a class rule (classifiers).
class LinearStage : public Stage {
 public:
  LinearStage(std::string path, Kind kind, Matrix coef, std::vector<double> intercept)
      : path_(std::move(path)),
        kind_(kind),
        coef_(std::move(coef)),
        intercept_(std::move(intercept)) {}

  Link link = Link::Identity;
  Probability probability = Probability::None;
  Labels classes;

  std::vector<Method> methods() const override {
    if (kind_ == Kind::Regressor) return {Method::Predict};
    std::vector<Method> m = {Method::Predict, Method::DecisionFunction};
    if (probability != Probability::None) m.push_back(Method::PredictProba);
    if (probability == Probability::Logistic || probability == Probability::Softmax) {
      m.push_back(Method::PredictLogProba);
    }
    return m;
  }
  size_t n_inputs() const override { return coef_.cols; }
  size_t n_outputs(Method method) const override {
    if (method == Method::Predict && kind_ == Kind::Classifier) return 1;
    if (method == Method::PredictProba || method == Method::PredictLogProba) return classes.size();
    return coef_.rows;
  }
  const Labels& labels() const override { return classes; }
  size_t reserve_scratch(size_t first) override {
    slot_ = first;
    return first + 1;
  }

  void run(Method method, const Frame& in, double* out, Scratch& scratch) const override {
    if (!offers(method)) fam::no_method(path_, method);
    fam::require_numeric(in, coef_.cols, path_);
    const size_t k = coef_.rows;
    const size_t width = n_outputs(method);
    // One row of scores, then one gathered input row when the input is not a row-major block.
    double* buffer = scratch.get(slot_, k + coef_.cols);
    const double* base = fam::row_major_base(in);
    for (size_t r = 0; r < in.rows; ++r) {
      const double* x = base ? base + r * coef_.cols : buffer + k;
      if (!base) fam::gather_row(in, r, buffer + k);
      decision(in, r, x, buffer);
      finish(method, buffer, out + r * width);
    }
  }

 private:
  /// methods() without its vector: run() asks on every call and must not allocate.
  bool offers(Method method) const {
    switch (method) {
      case Method::Predict:
        return true;
      case Method::DecisionFunction:
        return kind_ == Kind::Classifier;
      case Method::PredictProba:
        return kind_ == Kind::Classifier && probability != Probability::None;
      case Method::PredictLogProba:
        return kind_ == Kind::Classifier &&
               (probability == Probability::Logistic || probability == Probability::Softmax);
      default:
        return false;
    }
  }

  void decision(const Frame& in, size_t r, const double* x, double* scores) const {
    const size_t n = coef_.cols;
    for (size_t c = 0; c < coef_.rows; ++c) {
      const double* w = coef_.row(c);
      double s = 0.0;
      for (size_t j = 0; j < n; ++j) s += x[j] * w[j];
      scores[c] = s + intercept_[c];
      if (!std::isfinite(scores[c])) fam::check_finite_row(in, r, path_);
    }
  }

  void finish(Method method, const double* scores, double* out) const {
    const size_t k = coef_.rows;
    switch (method) {
      case Method::Predict:
        if (kind_ == Kind::Classifier) {
          out[0] = k == 1 ? (scores[0] > 0 ? 1.0 : 0.0) : argmax(scores, k);
        } else {
          for (size_t c = 0; c < k; ++c)
            out[c] = link == Link::Log ? std::exp(scores[c]) : scores[c];
        }
        return;
      case Method::DecisionFunction:
        std::copy(scores, scores + k, out);
        return;
      case Method::PredictProba:
        return proba(scores, out);
      case Method::PredictLogProba:
        proba(scores, out);
        for (size_t c = 0; c < classes.size(); ++c) out[c] = std::log(out[c]);
        return;
      default:
        fam::no_method(path_, method);
    }
  }

  static double argmax(const double* scores, size_t k) {
    size_t best = 0;
    for (size_t c = 1; c < k; ++c) {
      if (scores[c] > scores[best]) best = c;
    }
    return static_cast<double>(best);
  }

  static double expit(double x) { return 1.0 / (1.0 + std::exp(-x)); }

  void proba(const double* scores, double* out) const {
    const size_t k = coef_.rows;
    switch (probability) {
      case Probability::Logistic:
        if (k == 1) {
          const double p = expit(scores[0]);
          out[0] = 1.0 - p;
          out[1] = p;
          return;
        }
        for (size_t c = 0; c < k; ++c) out[c] = expit(scores[c]);
        return normalize(out, k);
      case Probability::Softmax:
        if (k == 1) {
          const double two[2] = {-scores[0], scores[0]};
          return softmax(two, 2, out);
        }
        return softmax(scores, k, out);
      case Probability::ModifiedHuber:
        if (k == 1) {
          const double p = (std::clamp(scores[0], -1.0, 1.0) + 1.0) / 2.0;
          out[0] = 1.0 - p;
          out[1] = p;
          return;
        }
        for (size_t c = 0; c < k; ++c) out[c] = (std::clamp(scores[c], -1.0, 1.0) + 1.0) / 2.0;
        return normalize(out, k);
      case Probability::None:
        fam::no_method(path_, Method::PredictProba);
    }
  }

  /// One-vs-rest normalization as scikit-learn does it: an all-zero row becomes uniform.
  static void normalize(double* p, size_t k) {
    double sum = fam::numpy_sum(p, k);
    if (sum == 0) {
      std::fill(p, p + k, 1.0);
      sum = static_cast<double>(k);
    }
    for (size_t c = 0; c < k; ++c) p[c] /= sum;
  }

  /// sklearn.utils.extmath.softmax: subtract the row max, exp, divide by the (NumPy) sum.
  static void softmax(const double* scores, size_t k, double* out) {
    const double top = *std::max_element(scores, scores + k);
    for (size_t c = 0; c < k; ++c) out[c] = std::exp(scores[c] - top);
    const double sum = fam::numpy_sum(out, k);
    for (size_t c = 0; c < k; ++c) out[c] /= sum;
  }

  std::string path_;
  Kind kind_;
  Matrix coef_;
  std::vector<double> intercept_;
  size_t slot_ = 0;
};

/// coef and intercept of a fitted linear model, shapes checked against each other.
std::unique_ptr<LinearStage> read_linear(const Node& estimator, Kind kind) {
  const Node fitted = fam::fitted_of(estimator);
  const size_t n = fam::n_features_in(fitted);
  Matrix coef = fam::read_matrix(fitted["coef"], n);
  auto intercept = fam::read_vector(fitted["intercept"]);
  if (intercept.size() == 1 && coef.rows > 1) intercept.assign(coef.rows, intercept[0]);
  if (intercept.size() != coef.rows) {
    fitted["intercept"].fail("has " + std::to_string(intercept.size()) + " elements, coef has " +
                             std::to_string(coef.rows) + " rows");
  }
  return std::make_unique<LinearStage>(estimator.path(), kind, std::move(coef),
                                       std::move(intercept));
}

StagePtr compile_regressor(const Node& estimator) {
  return read_linear(estimator, Kind::Regressor);
}

StagePtr compile_glm(const Node& estimator) {
  auto stage = read_linear(estimator, Kind::Regressor);
  const Node link = fam::fitted_of(estimator)["link"];
  const auto name = link.as_string();
  if (name == "log") {
    stage->link = Link::Log;
  } else if (name != "identity") {
    link.unsupported("link \"" + name + "\" is not one of \"identity\", \"log\"");
  }
  return stage;
}

Probability read_probability(const Node& fitted) {
  auto node = fitted.find("probability");
  if (!node) return Probability::None;
  const auto name = node->as_string();
  if (name == "logistic") return Probability::Logistic;
  if (name == "softmax") return Probability::Softmax;
  if (name == "modified_huber") return Probability::ModifiedHuber;
  node->unsupported("probability \"" + name + "\" is not known");
}

StagePtr compile_classifier(const Node& estimator) {
  auto stage = read_linear(estimator, Kind::Classifier);
  const Node fitted = fam::fitted_of(estimator);
  stage->classes = fam::read_labels(fitted["classes"], 2);
  stage->probability = read_probability(fitted);
  const size_t k = stage->n_outputs(Method::DecisionFunction);
  const size_t n_classes = stage->classes.size();
  if (k == 1 ? n_classes != 2 : k != n_classes) {
    fitted["coef"].fail("has " + std::to_string(k) + " rows for " + std::to_string(n_classes) +
                        " classes (expected 1 row for 2 classes, else one per class)");
  }
  return stage;
}

}  // namespace

void register_linear_models() {
  constexpr const char* kRegressors[] = {
      "sklearn.linear_model._base:LinearRegression",
      "sklearn.linear_model._ridge:Ridge",
      "sklearn.linear_model._ridge:RidgeCV",
      "sklearn.linear_model._coordinate_descent:Lasso",
      "sklearn.linear_model._coordinate_descent:ElasticNet",
      "sklearn.linear_model._coordinate_descent:LassoCV",
      "sklearn.linear_model._coordinate_descent:ElasticNetCV",
      "sklearn.linear_model._stochastic_gradient:SGDRegressor",
      "sklearn.linear_model._passive_aggressive:PassiveAggressiveRegressor",
      "sklearn.linear_model._huber:HuberRegressor",
      "sklearn.linear_model._quantile:QuantileRegressor",
      "sklearn.linear_model._bayes:BayesianRidge",
      "sklearn.linear_model._bayes:ARDRegression",
      "sklearn.svm._classes:LinearSVR",
  };
  constexpr const char* kGlms[] = {
      "sklearn.linear_model._glm.glm:PoissonRegressor",
      "sklearn.linear_model._glm.glm:GammaRegressor",
      "sklearn.linear_model._glm.glm:TweedieRegressor",
  };
  constexpr const char* kClassifiers[] = {
      "sklearn.linear_model._logistic:LogisticRegression",
      "sklearn.linear_model._ridge:RidgeClassifier",
      "sklearn.linear_model._ridge:RidgeClassifierCV",
      "sklearn.linear_model._stochastic_gradient:SGDClassifier",
      "sklearn.linear_model._perceptron:Perceptron",
      "sklearn.linear_model._passive_aggressive:PassiveAggressiveClassifier",
      "sklearn.svm._classes:LinearSVC",
  };
  for (const char* name : kRegressors) register_compiler(name, compile_regressor, "linear/1");
  for (const char* name : kGlms) register_compiler(name, compile_glm, "linear/1");
  for (const char* name : kClassifiers) register_compiler(name, compile_classifier, "linear/1");
}

}  // namespace amber::rt
