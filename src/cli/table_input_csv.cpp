// CSV input (RFC 4180 with LF or CRLF line ends): a header naming the columns, then one record
// per row; an unquoted empty field is a missing value.
#include <string>
#include <vector>

#include "cli/byte_source.hpp"
#include "cli/table.hpp"

namespace amber::cli {
namespace {

struct Field {
  size_t begin = 0;
  size_t end = 0;
  bool quoted = false;
};

class CsvReader final : public TableReader {
 public:
  CsvReader(std::unique_ptr<ByteSource> source, const InputSchema& schema)
      : source_(std::move(source)), schema_(schema) {
    skip_bom();
    read_header();
  }

  bool next(Batch& batch, size_t max_rows) override {
    while (batch.rows() < max_rows && !batch.full() && read_record()) convert(batch);
    return batch.rows() > 0;
  }
  std::string location(uint64_t line) const override {
    return source_->name() + ":" + std::to_string(line);
  }
  uint64_t consumed() const override { return source_->consumed(); }
  uint64_t size() const override { return source_->size(); }

 private:
  [[noreturn]] void fail(uint64_t line, const std::string& what) const {
    throw InputError(location(line) + ": " + what);
  }
  void skip_bom();
  void read_header();
  bool read_record();
  int read_quoted(Field& field);
  void append(int c) {
    if (record_.size() >= kMaxRecordBytes) {
      fail(record_line_, "a record longer than " + std::to_string(kMaxRecordBytes >> 20) + " MiB");
    }
    record_.push_back(static_cast<char>(c));
  }
  /// Consumes the line end that `c` starts ('\n', '\r' or "\r\n"); false when `c` is none.
  bool end_of_line(int c) {
    if (c != '\n' && c != '\r') return false;
    if (c == '\r' && source_->peek() == '\n') source_->get();
    ++line_;
    return true;
  }
  std::string_view text(const Field& f) const {
    return std::string_view(record_).substr(f.begin, f.end - f.begin);
  }
  void convert(Batch& batch);

  std::unique_ptr<ByteSource> source_;
  const InputSchema& schema_;
  std::vector<size_t> target_;  ///< model column of each CSV column
  std::vector<std::string> header_;
  std::string record_;
  std::vector<Field> fields_;
  uint64_t line_ = 1;  ///< the line the next byte is on
  uint64_t record_line_ = 1;
};

void CsvReader::skip_bom() {
  if (source_->peek() != 0xEF) return;
  std::string bom(3, '\0');
  if (source_->read(bom.data(), 3) != 3 || bom != "\xEF\xBB\xBF") {
    throw InputError(source_->name() + ":1: the file starts with bytes that are not UTF-8 text");
  }
}

void CsvReader::read_header() {
  if (!read_record()) {
    throw InputError(source_->name() + ": empty input: a header row naming the columns is needed");
  }
  for (const Field& f : fields_) header_.emplace_back(text(f));
  target_ = map_columns(header_, schema_, location(1));
}

int CsvReader::read_quoted(Field& field) {
  field.quoted = true;
  for (;;) {
    int c = source_->get();
    if (c < 0) fail(record_line_, "a quoted field is not closed before the end of the input");
    if (c == '"') {
      if (source_->peek() != '"') break;
      source_->get();
    } else if (c == '\n') {
      ++line_;
    }
    append(c);
  }
  field.end = record_.size();
  const int after = source_->get();
  if (after >= 0 && after != ',' && after != '\n' && after != '\r') {
    fail(line_, "column " + std::to_string(fields_.size() + 1) +
                    ": unexpected text after a closing quote (a quote inside a quoted field is "
                    "written twice: \"\")");
  }
  return after;
}

bool CsvReader::read_record() {
  fields_.clear();
  record_.clear();
  int c = source_->get();
  while (end_of_line(c)) c = source_->get();  // blank lines hold no row
  if (c < 0) return false;
  record_line_ = line_;
  for (;;) {
    if (fields_.size() >= kMaxInputColumns) {
      fail(record_line_, "more than " + std::to_string(kMaxInputColumns) + " fields");
    }
    Field field{record_.size(), record_.size(), false};
    if (c == '"') {
      c = read_quoted(field);
    } else {
      while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
        append(c);
        c = source_->get();
      }
      field.end = record_.size();
    }
    fields_.push_back(field);
    if (c != ',') break;
    c = source_->get();
  }
  end_of_line(c);
  return true;
}

void CsvReader::convert(Batch& batch) {
  if (fields_.size() != target_.size()) {
    fail(record_line_, std::to_string(fields_.size()) + " fields, the header has " +
                           std::to_string(target_.size()));
  }
  batch.begin_row(record_line_);
  for (size_t i = 0; i < fields_.size(); ++i) {
    const size_t j = target_[i];
    const std::string_view value = text(fields_[i]);
    if (value.empty() && !(fields_[i].quoted && schema_.is_string[j])) {
      batch.set_missing(j);
    } else if (schema_.is_string[j]) {
      batch.set_string(j, value);
    } else if (double number = 0; parse_double(value, number)) {
      batch.set_number(j, number);
    } else if (value.find_first_not_of(" \t") == std::string_view::npos) {
      batch.set_missing(j);
    } else {
      fail(record_line_, column_label(header_[i]) + ": " + quote_value(value) + " is not a number");
    }
  }
}

}  // namespace

std::unique_ptr<TableReader> open_csv_reader(std::unique_ptr<ByteSource> source,
                                             const InputSchema& schema) {
  return std::make_unique<CsvReader>(std::move(source), schema);
}

}  // namespace amber::cli
