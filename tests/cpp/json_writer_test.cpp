// Tests of json_writer.hpp: string escaping and checksum hex, read back by the JSON checker.
#include "format/json_writer.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "format/json_check.hpp"
#include "test_files.hpp"

namespace {

std::string read_back(const std::string& literal) {
  amber::JsonDocument doc(literal, "test", {});
  std::string_view value;
  EXPECT_FALSE(doc.root().get(value)) << literal;
  return std::string(value);
}

TEST(JsonWriter, StringsRoundTrip) {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls += static_cast<char>(c);
  for (const std::string& s :
       {std::string(""), std::string("plain"), std::string("q\"b\\s/"), all_controls,
        std::string("\x7f\xc3\xa9\xf0\x9f\x8e\x89"), std::string("nul\0inside", 10)}) {
    std::string out;
    amber::append_json_string(out, s);
    EXPECT_EQ(read_back(out), s);
  }
}

TEST(JsonWriter, Hex64IsSixteenLowercaseDigits) {
  EXPECT_EQ(amber::hex64(0), "0000000000000000");
  EXPECT_EQ(amber::hex64(0x0123456789ABCDEFULL), "0123456789abcdef");
  EXPECT_EQ(amber::hex64(~0ULL), "ffffffffffffffff");
}

TEST(JsonWriter, OddArrayNamesRoundTripThroughAFile) {
  const std::string names[] = {"coef_", "a\"b\\c\n\t\x01", "\xc3\xa9\xe6\x97\xa5", ""};
  amber::Writer writer;
  const amber_test::Bytes bytes(4, 1);
  for (const auto& name : names) writer.add_array({name, amber::DType::UInt8, {4}, bytes, {false}});
  const amber_test::Bytes file = writer.to_bytes();
  amber::Reader reader = amber_test::open_bytes(file);
  for (size_t i = 0; i < std::size(names); ++i) EXPECT_EQ(reader.arrays()[i].name, names[i]);
}

TEST(JsonWriter, ArrayNameWithInvalidUtf8IsRefused) {
  amber::Writer writer;
  const amber_test::Bytes bytes(4, 1);
  EXPECT_TRUE(amber_test::ThrowsKind(
      [&] {
        writer.add_array({"bad\xff", amber::DType::UInt8, {4}, bytes, {false}});
        writer.to_bytes();
      },
      amber::ErrorKind::InvalidArgument));
}

}  // namespace
