// Tests of hashing.hpp: XXH3-64 and SHA-256 against published values.
#include "format/hashing.hpp"

#include <gtest/gtest.h>

#include <string_view>

#include "test_files.hpp"

namespace {

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Xxh3, KnownValues) {
  EXPECT_EQ(amber::xxh3_64(as_bytes("")), 0x2d06800538d394c2ULL);
  EXPECT_EQ(amber::xxh3_64(as_bytes("abc")), 0x78af5f94892f3950ULL);
}

TEST(Xxh3, DiffersOnOneBit) {
  amber_test::Bytes bytes = amber_test::pattern_bytes(4096, 1);
  const uint64_t before = amber::xxh3_64(bytes);
  bytes[4000] ^= 0x10;
  EXPECT_NE(amber::xxh3_64(bytes), before);
}

TEST(Sha256, AbcVector) {
  EXPECT_EQ(amber::digest_hex(amber::sha256(as_bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, EmptyVector) {
  EXPECT_EQ(amber::digest_hex(amber::sha256(as_bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, TwoBlockVector) {
  EXPECT_EQ(amber::digest_hex(amber::sha256(
                as_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  const amber_test::Bytes bytes = amber_test::pattern_bytes(100000, 2);
  amber::Sha256 sha;
  size_t at = 0;
  for (size_t step : {0, 1, 63, 64, 65, 1000, 33333}) {
    sha.update({bytes.data() + at, step});
    at += step;
  }
  sha.update({bytes.data() + at, bytes.size() - at});
  EXPECT_EQ(sha.finish(), amber::sha256(bytes));
}

}  // namespace
