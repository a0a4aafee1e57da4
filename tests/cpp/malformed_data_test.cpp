// Hostile files, data level: bad zstd frames, checksums, the digest, strings, bools, padding.
#include <gtest/gtest.h>

#include <cstring>

#include "format/codec.hpp"
#include "test_files.hpp"

namespace {

using amber::ErrorKind;
using amber_test::Bytes;
using amber_test::HandArray;
using amber_test::OpenThrows;
using amber_test::ThrowsKind;

/// Opens `file` (which must open) and checks that array 0 and verify both fail with `kind`.
void expect_decode_fails(const Bytes& file, ErrorKind kind, std::string_view where) {
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_TRUE(ThrowsKind([&] { reader.array(0, true); }, kind, where));
  EXPECT_TRUE(ThrowsKind([&] { reader.array(0, false); }, kind, where));
  EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, kind, where));
}

Bytes one_frame_file(const Bytes& frame, uint64_t decoded_length) {
  return amber_test::hand_file({amber_test::zstd_array("z", "uint8", {decoded_length},
                                                       decoded_length, decoded_length, {frame})});
}

TEST(MalformedData, HandCraftedFramesAreValid) {
  const Bytes content = amber_test::pattern_bytes(100, 1);
  for (auto size : {std::optional<uint64_t>{}, std::optional<uint64_t>{100}}) {
    const Bytes file = one_frame_file(amber_test::raw_block_frame(content, size), 100);
    ASSERT_FALSE(amber_test::full_read_error(file));
    const auto data = amber_test::open_bytes(file).array(0, true);
    EXPECT_EQ(Bytes(data.bytes.begin(), data.bytes.end()), content);
  }
}

TEST(MalformedData, FrameHeaderClaimingHugeSizeIsCorrupt) {
  const Bytes frame = amber_test::raw_block_frame(Bytes(100, 1), uint64_t{1} << 60);
  expect_decode_fails(one_frame_file(frame, 100), ErrorKind::Corrupt, "frame 0 of array 0 'z'");
}

TEST(MalformedData, FrameHeaderClaimingOtherSizeIsCorrupt) {
  const Bytes frame = amber_test::raw_block_frame(Bytes(100, 1), 99);
  expect_decode_fails(one_frame_file(frame, 100), ErrorKind::Corrupt, "frame 0 of array 0 'z'");
}

TEST(MalformedData, FrameDecodingToMoreThanDeclaredIsCorrupt) {
  const Bytes frame = amber_test::raw_block_frame(Bytes(200, 1), std::nullopt);
  expect_decode_fails(one_frame_file(frame, 100), ErrorKind::Corrupt, "frame 0 of array 0 'z'");
  const Bytes real = amber::zstd_compress_frame(Bytes(200, 1), 3);
  expect_decode_fails(one_frame_file(real, 100), ErrorKind::Corrupt, "frame 0 of array 0 'z'");
}

TEST(MalformedData, FrameDecodingToLessThanDeclaredIsCorrupt) {
  const Bytes frame = amber_test::raw_block_frame(Bytes(50, 1), std::nullopt);
  expect_decode_fails(one_frame_file(frame, 100), ErrorKind::Corrupt, "frame 0 of array 0 'z'");
}

TEST(MalformedData, TwoFramesInOneSlotAreCorrupt) {
  Bytes both = amber::zstd_compress_frame(Bytes(50, 1), 3);
  const Bytes second = amber::zstd_compress_frame(Bytes(50, 2), 3);
  both.insert(both.end(), second.begin(), second.end());
  expect_decode_fails(one_frame_file(both, 100), ErrorKind::Corrupt, "frame 0 of array 0 'z'");
}

TEST(MalformedData, GarbageFrameIsCorrupt) {
  for (uint32_t seed = 0; seed < 20; ++seed) {
    const Bytes garbage = amber_test::pattern_bytes(10 + seed * 13, seed);
    expect_decode_fails(one_frame_file(garbage, 100), ErrorKind::Corrupt, "array 0 'z'");
  }
}

