// The writer: validates inputs, compresses chunks in parallel, lays out, digests, writes.
#include "format/writer.hpp"

#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "format/codec.hpp"
#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/json_check.hpp"
#include "format/layout.hpp"
#include "format/manifest.hpp"
#include "format/parallel.hpp"
#include "format/reader.hpp"
#include "format/safe_math.hpp"

namespace amber {
namespace {

struct Pending {
  ArrayInput input;
  ArrayInfo info;
  std::vector<std::vector<uint8_t>> frames;  // zstd frames; empty when stored raw
};

[[noreturn]] void bad_input(const Pending& p, size_t index, std::string_view what) {
  fail(ErrorKind::InvalidArgument, describe_array(index, p.info), what);
}

uint64_t element_count(const ArrayInput& input, size_t index) {
  uint64_t n = 1;
  for (auto d : input.shape) {
    auto next = checked_mul(n, d);
    if (!next)
      fail(ErrorKind::InvalidArgument, "array " + std::to_string(index), "shape overflows");
    n = *next;
  }
  return n;
}

void check_input(const Pending& p, size_t index, const Limits& limits) {
  const ArrayInput& in = p.input;
  // The manifest is UTF-8 JSON: a bad name is the caller's error, not a damaged manifest later.
  if (!simdjson::validate_utf8(in.name.data(), in.name.size())) {
    fail(ErrorKind::InvalidArgument, "array " + std::to_string(index), "name is not valid UTF-8");
  }
  if (in.shape.size() > limits.max_rank) bad_input(p, index, "rank is over Limits::max_rank");
  const uint64_t n = element_count(in, index);
  const size_t size = itemsize(in.dtype);
  if (size != 0 && checked_mul(n, size) != in.bytes.size()) {
    bad_input(p, index,
              "byte length " + std::to_string(in.bytes.size()) + " is not shape × itemsize");
  }
  if (size == 0) {
    if (checked_mul(n + 1, 8).value_or(UINT64_MAX) > in.bytes.size()) {
      bad_input(p, index, "too short for its string offsets");
    }
    try {
      check_string_array(in.bytes, n, describe_array(index, p.info));
    } catch (const Error& e) {
      fail(ErrorKind::InvalidArgument, "string layout", e.what());
    }
  }
  if (in.dtype == DType::Bool) {
    auto bad = std::find_if(in.bytes.begin(), in.bytes.end(), [](uint8_t b) { return b > 1; });
    if (bad != in.bytes.end()) {
      bad_input(p, index,
                "bool element " + std::to_string(bad - in.bytes.begin()) + " is neither 0 nor 1");
    }
  }
  const CodecSpec& c = in.codec;
  if (!c.compress) return;
  if (c.level < 1 || c.level > 19) bad_input(p, index, "zstd level must be 1..19");
  if (c.chunk < 64 || c.chunk % 64 != 0) bad_input(p, index, "chunk must be a multiple of 64");
}

bool wants_auto_filter(const Pending& p) {
  return p.info.codec == Codec::Zstd && itemsize(p.input.dtype) > 1 &&
         p.input.codec.filter == FilterChoice::Auto;
}

struct ChunkJob {
  size_t array;
  size_t frame;
};

void compress_chunk(Pending& p, size_t frame) {
  const uint64_t begin = frame * p.info.chunk;
  const uint64_t size = std::min<uint64_t>(p.info.chunk, p.input.bytes.size() - begin);
  const auto src = p.input.bytes.subspan(begin, size);
  if (!p.info.shuffle) {
    p.frames[frame] = zstd_compress_frame(src, p.info.level);
    return;
  }
  const std::span<uint8_t> shuffled = thread_scratch(size);  // the reader's, reused per thread
  shuffle_bytes(src, shuffled, itemsize(p.info.dtype));
  p.frames[frame] = zstd_compress_frame(shuffled, p.info.level);
}

/// Keeps zstd only where it saves bytes; fills length, frames and xxh3.
void finish_array(Pending& p) {
  ArrayInfo& info = p.info;
  uint64_t compressed = 0;
  for (const auto& f : p.frames) compressed += f.size();
  if (info.codec == Codec::Zstd && compressed >= info.decoded_length && info.decoded_length > 0) {
    info.codec = Codec::Raw;  // compression did not pay: store the bytes as they are
    info.shuffle = false;
    info.chunk = 0;
    info.level = 0;
    p.frames.clear();
  }
  if (info.codec == Codec::Raw) {
    info.length = info.decoded_length;
    info.xxh3 = xxh3_64(p.input.bytes);
    return;
  }
  info.length = compressed;
  std::vector<std::span<const uint8_t>> pieces;
  for (const auto& f : p.frames) {
    info.frames.push_back(f.size());
    pieces.emplace_back(f);
  }
  info.xxh3 = xxh3_64_pieces(pieces);
}

/// Where the bytes go: a file descriptor or memory; SHA-256 of the content as they pass. Small
/// pieces (the header, padding, small arrays) are gathered before they reach the descriptor: a
/// small model is dozens of pieces, each a write() otherwise.
class Sink {
 public:
  explicit Sink(int fd) : fd_(fd) { buffer_.reserve(kBufferBytes); }
  explicit Sink(std::vector<uint8_t>* memory) : memory_(memory) {}

