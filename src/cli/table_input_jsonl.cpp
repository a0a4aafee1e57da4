// JSON lines input: one JSON object per line (keys are column names, null is a missing value),
// or one JSON array of the row's values in the model's column order.
#include <simdjson.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "cli/byte_source.hpp"
#include "cli/table.hpp"

namespace amber::cli {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string_view kind_name(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a bool";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

class JsonlReader final : public TableReader {
 public:
  JsonlReader(std::unique_ptr<ByteSource> source, const InputSchema& schema)
      : source_(std::move(source)), schema_(schema), seen_(schema.size()), names_(schema) {}

  bool next(Batch& batch, size_t max_rows) override {
    while (batch.rows() < max_rows && !batch.full() && read_line()) convert(batch);
    return batch.rows() > 0;
  }
  std::string location(uint64_t line) const override {
    return source_->name() + ":" + std::to_string(line);
  }
  uint64_t consumed() const override { return source_->consumed(); }
  uint64_t size() const override { return source_->size(); }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(location(line_number_) + ": " + what);
  }
  bool read_line();
  void convert(Batch& batch);
  void convert_object(Batch& batch, simdjson::dom::object object);
  void convert_array(Batch& batch, simdjson::dom::array array);
  /// The model column of key `key`: by name, or by the first object's key order.
  size_t column_of(std::string_view key, simdjson::dom::object object);
  void set_value(Batch& batch, size_t j, element value);
  std::string label(size_t j) const { return column_label(schema_.display(j)); }

  std::unique_ptr<ByteSource> source_;
  const InputSchema& schema_;
  simdjson::dom::parser parser_;
  std::string line_;
  uint64_t line_number_ = 0;
  std::vector<uint8_t> seen_;
  ColumnMap names_;
  /// Models without column names: the first object's keys give the columns' positions.
  std::unordered_map<std::string, size_t> positions_;
};

bool JsonlReader::read_line() {
  for (;;) {
    line_.clear();
    bool too_long = false;
    if (!source_->read_line(line_, kMaxRecordBytes, &too_long)) return false;
    ++line_number_;
    if (too_long) fail("a line longer than " + std::to_string(kMaxRecordBytes >> 20) + " MiB");
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.find_first_not_of(" \t") != std::string::npos) return true;
  }
}

void JsonlReader::convert(Batch& batch) {
  // simdjson reads a little past the end: give it the padding it needs without a copy.
  line_.reserve(line_.size() + simdjson::SIMDJSON_PADDING);
  element root;
  if (auto error = parser_.parse(line_.data(), line_.size(), false).get(root)) {
    fail(std::string("not valid JSON (") + simdjson::error_message(error) + ")");
  }
  if (root.is_object()) return convert_object(batch, root.get_object().value_unsafe());
  if (root.is_array()) return convert_array(batch, root.get_array().value_unsafe());
  fail("a line must hold a JSON object (or an array of the row's values), not " +
       std::string(kind_name(root.type())));
}

size_t JsonlReader::column_of(std::string_view key, simdjson::dom::object object) {
  if (schema_.by_name()) {
    const int64_t j = names_.find(key);
    if (j < 0) fail("unknown " + column_label(key));
    return static_cast<size_t>(j);
  }
  if (positions_.empty()) {
    std::vector<std::string> keys;
    for (auto field : object) keys.emplace_back(field.key);
    map_columns(keys, schema_, location(line_number_));  // checks the count
    for (size_t i = 0; i < keys.size(); ++i) positions_.emplace(keys[i], i);
  }
  const auto found = positions_.find(std::string(key));
  if (found == positions_.end()) {
    fail("unknown key " + quote_value(key) +
         " (the model was fitted without column names: every line needs the first line's keys)");
  }
  return found->second;
}

void JsonlReader::convert_object(Batch& batch, simdjson::dom::object object) {
  batch.begin_row(line_number_);
  std::fill(seen_.begin(), seen_.end(), 0);
  size_t count = 0;
  for (auto field : object) {
    const size_t j = column_of(field.key, object);
    if (seen_[j]) fail(column_label(field.key) + " appears twice");
    seen_[j] = 1;
    ++count;
    set_value(batch, j, field.value);
  }
  if (count == schema_.size()) return;
  for (size_t j = 0; j < schema_.size(); ++j) {
    if (!seen_[j]) fail("missing " + label(j) + " (write null for a missing value)");
  }
}

void JsonlReader::convert_array(Batch& batch, simdjson::dom::array array) {
  if (array.size() != schema_.size()) {
    fail("an array of " + std::to_string(array.size()) + " values, the model expects " +
         std::to_string(schema_.size()));
  }
  batch.begin_row(line_number_);
  size_t j = 0;
  for (element value : array) set_value(batch, j++, value);
}

void JsonlReader::set_value(Batch& batch, size_t j, element value) {
  const element_type type = value.type();
  if (type == element_type::NULL_VALUE) return batch.set_missing(j);
  if (schema_.is_string[j]) {
    if (type != element_type::STRING) {
      fail(label(j) + ": expected a string, got " + std::string(kind_name(type)));
    }
    return batch.set_string(j, value.get_string().value_unsafe());
  }
  switch (type) {
    case element_type::INT64:
      return batch.set_number(j, static_cast<double>(value.get_int64().value_unsafe()));
    case element_type::UINT64:
      return batch.set_number(j, static_cast<double>(value.get_uint64().value_unsafe()));
    case element_type::DOUBLE:
      return batch.set_number(j, value.get_double().value_unsafe());
    case element_type::BOOL:
      return batch.set_number(j, value.get_bool().value_unsafe() ? 1.0 : 0.0);
    case element_type::STRING:
      fail(label(j) + ": " + quote_value(value.get_string().value_unsafe()) +
           " is not a number (a string)");
    default:
      fail(label(j) + ": expected a number, got " + std::string(kind_name(type)));
  }
}

}  // namespace

std::unique_ptr<TableReader> open_jsonl_reader(std::unique_ptr<ByteSource> source,
                                               const InputSchema& schema) {
  return std::make_unique<JsonlReader>(std::move(source), schema);
}

}  // namespace amber::cli
