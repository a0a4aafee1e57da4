// Compilers for the preprocessing family's numeric transformers (docs/schema/preprocessing.md):
// scalers, Normalizer, Binarizer, numeric SimpleImputer, MissingIndicator, feature selectors.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "format/error.hpp"
#include "runtime/families/preprocessing.hpp"
#include "runtime/families/stage_util.hpp"
#include "runtime/registry.hpp"

namespace amber::rt {
namespace {

using fam::Transformer;

/// Per-column y = clip((((x - sub) * mul) / div) + add), each step optional, in this order,
/// each rounded as NumPy's in-place operators round it.
struct ColumnOps {
  std::vector<double> sub, mul, div, add;
  std::optional<std::pair<double, double>> clip;

  double apply(double x, size_t j) const {
    if (!sub.empty()) x -= sub[j];
    if (!mul.empty()) x *= mul[j];
    if (!div.empty()) x /= div[j];
    if (!add.empty()) x += add[j];
    if (clip) x = std::min(std::max(x, clip->first), clip->second);
    return x;
  }
};

/// A scaler: columnwise ops forward, and (when known) columnwise ops backward.
class Scaler : public Transformer {
 public:
  Scaler(std::string path, size_t n, ColumnOps forward, std::optional<ColumnOps> backward)
      : Transformer(std::move(path), n, n),
        forward_(std::move(forward)),
        backward_(std::move(backward)) {}

  void transform(const Frame& in, double* out, Scratch&) const override {
    fam::require_numeric(in, n_in_, path_);
    for (size_t r = 0; r < in.rows; ++r) {
      for (size_t j = 0; j < n_in_; ++j) {
        const double x = in.columns[j].number(r);
        if (std::isinf(x)) fam::check_finite_row(in, r, path_, true);
        out[r * n_in_ + j] = forward_.apply(x, j);
      }
    }
  }
  bool invertible() const override { return backward_.has_value(); }
  void inverse(const double* in, size_t rows, double* out) const override {
    if (!backward_) Transformer::inverse(in, rows, out);
    for (size_t i = 0; i < rows * n_in_; ++i) out[i] = backward_->apply(in[i], i % n_in_);
  }

 private:
  ColumnOps forward_;
  std::optional<ColumnOps> backward_;
};

bool bool_param(const Node& estimator, std::string_view name, bool fallback) {
  auto params = estimator["params"];
  auto node = params.find(name);
  return node ? node->as_bool() : fallback;
}

std::vector<double> required_vector(const Node& fitted, std::string_view name, size_t n) {
  return fam::read_vector(fitted[name], n);
}

StagePtr compile_standard_scaler(const Node& est) {
  const Node fitted = fam::fitted_of(est);
  const size_t n = fam::n_features_in(fitted);
  ColumnOps forward, backward;
  if (bool_param(est, "with_mean", true)) forward.sub = required_vector(fitted, "mean", n);
  if (bool_param(est, "with_std", true)) forward.div = required_vector(fitted, "scale", n);
  backward.mul = forward.div;
  backward.add = forward.sub;
  return std::make_unique<Scaler>(est.path(), n, std::move(forward), std::move(backward));
}

StagePtr compile_robust_scaler(const Node& est) {
  const Node fitted = fam::fitted_of(est);
  const size_t n = fam::n_features_in(fitted);
  ColumnOps forward, backward;
  if (bool_param(est, "with_centering", true)) forward.sub = required_vector(fitted, "center", n);
  if (bool_param(est, "with_scaling", true)) forward.div = required_vector(fitted, "scale", n);
  backward.mul = forward.div;
  backward.add = forward.sub;
  return std::make_unique<Scaler>(est.path(), n, std::move(forward), std::move(backward));
}

std::pair<double, double> feature_range(const Node& est) {
  const auto range = est["params"]["feature_range"].items();
  if (range.size() != 2) est["params"]["feature_range"].fail("is not a pair");
  return {range[0].as_double(), range[1].as_double()};
}

StagePtr compile_min_max_scaler(const Node& est) {
  const Node fitted = fam::fitted_of(est);
  const size_t n = fam::n_features_in(fitted);
  ColumnOps forward, backward;
  forward.mul = required_vector(fitted, "scale", n);
  forward.add = required_vector(fitted, "min", n);
  if (bool_param(est, "clip", false)) forward.clip = feature_range(est);
  backward.sub = forward.add;
  backward.div = forward.mul;
  return std::make_unique<Scaler>(est.path(), n, std::move(forward), std::move(backward));
}

StagePtr compile_max_abs_scaler(const Node& est) {
  const Node fitted = fam::fitted_of(est);
  const size_t n = fam::n_features_in(fitted);
  ColumnOps forward, backward;
  forward.div = required_vector(fitted, "scale", n);
  if (bool_param(est, "clip", false)) forward.clip = std::pair{-1.0, 1.0};
  backward.mul = forward.div;
  return std::make_unique<Scaler>(est.path(), n, std::move(forward), std::move(backward));
}

enum class Norm { L1, L2, Max };

/// Normalizer: each row divided by its norm (norms below 10 eps count as 1).
class Normalizer : public Transformer {
 public:
  Normalizer(std::string path, size_t n, Norm norm)
      : Transformer(std::move(path), n, n), norm_(norm) {}
  size_t reserve_scratch(size_t first) override {
    slot_ = first;
    return first + 1;
  }
  void transform(const Frame& in, double* out, Scratch& scratch) const override {
    fam::require_numeric(in, n_in_, path_);
    double* abs_row = scratch.get(slot_, n_in_);
    for (size_t r = 0; r < in.rows; ++r) {
      double* y = out + r * n_in_;
      fam::gather_row(in, r, y);
      for (size_t j = 0; j < n_in_; ++j) {
        if (!std::isfinite(y[j])) fam::check_finite_row(in, r, path_);
        abs_row[j] = std::fabs(y[j]);
      }
      double norm = row_norm(y, abs_row);
      if (norm < 10 * std::numeric_limits<double>::epsilon()) norm = 1.0;
      for (size_t j = 0; j < n_in_; ++j) y[j] /= norm;
    }
  }