TEST(MalformedData, BadSecondFrameNamesIt) {
  const Bytes good = amber::zstd_compress_frame(Bytes(64, 1), 3);
  const Bytes bad = amber_test::raw_block_frame(Bytes(10, 1), std::nullopt);
  const Bytes file =
      amber_test::hand_file({amber_test::raw_array("r", "uint8", {3}, {1, 2, 3}),
                             amber_test::zstd_array("z", "uint8", {100}, 100, 64, {good, bad})});
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_TRUE(
      ThrowsKind([&] { reader.array(1, true); }, ErrorKind::Corrupt, "frame 1 of array 1 'z'"));
}

TEST(MalformedData, ChecksumMismatchOnARawArray) {
  const Bytes valid = amber_test::small_valid_file();
  Bytes file = valid;
  const uint64_t data_offset = amber_test::load_le64(&file[24]);
  file[data_offset + 5] ^= 0x40;  // inside 'alpha'
  amber_test::redigest(file);     // only the array's checksum is now wrong
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_TRUE(
      ThrowsKind([&] { reader.array(0, true); }, ErrorKind::ChecksumMismatch, "array 0 'alpha'"));
  EXPECT_TRUE(ThrowsKind([&] { reader.check_checksum(0); }, ErrorKind::ChecksumMismatch,
                         "array 0 'alpha'"));
  EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, ErrorKind::ChecksumMismatch, "array 0 'alpha'"));
  const auto unchecked = reader.array(0, false);  // no check asked: the bytes as stored
  EXPECT_EQ(unchecked.bytes[5], valid[data_offset + 5] ^ 0x40);
  EXPECT_NO_THROW(reader.array(1, true));
}

TEST(MalformedData, ChecksumMismatchOnACompressedArray) {
  Bytes file = amber_test::small_valid_file();
  amber::Reader clean = amber_test::open_bytes(file);
  const uint64_t at =
      clean.header().data_offset + clean.arrays()[1].offset + clean.arrays()[1].length - 1;
  file[at] ^= 1;
  amber_test::redigest(file);
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_TRUE(
      ThrowsKind([&] { reader.array(1, true); }, ErrorKind::ChecksumMismatch, "array 1 'beta'"));
  EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, ErrorKind::ChecksumMismatch, "array 1 'beta'"));
}

/// small_valid_file() with "alpha" renamed "alphb" in its manifest text, all else untouched.
Bytes renamed_alpha(uint16_t minor) {
  amber_test::FileParts parts = amber_test::split(amber_test::small_valid_file());
  parts.header.format_minor = minor;
  Bytes file = amber_test::assemble(parts);
  const std::string text(file.begin(), file.end());
  const size_t at = text.find("\"alpha\"");
  EXPECT_NE(at, std::string::npos);
  file.at(at + 5) = 'b';
  return file;
}

TEST(MalformedData, ChangedNameIsAManifestChecksumMismatchAtOpen) {
  EXPECT_TRUE(
      OpenThrows(renamed_alpha(amber::kFormatMinor), ErrorKind::ChecksumMismatch, "manifest"));
}

// Format 2.0 has no manifest checksum: only the content digest finds the change.
TEST(MalformedData, ChangedNameOfAFormat20FileIsFoundByTheDigestOnly) {
  const Bytes file = renamed_alpha(0);
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_EQ(reader.arrays()[0].name, "alphb");
  EXPECT_NO_THROW(reader.array(0, true));
  EXPECT_NO_THROW(reader.array(1, true));
  EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, ErrorKind::DigestMismatch));
  EXPECT_NE(reader.compute_digest(), reader.footer().content_digest);
}

TEST(MalformedData, ChangedFooterDigestIsADigestMismatch) {
  Bytes file = amber_test::small_valid_file();
  file[file.size() - 64 + 16] ^= 0x80;
  amber_test::rehash_footer(file);
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, ErrorKind::DigestMismatch));
}

TEST(MalformedData, NonZeroPaddingAfterAnArrayIsCorrupt) {
  Bytes file = amber_test::small_valid_file();
  const uint64_t data_offset = amber_test::load_le64(&file[24]);
  file[data_offset + 16] = 1;  // 'alpha' is 16 bytes, then padding to 64
  amber_test::redigest(file);
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_NO_THROW(reader.array(0, true));
  EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, ErrorKind::Corrupt, "array 0 'alpha'"));
}

