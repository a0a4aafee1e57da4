// Tests of writer.hpp's refusals: what a caller may not ask for, and atomic replacement.
#include "format/writer.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "test_files.hpp"

namespace {

using amber::DType;
using amber::ErrorKind;
using amber_test::Bytes;
using amber_test::ThrowsKind;

/// Adds one array to a fresh writer and produces the bytes.
void write_one(amber::ArrayInput input) {
  amber::Writer writer;
  writer.add_array(std::move(input));
  writer.to_bytes();
}

TEST(Writer, ByteCountMustMatchTheShape) {
  const Bytes bytes(12);
  EXPECT_TRUE(ThrowsKind(
      [&] {
        write_one({"x", DType::Float64, {2}, bytes, {}});
      },
      ErrorKind::InvalidArgument, "array 0 'x'"));
  EXPECT_TRUE(ThrowsKind(
      [&] {
        write_one({"x", DType::Int32, {}, bytes, {}});
      },
      ErrorKind::InvalidArgument, "array 0"));
}

TEST(Writer, OverflowingShapeIsRefused) {
  const Bytes bytes(8);
  const uint64_t big = uint64_t{1} << 40;
  EXPECT_TRUE(ThrowsKind(
      [&] {
        write_one({"x", DType::UInt8, {big, big}, bytes, {}});
      },
      ErrorKind::InvalidArgument, "array 0"));
}

// A shape whose element count is 2^64 - 1 makes n + 1 wrap to 0 in the string-offset check.
TEST(Writer, StringShapeOfMaxUint64IsRefused) {
  const Bytes bytes(8, 0);
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  EXPECT_TRUE(ThrowsKind(
      [&] {
        write_one({"s", DType::String, {max}, bytes, {false}});
      },
      ErrorKind::InvalidArgument, "array 0"));
}

TEST(Writer, BadStringLayoutIsRefused) {
  Bytes layout = amber::encode_string_array(std::vector<std::string_view>{"ab", "c"});
  layout[8] = 5;  // offsets[1] past the text
  EXPECT_TRUE(ThrowsKind(
      [&] {
        write_one({"s", DType::String, {2}, layout, {}});
      },
      ErrorKind::InvalidArgument));
  EXPECT_TRUE(ThrowsKind(
      [&] {
        write_one({"s", DType::String, {2}, Bytes(8), {}});
      },
      ErrorKind::InvalidArgument));
}

TEST(Writer, InvalidUtf8StringIsRefused) {
  const std::string_view bad[] = {"ok", "\xff"};
  EXPECT_TRUE(ThrowsKind([&] { amber::encode_string_array(bad); }, ErrorKind::InvalidArgument));
}

// §3.2: "writers MUST write 0 or 1" for bool.
TEST(Writer, BoolOtherThanZeroOrOneIsRefused) {
  const Bytes bytes = {0, 1, 2};
  EXPECT_TRUE(ThrowsKind(
      [&] {
        write_one({"b", DType::Bool, {3}, bytes, {false}});
      },
      ErrorKind::InvalidArgument, "array 0 'b'"));
}

TEST(Writer, BadCodecSettingsAreRefused) {
  const Bytes bytes(640, 1);
  for (int level : {0, 20, -1}) {
    EXPECT_TRUE(ThrowsKind(
        [&] {
          write_one({"x", DType::UInt8, {640}, bytes, {true, level}});
        },
        ErrorKind::InvalidArgument, "array 0 'x'"))
        << level;
  }
  EXPECT_TRUE(ThrowsKind(
      [&] {
        write_one({"x", DType::UInt8, {640}, bytes, {true, 3, amber::FilterChoice::None, 0}});
      },
      ErrorKind::InvalidArgument, "array 0 'x'"));
}

TEST(Writer, RankOverTheCapIsRefused) {
  const Bytes bytes(1);
  EXPECT_TRUE(ThrowsKind(
      [&] {
        write_one({"x", DType::UInt8, std::vector<uint64_t>(33, 1), bytes, {}});
      },
      ErrorKind::InvalidArgument, "array 0"));
}

// §6: InvalidArgument is "a caller asked the writer for something invalid".
TEST(Writer, InvalidGraphOrMetadataIsInvalidArgument) {
  amber::Writer writer;
  EXPECT_TRUE(ThrowsKind([&] { writer.set_graph_json("{"); }, ErrorKind::InvalidArgument, "graph"));
  EXPECT_TRUE(ThrowsKind([&] { writer.set_graph_json("{\"a\":1,\"a\":2}"); },
                         ErrorKind::InvalidArgument, "graph"));
  EXPECT_TRUE(
      ThrowsKind([&] { writer.set_metadata_json("[1]"); }, ErrorKind::InvalidArgument, "metadata"));
  EXPECT_TRUE(
      ThrowsKind([&] { writer.set_metadata_json("{"); }, ErrorKind::InvalidArgument, "metadata"));
}

TEST(Writer, WriterRefusesWhatItsLimitsRefuse) {
  amber::WriteOptions options;
  options.limits.max_decoded_bytes = 100;
  amber::Writer writer(options);
  const Bytes bytes(1000, 1);
  writer.add_array({"x", DType::UInt8, {1000}, bytes, {}});
  try {
    writer.to_bytes();
    ADD_FAILURE() << "a file over the writer's limits was produced";
  } catch (const amber::Error& e) {
    EXPECT_TRUE(e.kind() == ErrorKind::LimitExceeded || e.kind() == ErrorKind::InvalidArgument)
        << e.what();
  }
}

TEST(Writer, WriteReplacesAtomicallyAndLeavesNoTemporaryFile) {
  amber_test::TempDir dir;
  const auto path = dir.path() / "m.amber";
  const Bytes one(100, 1), two(200, 2);
  amber::Writer first;
  first.add_array({"x", DType::UInt8, {100}, one, {}});
  first.write(path);
  amber::Writer second;
  second.add_array({"x", DType::UInt8, {200}, two, {}});
  second.write(path);
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
    EXPECT_EQ(entry.path().filename(), "m.amber");
  }
  EXPECT_EQ(entries, 1u);
  EXPECT_EQ(amber::Reader::open(path).arrays()[0].shape, std::vector<uint64_t>{200});
}

TEST(Writer, FailedWriteLeavesTheTargetAsItWas) {
  amber_test::TempDir dir;
  const auto missing = dir.path() / "no-such-folder" / "m.amber";
  amber::Writer writer;
  EXPECT_TRUE(ThrowsKind([&] { writer.write(missing); }, ErrorKind::Io));
  EXPECT_FALSE(std::filesystem::exists(missing));
  const auto path = dir.path() / "keep.amber";
  amber::Writer good;
  good.write(path);
  const Bytes before = amber_test::read_file(path);
  EXPECT_TRUE(ThrowsKind(
      [&] {
        amber::write_atomically(
            path, [](int) { throw amber::Error(ErrorKind::Io, "simulated failure"); });
      },
      ErrorKind::Io, "simulated"));
  EXPECT_EQ(amber_test::read_file(path), before);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u) << "a temporary file was left behind";
}

}  // namespace
