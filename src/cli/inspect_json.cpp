// The machine-readable report of `amber inspect --json`.
#include "cli/inspect_json.hpp"

#include <simdjson.h>

#include <limits>

#include "cli/json_print.hpp"
#include "cli/text.hpp"
#include "format/hashing.hpp"
#include "format/json_writer.hpp"
#include "format/reader.hpp"

namespace amber::cli {
namespace {

uint64_t saturating_add(uint64_t a, uint64_t b) {
  return b > std::numeric_limits<uint64_t>::max() - a ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

/// Appends the members of one JSON object, commas included.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ObjectWriter& number(std::string_view key, uint64_t value) {
    return raw(key, std::to_string(value));
  }
  ObjectWriter& string(std::string_view key, std::string_view value) {
    key_(key);
    append_json_string(out_, value);
    return *this;
  }
  ObjectWriter& raw(std::string_view key, std::string_view json) {
    key_(key);
    out_ += json;
    return *this;
  }
  /// Starts a member whose value the caller appends next.
  std::string& member(std::string_view key) {
    key_(key);
    return out_;
  }
  void close() { out_ += '}'; }

 private:
  void key_(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    append_json_string(out_, key);
    out_ += ':';
  }
  std::string& out_;
  bool first_ = true;
};

std::string number_list(const std::vector<uint64_t>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  return out + ']';
}

void append_array(std::string& out, size_t index, const ArrayInfo& info) {
  ObjectWriter entry(out);
  entry.number("index", index).string("name", info.name).string("dtype", dtype_name(info.dtype));
  entry.raw("shape", number_list(info.shape)).number("offset", info.offset);
  entry.number("length", info.length).number("decoded_length", info.decoded_length);
  entry.string("codec", info.codec == Codec::Raw ? "raw" : "zstd");
  if (info.codec == Codec::Zstd) {
    entry.string("filter", info.shuffle ? "shuffle" : "none");
    entry.raw("level", info.level != 0 ? std::to_string(info.level) : "null");
    entry.number("chunk", info.chunk).number("frame_count", info.frames.size());
  }
  entry.string("xxh3", hex64(info.xxh3));
  entry.close();
}

void append_arrays(std::string& out, const std::vector<ArrayInfo>& arrays) {
  out += '[';
  for (size_t i = 0; i < arrays.size(); ++i) {
    if (i > 0) out += ',';
    append_array(out, i, arrays[i]);
  }
  out += ']';
}

void append_header(ObjectWriter& report, const Reader& reader) {
  const Header& header = reader.header();
  ObjectWriter format(report.member("format"));
  format.number("major", header.format_major).number("minor", header.format_minor).close();
  report.number("manifest_length", header.manifest_length);
  report.string("manifest_codec", header.manifest_compressed() ? "zstd" : "raw");
  if (header.has_manifest_checksum()) {
    report.string("manifest_xxh3", hex64(header.manifest_xxh3));
  } else {
    report.raw("manifest_xxh3", "null");
  }
  report.number("manifest_json_length", reader.manifest_json().size());
  report.number("data_offset", header.data_offset).number("data_length", header.data_length);
  report.number("signature_length", reader.footer().signature_length);
  report.string("content_digest", digest_hex(reader.footer().content_digest));
}

void append_summary(ObjectWriter& report, const std::vector<ArrayInfo>& arrays) {
  const ArrayTotals totals = array_totals(arrays);
  ObjectWriter summary(report.member("summary"));
  summary.number("arrays", arrays.size()).number("stored_bytes", totals.stored);
  summary.number("decoded_bytes", totals.decoded).close();
}

void append_graph_summary(ObjectWriter& report, const simdjson::dom::element& graph) {
  const JsonSummary summary = summarize_json(graph);
  ObjectWriter out(report.member("graph_summary"));
  out.string("kind", summary.kind).number("size", summary.size);
  out.number("values", summary.values).number("depth", summary.depth).close();
}

void append_manifest_parts(ObjectWriter& report, const simdjson::dom::element& root,
                           bool full_graph) {
  simdjson::dom::element element;
  if (root.at_key("metadata").get(element) == simdjson::SUCCESS) {
    append_compact_json(report.member("metadata"), element);
  }
  if (root.at_key("graph").get(element) != simdjson::SUCCESS) return;
  append_graph_summary(report, element);
  if (full_graph) append_compact_json(report.member("graph"), element);
}

}  // namespace

ArrayTotals array_totals(const std::vector<ArrayInfo>& arrays) {
  ArrayTotals totals;
  for (const ArrayInfo& info : arrays) {
    totals.stored = saturating_add(totals.stored, info.length);
    totals.decoded = saturating_add(totals.decoded, info.decoded_length);
  }
  return totals;
}

std::string json_report(const std::string& path, const Reader& reader, bool full_graph) {
  std::string out;
  ObjectWriter report(out);
  report.string("file", terminal_safe(path)).number("file_size", reader.file_size());
  append_header(report, reader);
  append_summary(report, reader.arrays());
  append_arrays(report.member("arrays"), reader.arrays());
  append_manifest_parts(report, reader.manifest().root(), full_graph);
  report.close();
  return terminal_safe_json(out);
}

}  // namespace amber::cli