  void content(std::span<const uint8_t> bytes) {
    hash_.update(bytes);
    raw(bytes);
  }
  void zeros(size_t n) {
    static constexpr uint8_t kZeros[64] = {};
    content({kZeros, n});
  }
  Digest digest() { return hash_.finish(); }

  void raw(std::span<const uint8_t> bytes) {
    if (memory_) {
      memory_->insert(memory_->end(), bytes.begin(), bytes.end());
      return;
    }
    if (buffer_.size() + bytes.size() > kBufferBytes) flush();
    if (bytes.size() < kBufferBytes) {
      buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    } else {
      write_all(bytes);
    }
  }

  /// Writes what is gathered (nothing for memory); call once after the last piece.
  void flush() {
    write_all(buffer_);
    buffer_.clear();
  }

 private:
  static constexpr size_t kBufferBytes = size_t{64} << 10;

  void write_all(std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), std::min<size_t>(bytes.size(), 1 << 30));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail(ErrorKind::Io, "write", std::strerror(errno));
      bytes = bytes.subspan(static_cast<size_t>(n));
    }
  }

  int fd_ = -1;
  std::vector<uint8_t>* memory_ = nullptr;
  std::vector<uint8_t> buffer_;
  Sha256 hash_;
};

uint64_t pad_to_64(uint64_t n) { return (64 - n % 64) % 64; }

}  // namespace

struct Writer::Impl {
  WriteOptions options;
  std::vector<Pending> arrays;
  std::string graph = "null";
  std::string metadata = "{}";
  bool prepared = false;
  std::string manifest;
  std::vector<uint8_t> compressed_manifest;  ///< what is stored, when the header says zstd
  Header header;

  void prepare();
  void compress_all();
  void lay_out();
  void compress_manifest();
  std::span<const uint8_t> stored_manifest() const;
  Digest emit(Sink& sink);
};

void Writer::Impl::compress_all() {
  std::vector<ChunkJob> jobs;
  uint64_t total = 0;
  for (const Pending& p : arrays) total += p.info.codec == Codec::Zstd ? p.info.decoded_length : 0;
  // Below this, waking a helper thread costs more than compressing on this one. zstd-7
  // compresses about ten times slower than it decodes: the 80 KiB of the bench's column
  // pipeline already save 0.4 ms faster on two threads than on one.
  constexpr uint64_t kParallelBytes = uint64_t{16} << 10;
  const unsigned threads = total < kParallelBytes ? 1 : options.threads;
  for (size_t i = 0; i < arrays.size(); ++i) {
    Pending& p = arrays[i];
    if (p.info.codec != Codec::Zstd) continue;
    p.info.shuffle = p.input.codec.filter == FilterChoice::Shuffle && itemsize(p.input.dtype) > 1;
    const uint64_t n =
        p.info.decoded_length / p.info.chunk + (p.info.decoded_length % p.info.chunk != 0);
    p.frames.resize(n);
    // With Auto the first chunk is compressed both ways (below) and decides the filter.
    for (size_t f = wants_auto_filter(p) ? 1 : 0; f < n; ++f) jobs.push_back({i, f});
  }
  parallel_for(arrays.size(), threads, [&](size_t i) {
    Pending& p = arrays[i];
    if (!wants_auto_filter(p)) return;
    compress_chunk(p, 0);
    auto plain = std::move(p.frames[0]);
    p.info.shuffle = true;
    compress_chunk(p, 0);
    p.info.shuffle = p.frames[0].size() < plain.size();
    if (!p.info.shuffle) p.frames[0] = std::move(plain);
  });
  parallel_for(jobs.size(), threads,
               [&](size_t j) { compress_chunk(arrays[jobs[j].array], jobs[j].frame); });
  parallel_for(arrays.size(), threads, [&](size_t i) { finish_array(arrays[i]); });
}

void Writer::Impl::prepare() {
  if (prepared) return;
  compress_all();
  lay_out();
  // A model is saved once: the tables of its level are not kept on the calling thread either.
  release_thread_codec_memory();
  prepared = true;
}

