// A file over 4 GiB: the second array starts past 2^32, so 32-bit offset bugs would show.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <chrono>
#include <cstdlib>

#include "test_files.hpp"

namespace {

using amber::DType;
using amber_test::Bytes;

constexpr uint64_t kBigSize = (uint64_t{9} << 30) / 2;  // 4.5 GiB

/// An anonymous private mapping: reads as zeros and uses no memory until written.
class ZeroMapping {
 public:
  explicit ZeroMapping(size_t size) : size_(size) {
    address_ = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  }
  ~ZeroMapping() {
    if (address_ != MAP_FAILED) munmap(address_, size_);
  }
  bool ok() const { return address_ != MAP_FAILED; }
  std::span<const uint8_t> bytes() const { return {static_cast<const uint8_t*>(address_), size_}; }

 private:
  void* address_;
  size_t size_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(LargeOffsets, SecondArrayPast4GiB) {
  if (std::getenv("AMBER_SKIP_LARGE")) GTEST_SKIP() << "AMBER_SKIP_LARGE is set";
  const std::filesystem::path scratch = AMBER_TEST_SCRATCH;
  std::filesystem::create_directories(scratch);
  if (std::filesystem::space(scratch).available < kBigSize + (uint64_t{2} << 30)) {
    GTEST_SKIP() << "not enough free space in " << scratch;
  }
  ZeroMapping zeros(kBigSize);
  ASSERT_TRUE(zeros.ok());
  const Bytes tail = amber_test::pattern_bytes(100003, 7);
  amber_test::TempDir dir(scratch);
  const auto path = dir.path() / "large.amber";

  auto start = std::chrono::steady_clock::now();
  amber::Writer writer;
  writer.add_array({"zeros", DType::UInt8, {kBigSize}, zeros.bytes(), {false}});
  writer.add_array({"tail", DType::UInt8, {tail.size()}, tail, {false}});
  writer.add_array({"packed", DType::UInt8, {tail.size()}, tail, {true, 1}});
  writer.write(path);
  std::cout << "[ timing ] write " << seconds_since(start) << " s\n";

  start = std::chrono::steady_clock::now();
  amber::Reader reader = amber::Reader::open(path);
  ASSERT_EQ(reader.arrays().size(), 3u);
  EXPECT_GT(reader.header().data_offset + reader.arrays()[1].offset, uint64_t{1} << 32);
  EXPECT_EQ(reader.arrays()[1].offset, (kBigSize + 63) / 64 * 64);
  for (size_t i : {1, 2}) {
    const auto data = reader.array(i, true);
    EXPECT_EQ(Bytes(data.bytes.begin(), data.bytes.end()), tail) << i;
  }
  const auto big = reader.array(0, false);
  EXPECT_TRUE(big.is_view);
  EXPECT_EQ(big.bytes.size(), kBigSize);
  EXPECT_EQ(big.bytes.data(), reader.file_bytes().data() + reader.header().data_offset);
  for (uint64_t at = 0; at < kBigSize; at += uint64_t{64} << 20) ASSERT_EQ(big.bytes[at], 0) << at;
  EXPECT_EQ(big.bytes[kBigSize - 1], 0);
  std::cout << "[ timing ] open and read " << seconds_since(start) << " s\n";

  start = std::chrono::steady_clock::now();
  EXPECT_NO_THROW(reader.verify());
  std::cout << "[ timing ] verify " << seconds_since(start) << " s\n";
}

}  // namespace
