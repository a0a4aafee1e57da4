// Reader.load_view and Reader.member: what amber.load needs of the manifest, in one call.
//
// simdjson parsed and checked the manifest at open. A load takes the graph from that document
// as Python objects and audits its names there too, and reads nothing of the array table or
// of the provenance metadata (those are for inspect): one native call where parsing the whole
// manifest again in Python, then walking it for names, cost several.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <simdjson.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bindings/bindings.hpp"

namespace amber::py {
namespace {

/// The member of a named node that holds its fully qualified name (docs/object-graph.md §2).
std::string_view name_member(std::string_view kind) {
  if (kind == "object") return "type";
  if (kind == "type" || kind == "function") return "name";
  if (kind == "estimator") return "class";
  return {};
}

/// Calls `visit` on every JSON object under `root` (itself included), whatever the kinds
/// around it: nothing nested escapes a walk that must see every node.
template <typename Visit>
void for_each_object(simdjson::dom::element root, Visit&& visit) {
  std::vector<simdjson::dom::element> stack{root};
  while (!stack.empty()) {
    const simdjson::dom::element value = stack.back();
    stack.pop_back();
    if (value.is_array()) {
      for (simdjson::dom::element item : simdjson::dom::array(value)) {
        if (item.is_array() || item.is_object()) stack.push_back(item);
      }
      continue;
    }
    if (!value.is_object()) continue;
    const simdjson::dom::object object(value);
    visit(object);
    for (auto field : object) {
      if (field.value.is_array() || field.value.is_object()) stack.push_back(field.value);
    }
  }
}

/// Adds every name under `root`, and the names of its `object` nodes, to the sets. Walks all
/// values whatever the kinds around them, as amber._trust.collect_names does, so no name
/// escapes the audit.
void collect_names(simdjson::dom::element root, std::unordered_set<std::string_view>& names,
                   std::unordered_set<std::string_view>& object_types) {
  for_each_object(root, [&](const simdjson::dom::object& object) {
    std::string_view kind;
    if (object["$"].get_string().get(kind)) return;
    const std::string_view member = name_member(kind);
    std::string_view name;
    if (!member.empty() && !object[member].get_string().get(name)) {
      names.insert(name);
      if (kind == "object") object_types.insert(name);
    }
  });
}

nb::set to_set(const std::unordered_set<std::string_view>& names) {
  nb::set out;
  for (std::string_view name : names) out.add(nb::str(name.data(), name.size()));
  return out;
}

/// The value at `path` (object keys from the root), if every key is there.
template <typename Path>
std::optional<simdjson::dom::element> find(const Reader& reader, const Path& path) {
  simdjson::dom::element value = reader.manifest().root();
  for (std::string_view key : path) {
    if (!value.is_object() || simdjson::dom::object(value).at_key(key).get(value)) {
      return std::nullopt;
    }
  }
  return value;
}

/// The value as the Python object json.loads gives for its text: dict, list, str, int, float,
/// bool or None (open refuses integers outside int64/uint64 and duplicate keys).
nb::object to_python(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::OBJECT: {
      nb::dict out;
      for (auto field : simdjson::dom::object(value)) {
        out[nb::str(field.key.data(), field.key.size())] = to_python(field.value);
      }
      return out;
    }
    case simdjson::dom::element_type::ARRAY: {
      nb::list out;
      for (simdjson::dom::element item : simdjson::dom::array(value)) out.append(to_python(item));
      return out;
    }
    case simdjson::dom::element_type::STRING: {
      const std::string_view text(value);
      return nb::str(text.data(), text.size());
    }
    case simdjson::dom::element_type::INT64:
      return nb::int_(int64_t(value));
    case simdjson::dom::element_type::UINT64:
      return nb::int_(uint64_t(value));
    case simdjson::dom::element_type::DOUBLE:
      return nb::float_(double(value));
    case simdjson::dom::element_type::BOOL:
      return nb::bool_(bool(value));
    case simdjson::dom::element_type::NULL_VALUE:
      break;
  }
  return nb::none();
}

nb::object to_python(const std::optional<simdjson::dom::element>& value) {
  return value ? to_python(*value) : nb::none();
}

/// (graph, metadata.graph_version, metadata.validation, names, object types), None for what is
/// absent. The names are the graph's and, with `with_validation`, those of
/// metadata.validation.graph too: everything a load audits before it imports anything.
nb::tuple load_view(const Reader& reader, bool with_validation) {
  using Keys = std::initializer_list<std::string_view>;
  const auto graph = find(reader, Keys{"graph"});  // open refuses a manifest without one
  std::unordered_set<std::string_view> names, object_types;
  collect_names(*graph, names, object_types);
  std::optional<simdjson::dom::element> validation;
  if (with_validation) {
    validation = find(reader, Keys{"metadata", "validation"});
    if (auto samples = find(reader, Keys{"metadata", "validation", "graph"})) {
      collect_names(*samples, names, object_types);
    }
  }
  return nb::make_tuple(to_python(graph),
                        to_python(find(reader, Keys{"metadata", "graph_version"})),
                        to_python(validation), to_set(names), to_set(object_types));
}

/// Counts, per array index, the nodes under `root` that name it in an integer `array` member
/// (ndarray, bytes and bytearray nodes; any other kind that has one counts too).
void count_array_refs(simdjson::dom::element root, std::unordered_map<uint64_t, int>& refs) {
  for_each_object(root, [&](const simdjson::dom::object& object) {
    uint64_t index = 0;
    if (object["$"].is_string() && !object["array"].get_uint64().get(index)) ++refs[index];
  });
}

/// The array indices that more than one node of the graph (and of the validation graph)
/// names: a loader may give back the memory of an array it has read only if no other node
/// will read it.
nb::set shared_arrays(const Reader& reader) {
  using Keys = std::initializer_list<std::string_view>;
  std::unordered_map<uint64_t, int> refs;
  if (auto graph = find(reader, Keys{"graph"})) count_array_refs(*graph, refs);
  if (auto samples = find(reader, Keys{"metadata", "validation", "graph"})) {
    count_array_refs(*samples, refs);
  }
  nb::set out;
  for (const auto& [index, count] : refs) {
    if (count > 1) out.add(nb::int_(index));
  }
  return out;
}

nb::object member(const Reader& reader, const std::vector<std::string>& path) {
  return to_python(find(reader, path));
}

}  // namespace

void bind_load_view(nb::class_<Reader>& reader) {
  reader
      .def("load_view", &load_view, nb::arg("with_validation"),
           "(graph, metadata.graph_version, metadata.validation, names, object types) of the\n"
           "manifest, None for what is absent; the names include those of the validation\n"
           "graph when `with_validation`.")
      .def("shared_arrays", &shared_arrays,
           "The array indices named by more than one node of the graph and the validation\n"
           "graph (their memory must stay while the load runs).")
      .def("member", &member, nb::arg("path"),
           "The manifest member at `path` (object keys) as Python objects; None if absent.")
      .def_prop_ro("decoded_bytes", &Reader::decoded_bytes);
}

}  // namespace amber::py
