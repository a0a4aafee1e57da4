// Hostile files, manifest level: JSON rules, versioned keys, and every rule of the array table.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "format/codec.hpp"
#include "test_files.hpp"

namespace {

using amber::ErrorKind;
using amber_test::Bytes;
using amber_test::HandArray;
using amber_test::OpenThrows;

/// Two raw arrays: 'a' int32 [4] at offset 0 and 'b' uint8 [100] at offset 64.
std::vector<HandArray> base_arrays() {
  return {amber_test::raw_array("a", "int32", {4}, amber_test::pattern_bytes(16, 1)),
          amber_test::raw_array("b", "uint8", {100}, amber_test::pattern_bytes(100, 2))};
}

/// hand_file(arrays) with one edit of its manifest text and `extra` zero bytes of data.
Bytes edited(const std::vector<HandArray>& arrays, std::string_view from, std::string_view to,
             size_t extra = 0, uint16_t minor = amber::kFormatMinor) {
  amber_test::FileParts parts = amber_test::split(amber_test::hand_file(arrays));
  parts.header.format_minor = minor;
  parts.manifest = amber_test::replace_once(parts.manifest, from, to);
  parts.data.resize(parts.data.size() + extra, 0);
  return amber_test::assemble(parts);
}

/// small_valid_file() with one edit of its manifest text, all else fixed up.
Bytes small_edited(std::string_view from, std::string_view to) {
  const Bytes file = amber_test::small_valid_file();
  const std::string manifest = amber_test::split(file).manifest;
  return amber_test::with_manifest(file, amber_test::replace_once(manifest, from, to));
}

TEST(MalformedManifest, HandBuiltBaseIsValid) {
  EXPECT_FALSE(amber_test::full_read_error(amber_test::hand_file(base_arrays())));
  EXPECT_FALSE(amber_test::full_read_error(edited(base_arrays(), "\"b\"", "\"c\"")));
}

TEST(MalformedManifest, JsonNested100000DeepIsLimitExceeded) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(OpenThrows(small_edited("\"graph\":{\"k\":[1,2]}", "\"graph\":" + deep),
                         ErrorKind::LimitExceeded, "manifest"));
  const std::string open_only(100000, '[');
  EXPECT_TRUE(OpenThrows(small_edited("\"graph\":{\"k\":[1,2]}", "\"graph\":" + open_only),
                         ErrorKind::LimitExceeded, "manifest"));
}

TEST(MalformedManifest, DuplicateKeysAreInvalid) {
  EXPECT_TRUE(OpenThrows(
      small_edited("\"metadata\":{\"m\":\"x\"}", "\"metadata\":{\"m\":\"x\",\"m\":\"y\"}"),
      ErrorKind::InvalidManifest, "manifest"));
  EXPECT_TRUE(
      OpenThrows(small_edited("\"graph\":{\"k\":[1,2]}", "\"graph\":{\"k\":[1,{\"z\":1,\"z\":2}]}"),
                 ErrorKind::InvalidManifest, "manifest"));
  EXPECT_TRUE(OpenThrows(small_edited("\"graph\":", "\"graph\":null,\"graph\":"),
                         ErrorKind::InvalidManifest, "manifest"));
  EXPECT_TRUE(OpenThrows(small_edited("\"name\":\"alpha\"", "\"name\":\"alpha\",\"name\":\"x\""),
                         ErrorKind::InvalidManifest, "manifest"));
}

TEST(MalformedManifest, InvalidUtf8IsInvalid) {
  EXPECT_TRUE(OpenThrows(small_edited("\"m\":\"x\"", "\"m\":\"\xff\""), ErrorKind::InvalidManifest,
                         "manifest"));
  EXPECT_TRUE(OpenThrows(small_edited("\"alpha\"", "\"alph\xc3\""), ErrorKind::InvalidManifest,
                         "manifest"));
}

TEST(MalformedManifest, NotJsonIsInvalid) {
  const Bytes file = amber_test::small_valid_file();
  for (const char* text : {"{", "not json", "{\"arrays\":[]", "{\"arrays\":[],}", "nul"}) {
    EXPECT_TRUE(
        OpenThrows(amber_test::with_manifest(file, text), ErrorKind::InvalidManifest, "manifest"))
        << text;
  }
}