void Writer::Impl::lay_out() {
  uint64_t offset = 0;
  manifest = "{\"arrays\":[";
  for (size_t i = 0; i < arrays.size(); ++i) {
    arrays[i].info.offset = offset;
    offset = *align64(offset + arrays[i].info.length);
    if (i) manifest += ',';
    append_array_entry_json(manifest, arrays[i].info);
  }
  manifest += "],\"graph\":" + graph + ",\"metadata\":" + metadata + "}";
  // Refuse to write what a reader with the same limits would refuse.
  const JsonDocument parsed(manifest, "manifest", options.limits);
  if (manifest.size() > options.limits.max_manifest_bytes) {
    fail(ErrorKind::LimitExceeded, "manifest", "over Limits::max_manifest_bytes");
  }
  parse_array_table(parsed.root()["arrays"].value_unsafe(), offset, kFormatMinor, options.limits);
  compress_manifest();
  header.manifest_length = stored_manifest().size();
  header.manifest_xxh3 = xxh3_64(stored_manifest());
  header.data_offset = *align64(kHeaderSize + header.manifest_length);
  header.data_length = offset;
}

// Kept only when it saves at least one 64-byte block of the file: otherwise the reader would
// decode for nothing.
void Writer::Impl::compress_manifest() {
  if (options.manifest_level == 0) return;
  auto frame = zstd_compress_frame(
      {reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size()}, options.manifest_level);
  if (*align64(kHeaderSize + frame.size()) >= *align64(kHeaderSize + manifest.size())) return;
  compressed_manifest = std::move(frame);
  header.flags |= kFlagManifestZstd;
}

std::span<const uint8_t> Writer::Impl::stored_manifest() const {
  if (header.manifest_compressed()) return compressed_manifest;
  return {reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size()};
}

Digest Writer::Impl::emit(Sink& sink) {
  const auto head = encode_header(header);
  sink.content(head);
  sink.content(stored_manifest());
  sink.zeros(pad_to_64(kHeaderSize + header.manifest_length));
  for (const Pending& p : arrays) {
    if (p.frames.empty()) sink.content(p.input.bytes);
    for (const auto& f : p.frames) sink.content(f);
    sink.zeros(pad_to_64(p.info.length));
  }
  Footer footer;
  footer.content_digest = sink.digest();
  sink.raw(encode_footer(footer));
  sink.flush();
  return footer.content_digest;
}

Writer::Writer(WriteOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.manifest_level < 0 || options.manifest_level > 19) {
    fail(ErrorKind::InvalidArgument, "writer", "manifest zstd level must be 0..19");
  }
  impl_->options = options;
}
Writer::~Writer() = default;
Writer::Writer(Writer&&) noexcept = default;
Writer& Writer::operator=(Writer&&) noexcept = default;

uint64_t Writer::add_array(ArrayInput input) {
  auto& arrays = impl_->arrays;
  if (impl_->prepared) fail(ErrorKind::InvalidArgument, "writer", "arrays added after writing");
  if (arrays.size() >= impl_->options.limits.max_arrays) {
    fail(ErrorKind::InvalidArgument, "writer", "more arrays than Limits::max_arrays");
  }
  Pending p{std::move(input), {}, {}};
  p.info.name = p.input.name;
  p.info.dtype = p.input.dtype;
  p.info.shape = p.input.shape;
  check_input(p, arrays.size(), impl_->options.limits);
  p.info.decoded_length = p.input.bytes.size();
  if (p.input.codec.compress && p.info.decoded_length > 0) {
    p.info.codec = Codec::Zstd;
    p.info.level = p.input.codec.level;
    p.info.chunk = p.input.codec.chunk;
  }
  arrays.push_back(std::move(p));
  return arrays.size() - 1;
}

namespace {

/// Parses caller JSON with the reader's rules; a failure is the caller's: InvalidArgument.
JsonDocument caller_json(const std::string& json, std::string_view what, const Limits& limits) {
  try {
    return JsonDocument(json, what, limits);
  } catch (const Error& e) {
    throw Error(ErrorKind::InvalidArgument, e.what());
  }
}

}  // namespace

void Writer::set_graph_json(std::string json) {
  caller_json(json, "graph", impl_->options.limits);
  impl_->graph = std::move(json);
}

void Writer::set_metadata_json(std::string json) {
  if (!caller_json(json, "metadata", impl_->options.limits).root().is_object()) {
    fail(ErrorKind::InvalidArgument, "metadata", "is not a JSON object");
  }
  impl_->metadata = std::move(json);
}

Digest Writer::write(const std::filesystem::path& path) {
  impl_->prepare();
  Digest digest{};
  write_atomically(path, [&](int fd) {
    Sink sink(fd);
    digest = impl_->emit(sink);
  });
  return digest;
}

std::vector<uint8_t> Writer::to_bytes() {
  impl_->prepare();
  std::vector<uint8_t> out;
  Sink sink(&out);
  impl_->emit(sink);
  return out;
}

}  // namespace amber
