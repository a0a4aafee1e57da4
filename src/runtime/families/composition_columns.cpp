// Compiler for ColumnTransformer (docs/schema/composition.md): each transformer reads its
// resolved input columns; outputs are stacked in the order of the fitted transformers.
#include "format/error.hpp"
#include "runtime/families/composition.hpp"
#include "runtime/families/stage_util.hpp"
#include "runtime/registry.hpp"

namespace amber::rt {
namespace {

/// The [start, stop) output block named `name` in `output_indices`, if the member is present.
std::optional<std::pair<int64_t, int64_t>> declared_block(const Node& fitted,
                                                          const std::string& name) {
  auto indices = fitted.find("output_indices");
  if (!indices) return std::nullopt;
  for (const auto& [key, value] : indices->dict_items()) {
    if (key != name) continue;
    const auto bounds = value.items();
    if (bounds.size() != 2) value.fail("is not a [start, stop] pair");
    return std::pair{bounds[0].as_int(), bounds[1].as_int()};
  }
  indices->fail("has no entry for transformer '" + name + "'");
}

/// One entry of fitted.transformers as a part of the stack (nullopt: dropped or no columns).
std::optional<comp::Part> read_part(const Node& entry, const Node& columns_node, size_t n,
                                    const Node& weights) {
  const auto items = entry.items();
  if (items.size() != 3) entry.fail("is not a (name, transformer, columns) triple");
  const auto name = items[0].as_string();
  const Node& node = items[1];
  comp::Part part;
  part.columns = fam::read_indices(columns_node, n);
  if (part.columns.empty() || (node.kind() == "str" && node.as_string() == "drop")) {
    return std::nullopt;
  }
  part.weight = comp::weight_of(weights, name);
  part.width = part.columns.size();
  if (node.kind() == "str") {
    if (node.as_string() != "passthrough")
      node.fail("is neither an estimator, drop nor passthrough");
  } else {
    part.stage = comp::compile_transformer(node);
    if (part.stage->n_inputs() != part.columns.size()) {
      node.fail("expects " + std::to_string(part.stage->n_inputs()) + " columns, it is given " +
                std::to_string(part.columns.size()));
    }
    part.width = part.stage->n_outputs(Method::Transform);
  }
  return part;
}

void check_blocks(const Node& fitted, const std::vector<std::string>& names,
                  const std::vector<comp::Part>& parts) {
  int64_t offset = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto block = declared_block(fitted, names[i]);
    const auto width = static_cast<int64_t>(parts[i].width);
    if (block && (block->first != offset || block->second != offset + width)) {
      fitted["output_indices"].fail(
          "gives '" + names[i] + "' the columns [" + std::to_string(block->first) + ", " +
          std::to_string(block->second) + "), the runtime computes [" + std::to_string(offset) +
          ", " + std::to_string(offset + width) + ")");
    }
    offset += width;
  }
}

StagePtr compile_column_transformer(const Node& est) {
  const Node fitted = fam::fitted_of(est);
  const size_t n = fam::n_features_in(fitted);
  const auto entries = fitted["transformers"].items();
  const auto columns = fitted["column_indices"].items();
  if (columns.size() != entries.size()) {
    fitted["column_indices"].fail("does not have one entry per fitted transformer");
  }
  const Node weights = est["params"]["transformer_weights"];
  std::vector<comp::Part> parts;
  std::vector<std::string> names;
  for (size_t i = 0; i < entries.size(); ++i) {
    auto part = read_part(entries[i], columns[i], n, weights);
    if (!part) continue;
    names.push_back(entries[i].items()[0].as_string());
    parts.push_back(std::move(*part));
  }
  uint64_t width = 0;
  for (const auto& part : parts) width += part.width;
  fam::check_width(width, est);
  check_blocks(fitted, names, parts);
  return std::make_unique<comp::Stack>(est.path(), n, std::move(parts));
}

}  // namespace

void register_column_transformer() {
  register_compiler("sklearn.compose._column_transformer:ColumnTransformer",
                    compile_column_transformer, "composition/1");
}

}  // namespace amber::rt