TEST(MalformedManifest, TopLevelShapeIsEnforced) {
  const Bytes file = amber_test::hand_file({});
  const char* bad[] = {
      "[]",
      "{\"arrays\":[],\"graph\":null}",
      "{\"arrays\":[],\"metadata\":{}}",
      "{\"graph\":null,\"metadata\":{}}",
      "{\"arrays\":[],\"graph\":null,\"metadata\":[]}",
      "{\"arrays\":{},\"graph\":null,\"metadata\":{}}",
      "{\"arrays\":[1],\"graph\":null,\"metadata\":{}}",
      "{\"arrays\":[],\"graph\":null,\"metadata\":{},\"extra\":1}",
  };
  for (const char* text : bad) {
    EXPECT_TRUE(OpenThrows(amber_test::with_manifest(file, text), ErrorKind::InvalidManifest))
        << text;
  }
  EXPECT_FALSE(amber_test::full_read_error(
      amber_test::with_manifest(file, "{\"metadata\":{},\"graph\":[],\"arrays\":[]}")));
}

TEST(MalformedManifest, UnknownArrayKeyIsInvalidInTheSameMinor) {
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), "\"name\":\"b\"", "\"name\":\"b\",\"future\":1"),
                         ErrorKind::InvalidManifest, "array 1"));
}

TEST(MalformedManifest, UnknownArrayKeyIsIgnoredInALaterMinor) {
  const Bytes file = edited(base_arrays(), "\"name\":\"b\"",
                            "\"name\":\"b\",\"future\":{\"x\":[1]}", 0, amber::kFormatMinor + 1);
  EXPECT_FALSE(amber_test::full_read_error(file));
  EXPECT_EQ(amber_test::open_bytes(file).header().format_minor, amber::kFormatMinor + 1);
}

TEST(MalformedManifest, UnknownTopLevelKeyIsIgnoredInALaterMinor) {
  amber_test::FileParts parts = amber_test::split(amber_test::small_valid_file());
  parts.header.format_minor = 7;
  parts.manifest =
      amber_test::replace_once(parts.manifest, "\"graph\":", "\"future\":1,\"graph\":");
  EXPECT_FALSE(amber_test::full_read_error(amber_test::assemble(parts)));
}

TEST(MalformedManifest, CapsOnValuesArraysAndRank) {
  const Bytes file = amber_test::hand_file(base_arrays());
  amber::Limits values;
  values.max_json_values = 10;
  EXPECT_TRUE(OpenThrows(file, ErrorKind::LimitExceeded, "manifest", values));
  amber::Limits arrays;
  arrays.max_arrays = 1;
  EXPECT_TRUE(OpenThrows(file, ErrorKind::LimitExceeded, "", arrays));
  amber::Limits rank;
  rank.max_rank = 0;
  EXPECT_TRUE(OpenThrows(file, ErrorKind::LimitExceeded, "array 0", rank));
  const std::vector<uint64_t> ones(33, 1);
  EXPECT_TRUE(OpenThrows(amber_test::hand_file({amber_test::raw_array("r", "uint8", ones, {7})}),
                         ErrorKind::LimitExceeded, "array 0"));
  const std::vector<uint64_t> ok(32, 1);
  EXPECT_FALSE(amber_test::full_read_error(
      amber_test::hand_file({amber_test::raw_array("r", "uint8", ok, {7})})));
}

struct FieldCase {
  const char* from;
  const char* to;
};