 private:
  double row_norm(const double* y, const double* abs_row) const {
    if (norm_ == Norm::L1) return fam::numpy_sum(abs_row, n_in_);
    if (norm_ == Norm::Max) return *std::max_element(abs_row, abs_row + n_in_);
    double s = 0.0;
    for (size_t j = 0; j < n_in_; ++j) s += y[j] * y[j];
    return std::sqrt(s);
  }
  Norm norm_;
  size_t slot_ = 0;
};

StagePtr compile_normalizer(const Node& est) {
  const size_t n = fam::n_features_in(fam::fitted_of(est));
  const Node node = est["params"]["norm"];
  const auto name = node.as_string();
  Norm norm = Norm::L2;
  if (name == "l1") {
    norm = Norm::L1;
  } else if (name == "max") {
    norm = Norm::Max;
  } else if (name != "l2") {
    node.unsupported("norm \"" + name + "\" is not one of l1, l2, max");
  }
  return std::make_unique<Normalizer>(est.path(), n, norm);
}

/// Binarizer: 1 where x > threshold, else 0; non-finite input is refused as scikit-learn does.
class Binarizer : public Transformer {
 public:
  Binarizer(std::string path, size_t n, double threshold)
      : Transformer(std::move(path), n, n), threshold_(threshold) {}
  void transform(const Frame& in, double* out, Scratch&) const override {
    fam::require_numeric(in, n_in_, path_);
    for (size_t r = 0; r < in.rows; ++r) {
      for (size_t j = 0; j < n_in_; ++j) {
        const double x = in.columns[j].number(r);
        if (!std::isfinite(x)) fam::check_finite_row(in, r, path_);
        out[r * n_in_ + j] = x > threshold_ ? 1.0 : 0.0;
      }
    }
  }

