// Compilers of schema gradient_boosting/1: init + learning_rate * trees in stage order, then link.
#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/families/links.hpp"
#include "runtime/families/stage_util.hpp"
#include "runtime/families/tree_arrays.hpp"
#include "runtime/families/tree_common.hpp"
#include "runtime/families/tree_predict.hpp"
#include "runtime/registry.hpp"

namespace amber::rt::trees {
namespace {

/// The losses' links, as far as prediction needs them.
enum class Link { Identity, Logit, HalfLogit, Multinomial };

struct Model {
  TreeSet set;
  size_t n_features = 0;
  size_t n_stages = 0;
  size_t k = 1;  ///< trees per stage
  double learning_rate = 0.1;
  Link link = Link::Identity;
  StagePtr init;  ///< null for init_ == "zero"
  Labels labels;
};

class GradientBoostingStage final : public Stage {
 public:
  explicit GradientBoostingStage(Model model) : m_(std::move(model)) { reserve_scratch(0); }

  std::vector<Method> methods() const override {
    if (!is_classifier()) return {Method::Predict};
    return {Method::Predict, Method::PredictProba, Method::PredictLogProba,
            Method::DecisionFunction};
  }
  size_t n_inputs() const override { return m_.n_features; }
  size_t n_outputs(Method method) const override {
    if (method == Method::Predict) return 1;
    if (method == Method::DecisionFunction) return m_.k;
    return m_.labels.size();
  }
  const Labels& labels() const override { return m_.labels; }
  size_t reserve_scratch(size_t first) override {
    slot_ = first;
    return m_.init ? m_.init->reserve_scratch(first + 3) : first + 3;
  }
  void run(Method method, const Frame& in, double* out, Scratch& scratch) const override;

 private:
  bool is_classifier() const { return m_.labels.size() > 0; }
  void raw_predict(const double* x, size_t rows, double* raw, Scratch& scratch) const;
  void init_raw(const double* x, size_t rows, double* raw, Scratch& scratch) const;
  void proba(const double* raw, size_t rows, double* out) const;

