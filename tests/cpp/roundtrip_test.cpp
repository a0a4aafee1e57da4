// Round trips through Writer and Reader: every dtype and codec, byte-exact, views, determinism.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstring>
#include <string>
#include <string_view>

#include "format/dtype.hpp"
#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/reader.hpp"
#include "format/writer.hpp"
#include "test_files.hpp"

namespace {

using amber::CodecSpec;
using amber::DType;
using amber::FilterChoice;
using amber_test::Bytes;

constexpr DType kAllDTypes[] = {
    DType::Bool,    DType::Int8,    DType::Int16,     DType::Int32,      DType::Int64,
    DType::UInt8,   DType::UInt16,  DType::UInt32,    DType::UInt64,     DType::Float16,
    DType::Float32, DType::Float64, DType::Complex64, DType::Complex128, DType::String,
};

const std::vector<std::string_view>& sample_strings() {
  static const std::vector<std::string_view> strings = {"",
                                                        "a",
                                                        "h\xc3\xa9llo",
                                                        "",
                                                        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
                                                        "\xf0\x9f\x8e\x89 party",
                                                        "tab\tand \"quotes\"",
                                                        ""};
  return strings;
}

/// Element bytes that compress (small values) but are not trivially constant.
Bytes numeric_bytes(DType dtype, uint64_t n, uint32_t seed) {
  const size_t k = amber::itemsize(dtype);
  if (dtype == DType::Bool) {
    Bytes out(n);
    for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>((i * 7 + seed) % 3 == 0);
    return out;
  }
  Bytes out = amber_test::pattern_bytes(n * k, seed);
  for (uint64_t i = 0; i < n * k; ++i) {
    if (k == 1) out[i] %= 8;                                   // bytes: few distinct values
    if (i % k != 0) out[i] = static_cast<uint8_t>(i / k % 4);  // high bytes: low entropy
  }
  return out;
}

/// One array to write, owning its bytes.
struct Case {
  std::string name;
  DType dtype;
  std::vector<uint64_t> shape;
  Bytes bytes;
};

std::vector<Case> cases_for(DType dtype) {
  std::vector<Case> out;
  const std::string base(amber::dtype_name(dtype));
  if (dtype == DType::String) {
    const auto& s = sample_strings();
    out.push_back({base + "_vec", dtype, {s.size()}, amber::encode_string_array(s)});
    out.push_back({base + "_2d", dtype, {2, 4}, amber::encode_string_array(s)});
    out.push_back({base + "_0d", dtype, {}, amber::encode_string_array({s.data() + 2, 1})});
    out.push_back({base + "_empty", dtype, {0}, amber::encode_string_array({})});
    std::vector<std::string_view> many(3000, "\xc3\xa9t\xc3\xa9");
    out.push_back({base + "_many", dtype, {many.size()}, amber::encode_string_array(many)});
    return out;
  }
  out.push_back({base + "_2d", dtype, {3, 5}, numeric_bytes(dtype, 15, 1)});
  out.push_back({base + "_0d", dtype, {}, numeric_bytes(dtype, 1, 2)});
  out.push_back({base + "_empty", dtype, {0}, {}});
  out.push_back({base + "_empty3d", dtype, {2, 0, 3}, {}});
  out.push_back({base + "_big", dtype, {4096}, numeric_bytes(dtype, 4096, 3)});
  return out;
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (DType d : kAllDTypes) {
    for (auto& c : cases_for(d)) out.push_back(std::move(c));
  }
  return out;
}

bool shuffle_invalid(DType dtype) { return amber::itemsize(dtype) <= 1; }

Bytes write_cases(const std::vector<Case>& cases, CodecSpec codec) {
  amber::Writer writer;
  for (const auto& c : cases) {
    CodecSpec spec = codec;
    if (spec.filter == FilterChoice::Shuffle && shuffle_invalid(c.dtype)) {
      spec.filter = FilterChoice::None;  // refused or ignored: tested on its own below
    }
    writer.add_array({c.name, c.dtype, c.shape, c.bytes, spec});
  }
  writer.set_graph_json("{\"estimator\":\"LinearRegression\",\"params\":[1,2.5,null]}");
  writer.set_metadata_json("{\"sklearn\":\"1.5\"}");
  return writer.to_bytes();
}

void expect_view_into_file(const amber::Reader& reader, size_t i, const amber::ArrayData& data) {
  const auto file = reader.file_bytes();
  EXPECT_TRUE(data.is_view) << "array " << i;
  EXPECT_EQ(data.bytes.data(),
            file.data() + reader.header().data_offset + reader.arrays()[i].offset)
      << "array " << i;
  EXPECT_GE(data.bytes.data(), file.data());
  EXPECT_LE(data.bytes.data() + data.bytes.size(), file.data() + file.size());
}

void check_read_back(const Bytes& file, const std::vector<Case>& cases, const CodecSpec& codec) {
  amber::Reader reader = amber_test::open_bytes(file);
  ASSERT_EQ(reader.arrays().size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    const amber::ArrayInfo& info = reader.arrays()[i];
    EXPECT_EQ(info.name, cases[i].name);
    EXPECT_EQ(info.dtype, cases[i].dtype);
    EXPECT_EQ(info.shape, cases[i].shape);
    EXPECT_EQ(info.decoded_length, cases[i].bytes.size());
    if (!codec.compress || cases[i].bytes.empty()) {
      EXPECT_EQ(info.codec, amber::Codec::Raw);
    }
    if (codec.filter == FilterChoice::None) {
      EXPECT_FALSE(info.shuffle);
    }
    if (info.codec == amber::Codec::Zstd) {
      EXPECT_EQ(info.level, codec.level);
      if (codec.filter == FilterChoice::Shuffle && !shuffle_invalid(info.dtype)) {
        EXPECT_TRUE(info.shuffle);
      }
    }
    const amber::ArrayData data = reader.array(i, true);
    EXPECT_EQ(data.info, &info);
    EXPECT_EQ(Bytes(data.bytes.begin(), data.bytes.end()), cases[i].bytes);
    if (info.codec == amber::Codec::Raw) expect_view_into_file(reader, i, data);
    if (info.codec == amber::Codec::Zstd) {
      EXPECT_FALSE(data.is_view);
    }
  }
  EXPECT_NO_THROW(reader.verify());
  EXPECT_EQ(reader.compute_digest(), reader.footer().content_digest);
}

struct CodecCase {
  const char* label;
  CodecSpec spec;
};

std::vector<CodecCase> codec_cases() {
  std::vector<CodecCase> out;
  out.push_back({"raw", CodecSpec{false, 3, FilterChoice::None, 4 << 20}});
  static const char* kLabels[4][3] = {{"zstd1-none", "zstd1-shuffle", "zstd1-auto"},
                                      {"zstd3-none", "zstd3-shuffle", "zstd3-auto"},
                                      {"zstd9-none", "zstd9-shuffle", "zstd9-auto"},
                                      {"zstd19-none", "zstd19-shuffle", "zstd19-auto"}};
  const int levels[] = {1, 3, 9, 19};
  const FilterChoice filters[] = {FilterChoice::None, FilterChoice::Shuffle, FilterChoice::Auto};
  for (int l = 0; l < 4; ++l) {
    for (int f = 0; f < 3; ++f) out.push_back({kLabels[l][f], {true, levels[l], filters[f]}});
  }
  return out;
}

TEST(RoundTrip, EveryDTypeAndCodec) {
  const std::vector<Case> cases = all_cases();
  for (const auto& codec : codec_cases()) {
    SCOPED_TRACE(codec.label);
    check_read_back(write_cases(cases, codec.spec), cases, codec.spec);
  }
}

TEST(RoundTrip, CompressibleArraysAreStoredCompressed) {
  const std::vector<Case> cases = all_cases();
  const Bytes file = write_cases(cases, {true, 3, FilterChoice::Auto});
  amber::Reader reader = amber_test::open_bytes(file);
  for (size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].name.ends_with("_big") || cases[i].name == "string_many") {
      EXPECT_EQ(reader.arrays()[i].codec, amber::Codec::Zstd) << cases[i].name;
    }
  }
}