TEST(MalformedManifest, WrongFieldsAreInvalid) {
  const FieldCase cases[] = {
      {"\"dtype\":\"uint8\"", "\"dtype\":\"float128\""},
      {"\"dtype\":\"uint8\"", "\"dtype\":\"UINT8\""},
      {"\"dtype\":\"uint8\"", "\"dtype\":8"},
      {"\"shape\":[100]", "\"shape\":100"},
      {"\"shape\":[100]", "\"shape\":[\"100\"]"},
      {"\"shape\":[100]", "\"shape\":[100.0]"},
      {"\"shape\":[100]", "\"shape\":[-100]"},
      {"\"offset\":64", "\"offset\":\"64\""},
      {"\"offset\":64", "\"offset\":-64"},
      {"\"offset\":64", "\"offset\":64.0"},
      {"\"length\":100", "\"length\":null"},
      {",\"length\":100", ""},
      {",\"decoded_length\":100", ""},
      {"\"decoded_length\":100,\"codec\":\"raw\"", "\"decoded_length\":100,\"codec\":\"lz4\""},
      {"\"name\":\"b\"", "\"name\":\"b\",\"filter\":\"none\""},
      {"\"name\":\"b\"", "\"name\":\"b\",\"chunk\":64"},
      {"\"name\":\"b\"", "\"name\":\"b\",\"frames\":[]"},
      {"\"name\":\"b\"", "\"name\":7"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(
        OpenThrows(edited(base_arrays(), c.from, c.to), ErrorKind::InvalidManifest, "array 1"))
        << c.from << " -> " << c.to;
  }
}

TEST(MalformedManifest, ChecksumFieldMustBeSixteenLowercaseHexDigits) {
  const Bytes file = amber_test::hand_file(base_arrays());
  const std::string manifest = amber_test::split(file).manifest;
  const size_t at = manifest.find("\"xxh3\":\"", manifest.find("\"name\":\"b\"")) + 8;
  const std::string hex = manifest.substr(at, 16);
  std::string upper = hex;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(ch));
  if (upper != hex) {
    EXPECT_TRUE(
        OpenThrows(edited(base_arrays(), hex, upper), ErrorKind::InvalidManifest, "array 1"));
  }
  EXPECT_TRUE(
      OpenThrows(edited(base_arrays(), hex, hex.substr(1)), ErrorKind::InvalidManifest, "array 1"));
  EXPECT_TRUE(
      OpenThrows(edited(base_arrays(), hex, hex + "0"), ErrorKind::InvalidManifest, "array 1"));
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), hex, "0x" + hex.substr(2)),
                         ErrorKind::InvalidManifest, "array 1"));
}

TEST(MalformedManifest, ShapeProductOverflowIsCorrupt) {
  auto huge = base_arrays();
  EXPECT_TRUE(OpenThrows(edited(huge, "\"shape\":[100]", "\"shape\":[4294967296,4294967296,2]"),
                         ErrorKind::Corrupt, "array 1 'b'"));
  EXPECT_TRUE(OpenThrows(edited(huge, "\"shape\":[4]", "\"shape\":[2305843009213693952]"),
                         ErrorKind::Corrupt, "array 0 'a'"));  // 2^61 × 4 bytes
  auto strings = std::vector<HandArray>{amber_test::raw_array(
      "s", "string", {1}, amber::encode_string_array(std::vector<std::string_view>{"x"}))};
  EXPECT_TRUE(OpenThrows(edited(strings, "\"shape\":[1]", "\"shape\":[9223372036854775807]"),
                         ErrorKind::Corrupt, "array 0 's'"));
}

// §3.1: each dimension is below 2^63, even when another dimension is 0.
TEST(MalformedManifest, DimensionOf2To63IsRefused) {
  auto arrays = base_arrays();
  arrays.push_back(amber_test::raw_array("e", "uint8", {0}, {}));
  for (const char* dims : {"[9223372036854775808,0]", "[0,18446744073709551615]"}) {
    const Bytes file = edited(arrays, "\"shape\":[0]", std::string("\"shape\":") + dims);
    const auto error = amber_test::full_read_error(file);
    EXPECT_TRUE(error.has_value()) << dims << " was accepted";
  }
}

TEST(MalformedManifest, DecodedLengthMustMatchTheShape) {
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), "\"shape\":[4]", "\"shape\":[5]"),
                         ErrorKind::Corrupt, "array 0 'a'"));
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), "\"shape\":[4]", "\"shape\":[2,2,2]"),
                         ErrorKind::Corrupt, "array 0 'a'"));
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), "\"shape\":[4]", "\"shape\":[]"), ErrorKind::Corrupt,
                         "array 0 'a'"));
}

