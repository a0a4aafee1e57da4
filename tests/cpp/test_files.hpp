// Test utility: builds .amber files by hand so each adversarial test changes exactly one thing.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/error.hpp"
#include "format/layout.hpp"
#include "format/limits.hpp"
#include "format/reader.hpp"
#include "format/writer.hpp"

namespace amber_test {

using Bytes = std::vector<uint8_t>;

/// The regions of a structurally valid file, split without validation.
struct FileParts {
  amber::Header header;  ///< only format_major/format_minor/flags are used by assemble()
  std::string manifest;  ///< the stored bytes: a zstd frame when header.flags says so
  Bytes data;            ///< the data section
  std::string signature;
};

/// Splits a file produced by amber::Writer (or assemble()) into its regions.
FileParts split(std::span<const uint8_t> file);

/// Assembles the regions into a file: manifest_length, data_offset, data_length, zero
/// padding, the header checksum, signature_length, the content digest and the footer
/// checksum are all recomputed, so the file differs from a valid one only where the parts do.
Bytes assemble(const FileParts& parts);

/// The same file with its manifest text replaced, every header and footer field fixed up.
Bytes with_manifest(std::span<const uint8_t> file, std::string_view manifest);

/// Recomputes the header checksum after header bytes were edited.
void rehash_header(Bytes& file);
/// Recomputes the footer checksum after footer bytes were edited.
void rehash_footer(Bytes& file);
/// Recomputes the content digest (over [0, data_offset + data_length)) and footer checksum.
void redigest(Bytes& file);

uint64_t load_le64(const uint8_t* at);
void store_le64(uint8_t* at, uint64_t value);

/// Replaces the only occurrence of `from` in `text`; throws std::logic_error otherwise.
std::string replace_once(std::string text, std::string_view from, std::string_view to);

/// One array of a hand-built manifest: stored bytes plus the fields to declare.
struct HandArray {
  std::string name;
  std::string dtype = "uint8";
  std::vector<uint64_t> shape;
  std::string codec = "raw";
  Bytes stored;
  uint64_t decoded_length = 0;
  std::string filter = "none";   ///< zstd only
  uint64_t chunk = 0;            ///< zstd only
  std::vector<uint64_t> frames;  ///< zstd only
  std::string extra_json;        ///< appended inside the entry, e.g. ",\"k\":1"
};

/// A raw array: stored bytes are the decoded bytes.
HandArray raw_array(std::string name, std::string dtype, std::vector<uint64_t> shape, Bytes bytes);
/// A zstd array whose stored bytes are the given frames back to back.
HandArray zstd_array(std::string name, std::string dtype, std::vector<uint64_t> shape,
                     uint64_t decoded_length, uint64_t chunk, const std::vector<Bytes>& frames,
                     std::string filter = "none");

/// The manifest text for `arrays` (placed contiguously, xxh3 computed from stored bytes).
std::string hand_manifest(const std::vector<HandArray>& arrays, std::string_view graph = "null",
                          std::string_view metadata = "{}");
/// A whole file built from scratch, independent of amber::Writer.
Bytes hand_file(const std::vector<HandArray>& arrays, std::string_view graph = "null",
                std::string_view metadata = "{}", uint16_t minor = amber::kFormatMinor);

/// zstd frames crafted byte by byte (RFC 8878): one raw block holding `content`.
/// With `content_size`, the frame header declares it (8-byte field); otherwise it has none.
Bytes raw_block_frame(const Bytes& content, std::optional<uint64_t> content_size);

/// A small valid file from amber::Writer: array 0 'alpha' int32 [4] raw, array 1 'beta'
/// float64 [64] zstd shuffled, graph {"k":[1,2]}, metadata {"m":"x"}.
Bytes small_valid_file();
/// The decoded bytes of small_valid_file()'s arrays.
Bytes alpha_bytes();
Bytes beta_bytes();

/// Deterministic pseudo-random bytes.
Bytes pattern_bytes(size_t size, uint32_t seed);

/// Opens in-memory bytes (copied into an owned buffer).
amber::Reader open_bytes(std::span<const uint8_t> bytes, const amber::Limits& limits = {});

/// open, then decode every array with checksums, then verify; the first amber::Error or none.
std::optional<amber::Error> full_read_error(std::span<const uint8_t> bytes,
                                            const amber::Limits& limits = {});

/// Passes when `action` throws amber::Error of `kind` whose message contains `where`.
testing::AssertionResult ThrowsKind(const std::function<void()>& action, amber::ErrorKind kind,
                                    std::string_view where = "");

/// Passes when opening `bytes` throws `kind` with `where` in the message.
testing::AssertionResult OpenThrows(std::span<const uint8_t> bytes, amber::ErrorKind kind,
                                    std::string_view where = "", const amber::Limits& limits = {});

/// A fresh, empty directory removed at destruction; under `base` or the system temp dir.
class TempDir {
 public:
  explicit TempDir(const std::filesystem::path& base = {});
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Bytes of a file on disk.
Bytes read_file(const std::filesystem::path& path);

}  // namespace amber_test
