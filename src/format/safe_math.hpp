// Overflow-checked 64-bit arithmetic for every offset, length and shape taken from a file.
#pragma once

#include <cstdint>
#include <optional>

namespace amber {

/// a + b, or nullopt on overflow.
inline std::optional<uint64_t> checked_add(uint64_t a, uint64_t b) noexcept {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

/// a * b, or nullopt on overflow.
inline std::optional<uint64_t> checked_mul(uint64_t a, uint64_t b) noexcept {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

/// The next multiple of 64 at or above x, or nullopt on overflow.
inline std::optional<uint64_t> align64(uint64_t x) noexcept {
  auto r = checked_add(x, 63);
  if (!r) return std::nullopt;
  return *r & ~uint64_t{63};
}

}  // namespace amber
