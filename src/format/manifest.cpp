// The array table: every rule of docs/format.md §3.1 checked on read, and its JSON on write.
#include "format/manifest.hpp"

#include <simdjson.h>

#include <string>

#include "format/error.hpp"
#include "format/json_writer.hpp"
#include "format/layout.hpp"
#include "format/safe_math.hpp"

namespace amber {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string num(uint64_t v) { return std::to_string(v); }

/// Reads the fields of one entry; the `where` prefix names the array in every message.
class EntryParser {
 public:
  EntryParser(object entry, std::string where, bool strict_keys)
      : entry_(entry), where_(std::move(where)), strict_keys_(strict_keys) {}

  ArrayInfo parse(const Limits& limits) {
    check_keys();
    ArrayInfo info;
    if (auto name = optional_field("name")) info.name = string_of(*name, "name");
    info.dtype = dtype_field();
    info.shape = shape_field(limits.max_rank);
    info.offset = uint_of(field("offset"), "offset");
    info.length = uint_of(field("length"), "length");
    info.decoded_length = uint_of(field("decoded_length"), "decoded_length");
    info.xxh3 = xxh3_field();
    info.codec = codec_field();
    if (info.codec == Codec::Zstd)
      parse_zstd_fields(info);
    else
      refuse_zstd_fields();
    return info;
  }

  [[noreturn]] void bad(std::string_view what) const {
    fail(ErrorKind::InvalidManifest, where_, what);
  }

 private:
  static constexpr std::string_view kKnownKeys[] = {"name",   "dtype",          "shape",  "offset",
                                                    "length", "decoded_length", "codec",  "xxh3",
                                                    "filter", "chunk",          "frames", "level"};

  void check_keys() const {
    if (!strict_keys_) return;
    for (auto f : entry_) {
      bool known = false;
      for (auto k : kKnownKeys) known = known || f.key == k;
      if (!known) bad("unknown key \"" + std::string(f.key.substr(0, 80)) + "\"");
    }
  }

  std::optional<element> optional_field(std::string_view key) const {
    element value;
    if (entry_[key].get(value)) return std::nullopt;
    return value;
  }

  element field(std::string_view key) const {
    auto value = optional_field(key);
    if (!value) bad("missing key \"" + std::string(key) + "\"");
    return *value;
  }

  uint64_t uint_of(element e, std::string_view key) const {
    uint64_t value;
    if (!e.is_uint64() || e.get(value))
      bad("\"" + std::string(key) + "\" is not an unsigned integer");
    return value;
  }

  std::string string_of(element e, std::string_view key) const {
    std::string_view value;
    if (e.get(value)) bad("\"" + std::string(key) + "\" is not a string");
    return std::string(value);
  }

  DType dtype_field() const {
    auto name = string_of(field("dtype"), "dtype");
    auto dtype = parse_dtype(name);
    if (!dtype) bad("unknown dtype \"" + name.substr(0, 40) + "\"");
    return *dtype;
  }

  std::vector<uint64_t> shape_field(uint32_t max_rank) const {
    simdjson::dom::array dims;
    if (field("shape").get(dims)) bad("\"shape\" is not an array");
    if (dims.size() > max_rank) {
      fail(ErrorKind::LimitExceeded, where_,
           "rank " + num(dims.size()) + " is over the cap of " + num(max_rank) +
               " (Limits::max_rank)");
    }
    std::vector<uint64_t> shape;
    for (auto d : dims) {
      const uint64_t n = uint_of(d, "shape");
      // NumPy's dimensions are signed 64-bit; a larger one cannot be a real array.
      if (n >= (uint64_t{1} << 63)) bad("\"shape\" has a dimension of 2^63 or more");
      shape.push_back(n);
    }
    return shape;
  }

  uint64_t xxh3_field() const {
    auto hex = string_of(field("xxh3"), "xxh3");
    if (hex.size() != 16) bad("\"xxh3\" is not 16 hex digits");
    uint64_t value = 0;
    for (char c : hex) {
      int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (digit < 0) bad("\"xxh3\" is not lowercase hex");
      value = (value << 4) | static_cast<uint64_t>(digit);
    }
    return value;
  }

