// The string array layout (§3.3): encoding, and checking offsets and UTF-8 before use.
#include <simdjson.h>

#include <cstring>

#include "format/error.hpp"
#include "format/reader.hpp"
#include "format/writer.hpp"

namespace amber {
namespace {

uint64_t load_u64(const uint8_t* at) {
  uint64_t v;
  std::memcpy(&v, at, 8);  // the format is little-endian, as is every host amber builds for
  return v;
}

void store_u64(uint8_t* at, uint64_t v) { std::memcpy(at, &v, 8); }

}  // namespace

std::vector<uint8_t> encode_string_array(std::span<const std::string_view> strings) {
  uint64_t text = 0;
  for (auto s : strings) text += s.size();
  const size_t header = 8 * (strings.size() + 1);
  std::vector<uint8_t> out(header + text);
  uint64_t offset = 0;
  store_u64(out.data(), 0);
  for (size_t i = 0; i < strings.size(); ++i) {
    if (!simdjson::validate_utf8(strings[i].data(), strings[i].size())) {
      fail(ErrorKind::InvalidArgument, "string " + std::to_string(i), "is not valid UTF-8");
    }
    // An empty view may have a null data(), which memcpy must not see even for 0 bytes.
    if (!strings[i].empty()) {
      std::memcpy(out.data() + header + offset, strings[i].data(), strings[i].size());
    }
    offset += strings[i].size();
    store_u64(out.data() + 8 * (i + 1), offset);
  }
  return out;
}

void check_string_array(std::span<const uint8_t> decoded, uint64_t count,
                        const std::string& where) {
  // The manifest check guarantees 8 * (count + 1) <= decoded.size().
  const uint64_t header = 8 * (count + 1);
  const uint64_t text = decoded.size() - header;
  const uint8_t* base = decoded.data() + header;
  if (load_u64(decoded.data()) != 0) fail(ErrorKind::Corrupt, where, "offsets[0] is not 0");
  if (load_u64(decoded.data() + 8 * count) != text) {
    fail(ErrorKind::Corrupt, where, "last offset does not match the text length");
  }
  uint64_t previous = 0;
  for (uint64_t i = 1; i <= count; ++i) {
    const uint64_t end = load_u64(decoded.data() + 8 * i);
    if (end < previous || end > text) {
      fail(ErrorKind::Corrupt, where,
           "offset of element " + std::to_string(i - 1) + " is out of order");
    }
    if (!simdjson::validate_utf8(reinterpret_cast<const char*>(base + previous), end - previous)) {
      fail(ErrorKind::Corrupt, where, "element " + std::to_string(i - 1) + " is not valid UTF-8");
    }
    previous = end;
  }
}

}  // namespace amber