TEST(MalformedManifest, RawLengthMustEqualDecodedLength) {
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), "\"decoded_length\":16", "\"decoded_length\":12"),
                         ErrorKind::Corrupt, "array 0 'a'"));
}

TEST(MalformedManifest, OverlappingArraysAreCorrupt) {
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), "\"offset\":64", "\"offset\":0"), ErrorKind::Corrupt,
                         "array 1 'b'"));
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), "\"offset\":64", "\"offset\":16"),
                         ErrorKind::Corrupt, "array 1 'b'"));
}

TEST(MalformedManifest, HoleBetweenArraysIsCorrupt) {
  auto arrays = base_arrays();
  amber_test::FileParts parts = amber_test::split(amber_test::hand_file(arrays));
  parts.manifest = amber_test::replace_once(parts.manifest, "\"offset\":64", "\"offset\":128");
  parts.data.insert(parts.data.begin() + 64, 64, 0);
  EXPECT_TRUE(OpenThrows(amber_test::assemble(parts), ErrorKind::Corrupt, "array 1 'b'"));
}

TEST(MalformedManifest, FirstArrayNotAtZeroIsCorrupt) {
  auto arrays = base_arrays();
  amber_test::FileParts parts = amber_test::split(amber_test::hand_file(arrays));
  parts.manifest = amber_test::replace_once(parts.manifest, "\"offset\":0", "\"offset\":64");
  parts.manifest = amber_test::replace_once(parts.manifest, "\"offset\":64,\"length\":100",
                                            "\"offset\":128,\"length\":100");
  parts.data.insert(parts.data.begin(), 64, 0);
  EXPECT_TRUE(OpenThrows(amber_test::assemble(parts), ErrorKind::Corrupt, "array 0 'a'"));
}

TEST(MalformedManifest, OffsetsOutOfRangeAreCorrupt) {
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), "\"offset\":64", "\"offset\":18446744073709551552"),
                         ErrorKind::Corrupt, "array 1 'b'"));
  EXPECT_TRUE(OpenThrows(edited(base_arrays(), "\"offset\":0", "\"offset\":9223372036854775808"),
                         ErrorKind::Corrupt, "array 0 'a'"));
}

TEST(MalformedManifest, ArraysPastTheDataSectionAreCorrupt) {
  auto arrays = base_arrays();
  amber_test::FileParts parts = amber_test::split(amber_test::hand_file(arrays));
  parts.data.resize(64);  // array 'b' is declared but its bytes are gone
  EXPECT_TRUE(OpenThrows(amber_test::assemble(parts), ErrorKind::Corrupt));
}

TEST(MalformedManifest, DataSectionLongerThanTheArraysIsCorrupt) {
  amber_test::FileParts parts = amber_test::split(amber_test::hand_file(base_arrays()));
  parts.data.resize(parts.data.size() + 64, 0);
  EXPECT_TRUE(OpenThrows(amber_test::assemble(parts), ErrorKind::Corrupt, "data section"));
  amber_test::FileParts none = amber_test::split(amber_test::hand_file({}));
  none.data.resize(64, 0);
  EXPECT_TRUE(OpenThrows(amber_test::assemble(none), ErrorKind::Corrupt, "data section"));
}

HandArray zstd_u16(std::string filter = "none") {
  const Bytes content = amber_test::pattern_bytes(100, 3);
  return amber_test::zstd_array("z", "uint16", {50}, 100, 64,
                                {amber::zstd_compress_frame({content.data(), 64}, 3),
                                 amber::zstd_compress_frame({content.data() + 64, 36}, 3)},
                                std::move(filter));
}

