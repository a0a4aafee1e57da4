// Input tables for `amber predict`: the model's input schema, a batch of typed rows in the
// model's column order, the readers' interface and input errors that name where they are.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/frame.hpp"

namespace amber::rt {
class Model;
}

namespace amber::cli {

class ByteSource;

/// Malformed input, or input the model rejects; the message names the file, line or row, and
/// column ("input.csv:17: column \"age\": \"abc\" is not a number").
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The most columns an input table may have (a hostile header cannot ask for more).
inline constexpr size_t kMaxInputColumns = size_t{1} << 20;
/// The most bytes one CSV record or JSON line may take.
inline constexpr size_t kMaxRecordBytes = size_t{64} << 20;
/// A batch takes no more rows once its string columns hold this many bytes.
inline constexpr size_t kMaxBatchTextBytes = size_t{64} << 20;

/// What the model reads: its columns in order, by name when it was fitted on named columns.
struct InputSchema {
  std::vector<std::string> names;  ///< empty: columns are matched by position
  std::vector<uint8_t> is_string;  ///< per column, 1 when the model reads strings there
  size_t size() const noexcept { return is_string.size(); }
  bool by_name() const noexcept { return !names.empty(); }
  /// The display name of column `j`: its name, or "#j" (from 0) for positional columns.
  std::string display(size_t j) const;

  static InputSchema of(const rt::Model& model);
};

/// Maps the column names of an input (a CSV header, a JSON object's keys) to model columns.
class ColumnMap {
 public:
  explicit ColumnMap(const InputSchema& schema);
  /// Model column of input column `name`, or -1 when the model has none of that name.
  int64_t find(std::string_view name) const;

 private:
  std::unordered_map<std::string_view, size_t> index_;
};

/// The model column of each input column named in `names` (a CSV header, a JSON object's keys):
/// by name when the model has names (an unknown, repeated or missing column is an InputError
/// prefixed with `where`), else by position (the counts must match).
std::vector<size_t> map_columns(const std::vector<std::string>& names, const InputSchema& schema,
                                const std::string& where);
/// `column "name"` for messages, quoted and safe for a terminal.
std::string column_label(std::string_view name);

/// Rows of the input, typed and in the model's column order, owning their storage.
class Batch {
 public:
  explicit Batch(const InputSchema& schema);
  size_t rows() const noexcept { return where_.size(); }
  /// Whether the batch should take no more rows, whatever their count (long strings).
  bool full() const noexcept { return text_bytes_ >= kMaxBatchTextBytes; }
  void clear();
  /// Starts a row that every column then sets once; `where` locates it (a line or row number).
  void begin_row(uint64_t where);
  void set_number(size_t column, double value) { numbers_[column].back() = value; }
  void set_string(size_t column, std::string_view text);
  /// A missing value: NaN in a numeric column, the missing flag in a string column.
  void set_missing(size_t column);
  uint64_t where(size_t row) const { return where_[row]; }
  /// Columns viewing rows [begin, end); valid until the batch changes.
  rt::Frame frame(size_t begin, size_t end);

 private:
  struct Text {
    std::string chars;
    std::vector<size_t> ends;
    std::vector<uint8_t> missing;
    std::vector<std::string_view> views;
  };
  const InputSchema& schema_;
  std::vector<std::vector<double>> numbers_;  ///< per numeric column (empty for strings)
  std::vector<Text> texts_;                   ///< per string column (unused for numbers)
  std::vector<uint64_t> where_;
  size_t text_bytes_ = 0;
};

/// A source of input rows in batches.
class TableReader {
 public:
  virtual ~TableReader() = default;
  /// Appends up to `max_rows` rows to the cleared `batch`; false once the input is exhausted.
  virtual bool next(Batch& batch, size_t max_rows) = 0;
  /// Where row `where` (from Batch::where) is, for messages: "input.csv:17", "input.npy: row 3".
  virtual std::string location(uint64_t where) const = 0;
  /// Bytes consumed so far and the input's size (0 when unknown), for progress.
  virtual uint64_t consumed() const = 0;
  virtual uint64_t size() const = 0;
};

/// Input formats by name: "csv", "jsonl", "npy".
std::unique_ptr<TableReader> open_csv_reader(std::unique_ptr<ByteSource> source,
                                             const InputSchema& schema);
std::unique_ptr<TableReader> open_jsonl_reader(std::unique_ptr<ByteSource> source,
                                               const InputSchema& schema);
std::unique_ptr<TableReader> open_npy_reader(std::unique_ptr<ByteSource> source,
                                             const InputSchema& schema);

/// `text` quoted for a message, cut to a readable length and safe for a terminal.
std::string quote_value(std::string_view text);

/// Parses a number as Python's float() does for plain decimal text (surrounding blanks, a sign,
/// "nan", "inf"); nullopt when `text` is not a number. `text` must not be empty.
bool parse_double(std::string_view text, double& value);

}  // namespace amber::cli
