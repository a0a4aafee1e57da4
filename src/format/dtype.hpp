// Element types of stored arrays (docs/format.md §3.2).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace amber {

/// An array's element type.
enum class DType {
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  UInt16,
  UInt32,
  UInt64,
  Float16,
  Float32,
  Float64,
  Complex64,
  Complex128,
  String,  ///< UTF-8 strings: uint64 offsets[n+1] then the text (§3.3)
};

/// The dtype's spec name ("float64", "string", ...).
std::string_view dtype_name(DType dtype) noexcept;

/// Parses a spec name; nullopt when unknown.
std::optional<DType> parse_dtype(std::string_view name) noexcept;

/// Bytes per element; 0 for String, whose elements vary.
size_t itemsize(DType dtype) noexcept;

}  // namespace amber