TEST(RoundTrip, SmallChunksGiveManyFrames) {
  const Bytes bytes = numeric_bytes(DType::Float64, 1000, 9);
  for (FilterChoice filter : {FilterChoice::None, FilterChoice::Shuffle}) {
    amber::Writer writer;
    writer.add_array({"x", DType::Float64, {1000}, bytes, {true, 3, filter, 128}});
    const Bytes file = writer.to_bytes();
    amber::Reader reader = amber_test::open_bytes(file);
    const auto& info = reader.arrays()[0];
    ASSERT_EQ(info.codec, amber::Codec::Zstd);
    EXPECT_EQ(info.chunk, 128u);
    EXPECT_EQ(info.frames.size(), 63u);  // ceil(8000 / 128)
    const auto data = reader.array(0, true);
    EXPECT_EQ(Bytes(data.bytes.begin(), data.bytes.end()), bytes);
    EXPECT_NO_THROW(reader.verify(2));
  }
}

TEST(RoundTrip, ShuffleOnItemSizeOneOrStringIsRefusedOrIgnored) {
  for (DType dtype : {DType::UInt8, DType::Int8, DType::Bool, DType::String}) {
    SCOPED_TRACE(std::string(amber::dtype_name(dtype)));
    const Case c = cases_for(dtype).back();
    try {
      amber::Writer writer;
      writer.add_array({c.name, c.dtype, c.shape, c.bytes, {true, 3, FilterChoice::Shuffle}});
      const Bytes file = writer.to_bytes();
      amber::Reader reader = amber_test::open_bytes(file);
      EXPECT_FALSE(reader.arrays()[0].shuffle);
      EXPECT_NO_THROW(reader.verify());
    } catch (const amber::Error& e) {
      EXPECT_EQ(e.kind(), amber::ErrorKind::InvalidArgument) << e.what();
    }
  }
}

