// Text helpers for the CLI's output: sizes, shapes, codecs, and text safe for a terminal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/manifest.hpp"

namespace amber::cli {

/// "512 B", "1.5 KiB", "12.3 MiB": a byte count for people.
std::string human_size(uint64_t bytes);

/// "4.08x": decoded over stored, or "-" when nothing is stored.
std::string ratio_text(uint64_t decoded, uint64_t stored);

/// NumPy's spelling of a shape: "()", "(5,)", "(3, 4)".
std::string shape_text(const std::vector<uint64_t>& shape);

/// "raw", "zstd-3", "zstd-19+shuffle" ("zstd" when the level is unknown).
std::string codec_text(const ArrayInfo& info);

/// Replaces control characters (C0, DEL, C1) and invalid UTF-8 with visible escapes, so
/// text from a hostile file cannot drive the terminal.
std::string terminal_safe(std::string_view text);

/// Makes JSON text safe for a terminal: DEL and C1 characters become \u escapes.
/// The result is valid JSON with the same values when `json` is.
std::string terminal_safe_json(std::string_view json);

/// Columns `text` takes on a terminal (one per code point).
size_t display_width(std::string_view text);

/// Appends `text` padded with spaces to `width` columns (left or right aligned).
void append_padded(std::string& out, std::string_view text, size_t width, bool right_align);

}  // namespace amber::cli
