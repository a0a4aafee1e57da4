// Writes an .amber file: compresses arrays in parallel, checksums, digests, writes atomically.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/atomic_file.hpp"
#include "format/dtype.hpp"
#include "format/limits.hpp"

namespace amber {

/// Which filter a zstd array gets; Auto compresses the first chunk both ways and keeps the
/// smaller for the whole array.
enum class FilterChoice { None, Shuffle, Auto };

/// How one array is stored. The default is amber's default codec: zstd-7, auto shuffle.
struct CodecSpec {
  bool compress = true;  ///< false: raw (zero-copy on read)
  int level = 7;         ///< zstd level, 1..19
  FilterChoice filter = FilterChoice::Auto;
  /// Decoded bytes per zstd frame: a multiple of 64, so of every item size (the format asks
  /// only for a multiple of the item size; the writer keeps chunks cache-line aligned).
  uint64_t chunk = uint64_t{4} << 20;
};

/// One array to write. `bytes` must stay valid until write() returns.
struct ArrayInput {
  std::string name;
  DType dtype = DType::UInt8;
  std::vector<uint64_t> shape;
  /// Numeric: n × itemsize bytes, little-endian, C order. String: the §3.3 layout.
  std::span<const uint8_t> bytes;
  CodecSpec codec;
};

/// Options for the whole file.
struct WriteOptions {
  unsigned threads = 0;  ///< compression threads (0: hardware concurrency)
  Limits limits;         ///< the writer refuses what a reader with these limits would
  /// 0: the manifest is stored as text. 1..19: compressed with zstd at this level when that
  /// makes the file smaller (docs/format.md §2.1); the manifest of a model with a hundred
  /// trees is a quarter of its file.
  int manifest_level = 0;
};

/// Builds one file. Add arrays, set graph and metadata, then write() or to_bytes().
class Writer {
 public:
  explicit Writer(WriteOptions options = {});
  ~Writer();
  Writer(Writer&&) noexcept;
  Writer& operator=(Writer&&) noexcept;

  /// Queues an array; returns its index in the array table. Throws Error(InvalidArgument).
  uint64_t add_array(ArrayInput input);
  /// Sets the object graph: any JSON text (validated). Default: null.
  void set_graph_json(std::string json);
  /// Sets the metadata: a JSON object's text (validated). Default: {}.
  void set_metadata_json(std::string json);

  /// Writes the file atomically at `path` and returns its content digest. Throws Error.
  std::array<uint8_t, 32> write(const std::filesystem::path& path);
  /// Produces the file's bytes in memory.
  std::vector<uint8_t> to_bytes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Encodes strings (each valid UTF-8) into the §3.3 layout: offsets then text.
std::vector<uint8_t> encode_string_array(std::span<const std::string_view> strings);

}  // namespace amber
