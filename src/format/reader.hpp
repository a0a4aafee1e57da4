// Reads an .amber file: validates its structure at open, hands out arrays as views or decoded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "format/buffer.hpp"
#include "format/json_check.hpp"
#include "format/layout.hpp"
#include "format/limits.hpp"
#include "format/manifest.hpp"

namespace amber {

/// One array's decoded bytes: a view of the file for raw arrays, a new block otherwise.
struct ArrayData {
  const ArrayInfo* info = nullptr;
  std::span<const uint8_t> bytes;
  std::shared_ptr<const Buffer> owner;  ///< keeps `bytes` alive
  bool is_view = false;                 ///< true when `bytes` points into the file
};

/// An open, structurally validated .amber file. Thread-safe for concurrent reads.
class Reader {
 public:
  /// Files smaller than this are read into memory rather than mapped (read_or_map_file).
  static constexpr uint64_t kReadBelowBytes = uint64_t{1} << 20;

  /// Maps `path` (reads it, below kReadBelowBytes) and validates header, footer, manifest and
  /// array table. Throws Error.
  static Reader open(const std::filesystem::path& path, const Limits& limits = {});
  /// Validates a file already in memory (kept alive by the buffer). Throws Error.
  static Reader from_buffer(std::shared_ptr<const Buffer> file, const Limits& limits = {});

  const Header& header() const noexcept;
  const Footer& footer() const noexcept;
  uint64_t file_size() const noexcept;
  /// The manifest's JSON text, validated.
  std::string_view manifest_json() const noexcept;
  /// The parsed manifest (its "graph" and "metadata" members are for the layers above).
  const JsonDocument& manifest() const noexcept;
  /// The decoded bytes of all arrays together.
  uint64_t decoded_bytes() const noexcept;
  /// The signature block's JSON text ("" when absent).
  std::string_view signature_json() const noexcept;
  const std::vector<ArrayInfo>& arrays() const noexcept;

  /// Array `index`: a zero-copy view for raw arrays, decoded for zstd. With
  /// `check_checksum`, the stored bytes are checked against xxh3 first. Throws Error.
  ArrayData array(size_t index, bool check_checksum = false) const;
  /// Several arrays at once, decoded in parallel on up to `threads` threads.
  std::vector<ArrayData> arrays_at(std::span<const size_t> indices, bool check_checksum,
                                   unsigned threads = 0) const;
  /// Checks one array's stored bytes against its xxh3. Throws Error(ChecksumMismatch).
  void check_checksum(size_t index) const;
  /// SHA-256 over [0, content_end) as the bytes are now.
  Digest compute_digest() const;
  /// Checks padding, every checksum, string and bool array, and the digest. Throws Error.
  void verify(unsigned threads = 0) const;

  /// The stored bytes of array `index` (no decoding).
  std::span<const uint8_t> stored_bytes(size_t index) const;
  /// The whole file.
  std::span<const uint8_t> file_bytes() const noexcept;

  /// Opaque, defined in reader.cpp.
  struct State;

  /// One zstd frame of one array: where its stored bytes are and where they decode to.
  struct Frame {
    size_t array;
    size_t frame;
    uint64_t stored_offset;   ///< within the array's stored bytes
    uint64_t decoded_offset;  ///< within the array's decoded bytes
  };
  /// Every frame of zstd array `index`, in order (none for a raw array).
  std::vector<Frame> frames(size_t index) const;
  /// Decodes `frame` (from frames()) into its place in `out`, the array's whole decoded
  /// buffer of decoded_length bytes. Threads may decode different frames into one buffer at
  /// once. Throws Error.
  void decode_frame(const Frame& frame, std::span<uint8_t> out) const;

  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  ~Reader();

 private:
  explicit Reader(std::shared_ptr<const State> state);
  std::shared_ptr<const State> state_;
};

/// Checks a decoded string array's offsets and UTF-8 (§3.3). Throws Error(Corrupt).
void check_string_array(std::span<const uint8_t> decoded, uint64_t count, const std::string& where);

}  // namespace amber
