// The prediction methods a compiled model can offer, named as scikit-learn names them.
#pragma once

#include <optional>
#include <string_view>

namespace amber::rt {

/// A scikit-learn prediction method.
enum class Method {
  Predict,
  PredictProba,
  PredictLogProba,
  DecisionFunction,
  Transform,
  ScoreSamples,
};

/// "predict_proba", ...
std::string_view method_name(Method method) noexcept;
/// Parses a method name; nullopt when unknown.
std::optional<Method> parse_method(std::string_view name) noexcept;

}  // namespace amber::rt
