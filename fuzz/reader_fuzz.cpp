// libFuzzer target: amber::Reader on hostile bytes; anything but amber::Error is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "format/buffer.hpp"
#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/reader.hpp"

namespace {

/// Small caps so that a few hostile bytes cannot make one run slow or large.
amber::Limits fuzz_limits() {
  amber::Limits limits;
  limits.max_manifest_bytes = uint64_t{1} << 20;
  limits.max_decoded_bytes = uint64_t{1} << 20;  // inputs are at most 64 KiB
  limits.max_json_values = 100'000;
  limits.max_arrays = 10'000;
  limits.max_signature_bytes = uint64_t{64} << 10;
  return limits;
}

/// Decodes array `i` and swallows the amber::Error a hostile file is expected to cause.
void try_array(const amber::Reader& reader, size_t i, bool check) {
  try {
    reader.array(i, check);
  } catch (const amber::Error&) {
  }
}

/// Opens, decodes every array without and with checksums, and verifies.
void read_everything(std::span<const uint8_t> bytes) {
  static const amber::Limits limits = fuzz_limits();
  try {
    const amber::Reader reader = amber::Reader::from_buffer(amber::copy_buffer(bytes), limits);
    for (size_t i = 0; i < reader.arrays().size(); ++i) try_array(reader, i, false);
    for (size_t i = 0; i < reader.arrays().size(); ++i) try_array(reader, i, true);
    reader.verify(1);
  } catch (const amber::Error&) {
  }
}

void store_le64(uint8_t* at, uint64_t value) {
  for (int i = 0; i < 8; ++i) at[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t load_le64(const uint8_t* at) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | at[i];
  return value;
}

/// The input with its manifest, header and footer checksums recomputed, so that mutations of
/// the bytes behind them reach the reader's later checks (the manifest's parser above all).
std::vector<uint8_t> with_fixed_checksums(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> fixed(bytes.begin(), bytes.end());
  const unsigned major = fixed[8] | fixed[9] << 8u, minor = fixed[10] | fixed[11] << 8u;
  const uint64_t manifest_length = load_le64(&fixed[16]);
  if (major >= 2 && minor >= 1 && manifest_length <= fixed.size() - 64) {
    store_le64(&fixed[40], amber::xxh3_64({fixed.data() + 64, manifest_length}));
  }
  store_le64(&fixed[56], amber::xxh3_64({fixed.data(), 56}));
  uint8_t* footer = fixed.data() + fixed.size() - 64;
  store_le64(footer + 56, amber::xxh3_64({footer, 56}));
  return fixed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  read_everything(bytes);
  if (size >= 128) {
    const std::vector<uint8_t> fixed = with_fixed_checksums(bytes);
    if (!std::equal(fixed.begin(), fixed.end(), bytes.begin())) read_everything(fixed);
  }
  return 0;
}
