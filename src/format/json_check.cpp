// JSON parsing by simdjson plus the rules it leaves to us: duplicate keys and a value cap.
#include "format/json_check.hpp"

#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

#include "format/error.hpp"

namespace amber {
namespace {

ErrorKind kind_of(simdjson::error_code code) {
  return code == simdjson::DEPTH_ERROR ? ErrorKind::LimitExceeded : ErrorKind::InvalidManifest;
}

struct Walker {
  std::string_view where;
  uint64_t max_values;
  uint64_t values = 0;

  void count() {
    if (++values > max_values) {
      fail(ErrorKind::LimitExceeded, where,
           "more than " + std::to_string(max_values) + " JSON values (Limits::max_json_values)");
    }
  }

  void walk(simdjson::dom::element e) {
    count();
    if (e.is_array()) {
      for (auto child : simdjson::dom::array(e)) walk(child);
    } else if (e.is_object()) {
      walk_object(simdjson::dom::object(e));
    }
  }

  void walk_object(simdjson::dom::object object) {
    std::vector<std::string_view> keys;
    keys.reserve(object.size());
    for (auto field : object) {
      keys.push_back(field.key);
      walk(field.value);
    }
    std::sort(keys.begin(), keys.end());
    auto dup = std::adjacent_find(keys.begin(), keys.end());
    if (dup != keys.end()) {
      fail(ErrorKind::InvalidManifest, where,
           "duplicate key \"" + std::string(dup->substr(0, 80)) + "\" in an object");
    }
  }
};

}  // namespace

struct JsonDocument::Impl {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

JsonDocument::JsonDocument(std::string_view text, std::string_view where, const Limits& limits)
    : impl_(std::make_unique<Impl>()) {
  if (limits.max_json_depth > kMaxJsonDepthCeiling) {
    fail(ErrorKind::InvalidArgument, where,
         "Limits::max_json_depth is " + std::to_string(limits.max_json_depth) +
             ", above the ceiling " + std::to_string(kMaxJsonDepthCeiling));
  }
  auto& parser = impl_->parser;
  if (auto error = parser.allocate(std::max<size_t>(text.size(), 64), limits.max_json_depth)) {
    fail(ErrorKind::LimitExceeded, where,
         std::string("cannot allocate the JSON parser: ") + simdjson::error_message(error));
  }
  auto result = parser.parse(text.data(), text.size(), true);
  if (result.error()) {
    std::string what = "not valid JSON: ";
    what += simdjson::error_message(result.error());
    if (result.error() == simdjson::DEPTH_ERROR) {
      what += " (nested deeper than " + std::to_string(limits.max_json_depth) +
              ", Limits::max_json_depth)";
    }
    fail(kind_of(result.error()), where, what);
  }
  impl_->root = result.value_unsafe();
  Walker{where, limits.max_json_values}.walk(impl_->root);
}

JsonDocument::~JsonDocument() = default;
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;

const simdjson::dom::element& JsonDocument::root() const { return impl_->root; }

}  // namespace amber