 private:
  double threshold_;
};

StagePtr compile_binarizer(const Node& est) {
  const size_t n = fam::n_features_in(fam::fitted_of(est));
  return std::make_unique<Binarizer>(est.path(), n, est["params"]["threshold"].as_double());
}

/// Missing-value test of SimpleImputer and MissingIndicator: NaN, or equality with a number.
struct MissingTest {
  bool nan = true;
  double value = 0;
  bool operator()(double x) const { return nan ? std::isnan(x) : x == value; }
};

MissingTest read_missing_values(const Node& est) {
  const Node node = est["params"]["missing_values"];
  const auto kind = node.kind();
  if (kind == "str" || kind == "null") {
    node.unsupported("missing_values " + std::string(kind) + " is for string data; numbers only");
  }
  const double v = node.as_double();
  return std::isnan(v) ? MissingTest{} : MissingTest{false, v};
}

/// MissingIndicator: 0/1 per selected feature; error_on_new refuses missing values elsewhere.
class MissingIndicator : public Transformer {
 public:
  MissingIndicator(std::string path, size_t n, std::vector<size_t> features, MissingTest test,
                   bool error_on_new)
      : Transformer(std::move(path), n, features.size()),
        features_(std::move(features)),
        test_(test),
        error_on_new_(error_on_new) {
    selected_.assign(n, 0);
    for (size_t f : features_) selected_[f] = 1;
  }
  void transform(const Frame& in, double* out, Scratch&) const override {
    fam::require_numeric(in, n_in_, path_);
    check_finite(in);
    if (error_on_new_) check_new(in);
    write(in, out, n_out_, 0);
  }
  /// Writes the indicator columns at `offset` of rows `width` wide (SimpleImputer reuses it).
  void write(const Frame& in, double* out, size_t width, size_t offset) const {
    for (size_t r = 0; r < in.rows; ++r) {
      for (size_t i = 0; i < features_.size(); ++i) {
        out[r * width + offset + i] = test_(in.columns[features_[i]].number(r)) ? 1.0 : 0.0;
      }
    }
  }
  void check_new(const Frame& in) const {
    for (size_t j = 0; j < n_in_; ++j) {
      if (selected_[j]) continue;
      for (size_t r = 0; r < in.rows; ++r) {
        if (test_(in.columns[j].number(r))) {
          amber::fail(ErrorKind::InvalidArgument, path_,
                      "feature " + std::to_string(j) +
                          " has missing values in transform but had none in fit");
        }
      }
    }
  }
  /// scikit-learn refuses infinity always, and NaN unless NaN marks the missing values.
  void check_finite(const Frame& in) const {
    for (size_t r = 0; r < in.rows; ++r) {
      for (size_t j = 0; j < n_in_; ++j) {
        const double x = in.columns[j].number(r);
        if (std::isinf(x) || (std::isnan(x) && !test_.nan))
          fam::check_finite_row(in, r, path_, test_.nan);
      }
    }
  }

 private:
  std::vector<size_t> features_;
  std::vector<uint8_t> selected_;
  MissingTest test_;
  bool error_on_new_;
};

std::unique_ptr<MissingIndicator> read_indicator(const Node& est, size_t n) {
  const Node fitted = fam::fitted_of(est);
  if (fam::n_features_in(fitted) != n) fitted["n_features_in"].fail("does not match the imputer");
  auto features = fam::read_indices(fitted["features"], n);
  const bool missing_only = est["params"]["features"].as_string() == "missing-only";
  const bool error_on_new = missing_only && bool_param(est, "error_on_new", true);
  return std::make_unique<MissingIndicator>(est.path(), n, std::move(features),
                                            read_missing_values(est), error_on_new);
}

StagePtr compile_missing_indicator(const Node& est) {
  const Node fitted = fam::fitted_of(est);
  if (auto precomputed = fitted.find("precomputed"); precomputed && precomputed->as_bool()) {
    precomputed->unsupported("an indicator of a precomputed mask works inside its imputer only");
  }
  return read_indicator(est, fam::n_features_in(fitted));
}

/// Numeric SimpleImputer: missing values replaced by the column's statistic; columns whose
/// statistic is NaN dropped unless keep_empty_features; then the indicator columns.
class SimpleImputer : public Transformer {
 public:
  SimpleImputer(std::string path, size_t n, std::vector<double> statistics, MissingTest test,
                bool keep_empty, std::unique_ptr<MissingIndicator> indicator)
      : Transformer(std::move(path), n, 0),
        statistics_(std::move(statistics)),
        test_(test),
        indicator_(std::move(indicator)) {
    for (size_t j = 0; j < n; ++j) {
      if (keep_empty || !std::isnan(statistics_[j])) kept_.push_back(j);
    }
    n_out_ = kept_.size() + (indicator_ ? indicator_->n_outputs(Method::Transform) : 0);
  }
  void transform(const Frame& in, double* out, Scratch&) const override {
    fam::require_numeric(in, n_in_, path_);
    check(in);
    for (size_t r = 0; r < in.rows; ++r) {
      double* y = out + r * n_out_;
      for (size_t i = 0; i < kept_.size(); ++i) {
        const double x = in.columns[kept_[i]].number(r);
        y[i] = test_(x) ? statistics_[kept_[i]] : x;
      }
    }
    if (indicator_) indicator_->write(in, out, n_out_, kept_.size());
  }

