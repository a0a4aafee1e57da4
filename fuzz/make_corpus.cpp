// Writes the reader fuzzer's seed corpus: small valid files of every dtype and codec, and broken
// ones.
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

#include "format/codec.hpp"
#include "format/dtype.hpp"
#include "format/layout.hpp"
#include "test_files.hpp"

namespace {

using amber::DType;
using amber_test::Bytes;

constexpr DType kAllDTypes[] = {
    DType::Bool,    DType::Int8,    DType::Int16,     DType::Int32,      DType::Int64,
    DType::UInt8,   DType::UInt16,  DType::UInt32,    DType::UInt64,     DType::Float16,
    DType::Float32, DType::Float64, DType::Complex64, DType::Complex128,
};

class Corpus {
 public:
  explicit Corpus(std::filesystem::path folder) : folder_(std::move(folder)) {
    std::filesystem::create_directories(folder_);
  }
  void add(const std::string& name, const Bytes& bytes) {
    std::ofstream(folder_ / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    ++count_;
    total_ += bytes.size();
  }
  ~Corpus() { std::cout << "wrote " << count_ << " seeds, " << total_ << " bytes\n"; }

 private:
  std::filesystem::path folder_;
  size_t count_ = 0;
  size_t total_ = 0;
};

/// Values that compress: small numbers in the low byte, zeros above.
Bytes values(DType dtype, size_t n) {
  const size_t k = amber::itemsize(dtype);
  Bytes out(n * k, 0);
  for (size_t i = 0; i < n; ++i)
    out[i * k] = static_cast<uint8_t>(dtype == DType::Bool ? i % 2 : i % 5);
  return out;
}

Bytes one_array(DType dtype, amber::CodecSpec codec, size_t n = 48) {
  const Bytes bytes = values(dtype, n);
  amber::Writer writer;
  writer.add_array({std::string(amber::dtype_name(dtype)), dtype, {n / 4, 4}, bytes, codec});
  writer.set_graph_json("{\"type\":\"Estimator\",\"arrays\":[0]}");
  return writer.to_bytes();
}

Bytes strings_file(bool compress) {
  const std::vector<std::string_view> s = {"", "a", "h\xc3\xa9llo", "\xe6\x97\xa5", "", "zz"};
  const Bytes layout = amber::encode_string_array(s);
  std::vector<std::string_view> many(40, "classes_");
  const Bytes big = amber::encode_string_array(many);
  amber::Writer writer;
  writer.add_array(
      {"names", DType::String, {s.size()}, layout, {compress, 3, amber::FilterChoice::None, 64}});
  writer.add_array(
      {"classes", DType::String, {many.size()}, big, {compress, 3, amber::FilterChoice::None, 64}});
  return writer.to_bytes();
}

Bytes mixed_file() {
  const Bytes a = values(DType::Float64, 40), b = values(DType::Int32, 30);
  amber::Writer writer;
  writer.add_array(
      {"coef_", DType::Float64, {5, 8}, a, {true, 1, amber::FilterChoice::Shuffle, 64}});
  writer.add_array({"intercept_", DType::Float64, {}, values(DType::Float64, 1), {false}});
  writer.add_array({"empty", DType::Int32, {0, 3}, {}, {true}});
  writer.add_array({"idx", DType::Int32, {30}, b, {true, 19, amber::FilterChoice::Auto, 64}});
  writer.set_graph_json(
      "{\"estimator\":\"sklearn.linear_model.LogisticRegression\",\"n\":[1,2.5,true,null]}");
  writer.set_metadata_json("{\"sklearn_version\":\"1.5.0\",\"created\":\"2024\"}");
  return writer.to_bytes();
}

Bytes flip(Bytes file, size_t at, uint8_t mask) {
  file[at % file.size()] ^= mask;
  return file;
}

void valid_seeds(Corpus& corpus) {
  for (DType d : kAllDTypes) {
    const std::string name(amber::dtype_name(d));
    corpus.add("valid-" + name + "-raw.amber", one_array(d, {false}));
    corpus.add("valid-" + name + "-zstd.amber",
               one_array(d, {true, 3, amber::FilterChoice::None, 64}));
    if (amber::itemsize(d) > 1) {
      corpus.add("valid-" + name + "-shuffle.amber",
                 one_array(d, {true, 3, amber::FilterChoice::Shuffle, 64}));
    }
  }
  corpus.add("valid-strings-raw.amber", strings_file(false));
  corpus.add("valid-strings-zstd.amber", strings_file(true));
  corpus.add("valid-mixed.amber", mixed_file());
  corpus.add("valid-empty.amber", amber::Writer().to_bytes());
  amber_test::FileParts parts = amber_test::split(mixed_file());
  parts.signature = R"({"signatures":[{"algorithm":"ed25519","key_id":"ab","signature":"AA=="}]})";
  corpus.add("valid-signed.amber", amber_test::assemble(parts));
  amber_test::FileParts later = amber_test::split(amber_test::small_valid_file());
  later.header.format_minor = amber::kFormatMinor + 1;
  later.manifest = amber_test::replace_once(later.manifest, "\"name\":\"alpha\"",
                                            "\"name\":\"alpha\",\"future\":[1]");
  corpus.add("valid-later-minor-unknown-key.amber", amber_test::assemble(later));
  amber_test::FileParts minor0 = amber_test::split(amber_test::small_valid_file());
  minor0.header.format_minor = 0;  // format 2.0: no manifest checksum
  corpus.add("valid-format-2.0.amber", amber_test::assemble(minor0));
  // Format 2.0's compressed manifest: the fuzzer mutates the frame and the text behind it.
  amber::WriteOptions packed_options;
  packed_options.manifest_level = 3;
  amber::Writer packed(packed_options);
  std::string graph = "[";
  for (int i = 0; i < 20; ++i) graph += (i ? "," : "") + std::string(R"({"name":"sklearn.tree"})");
  packed.set_graph_json(graph + "]");
  const Bytes packed_file = packed.to_bytes();
  if (packed_file[12] != amber::kFlagManifestZstd) throw std::logic_error("manifest not packed");
  corpus.add("valid-compressed-manifest.amber", packed_file);
  amber_test::FileParts v1 = amber_test::split(amber_test::small_valid_file());
  v1.header.format_major = 1;
  corpus.add("valid-major1.amber", amber_test::assemble(v1));
  corpus.add("valid-handmade-frame.amber",
             amber_test::hand_file({amber_test::zstd_array(
                 "z", "uint8", {100}, 100, 64,
                 {amber_test::raw_block_frame(Bytes(64, 3), 64),
                  amber_test::raw_block_frame(Bytes(36, 4), std::nullopt)})}));
}

void broken_seeds(Corpus& corpus) {
  const Bytes small = amber_test::small_valid_file();
  const Bytes mixed = mixed_file();
  for (size_t len : {0, 7, 64, 127, 128, 200}) {
    corpus.add("truncated-" + std::to_string(len) + ".amber",
               Bytes(small.begin(), small.begin() + len));
  }
  corpus.add("truncated-minus1.amber", Bytes(mixed.begin(), mixed.end() - 1));
  corpus.add("flip-header.amber", flip(small, 20, 0x01));
  corpus.add("flip-manifest.amber", flip(small, 100, 0x04));
  corpus.add("flip-data.amber", flip(mixed, mixed.size() - 200, 0x10));
  corpus.add("flip-footer.amber", flip(small, small.size() - 30, 0x80));
  Bytes extra = small;
  extra.resize(extra.size() + 64, 0);
  corpus.add("extra-bytes.amber", extra);
  amber_test::FileParts major = amber_test::split(small);
  major.header.format_major = 3;
  corpus.add("major3.amber", amber_test::assemble(major));
  const std::string manifest = amber_test::split(small).manifest;
  const auto edit = [&](const std::string& name, std::string_view from, std::string_view to) {
    corpus.add(name,
               amber_test::with_manifest(small, amber_test::replace_once(manifest, from, to)));
  };
  edit("json-duplicate-key.amber", "\"m\":\"x\"", "\"m\":\"x\",\"m\":1");
  edit("json-deep.amber", "\"graph\":{", "\"graph\":" + std::string(300, '[') + "{");
  edit("json-bad-utf8.amber", "\"m\":\"x\"", "\"m\":\"\xc3\x28\"");
  edit("json-not-json.amber", "\"graph\":", "\"graph\"");
  edit("json-overlap.amber", "\"offset\":64", "\"offset\":0");
  edit("json-shape-overflow.amber", "\"shape\":[4]", "\"shape\":[4294967296,4294967296,4]");
  edit("json-huge-decoded.amber", "\"shape\":[64]", "\"shape\":[68719476736]");
  corpus.add("frame-huge-size.amber",
             amber_test::hand_file({amber_test::zstd_array(
                 "z", "uint8", {100}, 100, 100,
                 {amber_test::raw_block_frame(Bytes(100, 1), uint64_t{1} << 60)})}));
  corpus.add("frame-too-long.amber",
             amber_test::hand_file({amber_test::zstd_array(
                 "z", "uint8", {100}, 100, 100,
                 {amber_test::raw_block_frame(Bytes(150, 1), std::nullopt)})}));
  Bytes bad_strings = amber::encode_string_array(std::vector<std::string_view>{"ab", "c"});
  bad_strings[8] = 9;
  corpus.add("strings-bad-offsets.amber",
             amber_test::hand_file({amber_test::raw_array("s", "string", {2}, bad_strings)}));
  corpus.add("bool-two.amber",
             amber_test::hand_file({amber_test::raw_array("b", "bool", {3}, {0, 2, 1})}));
  corpus.add("not-amber.txt", Bytes(200, 'x'));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " OUTPUT_FOLDER (fuzz/corpus/reader)\n";
    return 2;
  }
  Corpus corpus(argv[1]);
  valid_seeds(corpus);
  broken_seeds(corpus);
  return 0;
}
