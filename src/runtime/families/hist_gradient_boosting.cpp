// Compilers of schema hist_gradient_boosting/1: categories to codes, baseline + predictors, link.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>

#include "runtime/families/hgb_arrays.hpp"
#include "runtime/families/links.hpp"
#include "runtime/families/tree_common.hpp"
#include "runtime/registry.hpp"

namespace amber::rt::trees {
namespace {

enum class Link { Identity, Log, Logit, Multinomial };

/// One categorical feature's categories, sorted for lookup, with their codes.
struct Categories {
  bool is_string = false;
  std::vector<std::pair<double, double>> numbers;  ///< (category, code)
  std::vector<std::pair<std::string, double>> strings;
};

struct Model {
  HgbForest forest;
  size_t n_features = 0;
  size_t k = 1;
  std::vector<double> baseline;
  std::vector<Categories> categories;  ///< per feature; empty vectors for numeric features
  std::vector<uint8_t> is_categorical;
  Link link = Link::Identity;
  Labels labels;
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=nan) on one value.
double code_of(const Categories& c, double v) {
  if (std::isnan(v)) return kNaN;
  auto at = std::lower_bound(c.numbers.begin(), c.numbers.end(), v,
                             [](const auto& entry, double x) { return entry.first < x; });
  return at != c.numbers.end() && at->first == v ? at->second : kNaN;
}

double code_of(const Categories& c, std::string_view v) {
  auto at = std::lower_bound(c.strings.begin(), c.strings.end(), v,
                             [](const auto& entry, std::string_view x) { return entry.first < x; });
  return at != c.strings.end() && at->first == v ? at->second : kNaN;
}

class HgbStage final : public Stage {
 public:
  explicit HgbStage(Model model) : m_(std::move(model)) {}

  std::vector<Method> methods() const override {
    if (m_.labels.size() == 0) return {Method::Predict};
    return {Method::Predict, Method::PredictProba, Method::PredictLogProba,
            Method::DecisionFunction};
  }
  size_t n_inputs() const override { return m_.n_features; }
  std::vector<uint8_t> string_inputs() const override {
    std::vector<uint8_t> flags(m_.n_features, 0);
    for (size_t j = 0; j < m_.is_categorical.size() && j < flags.size(); ++j) {
      flags[j] = m_.is_categorical[j] && m_.categories[j].is_string;
    }
    return flags;
  }
  size_t n_outputs(Method method) const override {
    if (method == Method::Predict) return 1;
    if (method == Method::DecisionFunction) return m_.k;
    return m_.labels.size();
  }
  const Labels& labels() const override { return m_.labels; }
  size_t reserve_scratch(size_t first) override {
    slot_ = first;
    return first + 2;
  }
  void run(Method method, const Frame& in, double* out, Scratch& scratch) const override;

 private:
  const double* encode(const Frame& in, Scratch& scratch) const;
  void encode_column(const Column& column, size_t j, size_t rows, double* x) const;
  void raw_predict(const double* x, size_t rows, double* raw) const;
  void finish(Method method, const double* raw, size_t rows, double* out) const;

  Model m_;
  size_t slot_ = 0;  // slot_: encoded rows; slot_ + 1: raw predictions
};

void HgbStage::encode_column(const Column& column, size_t j, size_t rows, double* x) const {
  const size_t f = m_.n_features;
  const bool categorical = !m_.is_categorical.empty() && m_.is_categorical[j];
  if (!categorical) {
    if (column.is_string()) bad_input(j, "is a string column; this feature is numeric");
    for (size_t r = 0; r < rows; ++r) x[r * f + j] = column.number(r);
    return;
  }
  const Categories& c = m_.categories[j];
  if (column.is_string() != c.is_string) {
    bad_input(j, c.is_string ? "must hold strings (the categories are strings)"
                             : "must hold numbers (the categories are numbers)");
  }
  for (size_t r = 0; r < rows; ++r) {
    if (!column.is_string()) {
      x[r * f + j] = code_of(c, column.number(r));
    } else {
      x[r * f + j] = column.is_missing(r) ? kNaN : code_of(c, column.strings[r]);
    }
  }
}

const double* HgbStage::encode(const Frame& in, Scratch& scratch) const {
  if (in.columns.size() != m_.n_features) bad_input(in.columns.size(), "unexpected column count");
  double* x = scratch.get(slot_, in.rows * m_.n_features);
  for (size_t j = 0; j < m_.n_features; ++j) encode_column(in.columns[j], j, in.rows, x);
  return x;
}

void HgbStage::raw_predict(const double* x, size_t rows, double* raw) const {
  const size_t k = m_.k;
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < k; ++c) raw[r * k + c] = 0.0 + m_.baseline[c];
  }
  const auto& forest = m_.forest;
  for (size_t t = 0; t < forest.roots.size(); ++t) {
    const size_t c = t % k;
    for (size_t r = 0; r < rows; ++r) {
      raw[r * k + c] += forest.value[hgb_leaf(forest, forest.roots[t], x + r * m_.n_features)];
    }
  }
}

void HgbStage::finish(Method method, const double* raw, size_t rows, double* out) const {
  const size_t k = m_.k;
  if (method == Method::Predict) {
    for (size_t r = 0; r < rows; ++r) {
      // "> 0", not ">= 0": HistGradientBoostingClassifier.predict.
      out[r] = k == 1 ? (raw[r] > 0 ? 1.0 : 0.0) : static_cast<double>(argmax(raw + r * k, k));
    }
    return;
  }
  if (k > 1) {
    std::copy(raw, raw + rows * k, out);
    for (size_t r = 0; r < rows; ++r) softmax(out + r * k, k);
  } else {
    for (size_t r = 0; r < rows; ++r) {
      out[2 * r + 1] = expit(raw[r]);
      out[2 * r] = 1 - out[2 * r + 1];
    }
  }
  if (method == Method::PredictLogProba) log_all(out, rows * m_.labels.size());
}

