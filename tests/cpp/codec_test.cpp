// Tests of codec.hpp: byte-shuffle layout and round trip, exact-size single zstd frames.
#include "format/codec.hpp"

#include <gtest/gtest.h>

#include "format/error.hpp"
#include "test_files.hpp"

namespace {

using amber::ErrorKind;
using amber_test::Bytes;
using amber_test::pattern_bytes;
using amber_test::raw_block_frame;
using amber_test::ThrowsKind;

TEST(Shuffle, RoundTripsEveryItemSize) {
  for (size_t k = 2; k <= 16; ++k) {
    for (size_t m : {0, 1, 2, 3, 7, 64, 1000}) {
      const Bytes src = pattern_bytes(k * m, static_cast<uint32_t>(k * 1000 + m));
      Bytes shuffled(src.size()), back(src.size());
      amber::shuffle_bytes(src, shuffled, k);
      amber::unshuffle_bytes(shuffled, back, k);
      EXPECT_EQ(back, src) << "itemsize " << k << ", " << m << " elements";
    }
  }
}

TEST(Shuffle, MovesByteBOfElementIToBTimesMPlusI) {
  for (size_t k = 2; k <= 16; ++k) {
    const size_t m = 5;
    Bytes src(k * m);
    for (size_t i = 0; i < m; ++i) {
      for (size_t b = 0; b < k; ++b) src[i * k + b] = static_cast<uint8_t>(i * 16 + b);
    }
    Bytes dst(src.size());
    amber::shuffle_bytes(src, dst, k);
    for (size_t i = 0; i < m; ++i) {
      for (size_t b = 0; b < k; ++b) {
        ASSERT_EQ(dst[b * m + i], src[i * k + b]) << "itemsize " << k << " element " << i;
      }
    }
  }
}

TEST(Zstd, FrameRoundTrips) {
  for (int level : {1, 3, 9, 19}) {
    for (size_t size : {0, 1, 100, 65536, 1000003}) {
      const Bytes src = pattern_bytes(size, static_cast<uint32_t>(size + level));
      const Bytes frame = amber::zstd_compress_frame(src, level);
      Bytes back(size);
      amber::zstd_decompress_frame(frame, back, "frame 0 of array 0");
      EXPECT_EQ(back, src) << "level " << level << " size " << size;
    }
  }
}

TEST(Zstd, CompressedFrameDeclaresItsContentSize) {
  const Bytes src(5000, 7);
  const Bytes frame = amber::zstd_compress_frame(src, 3);
  Bytes small(4999);
  EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(frame, small, "frame 4"); },
                         ErrorKind::Corrupt, "frame 4"));
  Bytes big(5001);
  EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(frame, big, "frame 5"); },
                         ErrorKind::Corrupt, "frame 5"));
}

TEST(Zstd, FrameWithoutContentSizeDecodingToMoreIsCorrupt) {
  const Bytes frame = raw_block_frame(Bytes(100, 1), std::nullopt);
  Bytes check(100);
  amber::zstd_decompress_frame(frame, check, "frame 0");  // the crafted frame itself is valid
  EXPECT_EQ(check, Bytes(100, 1));
  Bytes dst(50);
  EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(frame, dst, "frame 1 of array 2"); },
                         ErrorKind::Corrupt, "frame 1 of array 2"));
}

TEST(Zstd, FrameWithoutContentSizeDecodingToLessIsCorrupt) {
  const Bytes frame = raw_block_frame(Bytes(30, 1), std::nullopt);
  Bytes dst(50);
  EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(frame, dst, "frame 0"); },
                         ErrorKind::Corrupt, "frame 0"));
}

TEST(Zstd, HeaderClaimingHugeContentSizeIsCorrupt) {
  const Bytes frame = raw_block_frame(Bytes(64, 2), uint64_t{1} << 60);
  Bytes dst(64);
  EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(frame, dst, "frame 0"); },
                         ErrorKind::Corrupt, "frame 0"));
}

TEST(Zstd, TwoConcatenatedFramesAreCorrupt) {
  const Bytes a = amber::zstd_compress_frame(Bytes(10, 1), 3);
  const Bytes b = amber::zstd_compress_frame(Bytes(10, 2), 3);
  Bytes both = a;
  both.insert(both.end(), b.begin(), b.end());
  Bytes dst(20);
  EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(both, dst, "frame 0"); },
                         ErrorKind::Corrupt, "frame 0"));
  Bytes first(10);
  EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(both, first, "frame 0"); },
                         ErrorKind::Corrupt, "frame 0"));
}

TEST(Zstd, TrailingByteAfterFrameIsCorrupt) {
  Bytes frame = amber::zstd_compress_frame(Bytes(10, 1), 3);
  frame.push_back(0);
  Bytes dst(10);
  EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(frame, dst, "frame 0"); },
                         ErrorKind::Corrupt, "frame 0"));
}

TEST(Zstd, TruncatedFrameIsCorrupt) {
  const Bytes src = pattern_bytes(3000, 1);
  const Bytes frame = amber::zstd_compress_frame(src, 3);
  for (size_t len = 0; len < frame.size(); ++len) {
    const Bytes cut(frame.begin(), frame.begin() + static_cast<ptrdiff_t>(len));
    Bytes dst(src.size());
    EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(cut, dst, "frame 0"); },
                           ErrorKind::Corrupt, "frame 0"))
        << "cut at " << len;
  }
}

TEST(Zstd, GarbageIsCorrupt) {
  for (uint32_t seed = 0; seed < 50; ++seed) {
    const Bytes garbage = pattern_bytes(1 + seed * 7, seed);
    Bytes dst(100);
    EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(garbage, dst, "frame 0"); },
                           ErrorKind::Corrupt, "frame 0"))
        << "seed " << seed;
  }
}

TEST(Zstd, SkippableFrameIsNotAContentFrame) {
  // Magic 0x184D2A50, 4-byte length, then that many bytes: valid zstd, but carries no content.
  const Bytes skippable = {0x50, 0x2A, 0x4D, 0x18, 4, 0, 0, 0, 1, 2, 3, 4};
  Bytes dst(4);
  EXPECT_TRUE(ThrowsKind([&] { amber::zstd_decompress_frame(skippable, dst, "frame 0"); },
                         ErrorKind::Corrupt, "frame 0"));
}

}  // namespace
