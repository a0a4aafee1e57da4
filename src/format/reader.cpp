// The reader: structure validated once at open, arrays handed out as views or decoded on demand.
#include "format/reader.hpp"

#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "format/codec.hpp"
#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/json_writer.hpp"
#include "format/parallel.hpp"

namespace amber {

struct Reader::State {
  std::shared_ptr<const Buffer> file;
  Limits limits;
  Header header;
  Footer footer;
  std::string_view manifest_text;
  std::string decoded_manifest;  ///< the text, when the file stores it compressed
  std::string_view signature_text;
  std::optional<JsonDocument> manifest;
  std::vector<ArrayInfo> arrays;

  std::span<const uint8_t> bytes() const { return file->bytes(); }
  std::string where(size_t index) const { return describe_array(index, arrays[index]); }
};

namespace {

std::string_view text_at(std::span<const uint8_t> file, uint64_t offset, uint64_t length) {
  return {reinterpret_cast<const char*>(file.data() + offset), length};
}

bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

void check_manifest_keys(const simdjson::dom::object& root, bool strict) {
  for (auto field : root) {
    const bool known = field.key == "arrays" || field.key == "graph" || field.key == "metadata";
    if (!known && strict) {
      fail(ErrorKind::InvalidManifest, "manifest",
           "unknown top-level key \"" + std::string(field.key.substr(0, 80)) + "\"");
    }
  }
  for (auto key : {"arrays", "graph", "metadata"}) {
    simdjson::dom::element value;
    if (root[key].get(value)) {
      fail(ErrorKind::InvalidManifest, "manifest", std::string("missing key \"") + key + "\"");
    }
  }
  if (!root["metadata"].is_object()) {
    fail(ErrorKind::InvalidManifest, "manifest", "\"metadata\" is not an object");
  }
}

// The declared size is checked against the cap before anything is allocated: a small frame
// must not make the reader reserve gigabytes.
std::string decode_manifest(std::span<const uint8_t> frame, uint64_t max_manifest_bytes) {
  const uint64_t declared = zstd_declared_size(frame, "manifest");
  if (declared == 0) fail(ErrorKind::Corrupt, "manifest", "decodes to 0 bytes");
  if (declared > max_manifest_bytes) {
    fail(ErrorKind::LimitExceeded, "manifest",
         "decodes to " + std::to_string(declared) + " bytes, over the cap of " +
             std::to_string(max_manifest_bytes) + " (Limits::max_manifest_bytes)");
  }
  std::string text(declared, '\0');
  zstd_decompress_frame(frame, {reinterpret_cast<uint8_t*>(text.data()), text.size()}, "manifest");
  return text;
}

// Arrays carry their own checksums; this one covers the object graph, whose damage would
// otherwise load as a different model (a digit of a parameter changed) unless the whole
// content digest were computed. Checked before a byte of the manifest is decoded.
void check_manifest_checksum(const Reader::State& s, std::span<const uint8_t> stored) {
  if (!s.header.has_manifest_checksum()) return;
  if (xxh3_64(stored) != s.header.manifest_xxh3) {
    fail(ErrorKind::ChecksumMismatch, "manifest",
         "checksum does not match the header's manifest_xxh3: the manifest is damaged");
  }
}

void parse_manifest(Reader::State& s) {
  const auto stored = s.bytes().subspan(kHeaderSize, s.header.manifest_length);
  check_manifest_checksum(s, stored);
  if (s.header.manifest_compressed()) {
    s.decoded_manifest = decode_manifest(stored, s.limits.max_manifest_bytes);
    s.manifest_text = s.decoded_manifest;
  } else {
    s.manifest_text = text_at(s.bytes(), kHeaderSize, s.header.manifest_length);
  }
  const auto pad_start = kHeaderSize + s.header.manifest_length;
  if (!all_zero(s.bytes().subspan(pad_start, s.header.data_offset - pad_start))) {
    fail(ErrorKind::Corrupt, "manifest padding", "bytes after the manifest are not zero");
  }
  s.manifest.emplace(s.manifest_text, "manifest", s.limits);
  simdjson::dom::object root;
  if (s.manifest->root().get(root)) {
    fail(ErrorKind::InvalidManifest, "manifest", "top level is not a JSON object");
  }
  const bool strict = s.header.format_minor <= kFormatMinor;
  check_manifest_keys(root, strict);
  s.arrays = parse_array_table(root["arrays"].value_unsafe(), s.header.data_length,
                               s.header.format_minor, s.limits);
}

void parse_signature_block(Reader::State& s) {
  if (s.footer.signature_length == 0) return;
  s.signature_text = text_at(s.bytes(), s.header.content_end(), s.footer.signature_length);
  JsonDocument block(s.signature_text, "signature block", s.limits);
  simdjson::dom::array list;
  if (block.root()["signatures"].get(list)) {
    fail(ErrorKind::InvalidManifest, "signature block", "has no \"signatures\" list");
  }
}

void check_bools(std::span<const uint8_t> bytes, const std::string& where) {
  auto bad = std::find_if(bytes.begin(), bytes.end(), [](uint8_t b) { return b > 1; });
  if (bad != bytes.end()) {
    fail(ErrorKind::Corrupt, where,
         "bool element " + std::to_string(bad - bytes.begin()) + " is neither 0 nor 1");
  }
}

}  // namespace

Reader::Reader(std::shared_ptr<const State> state) : state_(std::move(state)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

Reader Reader::open(const std::filesystem::path& path, const Limits& limits) {
  return from_buffer(read_or_map_file(path, kReadBelowBytes), limits);
}

Reader Reader::from_buffer(std::shared_ptr<const Buffer> file, const Limits& limits) {
  auto s = std::make_shared<State>();
  s->file = std::move(file);
  s->limits = limits;
  s->header = parse_header(s->bytes(), limits.max_manifest_bytes);
  s->footer = parse_footer(s->bytes(), s->header, limits.max_signature_bytes);
  parse_manifest(*s);
  parse_signature_block(*s);
  return Reader(std::move(s));
}

const Header& Reader::header() const noexcept { return state_->header; }
const Footer& Reader::footer() const noexcept { return state_->footer; }
uint64_t Reader::file_size() const noexcept { return state_->bytes().size(); }
std::string_view Reader::manifest_json() const noexcept { return state_->manifest_text; }
const JsonDocument& Reader::manifest() const noexcept { return *state_->manifest; }
uint64_t Reader::decoded_bytes() const noexcept {
  uint64_t total = 0;
  for (const ArrayInfo& info : state_->arrays) {  // saturating: only ever compared to a bound
    total = info.decoded_length > UINT64_MAX - total ? UINT64_MAX : total + info.decoded_length;
  }
  return total;
}
std::string_view Reader::signature_json() const noexcept { return state_->signature_text; }
const std::vector<ArrayInfo>& Reader::arrays() const noexcept { return state_->arrays; }
std::span<const uint8_t> Reader::file_bytes() const noexcept { return state_->bytes(); }

std::span<const uint8_t> Reader::stored_bytes(size_t index) const {
  if (index >= state_->arrays.size()) {
    fail(ErrorKind::InvalidArgument, "array " + std::to_string(index), "no such array");
  }
  const ArrayInfo& info = state_->arrays[index];
  return state_->bytes().subspan(state_->header.data_offset + info.offset, info.length);
}

void Reader::check_checksum(size_t index) const {
  const auto stored = stored_bytes(index);
  const uint64_t actual = xxh3_64(stored);
  if (actual != state_->arrays[index].xxh3) {
    fail(ErrorKind::ChecksumMismatch, state_->where(index),
         "stored bytes hash to " + hex64(actual) + ", the manifest says " +
             hex64(state_->arrays[index].xxh3));
  }
}

ArrayData Reader::array(size_t index, bool check) const {
  const size_t one[] = {index};
  return std::move(arrays_at(one, check, 1).front());
}

std::vector<ArrayData> Reader::arrays_at(std::span<const size_t> indices, bool check,
                                         unsigned threads) const {
  const State& s = *state_;
  for (size_t i : indices) stored_bytes(i);  // range check before any work
  if (check) parallel_for(indices.size(), threads, [&](size_t k) { check_checksum(indices[k]); });
  std::vector<ArrayData> out(indices.size());
  std::vector<std::shared_ptr<AlignedBlock>> blocks(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    const size_t i = indices[k];
    if (s.arrays[i].codec == Codec::Raw) {
      out[k] = {&s.arrays[i], stored_bytes(i), s.file, true};
    } else {
      blocks[k] = std::make_shared<AlignedBlock>(s.arrays[i].decoded_length);
      out[k] = {&s.arrays[i], blocks[k]->bytes(), blocks[k], false};
    }
  }
  std::vector<std::pair<size_t, Frame>> jobs;  // (slot, frame)
  for (size_t k = 0; k < indices.size(); ++k) {
    for (const Frame& frame : frames(indices[k])) jobs.emplace_back(k, frame);
  }
  parallel_for(jobs.size(), threads, [&](size_t j) {
    const auto& [slot, frame] = jobs[j];
    decode_frame(frame, {blocks[slot]->data(), blocks[slot]->size()});
  });
  for (size_t k = 0; k < indices.size(); ++k) {
    if (s.arrays[indices[k]].dtype == DType::String) {
      check_string_array(out[k].bytes, s.arrays[indices[k]].element_count(), s.where(indices[k]));
    }
  }
  return out;
}

std::vector<Reader::Frame> Reader::frames(size_t index) const {
  const ArrayInfo& info = state_->arrays.at(index);
  std::vector<Frame> out;
  out.reserve(info.frames.size());
  uint64_t stored = 0, decoded = 0;
  for (size_t f = 0; f < info.frames.size(); ++f) {
    out.push_back({index, f, stored, decoded});
    stored += info.frames[f];
    decoded += info.chunk;
  }
  return out;
}

void Reader::decode_frame(const Frame& job, std::span<uint8_t> out) const {
  const State& s = *state_;
  const ArrayInfo& info = s.arrays.at(job.array);
  if (out.size() != info.decoded_length || job.frame >= info.frames.size()) {
    fail(ErrorKind::InvalidArgument, s.where(job.array), "decode_frame(): no such frame or buffer");
  }
  const auto frame = stored_bytes(job.array).subspan(job.stored_offset, info.frames[job.frame]);
  const uint64_t size = std::min(info.chunk, info.decoded_length - job.decoded_offset);
  const auto dst = out.subspan(job.decoded_offset, size);
  const std::string where = "frame " + std::to_string(job.frame) + " of " + s.where(job.array);
  if (!info.shuffle) return zstd_decompress_frame(frame, dst, where);
  const std::span<uint8_t> shuffled = thread_scratch(size);
  zstd_decompress_frame(frame, shuffled, where);
  unshuffle_bytes(shuffled, dst, itemsize(info.dtype));
}

Digest Reader::compute_digest() const {
  return sha256(state_->bytes().first(state_->header.content_end()));
}

void Reader::verify(unsigned threads) const {
  const State& s = *state_;
  for (size_t i = 0; i < s.arrays.size(); ++i) {
    const ArrayInfo& info = s.arrays[i];
    const uint64_t end = info.offset + info.length;
    const uint64_t pad_end =
        i + 1 < s.arrays.size() ? s.arrays[i + 1].offset : s.header.data_length;
    if (!all_zero(s.bytes().subspan(s.header.data_offset + end, pad_end - end))) {
      fail(ErrorKind::Corrupt, s.where(i), "padding after the array is not zero");
    }
  }
  parallel_for(s.arrays.size(), threads, [&](size_t i) {
    const size_t one[] = {i};
    auto data = arrays_at(one, true, 1);
    if (s.arrays[i].dtype == DType::Bool) check_bools(data[0].bytes, s.where(i));
  });
  if (compute_digest() != s.footer.content_digest) {
    fail(ErrorKind::DigestMismatch, "content",
         "SHA-256 of the content is " + digest_hex(compute_digest()) + ", the footer says " +
             digest_hex(s.footer.content_digest));
  }
}

}  // namespace amber
