// Method names as scikit-learn spells them.
#include "runtime/method.hpp"

#include <array>
#include <utility>

namespace amber::rt {
namespace {

constexpr std::array<std::pair<Method, std::string_view>, 6> kNames = {{
    {Method::Predict, "predict"},
    {Method::PredictProba, "predict_proba"},
    {Method::PredictLogProba, "predict_log_proba"},
    {Method::DecisionFunction, "decision_function"},
    {Method::Transform, "transform"},
    {Method::ScoreSamples, "score_samples"},
}};

}  // namespace

std::string_view method_name(Method method) noexcept {
  for (const auto& [m, name] : kNames) {
    if (m == method) return name;
  }
  return "unknown";
}

std::optional<Method> parse_method(std::string_view name) noexcept {
  for (const auto& [m, n] : kNames) {
    if (n == name) return m;
  }
  return std::nullopt;
}

}  // namespace amber::rt
