// StreamingDecode: the same bytes as Reader::arrays_at, waits that return only decoded bytes,
// errors of a damaged frame raised to every waiter, and safe teardown mid-decode.
#include "format/streaming_decode.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "format/dtype.hpp"
#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/json_writer.hpp"
#include "format/reader.hpp"
#include "format/writer.hpp"
#include "test_files.hpp"

namespace {

using amber::DType;
using amber::StreamingDecode;
using amber_test::Bytes;

/// Compressible but not constant: small values in the low bytes.
Bytes column(size_t n, size_t itemsize, uint32_t seed) {
  Bytes out = amber_test::pattern_bytes(n * itemsize, seed);
  for (size_t i = 0; i < out.size(); ++i) {
    if (i % itemsize != 0) out[i] = static_cast<uint8_t>(i / itemsize % 3);
  }
  return out;
}

struct Fixture {
  Bytes a = column(300'000, 8, 1);  // many frames of a float64 column
  Bytes b = column(300'000, 4, 2);  // an int32 column, fewer frames
  Bytes c = column(1'000, 1, 3);    // a raw array (not compressed)
  std::vector<std::string_view> words{"alpha", "b\xc3\xa9ta", ""};
  Bytes s = amber::encode_string_array(words);
  Bytes file;

  Fixture() {
    amber::Writer writer;
    amber::CodecSpec small_frames;
    small_frames.chunk = 64 * 1024;
    writer.add_array({"a", DType::Float64, {300'000}, a, small_frames});
    writer.add_array({"b", DType::Int32, {300'000}, b, small_frames});
    writer.add_array({"c", DType::UInt8, {1'000}, c, {false}});
    writer.add_array({"s", DType::String, {words.size()}, s, {}});
    file = writer.to_bytes();
  }
};

std::vector<size_t> all(const amber::Reader& reader) {
  std::vector<size_t> out(reader.arrays().size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

bool same(const amber::ArrayData& data, const Bytes& expected) {
  return data.bytes.size() == expected.size() &&
         std::memcmp(data.bytes.data(), expected.data(), expected.size()) == 0;
}

TEST(StreamingDecode, GivesTheBytesOfEveryArray) {
  Fixture f;
  const auto reader = amber_test::open_bytes(f.file);
  for (unsigned threads : {1u, 2u, 4u}) {
    StreamingDecode decode(reader, all(reader), true, threads);
    decode.wait_all();
    EXPECT_TRUE(same(decode.pending(0), f.a));
    EXPECT_TRUE(same(decode.pending(1), f.b));
    EXPECT_TRUE(same(decode.pending(2), f.c));
    EXPECT_TRUE(decode.pending(2).is_view);  // raw arrays stay views of the file
    EXPECT_TRUE(same(decode.pending(3), f.s));
  }
}

TEST(StreamingDecode, APartialWaitCoversTheBytesAskedFor) {
  Fixture f;
  const auto reader = amber_test::open_bytes(f.file);
  StreamingDecode decode(reader, all(reader), false, 1);
  const size_t half = f.a.size() / 2;
  decode.wait(0, half);
  EXPECT_EQ(std::memcmp(decode.pending(0).bytes.data(), f.a.data(), half), 0);
  decode.wait(1, 1);
  EXPECT_EQ(decode.pending(1).bytes[0], f.b[0]);
  decode.wait(0, UINT64_MAX);  // past the end: the whole array
  EXPECT_TRUE(same(decode.pending(0), f.a));
}

TEST(StreamingDecode, ADamagedFrameFailsEveryWaiterNamingTheFrame) {
  Fixture f;
  // Damage a frame in the middle of array 0 and fix its checksum, so only decoding finds it.
  auto parts = amber_test::split(f.file);
  const auto reader = amber_test::open_bytes(f.file);
  const auto& info = reader.arrays()[0];
  const uint64_t third = info.frames[0] + info.frames[1];  // start of frame 2
  for (uint64_t i = 4; i < info.frames[2]; ++i) parts.data[info.offset + third + i] ^= 0x5a;
  const auto stored = std::span<const uint8_t>(parts.data).subspan(info.offset, info.length);
  parts.manifest = amber_test::replace_once(parts.manifest, amber::hex64(info.xxh3),
                                            amber::hex64(amber::xxh3_64(stored)));
  const Bytes damaged = amber_test::assemble(parts);
  const auto bad = amber_test::open_bytes(damaged);
  for (unsigned threads : {1u, 2u}) {
    StreamingDecode decode(bad, all(bad), true, threads);
    EXPECT_TRUE(amber_test::ThrowsKind([&] { decode.wait_all(); }, amber::ErrorKind::Corrupt,
                                       "frame 2 of array 0"));
    EXPECT_TRUE(amber_test::ThrowsKind([&] { decode.wait(1, UINT64_MAX); },
                                       amber::ErrorKind::Corrupt, "frame 2 of array 0"));
  }
}

TEST(StreamingDecode, ABadChecksumFailsBeforeAnyDecode) {
  Fixture f;
  auto parts = amber_test::split(f.file);
  const auto reader = amber_test::open_bytes(f.file);
  parts.data[reader.arrays()[1].offset + 10] ^= 1;
  const Bytes damaged = amber_test::assemble(parts);
  const auto bad = amber_test::open_bytes(damaged);
  EXPECT_TRUE(amber_test::ThrowsKind([&] { StreamingDecode decode(bad, all(bad), true, 2); },
                                     amber::ErrorKind::ChecksumMismatch, "array 1"));
}

TEST(StreamingDecode, AbandonedMidDecodeJoinsItsWorkers) {
  Fixture f;
  const auto reader = amber_test::open_bytes(f.file);
  for (int i = 0; i < 20; ++i) {
    StreamingDecode decode(reader, all(reader), false, 3);
  }  // destroyed at once: no crash, no leak under ASan, no hang
  SUCCEED();
}

}  // namespace
