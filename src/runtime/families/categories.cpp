// Reading encoder categories from the graph and finding an input value among them.
#include "runtime/families/categories.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include "runtime/families/stage_util.hpp"

namespace amber::rt::fam {
namespace {

/// One category as read: a number, a string, or missing (None or NaN).
struct Item {
  enum Kind { Number, String, None, NaN } kind;
  double number = 0;
  std::string text = {};

  static Item missing(bool nan) { return {nan ? NaN : None, 0, {}}; }
  static Item of(double v) { return std::isnan(v) ? missing(true) : Item{Number, v, {}}; }
};

Item read_item(const Node& node) {
  const auto kind = node.kind();
  if (kind == "str") return {Item::String, 0, node.as_string()};
  if (kind == "null") return Item::missing(false);
  if (kind == "int" || kind == "float" || kind == "scalar" || kind == "bool") {
    const double v = kind == "bool" ? double(node.as_bool()) : node.as_double();
    return Item::of(v);
  }
  node.unsupported("a category of kind " + std::string(kind) + " is not a string or a number");
}

std::vector<Item> read_items(const Node& node) {
  std::vector<Item> items;
  if (node.kind() == "ndarray" && node.find("items")) {
    if (node["shape"].items().size() != 1) node.fail("is not a 1-d array");
    for (const auto& item : node["items"].items()) items.push_back(read_item(item));
  } else if (node.kind() == "list") {
    for (const auto& item : node.items()) items.push_back(read_item(item));
  } else if (node.kind() == "ndarray" && node.find("dtype")) {
    for (auto& s : node.strings()) items.push_back({Item::String, 0, std::move(s)});
  } else if (node.kind() == "ndarray") {
    if (node.shape().size() != 1) node.fail("is not a 1-d array");
    for (double v : node.doubles()) {
      items.push_back(Item::of(v));
    }
  } else {
    node.fail("is not an array of categories");
  }
  return items;
}

/// A string that is a whole decimal number (as str() of a Python number is).
std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

Categories Categories::read(const Node& node) {
  const auto items = read_items(node);
  if (items.empty()) node.fail("has no categories");
  if (items.size() > static_cast<size_t>(kMaxWidth)) node.fail("has too many categories");
  Categories c;
  c.size_ = items.size();
  int64_t none = -1, nan = -1;
  bool numbers = false, strings = false;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    const auto index = static_cast<int64_t>(i);
    switch (item.kind) {
      case Item::Number:
        numbers = true;
        c.numbers_.emplace_back(item.number, index);
        break;
      case Item::String:
        strings = true;
        c.strings_.emplace_back(item.text, index);
        break;
      case Item::None:
        if (none >= 0) node.fail("holds None twice");
        none = index;
        break;
      case Item::NaN:
        if (nan >= 0) node.fail("holds NaN twice");
        nan = index;
        break;
    }
  }
  if (numbers && strings) node.unsupported("mixes numbers and strings");
  c.is_string_ = strings;
  c.missing_ = none >= 0 ? none : nan;
  c.last_is_nan_ = items.back().kind == Item::NaN;
  std::sort(c.numbers_.begin(), c.numbers_.end());
  std::sort(c.strings_.begin(), c.strings_.end());
  for (size_t i = 1; i < c.numbers_.size(); ++i) {
    if (c.numbers_[i].first == c.numbers_[i - 1].first) node.fail("holds a category twice");
  }
  for (size_t i = 1; i < c.strings_.size(); ++i) {
    if (c.strings_[i].first == c.strings_[i - 1].first) node.fail("holds a category twice");
  }
  return c;
}

int64_t Categories::find_number(double value) const {
  auto it = std::lower_bound(numbers_.begin(), numbers_.end(), value,
                             [](const auto& entry, double v) { return entry.first < v; });
  return it != numbers_.end() && it->first == value ? it->second : -1;
}

int64_t Categories::find_string(std::string_view value) const {
  auto it = std::lower_bound(strings_.begin(), strings_.end(), value,
                             [](const auto& entry, std::string_view v) { return entry.first < v; });
  return it != strings_.end() && it->first == value ? it->second : -1;
}

int64_t Categories::find(const Column& column, size_t row) const {
  if (column.is_string()) {
    if (column.is_missing(row)) return missing_;
    const auto text = column.strings[row];
    if (is_string_) return find_string(text);
    const auto number = parse_number(text);
    if (!number) return -1;
    return std::isnan(*number) ? missing_ : find_number(*number);
  }
  const double value = column.number(row);
  if (std::isnan(value)) return missing_;
  return is_string_ ? -1 : find_number(value);
}

}  // namespace amber::rt::fam
