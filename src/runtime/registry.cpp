// The class-name -> compiler table, filled once by each family's register function.
#include "runtime/registry.hpp"

#include <map>
#include <mutex>
#include <string>

namespace amber::rt {
namespace {

std::map<std::string, CompileFn, std::less<>>& table() {
  static std::map<std::string, CompileFn, std::less<>> compilers;
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

void register_compiler(std::string_view class_name, CompileFn compile) {
  table().insert_or_assign(std::string(class_name), compile);
}

StagePtr compile(const Node& node) {
  register_all_families();
  const auto kind = node.kind();
  if (kind == "object") {
    node.unsupported("generic-tier object of type " + node["type"].as_string() +
                     " has no portable schema; load it in Python instead");
  }
  if (kind != "estimator") node.fail("is a " + std::string(kind) + " node, not an estimator");
  const auto class_name = node["class"].as_string();
  auto found = table().find(class_name);
  if (found == table().end()) {
    node.unsupported("the native runtime does not support " + class_name);
  }
  return found->second(node);
}

}  // namespace amber::rt
