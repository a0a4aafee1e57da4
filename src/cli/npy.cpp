// The NumPy .npy format (versions 1-3): reading and writing the header, with strict checks.
#include "cli/npy.hpp"

#include <cstring>
#include <stdexcept>

#include "cli/byte_source.hpp"
#include "cli/table.hpp"

namespace amber::cli {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr uint64_t kMaxDimension = uint64_t{1} << 62;

/// A value of the header's dict: a string, a bool or a tuple of ints.
struct Value {
  enum Kind { String, Bool, Tuple } kind = String;
  std::string text;
  bool flag = false;
  std::vector<uint64_t> ints;
};

/// Parses the Python dict literal NumPy writes; nothing else of Python is accepted.
class DictParser {
 public:
  DictParser(std::string_view text, std::string where) : text_(text), where_(std::move(where)) {}

  std::vector<std::pair<std::string, Value>> parse() {
    std::vector<std::pair<std::string, Value>> entries;
    expect('{');
    while (skip_space() != '}') {
      key_ = string();
      expect(':');
      entries.emplace_back(key_, value());
      if (skip_space() != ',') break;
      ++pos_;
    }
    expect('}');
    if (text_.find_first_not_of(" \t\r\n", pos_) != std::string_view::npos) {
      fail("text after the closing brace");
    }
    return entries;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    const std::string in = key_.empty() ? "" : " (in '" + key_ + "')";
    throw InputError(where_ + ": bad .npy header: " + what + in + " at character " +
                     std::to_string(pos_));
  }
  int skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
    return pos_ < text_.size() ? static_cast<unsigned char>(text_[pos_]) : -1;
  }
  void expect(char c) {
    if (skip_space() != static_cast<unsigned char>(c)) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string() {
    const int quote = skip_space();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    const size_t end = text_.find(static_cast<char>(quote), ++pos_);
    if (end == std::string_view::npos) fail("a string is not closed");
    std::string out(text_.substr(pos_, end - pos_));
    if (out.find('\\') != std::string::npos) fail("escapes are not expected");
    pos_ = end + 1;
    return out;
  }
  uint64_t integer() {
    skip_space();
    uint64_t v = 0;
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      v = v * 10 + static_cast<uint64_t>(text_[pos_++] - '0');
      if (v > kMaxDimension) fail("a dimension is too large");
    }
    if (pos_ == start) fail("expected a non-negative integer");
    if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 longs
    return v;
  }
  Value tuple() {
    Value v;
    v.kind = Value::Tuple;
    ++pos_;
    while (skip_space() != ')') {
      if (v.ints.size() >= 32) fail("more than 32 dimensions");
      v.ints.push_back(integer());
      if (skip_space() != ',') break;
      ++pos_;
    }
    expect(')');
    return v;
  }
  Value value() {
    const int c = skip_space();
    if (c == '(') return tuple();
    if (c == '\'' || c == '"') return Value{Value::String, string(), false, {}};
    for (const auto& [word, flag] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_).starts_with(word)) {
        pos_ += std::strlen(word);
        return Value{Value::Bool, "", flag, {}};
      }
    }
    if (c == '[') fail("structured dtypes are not supported");
    fail("expected a string, True, False or a tuple");
  }

  std::string_view text_;
  std::string where_;
  std::string key_;  ///< the entry being read, for messages
  size_t pos_ = 0;
};

