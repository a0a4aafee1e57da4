// StreamingDecode: the same bytes as Reader::arrays_at, waits that return only decoded bytes,
// errors of a damaged frame raised to every waiter, helpers that stay within the lookahead,
// memory given back only where decoded, and safe teardown mid-decode.
#include "format/streaming_decode.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "format/dtype.hpp"
#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/json_writer.hpp"
#include "format/parallel.hpp"
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

TEST(StreamingDecode, HelpersStayWithinTheLookaheadOfTheConsumer) {
  if (amber::hardware_threads() < 2) GTEST_SKIP() << "no helper threads on one core";
  Fixture f;
  const auto reader = amber_test::open_bytes(f.file);
  const size_t total = reader.frames(0).size() + reader.frames(1).size() + 1;  // + strings
  // Four 64 KiB frames ahead, with one helper (at least two frames per helper).
  StreamingDecode decode(reader, all(reader), false, 1, 4 * 64 * 1024);
  // The count once it reached `at_least` (helpers ran) and a pause let it run on if it would.
  const auto settled = [&](size_t at_least) {
    for (int i = 0; i < 5000 && decode.frames_decoded() < at_least; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    return decode.frames_decoded();
  };
  // Decode order: a0, b0, the string array's one small frame, a1, b1, a2... (64 KiB each but
  // the string's). Nothing waited for yet: the frames starting in the first 256 KiB, a0..b1.
  EXPECT_EQ(settled(5), 5u);
  decode.wait(0, 1);  // a0, which ends at 64 KiB: the frames starting before 320 KiB, to a2
  EXPECT_EQ(settled(6), 6u);
  decode.wait(0, f.a.size() / 2);  // half of array 0: half of all frames, and 4 more
  const size_t half = settled(total / 2 + 2);
  EXPECT_GE(half, total / 2 + 2);  // the helper was asked for again and ran ahead
  EXPECT_LE(half, total / 2 + 6);
  decode.wait_all();
  EXPECT_EQ(decode.frames_decoded(), total);
  EXPECT_TRUE(same(decode.pending(0), f.a));
  EXPECT_TRUE(same(decode.pending(1), f.b));
}

TEST(StreamingDecode, WithoutALookaheadTheHelpersDecodeEverything) {
  if (amber::hardware_threads() < 2) GTEST_SKIP() << "no helper threads on one core";
  Fixture f;
  const auto reader = amber_test::open_bytes(f.file);
  const size_t total = reader.frames(0).size() + reader.frames(1).size() + 1;
  StreamingDecode decode(reader, all(reader), false, 1, 0);
  for (int i = 0; i < 5000 && decode.frames_decoded() < total; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(decode.frames_decoded(), total);
}

TEST(StreamingDecode, ReleaseGivesBackOnlyDecodedPagesAndKeepsTheRest) {
  Fixture f;
  const auto reader = amber_test::open_bytes(f.file);
  StreamingDecode decode(reader, all(reader), false, 1, 4 * 64 * 1024);
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  decode.wait(0, 256 * 1024);
  // Asking for more than was decoded gives back at most the decoded frames.
  const size_t freed = decode.release(0, f.a.size());
  EXPECT_GT(freed, 0u);
  EXPECT_LE(freed, decode.frames_decoded() * 64 * 1024);
  EXPECT_EQ(decode.release(0, 100), 0u);  // already given back
  decode.wait_all();
  // The bytes after what was given back are whole; the pages given back read as zeros.
  const auto bytes = decode.pending(0).bytes;
  const size_t kept = freed + page;  // the first page may have stayed (the block's start)
  EXPECT_EQ(std::memcmp(bytes.data() + kept, f.a.data() + kept, f.a.size() - kept), 0);
  size_t zeros = 0;
  for (size_t i = 0; i < kept; ++i) zeros += bytes[i] == 0;
  EXPECT_GE(zeros, freed);
  // The rest of the array goes once all of it is decoded; a view or a string array stays.
  EXPECT_GT(decode.release(0, f.a.size()), 0u);
  EXPECT_EQ(decode.release(2, f.c.size()), 0u);
  EXPECT_EQ(decode.release(3, f.s.size()), 0u);
  EXPECT_TRUE(same(decode.pending(2), f.c));
  EXPECT_TRUE(same(decode.pending(3), f.s));
}

TEST(StreamingDecode, RandomWaitsAndReleasesKeepEveryByteNotGivenBack) {
  // A consumer that advances through the arrays at random paces, releasing behind itself at
  // random, under random lookaheads and helper counts: every byte at or past what it released
  // is the array's own, and it never waits forever (also run under ThreadSanitizer).
  Fixture f;
  const auto reader = amber_test::open_bytes(f.file);
  const std::vector<const Bytes*> source{&f.a, &f.b, &f.c};
  for (uint32_t seed = 0; seed < 40; ++seed) {
    std::mt19937 random(seed);
    const uint64_t lookaheads[] = {0, 64 * 1024, 200 * 1024, 1 << 20};
    StreamingDecode decode(reader, {0, 1, 2}, seed % 2 == 0, 1 + seed % 3, lookaheads[seed % 4]);
    std::vector<uint64_t> waited(3, 0), released(3, 0);
    for (int step = 0; step < 60; ++step) {
      const size_t k = random() % 3;
      const uint64_t size = source[k]->size();
      waited[k] = std::min<uint64_t>(size, waited[k] + random() % (size / 8 + 1));
      decode.wait(k, waited[k]);
      const auto bytes = decode.pending(k).bytes;
      ASSERT_EQ(std::memcmp(bytes.data() + released[k], source[k]->data() + released[k],
                            waited[k] - released[k]),
                0)
          << "seed " << seed << " array " << k;
      if (random() % 3 == 0) {
        released[k] = released[k] + (waited[k] - released[k]) / 2;
        decode.release(k, released[k]);
      }
    }
    decode.wait_all();
    for (size_t k = 0; k < 3; ++k) {
      const auto bytes = decode.pending(k).bytes;
      const uint64_t size = source[k]->size();
      ASSERT_EQ(std::memcmp(bytes.data() + released[k], source[k]->data() + released[k],
                            size - released[k]),
                0)
          << "seed " << seed << " array " << k;
    }
  }
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
