// Test utility: splitting, editing and reassembling .amber files; hand-built manifests and frames.
#include "test_files.hpp"

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>

#include "format/codec.hpp"
#include "format/hashing.hpp"
#include "format/safe_math.hpp"

namespace amber_test {
namespace {

using amber::kFooterSize;
using amber::kHeaderSize;

uint16_t load_le16(const uint8_t* at) { return static_cast<uint16_t>(at[0] | (at[1] << 8)); }

uint64_t align64_or_throw(uint64_t x) {
  auto r = amber::align64(x);
  if (!r) throw std::logic_error("align64 overflow in a test file");
  return *r;
}

std::string hex64(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<size_t>(i)] = kDigits[value & 15];
  return out;
}

std::string json_uints(const std::vector<uint64_t>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "]";
}

std::string entry_json(const HandArray& a, uint64_t offset) {
  std::string out = "{";
  if (!a.name.empty()) out += "\"name\":\"" + a.name + "\",";
  out += "\"dtype\":\"" + a.dtype + "\",\"shape\":" + json_uints(a.shape);
  out += ",\"offset\":" + std::to_string(offset);
  out += ",\"length\":" + std::to_string(a.stored.size());
  out += ",\"decoded_length\":" + std::to_string(a.decoded_length);
  out += ",\"codec\":\"" + a.codec + "\"";
  out += ",\"xxh3\":\"" + hex64(amber::xxh3_64(a.stored)) + "\"";
  if (a.codec == "zstd") {
    out += ",\"filter\":\"" + a.filter + "\",\"chunk\":" + std::to_string(a.chunk);
    out += ",\"frames\":" + json_uints(a.frames);
  }
  return out + a.extra_json + "}";
}

}  // namespace

uint64_t load_le64(const uint8_t* at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | at[i];
  return v;
}

void store_le64(uint8_t* at, uint64_t value) {
  for (int i = 0; i < 8; ++i) at[i] = static_cast<uint8_t>(value >> (8 * i));
}

FileParts split(std::span<const uint8_t> file) {
  if (file.size() < kHeaderSize + kFooterSize) throw std::logic_error("split: file too short");
  FileParts parts;
  parts.header.format_major = load_le16(&file[8]);
  parts.header.format_minor = load_le16(&file[10]);
  parts.header.flags = static_cast<uint32_t>(load_le16(&file[12])) |
                       static_cast<uint32_t>(load_le16(&file[14])) << 16;
  const uint64_t manifest_length = load_le64(&file[16]);
  const uint64_t data_offset = load_le64(&file[24]);
  const uint64_t data_length = load_le64(&file[32]);
  const uint64_t signature_length = load_le64(&file[file.size() - kFooterSize + 8]);
  if (data_offset + data_length + signature_length + kFooterSize != file.size()) {
    throw std::logic_error("split: not a structurally valid file");
  }
  const char* text = reinterpret_cast<const char*>(file.data());
  parts.manifest.assign(text + kHeaderSize, manifest_length);
  parts.data.assign(file.begin() + static_cast<ptrdiff_t>(data_offset),
                    file.begin() + static_cast<ptrdiff_t>(data_offset + data_length));
  parts.signature.assign(text + data_offset + data_length, signature_length);
  return parts;
}

Bytes assemble(const FileParts& parts) {
  amber::Header header = parts.header;
  header.manifest_length = parts.manifest.size();
  header.data_offset = align64_or_throw(kHeaderSize + parts.manifest.size());
  header.data_length = parts.data.size();
  header.manifest_xxh3 = amber::xxh3_64(
      {reinterpret_cast<const uint8_t*>(parts.manifest.data()), parts.manifest.size()});
  Bytes file;
  auto h = amber::encode_header(header);
  file.insert(file.end(), h.begin(), h.end());
  file.insert(file.end(), parts.manifest.begin(), parts.manifest.end());
  file.resize(header.data_offset, 0);
  file.insert(file.end(), parts.data.begin(), parts.data.end());
  amber::Footer footer;
  footer.signature_length = parts.signature.size();
  footer.content_digest = amber::sha256(file);
  file.insert(file.end(), parts.signature.begin(), parts.signature.end());
  auto f = amber::encode_footer(footer);
  file.insert(file.end(), f.begin(), f.end());
  return file;
}

Bytes with_manifest(std::span<const uint8_t> file, std::string_view manifest) {
  FileParts parts = split(file);
  parts.manifest = std::string(manifest);
  return assemble(parts);
}

void rehash_header(Bytes& file) { store_le64(&file[56], amber::xxh3_64({file.data(), 56})); }

void rehash_footer(Bytes& file) {
  uint8_t* footer = file.data() + file.size() - kFooterSize;
  store_le64(footer + 56, amber::xxh3_64({footer, 56}));
}

void redigest(Bytes& file) {
  const uint64_t content_end = load_le64(&file[24]) + load_le64(&file[32]);
  const amber::Digest digest = amber::sha256({file.data(), content_end});
  std::memcpy(file.data() + file.size() - kFooterSize + 16, digest.data(), digest.size());
  rehash_footer(file);
}

std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  if (at == std::string::npos || text.find(from, at + 1) != std::string::npos) {
    throw std::logic_error("replace_once: \"" + std::string(from) + "\" is not found exactly once");
  }
  return text.replace(at, from.size(), to);
}

HandArray raw_array(std::string name, std::string dtype, std::vector<uint64_t> shape, Bytes bytes) {
  HandArray a;
  a.name = std::move(name);
  a.dtype = std::move(dtype);
  a.shape = std::move(shape);
  a.decoded_length = bytes.size();
  a.stored = std::move(bytes);
  return a;
}

