// .npy output: float64 values, or a classifier's labels in the dtype of its classes (strings as
// NumPy's fixed-width unicode); the header is rewritten with the row count at the end.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli/npy.hpp"
#include "cli/table_output.hpp"
#include "format/error.hpp"
#include "runtime/stage.hpp"

namespace amber::cli {
namespace {

/// Code points of valid UTF-8 text (the reader validated the labels).
std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n && i + k < text.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += n;
  }
  return out;
}

void append_le(std::string& out, uint64_t bits, size_t bytes) {
  for (size_t b = 0; b < bytes; ++b) out += static_cast<char>((bits >> (8 * b)) & 0xFF);
}

/// The .npy encoding of labels: descr and each label's bytes.
struct LabelCodes {
  std::string descr;
  std::vector<std::string> bytes;
};

LabelCodes label_codes(const rt::Labels& labels) {
  LabelCodes codes;
  if (labels.is_string) {
    std::vector<std::u32string> texts;
    size_t longest = 1;
    for (const auto& s : labels.strings) {
      texts.push_back(decode_utf8(s));
      longest = std::max(longest, texts.back().size());
    }
    codes.descr = "<U" + std::to_string(longest);
    for (const auto& text : texts) {
      std::string& b = codes.bytes.emplace_back();
      for (size_t k = 0; k < longest; ++k) append_le(b, k < text.size() ? text[k] : 0, 4);
    }
    return codes;
  }
  const DType dtype = labels.dtype;
  const bool is_int = dtype >= DType::Int8 && dtype <= DType::Int64;
  const bool is_uint = dtype >= DType::UInt8 && dtype <= DType::UInt64;
  const size_t size = dtype == DType::Float16 ? 8 : itemsize(dtype);
  const char kind = dtype == DType::Bool ? 'b' : is_int ? 'i' : is_uint ? 'u' : 'f';
  codes.descr = std::string(size == 1 ? "|" : "<") + kind + std::to_string(size);
  for (double v : labels.numbers) {
    std::string& b = codes.bytes.emplace_back();
    if (kind == 'f' && size == 4) {
      const float f = static_cast<float>(v);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      append_le(b, bits, 4);
    } else if (kind == 'f') {
      uint64_t bits;
      std::memcpy(&bits, &v, 8);
      append_le(b, bits, 8);
    } else if (kind == 'i') {
      append_le(b, static_cast<uint64_t>(static_cast<int64_t>(v)), size);
    } else {
      append_le(b, static_cast<uint64_t>(v), size);
    }
  }
  return codes;
}

class NpyWriter final : public TableWriter {
 public:
  NpyWriter(int fd, std::string name, const OutputSpec& spec)
      : fd_(fd), name_(std::move(name)), spec_(spec) {
    if (spec_.labels) codes_ = label_codes(*spec_.labels);
    write_all(fd_, name_, npy_header(descr(), shape()));
  }
  void write(const double* values, size_t rows) override {
    buffer_.clear();
    const size_t n = rows * spec_.width();
    for (size_t i = 0; i < n; ++i) {
      if (spec_.labels) {
        buffer_ += codes_.bytes[label_index(values[i], *spec_.labels)];
      } else {
        uint64_t bits;
        std::memcpy(&bits, &values[i], 8);
        append_le(buffer_, bits, 8);
      }
    }
    write_all(fd_, name_, buffer_);
    rows_ += rows;
  }
  void finish() override {
    const std::string header = npy_header(descr(), shape());
    if (::pwrite(fd_, header.data(), header.size(), 0) != static_cast<ssize_t>(header.size())) {
      throw Error(ErrorKind::Io, name_ + ": cannot write the .npy header: " + std::strerror(errno));
    }
  }

 private:
  std::string descr() const { return spec_.labels ? codes_.descr : "<f8"; }
  std::vector<uint64_t> shape() const {
    if (spec_.squeeze) return {rows_};
    return {rows_, spec_.width()};
  }
  int fd_;
  std::string name_;
  const OutputSpec& spec_;
  LabelCodes codes_;
  std::string buffer_;
  uint64_t rows_ = 0;
};

}  // namespace

std::unique_ptr<TableWriter> open_npy_writer(int fd, std::string name, const OutputSpec& spec) {
  return std::make_unique<NpyWriter>(fd, std::move(name), spec);
}

}  // namespace amber::cli