  Codec codec_field() const {
    auto codec = string_of(field("codec"), "codec");
    if (codec == "raw") return Codec::Raw;
    if (codec == "zstd") return Codec::Zstd;
    bad("unknown codec \"" + codec.substr(0, 40) + "\"");
  }

  void parse_zstd_fields(ArrayInfo& info) const {
    auto filter = string_of(field("filter"), "filter");
    if (filter != "none" && filter != "shuffle")
      bad("unknown filter \"" + filter.substr(0, 40) + "\"");
    info.shuffle = filter == "shuffle";
    info.chunk = uint_of(field("chunk"), "chunk");
    simdjson::dom::array frames;
    if (field("frames").get(frames)) bad("\"frames\" is not an array");
    for (auto f : frames) info.frames.push_back(uint_of(f, "frames"));
    if (auto level = optional_field("level")) {
      int64_t value;
      if (level->get(value) || value < -131072 || value > 22) bad("\"level\" is not a zstd level");
      info.level = static_cast<int>(value);
    }
  }

  void refuse_zstd_fields() const {
    for (auto key : {"filter", "chunk", "frames", "level"}) {
      if (optional_field(key)) bad(std::string("\"") + key + "\" is only valid with codec zstd");
    }
  }

  object entry_;
  std::string where_;
  bool strict_keys_;
};

void check_sizes(const ArrayInfo& info, const std::string& where) {
  uint64_t n = 1;
  for (auto d : info.shape) {
    auto next = checked_mul(n, d);
    if (!next) fail(ErrorKind::Corrupt, where, "shape's element count overflows 64 bits");
    n = *next;
  }
  const size_t size = itemsize(info.dtype);
  if (size != 0) {
    auto bytes = checked_mul(n, size);
    if (!bytes) fail(ErrorKind::Corrupt, where, "shape × itemsize overflows 64 bits");
    if (*bytes != info.decoded_length) {
      fail(ErrorKind::Corrupt, where,
           "decoded_length " + num(info.decoded_length) +
               " is not shape × itemsize = " + num(*bytes));
    }
  } else {
    auto offsets = checked_add(n, 1);
    auto offset_bytes = offsets ? checked_mul(*offsets, 8) : std::nullopt;
    if (!offset_bytes || *offset_bytes > info.decoded_length) {
      fail(ErrorKind::Corrupt, where, "decoded_length is too small for the string offsets");
    }
  }
  if (info.codec == Codec::Raw && info.length != info.decoded_length) {
    fail(ErrorKind::Corrupt, where, "raw array's length differs from its decoded_length");
  }
}

void check_frames(const ArrayInfo& info, const std::string& where) {
  const size_t size = itemsize(info.dtype);
  if (info.chunk == 0) fail(ErrorKind::Corrupt, where, "chunk is 0");
  if (size != 0 && info.chunk % size != 0) {
    fail(ErrorKind::Corrupt, where, "chunk is not a multiple of the item size");
  }
  if (info.shuffle && size <= 1) {
    fail(ErrorKind::Corrupt, where, "shuffle is invalid for this dtype");
  }
  const uint64_t expected =
      info.decoded_length / info.chunk + (info.decoded_length % info.chunk != 0);
  if (info.frames.size() != expected) {
    fail(ErrorKind::Corrupt, where,
         num(info.frames.size()) + " frames for " + num(expected) + " chunks");
  }
  uint64_t total = 0;
  for (auto f : info.frames) {
    auto sum = checked_add(total, f);
    if (!sum || f == 0) fail(ErrorKind::Corrupt, where, "frame lengths are invalid");
    total = *sum;
  }
  if (total != info.length) {
    fail(ErrorKind::Corrupt, where,
         "frame lengths add up to " + num(total) + ", not the array's length " + num(info.length));
  }
}

/// Checks contiguity: each array starts where the previous one ends, aligned to 64.
uint64_t check_placement(const ArrayInfo& info, uint64_t expected_offset,
                         const std::string& where) {
  if (info.offset != expected_offset) {
    fail(ErrorKind::Corrupt, where,
         "offset " + num(info.offset) + " should be " + num(expected_offset) +
             " (arrays are contiguous, aligned to 64, in table order)");
  }
  auto end = checked_add(info.offset, info.length);
  auto next = end ? align64(*end) : std::nullopt;
  if (!next) fail(ErrorKind::Corrupt, where, "offset + length overflows 64 bits");
  return *next;
}

}  // namespace

