// .npy input: a 2-D numeric array (C or Fortran order), read in batches of rows.
#include <cstring>
#include <limits>
#include <vector>

#include "cli/byte_source.hpp"
#include "cli/npy.hpp"
#include "cli/table.hpp"

namespace amber::cli {
namespace {

/// Element `i` of little-endian raw data of the header's dtype, as a double.
double element_at(const NpyHeader& h, const unsigned char* raw, size_t i) {
  const unsigned char* p = raw + i * h.itemsize;
  uint64_t bits = 0;
  for (size_t b = 0; b < h.itemsize; ++b) bits |= uint64_t{p[b]} << (8 * b);
  switch (h.kind) {
    case 'b':
      return bits != 0 ? 1.0 : 0.0;
    case 'u':
      return static_cast<double>(bits);
    case 'i': {
      const unsigned shift = 64 - 8 * static_cast<unsigned>(h.itemsize);
      return static_cast<double>(static_cast<int64_t>(bits << shift) >> shift);
    }
    default:
      break;
  }
  if (h.itemsize == 4) {
    float f;
    const auto narrow = static_cast<uint32_t>(bits);
    std::memcpy(&f, &narrow, 4);
    return f;
  }
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

class NpyReader final : public TableReader {
 public:
  NpyReader(std::unique_ptr<ByteSource> source, const InputSchema& schema)
      : source_(std::move(source)), schema_(schema), header_(read_npy_header(*source_)) {
    check_shape();
    check_size();
  }

  bool next(Batch& batch, size_t max_rows) override {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(max_rows, rows_ - next_row_));
    if (n == 0) return false;
    raw_.resize(n * cols_ * header_.itemsize);
    if (header_.fortran) {
      read_columns(n);
    } else if (source_->read(raw_.data(), raw_.size()) != raw_.size()) {
      truncated();
    }
    for (size_t r = 0; r < n; ++r) {
      batch.begin_row(next_row_ + r);
      for (size_t j = 0; j < cols_; ++j) {
        const size_t i = header_.fortran ? j * n + r : r * cols_ + j;
        batch.set_number(j, element_at(header_, raw_.data(), i));
      }
    }
    next_row_ += n;
    if (next_row_ == rows_) check_end();
    return true;
  }
  std::string location(uint64_t row) const override {
    return source_->name() + ": row " + std::to_string(row);
  }
  uint64_t consumed() const override {
    return header_.fortran ? header_.data_offset + next_row_ * cols_ * header_.itemsize
                           : source_->consumed();
  }
  uint64_t size() const override { return source_->size(); }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(source_->name() + ": " + what);
  }
  void check_shape();
  void check_size();
  void check_end();
  void read_columns(size_t n);
  [[noreturn]] void truncated() const {
    fail("truncated: the data ends before row " + std::to_string(next_row_) + " of " +
         std::to_string(rows_) + " is complete");
  }

  std::unique_ptr<ByteSource> source_;
  const InputSchema& schema_;
  NpyHeader header_;
  uint64_t rows_ = 0;
  size_t cols_ = 0;
  uint64_t data_bytes_ = 0;
  uint64_t next_row_ = 0;
  std::vector<unsigned char> raw_;
};

void NpyReader::check_shape() {
  const auto& shape = header_.shape;
  if (shape.size() != 2) {
    std::string text = "(";
    for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    fail("expected a 2-D array, the shape is " + text + (shape.size() == 1 ? ",)" : ")"));
  }
  rows_ = shape[0];
  if (shape[1] != schema_.size()) {
    fail(std::to_string(shape[1]) + " columns, the model expects " +
         std::to_string(schema_.size()));
  }
  cols_ = static_cast<size_t>(shape[1]);
  for (size_t j = 0; j < cols_; ++j) {
    if (schema_.is_string[j]) {
      fail("the model reads " + column_label(schema_.display(j)) +
           " as strings; a numeric .npy cannot give it (use CSV or JSON lines)");
    }
  }
  const uint64_t limit = std::numeric_limits<uint64_t>::max() / header_.itemsize;
  if (cols_ != 0 && rows_ > limit / cols_) fail("the shape is too large");
  data_bytes_ = rows_ * cols_ * header_.itemsize;
}

void NpyReader::check_size() {
  if (header_.fortran) source_->spool();  // read column by column: needs random access
  if (!source_->seekable()) return;       // a pipe: checked while reading
  const uint64_t have = source_->size() - std::min(source_->size(), header_.data_offset);
  if (have < data_bytes_) {
    fail("truncated: the header promises " + std::to_string(data_bytes_) +
         " bytes of data, the file holds " + std::to_string(have));
  }
  if (have > data_bytes_) {
    fail(std::to_string(have - data_bytes_) + " bytes after the data the header describes");
  }
}

void NpyReader::check_end() {
  if (header_.fortran || source_->seekable()) return;
  char extra;
  if (source_->read(&extra, 1) != 0) fail("bytes after the data the header describes");
}

void NpyReader::read_columns(size_t n) {
  const size_t bytes = n * header_.itemsize;
  for (size_t j = 0; j < cols_; ++j) {
    const uint64_t offset =
        header_.data_offset + (j * rows_ + next_row_) * static_cast<uint64_t>(header_.itemsize);
    size_t got = 0;
    source_->read_at(offset, raw_.data() + j * bytes, bytes, &got);
    if (got != bytes) truncated();
  }
}

}  // namespace

std::unique_ptr<TableReader> open_npy_reader(std::unique_ptr<ByteSource> source,
                                             const InputSchema& schema) {
  return std::make_unique<NpyReader>(std::move(source), schema);
}

}  // namespace amber::cli