  Model m_;
  size_t slot_ = 0;  // slot_: float32 rows; +1: raw predictions; +2: init probabilities
};

void GradientBoostingStage::init_raw(const double* x, size_t rows, double* raw,
                                     Scratch& scratch) const {
  const size_t k = m_.k;
  if (!m_.init) return std::fill(raw, raw + rows * k, 0.0);
  // scikit-learn hands the init estimator the float32-rounded X.
  // A thread-local frame (slot_ is ours): one-row prediction allocates nothing.
  const Frame& rounded = fam::row_major_frame(slot_, x, rows, m_.n_features);
  if (!is_classifier()) return m_.init->run(Method::Predict, rounded, raw, scratch);
  const size_t n_classes = m_.labels.size();
  double* p = scratch.get(slot_ + 2, rows * n_classes + n_classes);
  m_.init->run(Method::PredictProba, rounded, p, scratch);
  auto clip = [](double v) {
    constexpr double eps = std::numeric_limits<double>::epsilon();
    return std::isnan(v) ? v : std::min(std::max(v, eps), 1 - eps);
  };
  for (size_t r = 0; r < rows; ++r) {
    const double* row = p + r * n_classes;
    if (m_.link == Link::Multinomial) {
      for (size_t c = 0; c < k; ++c) raw[r * k + c] = clip(row[c]);
      multinomial_link(raw + r * k, k, p + rows * n_classes);
    } else {
      const double logit_p = logit(clip(row[1]));
      raw[r] = m_.link == Link::HalfLogit ? 0.5 * logit_p : logit_p;
    }
  }
}

void GradientBoostingStage::raw_predict(const double* x, size_t rows, double* raw,
                                        Scratch& scratch) const {
  init_raw(x, rows, raw, scratch);
  for (size_t s = 0; s < m_.n_stages; ++s) {
    for (size_t c = 0; c < m_.k; ++c) {
      add_scaled_tree(m_.set, s * m_.k + c, x, rows, m_.n_features, m_.learning_rate, raw, m_.k, c);
    }
  }
}

void GradientBoostingStage::proba(const double* raw, size_t rows, double* out) const {
  if (m_.link == Link::Multinomial) {
    for (size_t r = 0; r < rows; ++r) {
      std::copy(raw + r * m_.k, raw + (r + 1) * m_.k, out + r * m_.k);
      softmax(out + r * m_.k, m_.k);
    }
    return;
  }
  for (size_t r = 0; r < rows; ++r) {
    const double p1 = m_.link == Link::HalfLogit ? expit(2 * raw[r]) : expit(raw[r]);
    out[2 * r] = 1 - p1;
    out[2 * r + 1] = p1;
  }
}

void GradientBoostingStage::run(Method method, const Frame& in, double* out,
                                Scratch& scratch) const {
  if (in.columns.size() != m_.n_features) bad_input(in.columns.size(), "unexpected column count");
  const double* x = float32_rows(in, m_.n_features, scratch, slot_);
  const size_t rows = in.rows;
  if (method == Method::DecisionFunction || !is_classifier()) {
    return raw_predict(x, rows, out, scratch);
  }
  double* raw = scratch.get(slot_ + 1, rows * m_.k);
  raw_predict(x, rows, raw, scratch);
  if (method == Method::Predict) {
    for (size_t r = 0; r < rows; ++r) {
      out[r] =
          m_.k == 1 ? (raw[r] >= 0 ? 1.0 : 0.0) : static_cast<double>(argmax(raw + r * m_.k, m_.k));
    }
    return;
  }
  proba(raw, rows, out);
  if (method == Method::PredictLogProba) log_all(out, rows * m_.labels.size());
}

Link link_of(const Node& estimator, bool classifier, size_t n_classes) {
  const Node loss = estimator["params"]["loss"];
  const auto name = loss.as_string();
  if (classifier && name == "log_loss") return n_classes > 2 ? Link::Multinomial : Link::Logit;
  if (classifier && name == "exponential" && n_classes == 2) return Link::HalfLogit;
  if (!classifier && (name == "squared_error" || name == "absolute_error" || name == "huber" ||
                      name == "quantile")) {
    return Link::Identity;
  }
  loss.unsupported("loss \"" + name + "\" is not supported by the native runtime");
}

StagePtr compile_init(const Node& fitted, const Model& m, bool classifier) {
  const Node init = fitted["init"];
  if (init.kind() == "str") {
    if (init.as_string() != "zero") init.fail("must be \"zero\" or an estimator");
    return nullptr;
  }
  const auto name = init.kind() == "estimator" ? init["class"].as_string() : std::string();
  const char* expected =
      classifier ? "sklearn.dummy:DummyClassifier" : "sklearn.dummy:DummyRegressor";
  if (name != expected) {
    init.unsupported("the native runtime runs init estimators of class " + std::string(expected) +
                     " only (others may see float32 input differently)");
  }
  // scikit-learn up to 1.4 recorded no n_features_in for a dummy: the booster's width is its.
  StagePtr stage = fitted_of(init).find("n_features_in")
                       ? compile(init)
                       : compile_dummy_init(init, classifier, m.n_features);
  if (stage->n_inputs() != m.n_features) init.fail("n_features_in does not match the ensemble's");
  const size_t width = stage->n_outputs(classifier ? Method::PredictProba : Method::Predict);
  if (width != (classifier ? m.labels.size() : 1)) init.fail("has the wrong number of outputs");
  return stage;
}

void read_shape(const Node& fitted, Model& m) {
  const int64_t k = fitted["n_trees_per_iteration"].as_int();
  const int64_t stages = fitted["n_estimators"].as_int();
  const size_t expected_k = m.labels.size() > 2 ? m.labels.size() : 1;
  if (k < 1 || static_cast<size_t>(k) != expected_k) {
    fitted["n_trees_per_iteration"].fail("must be " + std::to_string(expected_k));
  }
  // The cap keeps n_estimators * K from wrapping around to the number of trees stored.
  if (stages < 1 || stages > (int64_t{1} << 31)) {
    fitted["n_estimators"].fail("must be in [1, 2^31]");
  }
  m.k = static_cast<size_t>(k);
  m.n_stages = static_cast<size_t>(stages);
}

StagePtr compile_gb(const Node& estimator, bool classifier) {
  expect_schema(estimator, "gradient_boosting/1");
  const Node fitted = fitted_of(estimator);
  Model m;
  m.n_features = n_features_of(fitted);
  if (classifier) m.labels = read_labels(fitted["classes"]);
  if (classifier && m.labels.size() < 2) fitted["classes"].fail("needs at least 2 classes");
  read_shape(fitted, m);
  m.link = link_of(estimator, classifier, m.labels.size());
  m.learning_rate = estimator["params"]["learning_rate"].as_double();
  TreeSetSpec spec;
  spec.n_trees = m.n_stages * m.k;
  spec.n_features = m.n_features;
  spec.prefix = estimator.path();
  const size_t k = m.k;
  spec.tree_path = [k](size_t t) {
    return "estimators_[" + std::to_string(t / k) + ", " + std::to_string(t % k) + "].tree_";
  };
  spec.nan_goes_by_flag = false;  // predict_stages compares NaN <= threshold: false, right
  m.set = read_tree_set(fitted["trees"], spec);
  m.init = compile_init(fitted, m, classifier);
  return std::make_unique<GradientBoostingStage>(std::move(m));
}

StagePtr compile_classifier(const Node& estimator) { return compile_gb(estimator, true); }
StagePtr compile_regressor(const Node& estimator) { return compile_gb(estimator, false); }

}  // namespace

void register_gradient_boosting() {
  register_compiler("sklearn.ensemble._gb:GradientBoostingClassifier", compile_classifier);
  register_compiler("sklearn.ensemble._gb:GradientBoostingRegressor", compile_regressor);
}

}  // namespace amber::rt::trees
