// Minimal JSON emitting helpers for the manifest: escaping strings and numbers exactly.
#pragma once

#include <string>
#include <string_view>

namespace amber {

/// Appends `s` as a JSON string literal (quotes and escapes included). `s` must be UTF-8.
void append_json_string(std::string& out, std::string_view s);

/// Returns the 16-digit lowercase hex form of a 64-bit checksum.
std::string hex64(uint64_t value);

}  // namespace amber
