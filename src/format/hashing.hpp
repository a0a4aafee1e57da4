// Checksums and digests: xxh3-64 per array, SHA-256 for the content digest (via OpenSSL).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "format/layout.hpp"

namespace amber {

/// XXH3-64 with seed 0.
uint64_t xxh3_64(std::span<const uint8_t> bytes) noexcept;

/// XXH3-64 (seed 0) of several pieces as if they were one contiguous range.
uint64_t xxh3_64_pieces(std::span<const std::span<const uint8_t>> pieces);

/// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::span<const uint8_t> bytes);
  Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// SHA-256 of `bytes` in one call.
Digest sha256(std::span<const uint8_t> bytes);

/// Lowercase hex of a digest.
std::string digest_hex(const Digest& digest);

}  // namespace amber
