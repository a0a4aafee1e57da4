// A file changed while a Reader has it open (docs/format.md §8): renamed over, or written in place
// (a mapped file shows the change; a small file, read at open, does not).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "test_files.hpp"

namespace {

using amber::DType;
using amber::ErrorKind;
using amber_test::Bytes;
using amber_test::ThrowsKind;

std::array<uint8_t, 32> write_model(const std::filesystem::path& path, const Bytes& values) {
  amber::Writer writer;
  writer.add_array({"raw", DType::UInt8, {values.size()}, values, {false}});
  writer.add_array({"packed", DType::UInt8, {values.size()}, values, {}});
  writer.set_metadata_json("{\"version\":" + std::to_string(values[0]) + "}");
  return writer.write(path);
}

TEST(FileChange, RenamedOverFileKeepsTheOldContentForAnOpenReader) {
  amber_test::TempDir dir;
  const auto path = dir.path() / "model.amber";
  const Bytes old_values(5000, 1), new_values(7000, 2);
  const auto old_digest = write_model(path, old_values);
  amber::Reader old_reader = amber::Reader::open(path);
  const auto new_digest = write_model(path, new_values);  // atomic rename over the old file
  ASSERT_NE(old_digest, new_digest);
  for (size_t i = 0; i < 2; ++i) {
    const auto data = old_reader.array(i, true);
    EXPECT_EQ(Bytes(data.bytes.begin(), data.bytes.end()), old_values) << i;
  }
  EXPECT_NO_THROW(old_reader.verify());
  EXPECT_EQ(old_reader.footer().content_digest, old_digest);
  amber::Reader new_reader = amber::Reader::open(path);
  EXPECT_EQ(new_reader.footer().content_digest, new_digest);
  const auto data = new_reader.array(0, true);
  EXPECT_EQ(Bytes(data.bytes.begin(), data.bytes.end()), new_values);
}

/// Overwrites one byte of the file itself, as another program might (outside the contract).
bool write_byte_in_place(const std::filesystem::path& path, uint64_t at, uint8_t value) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool written = ::pwrite(fd, &value, 1, static_cast<off_t>(at)) == 1;
  ::close(fd);
  return written;
}

/// Values big enough that the file is mapped, not read at open.
Bytes mapped_size_values() { return Bytes(amber::Reader::kReadBelowBytes, 1); }

TEST(FileChange, InPlaceWriteAfterOpenIsFoundByChecksumAndVerify) {
  amber_test::TempDir dir;
  const auto path = dir.path() / "model.amber";
  write_model(path, mapped_size_values());
  amber::Reader reader = amber::Reader::open(path);
  ASSERT_NO_THROW(reader.verify());
  const uint64_t at = reader.header().data_offset + reader.arrays()[0].offset + 123;
  const uint8_t changed = 0x7F;
  ASSERT_TRUE(write_byte_in_place(path, at, changed));
  EXPECT_EQ(reader.file_bytes()[at], changed) << "the mapping should see the change";
  EXPECT_TRUE(
      ThrowsKind([&] { reader.check_checksum(0); }, ErrorKind::ChecksumMismatch, "array 0 'raw'"));
  EXPECT_TRUE(
      ThrowsKind([&] { reader.array(0, true); }, ErrorKind::ChecksumMismatch, "array 0 'raw'"));
  EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, ErrorKind::ChecksumMismatch, "array 0 'raw'"));
  EXPECT_NO_THROW(reader.array(1, true));
}

TEST(FileChange, InPlaceWriteToACompressedArrayIsFound) {
  amber_test::TempDir dir;
  const auto path = dir.path() / "model.amber";
  write_model(path, mapped_size_values());
  amber::Reader reader = amber::Reader::open(path);
  ASSERT_EQ(reader.arrays()[1].codec, amber::Codec::Zstd);
  const uint64_t at = reader.header().data_offset + reader.arrays()[1].offset + 5;
  const uint8_t changed = static_cast<uint8_t>(reader.file_bytes()[at] ^ 0xFF);
  ASSERT_TRUE(write_byte_in_place(path, at, changed));
  EXPECT_TRUE(
      ThrowsKind([&] { reader.array(1, true); }, ErrorKind::ChecksumMismatch, "array 1 'packed'"));
  EXPECT_TRUE(ThrowsKind([&] { reader.verify(); }, ErrorKind::ChecksumMismatch, "array 1"));
}

TEST(FileChange, FromBufferCopiesAreImmuneToLaterChanges) {
  amber_test::TempDir dir;
  const auto path = dir.path() / "model.amber";
  write_model(path, Bytes(5000, 1));
  const Bytes bytes = amber_test::read_file(path);
  amber::Reader reader = amber_test::open_bytes(bytes);
  write_model(path, Bytes(5000, 9));
  EXPECT_NO_THROW(reader.verify());
  EXPECT_EQ(reader.array(0, true).bytes[0], 1);
}

TEST(FileChange, ASmallFileIsReadAtOpenAndKeepsItsContent) {
  amber_test::TempDir dir;
  const auto path = dir.path() / "model.amber";
  const Bytes values(5000, 1);
  write_model(path, values);
  amber::Reader reader = amber::Reader::open(path);
  ASSERT_LT(reader.file_bytes().size(), amber::Reader::kReadBelowBytes);
  const uint64_t at = reader.header().data_offset + reader.arrays()[0].offset + 123;
  const uint8_t changed = 0x7F;
  ASSERT_TRUE(write_byte_in_place(path, at, changed));
  EXPECT_EQ(reader.file_bytes()[at], 1) << "the bytes read at open should not change";
  const auto data = reader.array(0, true);
  EXPECT_EQ(Bytes(data.bytes.begin(), data.bytes.end()), values);
  EXPECT_NO_THROW(reader.verify());
}

}  // namespace
