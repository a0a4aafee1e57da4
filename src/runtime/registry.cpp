// The class-name -> compiler table, filled once by each family's register function.
#include "runtime/registry.hpp"

#include <map>
#include <mutex>
#include <string>

namespace amber::rt {
namespace {

/// Compile work counted per estimator, beside the elements it reads: bounds plans whose refs
/// repeat subtrees that read nothing (CompileContext::charge).
constexpr uint64_t kEstimatorUnits = 256;

struct Entry {
  CompileFn compile;
  std::string schema;  ///< empty: the compiler checks the schema itself
};

std::map<std::string, Entry, std::less<>>& table() {
  static std::map<std::string, Entry, std::less<>> compilers;
  return compilers;
}

void register_all_families() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_linear_models();
    register_trees();
    register_preprocessing();
    register_composition();
  });
}

}  // namespace

void register_compiler(std::string_view class_name, CompileFn compile, std::string_view schema) {
  table().insert_or_assign(std::string(class_name), Entry{compile, std::string(schema)});
}

StagePtr compile(const Node& node) {
  register_all_families();
  const auto kind = node.kind();
  if (kind == "object") {
    node.unsupported("generic-tier object of type " + node["type"].as_string() +
                     " has no portable schema; load it in Python instead");
  }
  if (kind != "estimator") node.fail("is a " + std::string(kind) + " node, not an estimator");
  node.context().charge(kEstimatorUnits, node);
  const auto class_name = node["class"].as_string();
  auto found = table().find(class_name);
  if (found == table().end()) {
    node.unsupported("the native runtime does not support " + class_name);
  }
  const Entry& entry = found->second;
  if (!entry.schema.empty()) {
    const auto schema = node["schema"].as_string();
    if (schema != entry.schema) {
      node["schema"].unsupported("schema \"" + schema +
                                 "\" is not known to this reader (it reads \"" + entry.schema +
                                 "\")");
    }
  }
  return entry.compile(node);
}

}  // namespace amber::rt