HandArray zstd_array(std::string name, std::string dtype, std::vector<uint64_t> shape,
                     uint64_t decoded_length, uint64_t chunk, const std::vector<Bytes>& frames,
                     std::string filter) {
  HandArray a;
  a.name = std::move(name);
  a.dtype = std::move(dtype);
  a.shape = std::move(shape);
  a.codec = "zstd";
  a.decoded_length = decoded_length;
  a.chunk = chunk;
  a.filter = std::move(filter);
  for (const auto& f : frames) {
    a.stored.insert(a.stored.end(), f.begin(), f.end());
    a.frames.push_back(f.size());
  }
  return a;
}

std::string hand_manifest(const std::vector<HandArray>& arrays, std::string_view graph,
                          std::string_view metadata) {
  std::string out = "{\"arrays\":[";
  uint64_t offset = 0;
  for (size_t i = 0; i < arrays.size(); ++i) {
    if (i) out += ',';
    out += entry_json(arrays[i], offset);
    offset = align64_or_throw(offset + arrays[i].stored.size());
  }
  out += "],\"graph\":" + std::string(graph) + ",\"metadata\":" + std::string(metadata) + "}";
  return out;
}

Bytes hand_file(const std::vector<HandArray>& arrays, std::string_view graph,
                std::string_view metadata, uint16_t minor) {
  FileParts parts;
  parts.header.format_minor = minor;
  parts.manifest = hand_manifest(arrays, graph, metadata);
  for (const auto& a : arrays) {
    parts.data.insert(parts.data.end(), a.stored.begin(), a.stored.end());
    parts.data.resize(align64_or_throw(parts.data.size()), 0);
  }
  return assemble(parts);
}

Bytes raw_block_frame(const Bytes& content, std::optional<uint64_t> content_size) {
  if (content.size() >= (1u << 16)) throw std::logic_error("raw_block_frame: content too big");
  Bytes frame = {0x28, 0xB5, 0x2F, 0xFD};
  if (content_size) {
    frame.push_back(0xE0);  // 8-byte content size field, single segment
    frame.resize(frame.size() + 8);
    store_le64(&frame[frame.size() - 8], *content_size);
  } else {
    frame.push_back(0x00);  // no content size, window descriptor follows
    frame.push_back(0x30);  // window 64 KiB
  }
  const uint32_t block = 1u | (static_cast<uint32_t>(content.size()) << 3);  // last, raw
  for (int i = 0; i < 3; ++i) frame.push_back(static_cast<uint8_t>(block >> (8 * i)));
  frame.insert(frame.end(), content.begin(), content.end());
  return frame;
}

Bytes pattern_bytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(size);
  for (auto& b : out) b = static_cast<uint8_t>(rng() >> 24);
  return out;
}

Bytes alpha_bytes() {
  Bytes out(16);
  const int32_t values[4] = {1, -2, 300000, 7};
  std::memcpy(out.data(), values, sizeof values);
  return out;
}

Bytes beta_bytes() {
  Bytes out(64 * sizeof(double));
  for (size_t i = 0; i < 64; ++i) {
    const double value = static_cast<double>(i % 8) * 0.25 - 1.0;
    std::memcpy(out.data() + i * sizeof(double), &value, sizeof value);
  }
  return out;
}

Bytes small_valid_file() {
  static const Bytes alpha = alpha_bytes();
  static const Bytes beta = beta_bytes();
  amber::Writer writer;
  amber::ArrayInput a;
  a.name = "alpha";
  a.dtype = amber::DType::Int32;
  a.shape = {4};
  a.bytes = alpha;
  a.codec.compress = false;
  writer.add_array(a);
  amber::ArrayInput b;
  b.name = "beta";
  b.dtype = amber::DType::Float64;
  b.shape = {64};
  b.bytes = beta;
  b.codec.filter = amber::FilterChoice::Shuffle;
  writer.add_array(b);
  writer.set_graph_json("{\"k\":[1,2]}");
  writer.set_metadata_json("{\"m\":\"x\"}");
  return writer.to_bytes();
}

amber::Reader open_bytes(std::span<const uint8_t> bytes, const amber::Limits& limits) {
  return amber::Reader::from_buffer(amber::copy_buffer(bytes), limits);
}

std::optional<amber::Error> full_read_error(std::span<const uint8_t> bytes,
                                            const amber::Limits& limits) {
  try {
    amber::Reader reader = open_bytes(bytes, limits);
    for (size_t i = 0; i < reader.arrays().size(); ++i) reader.array(i, true);
    reader.verify(1);
  } catch (const amber::Error& e) {
    return e;
  }
  return std::nullopt;
}

testing::AssertionResult ThrowsKind(const std::function<void()>& action, amber::ErrorKind kind,
                                    std::string_view where) {
  try {
    action();
  } catch (const amber::Error& e) {
    const std::string what = e.what();
    if (e.kind() != kind) {
      return testing::AssertionFailure() << "threw " << amber::kind_name(e.kind()) << " instead of "
                                         << amber::kind_name(kind) << ": " << what;
    }
    if (what.find(where) == std::string::npos) {
      return testing::AssertionFailure() << "message does not name \"" << where << "\": " << what;
    }
    return testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return testing::AssertionFailure() << "threw a non-amber exception: " << e.what();
  }
  return testing::AssertionFailure() << "did not throw; expected " << amber::kind_name(kind);
}

testing::AssertionResult OpenThrows(std::span<const uint8_t> bytes, amber::ErrorKind kind,
                                    std::string_view where, const amber::Limits& limits) {
  return ThrowsKind([&] { open_bytes(bytes, limits); }, kind, where);
}

TempDir::TempDir(const std::filesystem::path& base) {
  static std::atomic<int> counter{0};
  const auto root = base.empty() ? std::filesystem::temp_directory_path() : base;
  path_ = root / ("amber-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace amber_test
