// Printing parsed JSON (simdjson DOM elements): indented for people, compact for machines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace simdjson::dom {
class element;
}

namespace amber::cli {

/// Appends `element` as JSON indented by two spaces per level, starting at `indent` levels.
void append_pretty_json(std::string& out, const simdjson::dom::element& element, int indent = 0);

/// Appends `element` as compact JSON (no whitespace).
void append_compact_json(std::string& out, const simdjson::dom::element& element);

/// The shape of a JSON value at a glance: its kind, direct size, values and depth.
struct JsonSummary {
  std::string_view kind;  ///< "object", "array", "string", "number", "bool" or "null"
  uint64_t size = 0;      ///< members of an object, elements of an array, else 0
  uint64_t values = 0;    ///< JSON values in all, this one included
  uint64_t depth = 0;     ///< nesting of arrays and objects (0 for a scalar)
};

/// Walks `element` once and summarizes it.
JsonSummary summarize_json(const simdjson::dom::element& element);

}  // namespace amber::cli