TEST(MalformedData, BoolOtherThanZeroOrOneIsFoundByVerify) {
  const Bytes file =
      amber_test::hand_file({amber_test::raw_array("flags", "bool", {4}, {0, 1, 2, 1})});
  amber::Reader reader = amber_test::open_bytes(file);
  EXPECT_NO_THROW(reader.array(0, true));
  EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, ErrorKind::Corrupt, "array 0 'flags'"));
  const Bytes frame = amber::zstd_compress_frame(Bytes{1, 0, 255}, 3);
  const Bytes zfile =
      amber_test::hand_file({amber_test::zstd_array("zflags", "bool", {3}, 3, 64, {frame})});
  EXPECT_TRUE(ThrowsKind([&] { amber_test::open_bytes(zfile).verify(); }, ErrorKind::Corrupt,
                         "array 0 'zflags'"));
}

/// A string array's decoded bytes: offsets as given, then `text`.
Bytes string_layout(const std::vector<uint64_t>& offsets, std::string_view text) {
  Bytes out(offsets.size() * 8);
  for (size_t i = 0; i < offsets.size(); ++i) amber_test::store_le64(&out[i * 8], offsets[i]);
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

struct StringCase {
  std::vector<uint64_t> offsets;
  std::string text;
  const char* what;
};

TEST(MalformedData, BadStringArraysAreCorrupt) {
  const StringCase cases[] = {
      {{1, 2, 3}, "abc", ""},                 // offsets[0] is not 0
      {{0, 2, 1, 3}, "abc", "element 1"},     // decreasing
      {{0, 1, 2}, "abc", ""},                 // last offset short of the text
      {{0, 1, 4}, "abc", ""},                 // last offset beyond the text
      {{0, 5, 3}, "abc", "element 0"},        // middle offset beyond the text
      {{0, 1, 3}, "a\xff\xfe", "element 1"},  // invalid UTF-8
      {{0, 2, 3},
       "\xc3\xa9"
       "a",
       ""},                                      // valid (control case, see below)
      {{0, 1, 3}, "\xc3\xc3\xa9", "element 0"},  // a sequence cut by an element boundary
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const Bytes layout = string_layout(c.offsets, c.text);
    const Bytes frame = amber::zstd_compress_frame(layout, 3);
    const uint64_t n = c.offsets.size() - 1;
    for (const Bytes& file :
         {amber_test::hand_file({amber_test::raw_array("s", "string", {n}, layout)}),
          amber_test::hand_file(
              {amber_test::zstd_array("s", "string", {n}, layout.size(), 64, {frame})})}) {
      amber::Reader reader = amber_test::open_bytes(file);
      if (std::string_view(c.text) ==
          "\xc3\xa9"
          "a") {
        EXPECT_NO_THROW(reader.array(0, true));
        continue;
      }
      const std::string where = std::string("array 0 's'");
      EXPECT_TRUE(ThrowsKind([&] { reader.array(0, true); }, ErrorKind::Corrupt, where));
      EXPECT_TRUE(ThrowsKind([&] { reader.array(0, true); }, ErrorKind::Corrupt, c.what));
      EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, ErrorKind::Corrupt, where));
    }
  }
}

}  // namespace

namespace {

TEST(MalformedData, AlignedBlockOfHugeSizeIsRefused) {
  // (size + 63) rounds past 2^64 to a 64-byte block that claims SIZE_MAX bytes.
  EXPECT_ANY_THROW(amber::AlignedBlock block(SIZE_MAX));
  EXPECT_ANY_THROW(amber::AlignedBlock block(SIZE_MAX - 62));
}

// A caller MAY raise Limits::max_decoded_bytes; a hostile size must still not overflow a block.
TEST(MalformedData, HugeDeclaredSizeWithRaisedCapIsRefusedSafely) {
  const uint64_t n = UINT64_MAX / 3;  // shape [3, n]: each dimension under 2^63
  const Bytes frame =
      amber_test::raw_block_frame(amber_test::pattern_bytes(60000, 5), std::nullopt);
  const Bytes file = amber_test::hand_file(
      {amber_test::zstd_array("z", "uint8", {3, n}, UINT64_MAX, UINT64_MAX, {frame})});
  amber::Limits limits;
  limits.max_decoded_bytes = UINT64_MAX;
  amber::Reader reader = amber_test::open_bytes(file, limits);
  EXPECT_ANY_THROW(reader.array(0, true));
}

}  // namespace
