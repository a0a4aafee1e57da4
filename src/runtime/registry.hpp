// Maps estimator class names to the functions that compile their portable-schema nodes.
#pragma once

#include <string_view>

#include "runtime/graph_node.hpp"
#include "runtime/stage.hpp"

namespace amber::rt {

/// Compiles an `estimator` node of one family into a stage.
using CompileFn = StagePtr (*)(const Node& estimator);

/// Registers `compile` for the fully qualified class name ("module:Qualname"). With `schema`
/// ("linear/1"), compile() refuses a node of another schema (or version) before calling it.
void register_compiler(std::string_view class_name, CompileFn compile,
                       std::string_view schema = {});

/// Compiles any node that stands for an estimator. A node outside the portable tier, or a class
/// the runtime does not support, is Error(Unsupported) naming the node's path and class.
StagePtr compile(const Node& node);

/// Each family file defines one of these; registry.cpp calls them all once.
void register_linear_models();
void register_trees();
void register_preprocessing();
void register_composition();

}  // namespace amber::rt
