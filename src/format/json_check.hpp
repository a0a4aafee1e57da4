// Parses JSON text with the rules the format adds to RFC 8259: caps, no duplicate keys.
#pragma once

#include <memory>
#include <string_view>

#include "format/limits.hpp"

namespace simdjson::dom {
class element;
class parser;
}  // namespace simdjson::dom

namespace amber {

/// A parsed, checked JSON document; the element stays valid while this lives.
class JsonDocument {
 public:
  /// Parses `text` (UTF-8 checked, depth and value caps, duplicate keys refused).
  /// `where` names the region in error messages ("manifest"). Throws Error.
  JsonDocument(std::string_view text, std::string_view where, const Limits& limits);
  ~JsonDocument();
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;
  const simdjson::dom::element& root() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace amber
