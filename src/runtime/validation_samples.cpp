// Validation samples' nodes as runtime columns and flat outputs: numeric, string and object
// arrays (C or Fortran order) and the plain-dict form of a DataFrame.
#include "runtime/validation_samples.hpp"

#include <cmath>
#include <limits>

#include "format/error.hpp"

namespace amber::rt::samples {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// An array node's elements in C order: numbers, or strings (object arrays may mix both).
struct Cells {
  std::vector<uint64_t> shape;
  DType dtype = DType::Float64;
  bool object = false;             ///< an object array ("items")
  std::vector<double> numbers;     ///< NaN where a string or None is
  std::vector<std::string> texts;  ///< "" where a number or None is
  std::vector<uint8_t> is_text;    ///< 1 where the element is a string
  std::vector<uint8_t> is_none;    ///< 1 where the element is None
  size_t size() const { return numbers.size(); }
  bool any_text() const {
    for (auto t : is_text) {
      if (t) return true;
    }
    return false;
  }
};

void push_item(const Node& item, Cells& cells) {
  const auto kind = item.kind();
  const bool text = kind == "str";
  const bool none = kind == "null";
  double number = kNaN;
  if (kind == "bool") {
    number = item.as_bool() ? 1.0 : 0.0;
  } else if (!text && !none) {
    number = item.as_double();
  }
  cells.numbers.push_back(number);
  cells.texts.push_back(text ? item.as_string() : std::string());
  cells.is_text.push_back(text);
  cells.is_none.push_back(none);
}

uint64_t product(const std::vector<uint64_t>& shape) {
  uint64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

void read_object(const Node& node, Cells& cells) {
  cells.object = true;
  for (auto d : node["shape"].ints()) {
    if (d < 0) node["shape"].fail("has a negative dimension");
    cells.shape.push_back(static_cast<uint64_t>(d));
  }
  const auto items = node["items"].items();
  if (product(cells.shape) != items.size()) node.fail("items do not fill its shape");
  for (const auto& item : items) push_item(item, cells);
}

/// The transpose of `values` laid out as `rows` x `cols`, in place.
template <typename T>
void transpose(std::vector<T>& values, uint64_t rows, uint64_t cols) {
  std::vector<T> out(values.size());
  for (uint64_t i = 0; i < rows; ++i) {
    for (uint64_t j = 0; j < cols; ++j) out[j * rows + i] = std::move(values[i * cols + j]);
  }
  values = std::move(out);
}

/// Reads an `ndarray` node; returns why it cannot be used, or empty.
std::string read_cells(const Node& node, Cells& cells) {
  if (node.kind() != "ndarray") node.fail("is not an array");
  if (node.find("items")) {
    read_object(node, cells);
    return "";
  }
  if (auto dtype = node.find("dtype"); dtype && dtype->as_string() == "record") {
    return "structured arrays are not read natively";
  }
  const auto& data = node.array_data();
  cells.dtype = data.info->dtype;
  cells.shape = data.info->shape;
  if (cells.dtype == DType::Complex64 || cells.dtype == DType::Complex128) {
    return "complex values are not read natively";
  }
  const size_t n = product(cells.shape);
  if (cells.dtype == DType::String) {
    cells.texts = node.strings();
    cells.numbers.assign(n, kNaN);
    cells.is_text.assign(n, 1);
  } else {
    cells.numbers = node.doubles();
    cells.texts.assign(n, std::string());
    cells.is_text.assign(n, 0);
  }
  cells.is_none.assign(n, 0);
  if (auto order = node.find("order"); order && order->as_string() == "F") {
    if (cells.shape.size() > 2) return "Fortran-ordered arrays of rank 3 or more are not read";
    if (cells.shape.size() == 2) {
      // The table holds the transpose (docs/object-graph.md §1.1): swap back to C order.
      const uint64_t rows = cells.shape[0], cols = cells.shape[1];
      transpose(cells.numbers, rows, cols);
      transpose(cells.texts, rows, cols);
      transpose(cells.is_text, rows, cols);
      cells.shape = {cols, rows};
    }
  }
  return "";
}

/// Adds column `j` of `cells` (stride `width`) to the table; why not, or empty.
std::string add_column(const Cells& cells, size_t j, size_t width, std::string name, Table& table) {
  const size_t rows = table.frame.rows;
  bool text = false, number = false;
  for (size_t r = 0; r < rows; ++r) {
    const size_t at = r * width + j;
    if (cells.is_text[at]) text = true;
    if (!cells.is_text[at] && !cells.is_none[at] && !std::isnan(cells.numbers[at])) number = true;
  }
  Column column;
  column.name = std::move(name);
  if (!text) {
    auto& values = table.numbers.emplace_back(rows);
    for (size_t r = 0; r < rows; ++r) values[r] = cells.numbers[r * width + j];
    column.numbers = values.data();
    table.frame.columns.push_back(column);
    return "";
  }
  if (number) return "column " + std::to_string(j) + " mixes strings and numbers";
  auto& texts = table.texts.emplace_back(rows);
  auto& missing = table.missing.emplace_back(rows);
  auto& views = table.views.emplace_back(rows);
  for (size_t r = 0; r < rows; ++r) {
    const size_t at = r * width + j;
    texts[r] = cells.texts[at];
    missing[r] = !cells.is_text[at];  // None or NaN: a missing value
  }
  for (size_t r = 0; r < rows; ++r) views[r] = texts[r];
  column.strings = views.data();
  column.missing = missing.data();
  table.frame.columns.push_back(column);
  return "";
}

std::string read_matrix(const Node& node, Table& table) {
  Cells cells;
  if (auto why = read_cells(node, cells); !why.empty()) return why;
  // A 1-d sample is the y of a label transformer, which the runtime takes as one column.
  if (cells.shape.size() == 1) cells.shape.push_back(1);
  if (cells.shape.size() != 2) node.fail("the validation input is not a 1-d or 2-d array");
  table.frame.rows = cells.shape[0];
  for (size_t j = 0; j < cells.shape[1]; ++j) {
    if (auto why = add_column(cells, j, cells.shape[1], "", table); !why.empty()) return why;
  }
  return "";
}

std::string read_dataframe(const Node& node, Table& table) {
  std::vector<std::string> names;
  std::optional<Node> values;
  for (const auto& [key, value] : node.dict_items()) {
    if (key == "columns") names = value.strings();
    if (key == "values") values = value;
  }
  if (!values) node.fail("the validation table has no \"values\"");
  const auto columns = values->items();
  if (columns.size() != names.size()) node.fail("\"columns\" and \"values\" differ in length");
  for (size_t j = 0; j < columns.size(); ++j) {
    Cells cells;
    if (auto why = read_cells(columns[j], cells); !why.empty()) return why;
    if (cells.shape.size() != 1) columns[j].fail("is not a 1-d column");
    if (j == 0) table.frame.rows = cells.shape[0];
    if (cells.shape[0] != table.frame.rows) columns[j].fail("differs in length from column 0");
    if (auto why = add_column(cells, 0, 1, names[j], table); !why.empty()) {
      return "column \"" + names[j] + "\" mixes strings and numbers";
    }
  }
  return "";
}

}  // namespace

std::string read_input(const Node& node, Table& table) {
  const auto kind = node.kind();
  if (kind == "sparse") return "the sample is a sparse matrix";
  if (kind == "dict") return read_dataframe(node, table);
  if (kind == "ndarray") return read_matrix(node, table);
  node.fail("is neither an array nor a table of columns");
}

std::string read_output(const Node& node, Output& output) {
  Cells cells;
  if (auto why = read_cells(node, cells); !why.empty()) return why;
  output.shape = cells.shape;
  if (cells.any_text()) {
    output.compare = Output::Compare::String;
    output.strings = std::move(cells.texts);
    return "";
  }
  const bool floating =
      !cells.object && (cells.dtype == DType::Float16 || cells.dtype == DType::Float32 ||
                        cells.dtype == DType::Float64);
  output.compare = floating ? Output::Compare::Float : Output::Compare::Exact;
  output.numbers = std::move(cells.numbers);
  return "";
}

}  // namespace amber::rt::samples
