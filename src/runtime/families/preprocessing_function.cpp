// Compiler for FunctionTransformer with NumPy ufuncs (docs/schema/preprocessing.md): the identity
// or one elementwise function forward, and its inverse_func backward.
#include <cmath>
#include <map>
#include <numbers>
#include <string>

#include "format/error.hpp"
#include "runtime/families/preprocessing.hpp"
#include "runtime/families/stage_util.hpp"
#include "runtime/registry.hpp"

namespace amber::rt {
namespace {

using Ufunc = double (*)(double);

double identity(double x) { return x; }
double negative(double x) { return -x; }
double square(double x) { return x * x; }
double reciprocal(double x) { return 1.0 / x; }
double sign(double x) { return std::isnan(x) ? x : (x > 0) - (x < 0); }
double rint(double x) { return std::nearbyint(x); }
double deg2rad(double x) { return x * (std::numbers::pi / 180.0); }
double rad2deg(double x) { return x * (180.0 / std::numbers::pi); }

/// The NumPy ufuncs (by fully qualified name) the runtime computes, with their C library twins.
const std::map<std::string, Ufunc, std::less<>>& ufuncs() {
  static const std::map<std::string, Ufunc, std::less<>> table = {
      {"numpy:log", [](double x) { return std::log(x); }},
      {"numpy:log1p", [](double x) { return std::log1p(x); }},
      {"numpy:log2", [](double x) { return std::log2(x); }},
      {"numpy:log10", [](double x) { return std::log10(x); }},
      {"numpy:exp", [](double x) { return std::exp(x); }},
      {"numpy:exp2", [](double x) { return std::exp2(x); }},
      {"numpy:expm1", [](double x) { return std::expm1(x); }},
      {"numpy:sqrt", [](double x) { return std::sqrt(x); }},
      {"numpy:cbrt", [](double x) { return std::cbrt(x); }},
      {"numpy:square", square},
      {"numpy:absolute", [](double x) { return std::fabs(x); }},
      {"numpy:fabs", [](double x) { return std::fabs(x); }},
      {"numpy:negative", negative},
      {"numpy:positive", identity},
      {"numpy:reciprocal", reciprocal},
      {"numpy:sign", sign},
      {"numpy:floor", [](double x) { return std::floor(x); }},
      {"numpy:ceil", [](double x) { return std::ceil(x); }},
      {"numpy:trunc", [](double x) { return std::trunc(x); }},
      {"numpy:rint", rint},
      {"numpy:sin", [](double x) { return std::sin(x); }},
      {"numpy:cos", [](double x) { return std::cos(x); }},
      {"numpy:tan", [](double x) { return std::tan(x); }},
      {"numpy:arcsin", [](double x) { return std::asin(x); }},
      {"numpy:arccos", [](double x) { return std::acos(x); }},
      {"numpy:arctan", [](double x) { return std::atan(x); }},
      {"numpy:sinh", [](double x) { return std::sinh(x); }},
      {"numpy:cosh", [](double x) { return std::cosh(x); }},
      {"numpy:tanh", [](double x) { return std::tanh(x); }},
      {"numpy:arcsinh", [](double x) { return std::asinh(x); }},
      {"numpy:arccosh", [](double x) { return std::acosh(x); }},
      {"numpy:arctanh", [](double x) { return std::atanh(x); }},
      {"numpy:deg2rad", deg2rad},
      {"numpy:radians", deg2rad},
      {"numpy:rad2deg", rad2deg},
      {"numpy:degrees", rad2deg},
  };
  return table;
}

/// A `func` parameter: null is the identity, a `function` node must name a known ufunc.
Ufunc read_ufunc(const Node& node) {
  if (node.is_null()) return identity;
  if (node.kind() != "function") node.unsupported("is not a NumPy ufunc");
  const auto name = node["name"].as_string();
  const auto found = ufuncs().find(name);
  if (found == ufuncs().end()) {
    node.unsupported("function " + name + " is not a NumPy ufunc the runtime computes");
  }
  return found->second;
}

class FunctionTransformer : public fam::Transformer {
 public:
  FunctionTransformer(std::string path, size_t n, Ufunc forward, Ufunc backward, bool validate)
      : Transformer(std::move(path), n, n),
        forward_(forward),
        backward_(backward),
        validate_(validate) {}

  void transform(const Frame& in, double* out, Scratch&) const override {
    fam::require_numeric(in, n_in_, path_);
    for (size_t r = 0; r < in.rows; ++r) {
      for (size_t j = 0; j < n_in_; ++j) {
        const double x = in.columns[j].number(r);
        if (validate_ && !std::isfinite(x)) fam::check_finite_row(in, r, path_);
        out[r * n_in_ + j] = forward_(x);
      }
    }
  }
  bool invertible() const override { return true; }
  void inverse(const double* in, size_t rows, double* out) const override {
    for (size_t i = 0; i < rows * n_in_; ++i) {
      if (validate_ && !std::isfinite(in[i])) {
        amber::fail(ErrorKind::InvalidArgument, path_, "inverse_transform input is not finite");
      }
      out[i] = backward_(in[i]);
    }
  }

 private:
  Ufunc forward_;
  Ufunc backward_;
  bool validate_;
};

StagePtr compile_function_transformer(const Node& est) {
  const size_t n = fam::n_features_in(fam::fitted_of(est));
  const Node params = est["params"];
  for (const char* name : {"kw_args", "inv_kw_args"}) {
    if (auto args = params.find(name)) args->unsupported("keyword arguments are not supported");
  }
  return std::make_unique<FunctionTransformer>(est.path(), n, read_ufunc(params["func"]),
                                               read_ufunc(params["inverse_func"]),
                                               params["validate"].as_bool());
}

}  // namespace

void register_function_transformer() {
  register_compiler("sklearn.preprocessing._function_transformer:FunctionTransformer",
                    compile_function_transformer, "preprocessing/1");
}

}  // namespace amber::rt
