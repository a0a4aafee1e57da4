// Caps that bound what a reader will accept from a hostile file (docs/format.md §5).
#pragma once

#include <cstdint>

namespace amber {

/// The highest max_json_depth a reader accepts: the checks after parsing walk the document
/// recursively, one stack frame per level, so a deeper cap could overflow a thread's stack on a
/// hostile file instead of refusing it.
inline constexpr uint32_t kMaxJsonDepthCeiling = 4096;

/// Every cap the reader enforces; the defaults are safe for untrusted input.
struct Limits {
  uint64_t max_manifest_bytes = uint64_t{64} << 20;
  uint32_t max_json_depth = 256;  ///< at most kMaxJsonDepthCeiling
  uint64_t max_json_values = 10'000'000;
  uint64_t max_arrays = 1'000'000;
  uint32_t max_rank = 32;
  uint64_t max_decoded_bytes = uint64_t{16} << 30;
  uint64_t max_signature_bytes = uint64_t{1} << 20;
};

}  // namespace amber