 private:
  /// scikit-learn refuses infinity always, and NaN unless NaN marks the missing values.
  void check(const Frame& in) const {
    for (size_t r = 0; r < in.rows; ++r) {
      for (size_t j = 0; j < n_in_; ++j) {
        const double x = in.columns[j].number(r);
        if (std::isinf(x) || (std::isnan(x) && !test_.nan))
          fam::check_finite_row(in, r, path_, test_.nan);
      }
    }
  }
  std::vector<double> statistics_;
  std::vector<size_t> kept_;
  MissingTest test_;
  std::unique_ptr<MissingIndicator> indicator_;
};

/// A string array, or an object array holding a string.
bool is_string_array(const Node& node) {
  if (node.kind() != "ndarray" || !node.find("dtype")) return false;
  if (!node.find("items")) return true;
  for (const auto& item : node["items"].items()) {
    if (item.kind() == "str") return true;
  }
  return false;
}

StagePtr compile_simple_imputer(const Node& est) {
  const Node fitted = fam::fitted_of(est);
  const size_t n = fam::n_features_in(fitted);
  const Node stats = fitted["statistics"];
  if (is_string_array(stats)) {
    stats.unsupported("string statistics give string output; the runtime imputes numbers only");
  }
  auto statistics = fam::read_vector(stats, n);
  std::unique_ptr<MissingIndicator> indicator;
  if (bool_param(est, "add_indicator", false)) {
    // Read in place, not through compile(): check what compile() would have checked.
    const Node node = fitted["indicator"];
    if (node.kind() != "estimator" ||
        node["class"].as_string() != "sklearn.impute._base:MissingIndicator" ||
        node["schema"].as_string() != "preprocessing/1") {
      node.fail("is not a MissingIndicator estimator of schema preprocessing/1");
    }
    indicator = read_indicator(node, n);
  }
  return std::make_unique<SimpleImputer>(
      est.path(), n, std::move(statistics), read_missing_values(est),
      bool_param(est, "keep_empty_features", false), std::move(indicator));
}

/// Feature selectors: the columns where `support` is true, in order.
class ColumnSubset : public Transformer {
 public:
  ColumnSubset(std::string path, size_t n, std::vector<size_t> keep)
      : Transformer(std::move(path), n, keep.size()), keep_(std::move(keep)) {}
  void transform(const Frame& in, double* out, Scratch&) const override {
    fam::require_numeric(in, n_in_, path_);
    for (size_t r = 0; r < in.rows; ++r) {
      for (size_t i = 0; i < keep_.size(); ++i)
        out[r * n_out_ + i] = in.columns[keep_[i]].number(r);
    }
  }

 private:
  std::vector<size_t> keep_;
};

StagePtr compile_selector(const Node& est) {
  const Node fitted = fam::fitted_of(est);
  const size_t n = fam::n_features_in(fitted);
  const Node support = fitted["support"];
  const auto mask = support.ints();
  if (mask.size() != n) support.fail("does not have n_features_in elements");
  std::vector<size_t> keep;
  for (size_t j = 0; j < n; ++j) {
    if (mask[j] != 0 && mask[j] != 1) support.fail("is not a boolean mask");
    if (mask[j]) keep.push_back(j);
  }
  return std::make_unique<ColumnSubset>(est.path(), n, std::move(keep));
}

}  // namespace

void register_scalers() {
  constexpr const char* kSchema = "preprocessing/1";
  register_compiler("sklearn.preprocessing._data:StandardScaler", compile_standard_scaler, kSchema);
  register_compiler("sklearn.preprocessing._data:RobustScaler", compile_robust_scaler, kSchema);
  register_compiler("sklearn.preprocessing._data:MinMaxScaler", compile_min_max_scaler, kSchema);
  register_compiler("sklearn.preprocessing._data:MaxAbsScaler", compile_max_abs_scaler, kSchema);
  register_compiler("sklearn.preprocessing._data:Normalizer", compile_normalizer, kSchema);
  register_compiler("sklearn.preprocessing._data:Binarizer", compile_binarizer, kSchema);
  register_compiler("sklearn.impute._base:SimpleImputer", compile_simple_imputer, kSchema);
  register_compiler("sklearn.impute._base:MissingIndicator", compile_missing_indicator, kSchema);
  constexpr const char* kSelectors[] = {
      "sklearn.feature_selection._variance_threshold:VarianceThreshold",
      "sklearn.feature_selection._univariate_selection:SelectKBest",
      "sklearn.feature_selection._univariate_selection:SelectPercentile",
      "sklearn.feature_selection._from_model:SelectFromModel",
      "sklearn.feature_selection._rfe:RFE",
      "sklearn.feature_selection._rfe:RFECV",
  };
  for (const char* name : kSelectors) register_compiler(name, compile_selector, kSchema);
}

}  // namespace amber::rt
