// Printing parsed JSON (simdjson DOM elements): indented for people, compact for machines.
#include "cli/json_print.hpp"

#include <simdjson.h>

#include <algorithm>

#include "format/json_writer.hpp"

namespace amber::cli {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr size_t kInlineWidth = 72;

// By value: iterating over value_unsafe() of a temporary result would dangle.
simdjson::dom::array as_array(const element& e) { return e.get_array().value_unsafe(); }
simdjson::dom::object as_object(const element& e) { return e.get_object().value_unsafe(); }

bool is_container(const element& e) {
  return e.type() == element_type::ARRAY || e.type() == element_type::OBJECT;
}

void append_scalar(std::string& out, const element& e) {
  if (e.type() == element_type::STRING) {
    append_json_string(out, e.get_string().value_unsafe());
  } else {
    out += simdjson::to_string(e);
  }
}

void append_newline(std::string& out, int indent) {
  out += '\n';
  out.append(static_cast<size_t>(indent) * 2, ' ');
}

// An array or object of scalars that fits on one line is printed on one line: [1, 2, 3].
bool try_inline_array(std::string& out, simdjson::dom::array array) {
  std::string line = "[";
  for (element item : array) {
    if (is_container(item) || line.size() > kInlineWidth) return false;
    if (line.size() > 1) line += ", ";
    append_scalar(line, item);
  }
  if (line.size() > kInlineWidth) return false;
  out += line + ']';
  return true;
}

bool try_inline_object(std::string& out, simdjson::dom::object object) {
  std::string line = "{";
  for (auto [key, value] : object) {
    if (is_container(value) || line.size() > kInlineWidth) return false;
    if (line.size() > 1) line += ", ";
    append_json_string(line, key);
    line += ": ";
    append_scalar(line, value);
  }
  if (line.size() > kInlineWidth) return false;
  out += line + '}';
  return true;
}

void append_pretty_array(std::string& out, simdjson::dom::array array, int indent) {
  if (try_inline_array(out, array)) return;
  out += '[';
  bool first = true;
  for (element item : array) {
    out += first ? "" : ",";
    first = false;
    append_newline(out, indent + 1);
    append_pretty_json(out, item, indent + 1);
  }
  append_newline(out, indent);
  out += ']';
}

void append_pretty_object(std::string& out, simdjson::dom::object object, int indent) {
  if (try_inline_object(out, object)) return;
  out += '{';
  bool first = true;
  for (auto [key, value] : object) {
    out += first ? "" : ",";
    first = false;
    append_newline(out, indent + 1);
    append_json_string(out, key);
    out += ": ";
    append_pretty_json(out, value, indent + 1);
  }
  append_newline(out, indent);
  out += '}';
}

std::string_view kind_of(const element& e) {
  switch (e.type()) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "bool";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "number";
  }
}

// Adds the values under `e` (itself included) to `summary`; returns the nesting below it.
uint64_t walk(const element& e, JsonSummary& summary) {
  ++summary.values;
  uint64_t below = 0;
  if (e.type() == element_type::ARRAY) {
    for (element item : as_array(e)) below = std::max(below, walk(item, summary));
    return below + 1;
  }
  if (e.type() == element_type::OBJECT) {
    for (auto [key, value] : as_object(e)) below = std::max(below, walk(value, summary));
    return below + 1;
  }
  return 0;
}

void append_compact_array(std::string& out, simdjson::dom::array array) {
  out += '[';
  bool first = true;
  for (element item : array) {
    out += first ? "" : ",";
    first = false;
    append_compact_json(out, item);
  }
  out += ']';
}

void append_compact_object(std::string& out, simdjson::dom::object object) {
  out += '{';
  bool first = true;
  for (auto [key, value] : object) {
    out += first ? "" : ",";
    first = false;
    append_json_string(out, key);
    out += ':';
    append_compact_json(out, value);
  }
  out += '}';
}

// Counts members or elements by walking them: simdjson's size() saturates at 2^24 - 1.
template <class Container>
uint64_t count(Container container) {
  uint64_t n = 0;
  for ([[maybe_unused]] auto item : container) ++n;
  return n;
}

}  // namespace

void append_pretty_json(std::string& out, const element& element, int indent) {
  if (element.type() == element_type::ARRAY) {
    append_pretty_array(out, as_array(element), indent);
  } else if (element.type() == element_type::OBJECT) {
    append_pretty_object(out, as_object(element), indent);
  } else {
    append_scalar(out, element);
  }
}

void append_compact_json(std::string& out, const element& element) {
  if (element.type() == element_type::ARRAY) {
    append_compact_array(out, as_array(element));
  } else if (element.type() == element_type::OBJECT) {
    append_compact_object(out, as_object(element));
  } else {
    append_scalar(out, element);
  }
}

JsonSummary summarize_json(const element& element) {
  JsonSummary summary;
  summary.kind = kind_of(element);
  if (element.type() == element_type::ARRAY) summary.size = count(as_array(element));
  if (element.type() == element_type::OBJECT) summary.size = count(as_object(element));
  summary.depth = walk(element, summary);
  return summary;
}

}  // namespace amber::cli
