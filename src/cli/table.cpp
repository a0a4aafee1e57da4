// Input tables for `amber predict`: the model's schema, typed batches and value parsing.
#include "cli/table.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "cli/text.hpp"
#include "runtime/model.hpp"

namespace amber::cli {

std::string InputSchema::display(size_t j) const {
  return by_name() ? names[j] : "#" + std::to_string(j);
}

InputSchema InputSchema::of(const rt::Model& model) {
  InputSchema schema;
  schema.names = model.feature_names();
  schema.is_string = model.string_inputs();
  return schema;
}

ColumnMap::ColumnMap(const InputSchema& schema) {
  for (size_t j = 0; j < schema.names.size(); ++j) index_.emplace(schema.names[j], j);
}

int64_t ColumnMap::find(std::string_view name) const {
  const auto found = index_.find(name);
  return found == index_.end() ? -1 : static_cast<int64_t>(found->second);
}

namespace {

/// The model's column names for a message, the first few only.
std::string some_names(const InputSchema& schema) {
  constexpr size_t kShown = 8;
  std::string out;
  for (size_t j = 0; j < schema.names.size() && j < kShown; ++j) {
    out += (j ? ", " : "") + quote_value(schema.names[j]);
  }
  if (schema.names.size() > kShown) out += ", ... (" + std::to_string(schema.names.size()) + ")";
  return out;
}

}  // namespace

std::string column_label(std::string_view name) { return "column " + quote_value(name); }

std::vector<size_t> map_columns(const std::vector<std::string>& names, const InputSchema& schema,
                                const std::string& where) {
  std::vector<size_t> target;
  if (!schema.by_name()) {
    if (names.size() != schema.size()) {
      throw InputError(where + ": " + std::to_string(names.size()) +
                       " columns, the model expects " + std::to_string(schema.size()) +
                       " (it was fitted without column names: columns go by position)");
    }
    for (size_t j = 0; j < names.size(); ++j) target.push_back(j);
    return target;
  }
  const ColumnMap map(schema);
  std::vector<uint8_t> seen(schema.size(), 0);
  for (const auto& name : names) {
    const int64_t j = map.find(name);
    if (j < 0) {
      throw InputError(where + ": unknown " + column_label(name) + "; the model reads " +
                       some_names(schema));
    }
    if (seen[j]) throw InputError(where + ": " + column_label(name) + " appears twice");
    seen[j] = 1;
    target.push_back(static_cast<size_t>(j));
  }
  for (size_t j = 0; j < schema.size(); ++j) {
    if (!seen[j]) throw InputError(where + ": missing " + column_label(schema.names[j]));
  }
  return target;
}

Batch::Batch(const InputSchema& schema)
    : schema_(schema), numbers_(schema.size()), texts_(schema.size()) {}

void Batch::clear() {
  for (auto& column : numbers_) column.clear();
  for (auto& text : texts_) {
    text.chars.clear();
    text.ends.clear();
    text.missing.clear();
    text.views.clear();
  }
  where_.clear();
  text_bytes_ = 0;
}

void Batch::begin_row(uint64_t where) {
  where_.push_back(where);
  for (size_t j = 0; j < schema_.size(); ++j) {
    if (!schema_.is_string[j]) {
      numbers_[j].push_back(std::numeric_limits<double>::quiet_NaN());
    } else {
      texts_[j].ends.push_back(texts_[j].chars.size());
      texts_[j].missing.push_back(1);
    }
  }
}

void Batch::set_string(size_t column, std::string_view text) {
  Text& t = texts_[column];
  t.chars.append(text);
  text_bytes_ += text.size();
  t.ends.back() = t.chars.size();
  t.missing.back() = 0;
}

void Batch::set_missing(size_t column) {
  if (!schema_.is_string[column]) {
    numbers_[column].back() = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  Text& t = texts_[column];
  t.chars.resize(t.ends.size() > 1 ? t.ends[t.ends.size() - 2] : 0);
  t.ends.back() = t.chars.size();
  t.missing.back() = 1;
}

rt::Frame Batch::frame(size_t begin, size_t end) {
  rt::Frame frame;
  frame.rows = end - begin;
  frame.columns.resize(schema_.size());
  for (size_t j = 0; j < schema_.size(); ++j) {
    rt::Column& column = frame.columns[j];
    if (!schema_.is_string[j]) {
      column.numbers = numbers_[j].data() + begin;
      continue;
    }
    Text& t = texts_[j];
    if (t.views.size() != t.ends.size()) {
      t.views.clear();
      size_t start = 0;
      for (size_t stop : t.ends) {
        t.views.emplace_back(t.chars.data() + start, stop - start);
        start = stop;
      }
    }
    column.strings = t.views.data() + begin;
    column.missing = t.missing.data() + begin;
  }
  return frame;
}

std::string quote_value(std::string_view text) {
  constexpr size_t kShown = 40;
  std::string shown(text.substr(0, kShown));
  // Cut on a UTF-8 boundary so that a long value does not end in a broken character.
  while (text.size() > kShown && !shown.empty() && (shown.back() & 0xC0) == 0x80) shown.pop_back();
  if (text.size() > kShown && !shown.empty() && (shown.back() & 0x80)) shown.pop_back();
  return "\"" + terminal_safe(shown) + (text.size() > kShown ? "...\"" : "\"");
}

bool parse_double(std::string_view text, double& value) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string_view digits = text;
  // from_chars takes '-' but not '+'; a second sign stays an error.
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
    if (!digits.empty() && digits.front() == '-') return false;
  }
  if (digits.empty()) return false;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  const auto [end, error] = std::from_chars(first, last, value);
  if (end != last) return false;
  if (error == std::errc::result_out_of_range) {
    // Python gives ±inf on overflow and the nearest (denormal or zero) value on underflow.
    const std::string copy(digits);
    errno = 0;
    value = std::strtod(copy.c_str(), nullptr);
    return true;
  }
  return error == std::errc();
}

}  // namespace amber::cli