uint64_t read_le(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

void set_descr(NpyHeader& h, const std::string& descr, const std::string& where) {
  h.descr = descr;
  const auto bad = [&](const std::string& why) {
    throw InputError(where + ": .npy dtype '" + descr + "' is not supported: " + why);
  };
  if (descr.size() < 2) bad("expected e.g. '<f8'");
  const char order = descr[0];
  const char kind = descr[1];
  const std::string size = descr.substr(2);
  if (kind == 'O') bad("object arrays need pickle, which amber never runs");
  if (order == '>') bad("big-endian data (convert with X.astype('<f8'))");
  if (order != '<' && order != '|' && order != '=') bad("unknown byte order");
  const bool known = (kind == 'f' && (size == "4" || size == "8")) ||
                     ((kind == 'i' || kind == 'u') &&
                      (size == "1" || size == "2" || size == "4" || size == "8")) ||
                     (kind == 'b' && size == "1");
  if (!known) bad("amber reads float32/64, (u)int8-64 and bool");
  h.kind = kind;
  h.itemsize = static_cast<size_t>(size[0] - '0');
}

void apply(NpyHeader& h, const std::vector<std::pair<std::string, Value>>& entries,
           const std::string& where) {
  bool descr = false, order = false, shape = false;
  for (const auto& entry : entries) {
    // Named, not a structured binding: clang 14 cannot capture those in the lambda below.
    const std::string& key = entry.first;
    const Value& value = entry.second;
    const auto wrong = [&](const char* expected) {
      throw InputError(where + ": bad .npy header: '" + key + "' must be " + expected);
    };
    bool* seen = key == "descr"           ? &descr
                 : key == "fortran_order" ? &order
                 : key == "shape"         ? &shape
                                          : nullptr;
    if (seen == nullptr) throw InputError(where + ": bad .npy header: unknown key '" + key + "'");
    if (*seen) throw InputError(where + ": bad .npy header: '" + key + "' appears twice");
    *seen = true;
    if (key == "descr") {
      if (value.kind != Value::String) wrong("a string");
      set_descr(h, value.text, where);
    } else if (key == "fortran_order") {
      if (value.kind != Value::Bool) wrong("True or False");
      h.fortran = value.flag;
    } else {
      if (value.kind != Value::Tuple) wrong("a tuple");
      h.shape = value.ints;
    }
  }
  if (!descr || !order || !shape) {
    throw InputError(where + ": bad .npy header: it needs 'descr', 'fortran_order' and 'shape'");
  }
}

}  // namespace

NpyHeader read_npy_header(ByteSource& source) {
  const std::string& where = source.name();
  unsigned char prefix[12];
  const size_t got = source.read(prefix, 10);
  if (got < 10 || std::memcmp(prefix, kMagic.data(), kMagic.size()) != 0) {
    throw InputError(where + ": not a .npy file (it does not start with \\x93NUMPY)");
  }
  const unsigned major = prefix[6];
  if (major < 1 || major > 3) {
    throw InputError(where + ": .npy format version " + std::to_string(major) + "." +
                     std::to_string(prefix[7]) + " is not supported (1.0 to 3.0 are)");
  }
  size_t length_bytes = major == 1 ? 2 : 4;
  if (major > 1 && source.read(prefix + 10, 2) != 2) {
    throw InputError(where + ": truncated .npy header");
  }
  const uint64_t length = read_le(prefix + 8, length_bytes);
  if (length > kMaxNpyHeaderBytes) {
    throw InputError(where + ": .npy header of " + std::to_string(length) +
                     " bytes is longer than the " + std::to_string(kMaxNpyHeaderBytes) +
                     " allowed");
  }
  std::string text(length, '\0');
  if (source.read(text.data(), length) != length) {
    throw InputError(where + ": truncated .npy header");
  }
  NpyHeader header;
  apply(header, DictParser(text, where).parse(), where);
  header.data_offset = 8 + length_bytes + length;
  return header;
}

std::string npy_header(std::string_view descr, const std::vector<uint64_t>& shape) {
  std::string dict = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]) + (shape.size() == 1 ? "," : i + 1 < shape.size() ? ", " : "");
  }
  dict += "), }";
  const size_t text_bytes = kNpyWrittenHeaderBytes - 10;
  if (dict.size() >= text_bytes) throw std::logic_error("npy_header(): the header does not fit");
  dict.resize(text_bytes - 1, ' ');
  dict += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(text_bytes & 0xFF);
  out += static_cast<char>(text_bytes >> 8);
  return out + dict;
}

}  // namespace amber::cli