TEST(MalformedManifest, ZstdFieldsAreChecked) {
  const std::vector<HandArray> arrays = {zstd_u16()};
  ASSERT_FALSE(amber_test::full_read_error(amber_test::hand_file(arrays)));
  const FieldCase corrupt[] = {
      {"\"chunk\":64", "\"chunk\":0"},
      {"\"chunk\":64", "\"chunk\":63"},  // not a multiple of the item size
      {"\"chunk\":64", "\"chunk\":32"},  // frame count no longer matches
      {"\"chunk\":64", "\"chunk\":100"},
  };
  for (const auto& c : corrupt) {
    EXPECT_TRUE(OpenThrows(edited(arrays, c.from, c.to), ErrorKind::Corrupt, "array 0 'z'"))
        << c.to;
  }
  const std::string frames = "\"frames\":[" + std::to_string(arrays[0].frames[0]) + "," +
                             std::to_string(arrays[0].frames[1]) + "]";
  const std::string swapped = "\"frames\":[" + std::to_string(arrays[0].frames[0] - 1) + "," +
                              std::to_string(arrays[0].frames[1] + 1) + "]";
  for (const std::string& to : {std::string("\"frames\":[]"),
                                "\"frames\":[" + std::to_string(arrays[0].stored.size()) + "]",
                                "\"frames\":[" + std::to_string(arrays[0].frames[0]) + ",1]"}) {
    EXPECT_TRUE(OpenThrows(edited(arrays, frames, to), ErrorKind::Corrupt, "array 0 'z'")) << to;
  }
  // Same total, wrong split: found when frame 0 is decoded.
  const Bytes shifted = edited(arrays, frames, swapped);
  auto error = amber_test::full_read_error(shifted);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind(), ErrorKind::Corrupt) << error->what();
  const FieldCase invalid[] = {
      {"\"filter\":\"none\"", "\"filter\":\"bitshuffle\""},
      {",\"filter\":\"none\"", ""},
      {",\"chunk\":64", ""},
      {frames.c_str(), "\"frames\":7"},
      {frames.c_str(), "\"frames\":[-1,2]"},
  };
  for (const auto& c : invalid) {
    EXPECT_TRUE(OpenThrows(edited(arrays, c.from, c.to), ErrorKind::InvalidManifest, "array 0"))
        << c.to;
  }
}

TEST(MalformedManifest, ShuffleIsInvalidForItemSizeOneAndStrings) {
  const Bytes frame = amber::zstd_compress_frame(Bytes(64, 1), 3);
  EXPECT_TRUE(OpenThrows(amber_test::hand_file({amber_test::zstd_array("u", "uint8", {64}, 64, 64,
                                                                       {frame}, "shuffle")}),
                         ErrorKind::Corrupt, "array 0 'u'"));
  const Bytes text = amber::encode_string_array(std::vector<std::string_view>{"abc", "de"});
  const Bytes sframe = amber::zstd_compress_frame(text, 3);
  EXPECT_TRUE(OpenThrows(amber_test::hand_file({amber_test::zstd_array(
                             "s", "string", {2}, text.size(), 64, {sframe}, "shuffle")}),
                         ErrorKind::Corrupt, "array 0 's'"));
}

TEST(MalformedManifest, DeclaredDecodedSizeOverTheCapIsLimitExceeded) {
  // 17 GiB declared in one frame of a few bytes: refused at open, before any allocation.
  const uint64_t huge = uint64_t{17} << 30;
  const Bytes frame = amber::zstd_compress_frame(Bytes(64, 0), 3);
  const Bytes file =
      amber_test::hand_file({amber_test::zstd_array("huge", "uint8", {huge}, huge, huge, {frame})});
  EXPECT_TRUE(OpenThrows(file, ErrorKind::LimitExceeded, "array 0 'huge'"));
  // The sum counts: two arrays, each under the cap, together over it.
  const HandArray z = zstd_u16();
  amber::Limits limits;
  limits.max_decoded_bytes = 150;
  EXPECT_FALSE(amber_test::full_read_error(amber_test::hand_file({z}), limits));
  HandArray z2 = z;
  z2.name = "z2";
  EXPECT_TRUE(
      OpenThrows(amber_test::hand_file({z, z2}), ErrorKind::LimitExceeded, "array 1 'z2'", limits));
}

TEST(MalformedManifest, StringDecodedLengthTooSmallForOffsetsIsCorrupt) {
  const Bytes text = amber::encode_string_array(std::vector<std::string_view>{"", ""});
  EXPECT_TRUE(OpenThrows(
      edited({amber_test::raw_array("s", "string", {2}, text)}, "\"shape\":[2]", "\"shape\":[3]"),
      ErrorKind::Corrupt, "array 0 's'"));
}

}  // namespace