TEST(RoundTrip, FileOnDiskGivesAlignedViews) {
  const std::vector<Case> cases = all_cases();
  amber_test::TempDir dir;
  amber::Writer writer;
  for (const auto& c : cases) writer.add_array({c.name, c.dtype, c.shape, c.bytes, {false}});
  const auto digest = writer.write(dir.path() / "m.amber");
  amber::Reader reader = amber::Reader::open(dir.path() / "m.amber");
  EXPECT_EQ(reader.footer().content_digest, digest);
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto data = reader.array(i, true);
    expect_view_into_file(reader, i, data);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(data.bytes.data()) % 64, 0u) << cases[i].name;
    EXPECT_EQ(Bytes(data.bytes.begin(), data.bytes.end()), cases[i].bytes);
  }
  reader.verify();
}

TEST(RoundTrip, ParallelDecodeEqualsSequential) {
  const std::vector<Case> cases = all_cases();
  const Bytes file = write_cases(cases, {true, 1, FilterChoice::Auto, 256});
  amber::Reader reader = amber_test::open_bytes(file);
  std::vector<size_t> indices(cases.size());
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = indices.size() - 1 - i;
  const auto all = reader.arrays_at(indices, true, 2);
  ASSERT_EQ(all.size(), indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    EXPECT_EQ(Bytes(all[k].bytes.begin(), all[k].bytes.end()), cases[indices[k]].bytes);
  }
}

TEST(RoundTrip, WritingTwiceGivesIdenticalBytes) {
  const std::vector<Case> cases = all_cases();
  for (const auto& codec : codec_cases()) {
    SCOPED_TRACE(codec.label);
    EXPECT_EQ(write_cases(cases, codec.spec), write_cases(cases, codec.spec));
  }
}

TEST(RoundTrip, ThreadCountDoesNotChangeTheBytes) {
  const std::vector<Case> cases = all_cases();
  Bytes files[2];
  for (unsigned threads : {1u, 2u}) {
    amber::Writer writer({threads, {}});
    for (const auto& c : cases)
      writer.add_array({c.name, c.dtype, c.shape, c.bytes, {true, 3, FilterChoice::Auto, 512}});
    files[threads - 1] = writer.to_bytes();
  }
  EXPECT_EQ(files[0], files[1]);
}

TEST(RoundTrip, WriteToDiskEqualsToBytes) {
  const std::vector<Case> cases = all_cases();
  amber_test::TempDir dir;
  amber::Writer a;
  amber::Writer b;
  for (const auto& c : cases) {
    a.add_array({c.name, c.dtype, c.shape, c.bytes, {}});
    b.add_array({c.name, c.dtype, c.shape, c.bytes, {}});
  }
  const auto digest = a.write(dir.path() / "x.amber");
  const Bytes bytes = b.to_bytes();
  EXPECT_EQ(amber_test::read_file(dir.path() / "x.amber"), bytes);
  const uint64_t content_end =
      amber_test::load_le64(&bytes[24]) + amber_test::load_le64(&bytes[32]);
  EXPECT_EQ(digest, amber::sha256({bytes.data(), content_end}));
}

TEST(RoundTrip, EmptyFileHasNoArrays) {
  amber::Writer writer;
  const Bytes file = writer.to_bytes();
  EXPECT_EQ(file.size() % 64, 0u);
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_TRUE(reader.arrays().empty());
  EXPECT_EQ(reader.header().data_length, 0u);
  EXPECT_EQ(reader.signature_json(), "");
  reader.verify();
}

TEST(RoundTrip, GraphAndMetadataAreKept) {
  amber::Writer writer;
  writer.set_graph_json("{\"a\":[1,{\"b\":\"\xc3\xa9\"}]}");
  writer.set_metadata_json("{\"user\":{\"k\":\"v\"}}");
  const Bytes file = writer.to_bytes();
  amber::Reader reader = amber_test::open_bytes(file);
  const auto& root = reader.manifest().root();
  std::string_view b;
  ASSERT_FALSE(root["graph"]["a"].at(1)["b"].get(b));
  EXPECT_EQ(b, "\xc3\xa9");
  std::string_view v;
  ASSERT_FALSE(root["metadata"]["user"]["k"].get(v));
  EXPECT_EQ(v, "v");
  EXPECT_NE(reader.manifest_json().find("\"graph\""), std::string_view::npos);
}

}  // namespace

namespace {

TEST(RoundTrip, ArrayIndexOutOfRangeIsInvalidArgument) {
  const amber_test::Bytes file = amber_test::small_valid_file();
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_TRUE(amber_test::ThrowsKind([&] { reader.array(2); }, amber::ErrorKind::InvalidArgument,
                                     "array 2"));
  EXPECT_TRUE(amber_test::ThrowsKind([&] { reader.check_checksum(99); },
                                     amber::ErrorKind::InvalidArgument, "array 99"));
  const size_t indices[] = {0, 5};
  EXPECT_TRUE(amber_test::ThrowsKind([&] { reader.arrays_at(indices, true); },
                                     amber::ErrorKind::InvalidArgument, "array 5"));
}

}  // namespace