void HgbStage::run(Method method, const Frame& in, double* out, Scratch& scratch) const {
  const double* x = encode(in, scratch);
  const size_t rows = in.rows;
  if (m_.labels.size() == 0) {
    raw_predict(x, rows, out);
    if (m_.link == Link::Log) {
      for (size_t r = 0; r < rows; ++r) out[r] = std::exp(out[r]);
    }
    return;
  }
  if (method == Method::DecisionFunction) return raw_predict(x, rows, out);
  double* raw = scratch.get(slot_ + 1, rows * m_.k);
  raw_predict(x, rows, raw);
  finish(method, raw, rows, out);
}

Categories read_categories(const Node& node) {
  Categories c;
  if (node.kind() == "ndarray" && node.find("dtype")) {
    c.is_string = true;
    const auto values = node.strings();
    for (size_t i = 0; i < values.size(); ++i) c.strings.emplace_back(values[i], double(i));
    std::sort(c.strings.begin(), c.strings.end());
  } else {
    const auto values = node.doubles();
    for (size_t i = 0; i < values.size(); ++i) {
      if (std::isnan(values[i])) node.fail("categories must not hold NaN");
      c.numbers.emplace_back(values[i], double(i));
    }
    std::sort(c.numbers.begin(), c.numbers.end());
  }
  const size_t n = c.is_string ? c.strings.size() : c.numbers.size();
  if (n > 256) node.fail("more than 256 categories");
  for (size_t i = 1; i < n; ++i) {
    const bool same = c.is_string ? c.strings[i].first == c.strings[i - 1].first
                                  : c.numbers[i].first == c.numbers[i - 1].first;
    if (same) node.fail("categories must be distinct");
  }
  return c;
}

void read_categorical(const Node& fitted, Model& m) {
  auto mask = fitted.find("is_categorical");
  if (!mask) return;
  const auto flags = mask->ints();
  if (flags.size() != m.n_features) mask->fail("must have one entry per feature");
  const auto lists = fitted["categories"].items();
  if (lists.size() != m.n_features) fitted["categories"].fail("must have one entry per feature");
  m.categories.resize(m.n_features);
  for (size_t j = 0; j < m.n_features; ++j) {
    m.is_categorical.push_back(flags[j] != 0);
    if (flags[j] == 0) continue;
    if (lists[j].is_null()) lists[j].fail("a categorical feature needs its categories");
    m.categories[j] = read_categories(lists[j]);
  }
}

Link link_of(const Node& estimator, bool classifier, size_t k) {
  const Node loss = estimator["params"]["loss"];
  const auto name = loss.as_string();
  if (classifier && name == "log_loss") return k > 1 ? Link::Multinomial : Link::Logit;
  if (!classifier && (name == "squared_error" || name == "absolute_error" || name == "quantile")) {
    return Link::Identity;
  }
  if (!classifier && (name == "poisson" || name == "gamma")) return Link::Log;
  loss.unsupported("loss \"" + name + "\" is not supported by the native runtime");
}

void read_shape(const Node& fitted, Model& m, HgbSpec& spec) {
  const int64_t k = fitted["n_trees_per_iteration"].as_int();
  const size_t expected = m.labels.size() > 2 ? m.labels.size() : 1;
  if (k < 1 || static_cast<size_t>(k) != expected) {
    fitted["n_trees_per_iteration"].fail("must be " + std::to_string(expected));
  }
  const int64_t n_iter = fitted["n_iter"].as_int();
  if (n_iter < 0 || n_iter > (int64_t{1} << 31)) fitted["n_iter"].fail("is out of range");
  m.k = static_cast<size_t>(k);
  spec.per_iteration = m.k;
  spec.n_trees = static_cast<size_t>(n_iter) * m.k;
  m.baseline = fitted["baseline_prediction"].doubles();
  if (m.baseline.size() != m.k) fitted["baseline_prediction"].fail("must hold one value per tree");
}

StagePtr compile_hgb(const Node& estimator, bool classifier) {
  expect_schema(estimator, "hist_gradient_boosting/1");
  const Node fitted = fitted_of(estimator);
  Model m;
  HgbSpec spec;
  m.n_features = spec.n_features = n_features_of(fitted);
  spec.prefix = estimator.path();
  if (classifier) m.labels = read_labels(fitted["classes"]);
  if (classifier && m.labels.size() < 2) fitted["classes"].fail("needs at least 2 classes");
  read_shape(fitted, m, spec);
  m.link = link_of(estimator, classifier, m.k);
  read_categorical(fitted, m);
  spec.is_categorical = m.is_categorical;
  m.forest = read_predictors(fitted["predictors"], spec);
  return std::make_unique<HgbStage>(std::move(m));
}

StagePtr compile_classifier(const Node& estimator) { return compile_hgb(estimator, true); }
StagePtr compile_regressor(const Node& estimator) { return compile_hgb(estimator, false); }

}  // namespace

void register_hist_gradient_boosting() {
  const std::string module = "sklearn.ensemble._hist_gradient_boosting.gradient_boosting:";
  register_compiler(module + "HistGradientBoostingClassifier", compile_classifier);
  register_compiler(module + "HistGradientBoostingRegressor", compile_regressor);
}

}  // namespace amber::rt::trees
