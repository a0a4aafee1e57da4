// Text helpers for the CLI's output: sizes, shapes, codecs, and text safe for a terminal.
#include "cli/text.hpp"

#include <cstdio>

namespace amber::cli {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at text[i], or 0 when it is not valid.
size_t utf8_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t min = 0;
  uint32_t cp = 0;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) length = 2, min = 0x80, cp = lead & 0x1F;
  if (lead >= 0xE0 && lead <= 0xEF) length = 3, min = 0x800, cp = lead & 0x0F;
  if (lead >= 0xF0 && lead <= 0xF4) length = 4, min = 0x10000, cp = lead & 0x07;
  if (length == 0 || i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  return (cp < min || cp > 0x10FFFF || surrogate) ? 0 : length;
}

// The code point of a valid two-byte sequence starting at text[i].
uint32_t two_byte_code_point(std::string_view text, size_t i) {
  return ((static_cast<unsigned char>(text[i]) & 0x1Fu) << 6) |
         (static_cast<unsigned char>(text[i + 1]) & 0x3Fu);
}

bool is_control(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

void append_escape(std::string& out, std::string_view prefix, uint32_t value) {
  out += prefix;
  out += kHex[(value >> 4) & 15];
  out += kHex[value & 15];
}

}  // namespace

std::string human_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) value /= 1024.0, ++unit;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %s", value, kUnits[unit]);
  return buffer;
}

std::string ratio_text(uint64_t decoded, uint64_t stored) {
  if (stored == 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2fx",
                static_cast<double>(decoded) / static_cast<double>(stored));
  return buffer;
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ',';
  return out + ')';
}

std::string codec_text(const ArrayInfo& info) {
  if (info.codec == Codec::Raw) return "raw";
  std::string out = "zstd";
  if (info.level != 0) out += '-' + std::to_string(info.level);
  if (info.shuffle) out += "+shuffle";
  return out;
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t length = utf8_length(text, i);
    const auto lead = static_cast<unsigned char>(text[i]);
    if (length == 0) {
      append_escape(out, "\\x", lead);
      ++i;
    } else if (length == 1 && is_control(lead)) {
      append_escape(out, "\\x", lead);
      ++i;
    } else if (length == 2 && is_control(two_byte_code_point(text, i))) {
      append_escape(out, "\\u00", two_byte_code_point(text, i));
      i += 2;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string terminal_safe_json(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    const auto c = static_cast<unsigned char>(json[i]);
    if (c == 0x7F) {
      out += "\\u007f";
    } else if (c == 0xC2 && i + 1 < json.size() && is_control(two_byte_code_point(json, i))) {
      append_escape(out, "\\u00", two_byte_code_point(json, i));
      ++i;
    } else {
      out += json[i];
    }
  }
  return out;
}

size_t display_width(std::string_view text) {
  size_t width = 0;
  for (char c : text) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

void append_padded(std::string& out, std::string_view text, size_t width, bool right_align) {
  const size_t used = display_width(text);
  const std::string pad(used < width ? width - used : 0, ' ');
  if (right_align) out += pad;
  out += text;
  if (!right_align) out += pad;
}

}  // namespace amber::cli
