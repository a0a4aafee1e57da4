// Tests of safe_math.hpp: overflow-checked add, multiply and align64.
#include "format/safe_math.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

TEST(SafeMath, AddDetectsOverflow) {
  EXPECT_EQ(amber::checked_add(1, 2), 3u);
  EXPECT_EQ(amber::checked_add(kMax - 1, 1), kMax);
  EXPECT_FALSE(amber::checked_add(kMax, 1));
  EXPECT_FALSE(amber::checked_add(kMax / 2 + 1, kMax / 2 + 1));
}

TEST(SafeMath, MulDetectsOverflow) {
  EXPECT_EQ(amber::checked_mul(0, kMax), 0u);
  EXPECT_EQ(amber::checked_mul(uint64_t{1} << 32, (uint64_t{1} << 32) - 1),
            (uint64_t{1} << 32) * ((uint64_t{1} << 32) - 1));
  EXPECT_FALSE(amber::checked_mul(uint64_t{1} << 32, uint64_t{1} << 32));
  EXPECT_FALSE(amber::checked_mul(kMax, 2));
}

TEST(SafeMath, Align64) {
  EXPECT_EQ(amber::align64(0), 0u);
  EXPECT_EQ(amber::align64(1), 64u);
  EXPECT_EQ(amber::align64(64), 64u);
  EXPECT_EQ(amber::align64(65), 128u);
  EXPECT_EQ(amber::align64(kMax - 63), kMax - 63);  // already a multiple of 64
  EXPECT_FALSE(amber::align64(kMax - 62));
  EXPECT_FALSE(amber::align64(kMax));
}

}  // namespace