uint64_t ArrayInfo::element_count() const {
  uint64_t n = 1;
  for (auto d : shape) n *= d;  // validated against overflow when parsed or added
  return n;
}

std::string describe_array(size_t index, const ArrayInfo& info) {
  std::string out = "array " + num(index);
  if (!info.name.empty()) {
    out += " '";
    out += info.name.substr(0, 120);
    out += "'";
  }
  return out;
}

std::vector<ArrayInfo> parse_array_table(const element& arrays, uint64_t data_length,
                                         uint16_t file_minor, const Limits& limits) {
  simdjson::dom::array table;
  if (arrays.get(table)) fail(ErrorKind::InvalidManifest, "manifest", "\"arrays\" is not an array");
  if (table.size() > limits.max_arrays) {
    fail(ErrorKind::LimitExceeded, "manifest",
         num(table.size()) + " arrays, over the cap of " + num(limits.max_arrays) +
             " (Limits::max_arrays)");
  }
  std::vector<ArrayInfo> infos;
  infos.reserve(table.size());
  uint64_t next_offset = 0;
  uint64_t decoded_total = 0;
  for (auto entry : table) {
    std::string where = "array " + num(infos.size());
    object fields;
    if (entry.get(fields)) fail(ErrorKind::InvalidManifest, where, "entry is not an object");
    ArrayInfo info = EntryParser(fields, where, file_minor <= kFormatMinor).parse(limits);
    where = describe_array(infos.size(), info);
    check_sizes(info, where);
    if (info.codec == Codec::Zstd) {
      check_frames(info, where);
      auto total = checked_add(decoded_total, info.decoded_length);
      if (!total || *total > limits.max_decoded_bytes) {
        fail(ErrorKind::LimitExceeded, where,
             "compressed arrays decode to more than " + num(limits.max_decoded_bytes) +
                 " bytes (Limits::max_decoded_bytes)");
      }
      decoded_total = *total;
    }
    next_offset = check_placement(info, next_offset, where);
    infos.push_back(std::move(info));
  }
  if (next_offset != data_length) {
    fail(ErrorKind::Corrupt, "data section",
         "arrays end at " + num(next_offset) + " but the data section is " + num(data_length) +
             " bytes");
  }
  return infos;
}

void append_array_entry_json(std::string& out, const ArrayInfo& info) {
  out += "{\"name\":";
  append_json_string(out, info.name);
  out += ",\"dtype\":\"";
  out += dtype_name(info.dtype);
  out += "\",\"shape\":[";
  for (size_t i = 0; i < info.shape.size(); ++i) {
    if (i) out += ',';
    out += num(info.shape[i]);
  }
  out += "],\"offset\":" + num(info.offset) + ",\"length\":" + num(info.length) +
         ",\"decoded_length\":" + num(info.decoded_length) + ",\"codec\":\"" +
         (info.codec == Codec::Raw ? "raw" : "zstd") + "\",\"xxh3\":\"" + hex64(info.xxh3) + "\"";
  if (info.codec == Codec::Zstd) {
    out += std::string(",\"filter\":\"") + (info.shuffle ? "shuffle" : "none") +
           "\",\"chunk\":" + num(info.chunk) + ",\"level\":" + std::to_string(info.level) +
           ",\"frames\":[";
    for (size_t i = 0; i < info.frames.size(); ++i) {
      if (i) out += ',';
      out += num(info.frames[i]);
    }
    out += ']';
  }
  out += '}';
}

}  // namespace amber
