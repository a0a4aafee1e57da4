// Tests of json_check.hpp: the JSON rules the format adds (UTF-8, duplicate keys, caps).
#include "format/json_check.hpp"

#include <gtest/gtest.h>

#include <string>

#include "test_files.hpp"

namespace {

using amber::ErrorKind;
using amber_test::ThrowsKind;

testing::AssertionResult ParseThrows(const std::string& text, ErrorKind kind,
                                     const amber::Limits& limits = {}) {
  return ThrowsKind([&] { amber::JsonDocument(text, "manifest", limits); }, kind, "manifest");
}

std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonCheck, AcceptsValidJson) {
  EXPECT_NO_THROW(amber::JsonDocument("{\"a\":[1,2,{\"b\":null}],\"c\":\"\xc3\xa9\"}", "m", {}));
  EXPECT_NO_THROW(amber::JsonDocument("null", "m", {}));
  EXPECT_NO_THROW(amber::JsonDocument("{\"a\":{\"x\":1},\"b\":{\"x\":1}}", "m", {}));
}

TEST(JsonCheck, RefusesInvalidJson) {
  for (const char* text : {"", "{", "{\"a\":}", "[1,]", "{\"a\":1}x", "{'a':1}", "nul"}) {
    EXPECT_TRUE(ParseThrows(text, ErrorKind::InvalidManifest)) << text;
  }
}

TEST(JsonCheck, RefusesDuplicateKeysAtAnyDepth) {
  EXPECT_TRUE(ParseThrows("{\"a\":1,\"a\":2}", ErrorKind::InvalidManifest));
  EXPECT_TRUE(
      ParseThrows("{\"x\":[{\"y\":{\"a\":1,\"b\":2,\"a\":3}}]}", ErrorKind::InvalidManifest));
  EXPECT_TRUE(ParseThrows("[[[[{\"k\":1,\"k\":1}]]]]", ErrorKind::InvalidManifest));
}

TEST(JsonCheck, KeysEqualAfterUnescapingAreDuplicates) {
  EXPECT_TRUE(ParseThrows("{\"a\":1,\"\\u0061\":2}", ErrorKind::InvalidManifest));
}

TEST(JsonCheck, RefusesInvalidUtf8) {
  EXPECT_TRUE(ParseThrows("{\"a\":\"\xff\"}", ErrorKind::InvalidManifest));
  EXPECT_TRUE(ParseThrows("{\"a\":\"\xc3\"}", ErrorKind::InvalidManifest));          // cut
  EXPECT_TRUE(ParseThrows("{\"a\":\"\xc0\xaf\"}", ErrorKind::InvalidManifest));      // overlong
  EXPECT_TRUE(ParseThrows("{\"a\":\"\xed\xa0\x80\"}", ErrorKind::InvalidManifest));  // surrogate
  EXPECT_TRUE(ParseThrows("{\"\xfe\":1}", ErrorKind::InvalidManifest));              // in a key
}

TEST(JsonCheck, DepthCapWith100000NestedBrackets) {
  EXPECT_TRUE(ParseThrows(nested(100000), ErrorKind::LimitExceeded));
  // Never closed: too deep and not JSON at once; either kind is right, but it must be refused.
  const bool deep = ParseThrows(std::string(100000, '['), ErrorKind::LimitExceeded);
  const bool invalid = ParseThrows(std::string(100000, '['), ErrorKind::InvalidManifest);
  EXPECT_TRUE(deep || invalid);
}

TEST(JsonCheck, DepthCapIsExact) {
  amber::Limits limits;
  limits.max_json_depth = 8;
  EXPECT_NO_THROW(amber::JsonDocument(nested(8), "manifest", limits));
  EXPECT_TRUE(ParseThrows(nested(9), ErrorKind::LimitExceeded, limits));
  EXPECT_TRUE(ParseThrows("{\"a\":" + nested(8) + "}", ErrorKind::LimitExceeded, limits));
}

TEST(JsonCheck, DepthCapHasACeiling) {
  amber::Limits limits;
  limits.max_json_depth = amber::kMaxJsonDepthCeiling;
  EXPECT_NO_THROW(amber::JsonDocument(nested(amber::kMaxJsonDepthCeiling), "manifest", limits));
  limits.max_json_depth = amber::kMaxJsonDepthCeiling + 1;
  EXPECT_TRUE(ParseThrows("[]", ErrorKind::InvalidArgument, limits));
}

TEST(JsonCheck, DefaultDepthIs256) {
  EXPECT_NO_THROW(amber::JsonDocument(nested(256), "manifest", {}));
  EXPECT_TRUE(ParseThrows(nested(257), ErrorKind::LimitExceeded));
}

TEST(JsonCheck, ValueCountCap) {
  amber::Limits limits;
  limits.max_json_values = 100;
  std::string small = "[";
  for (int i = 0; i < 50; ++i) small += i ? ",1" : "1";
  small += "]";
  EXPECT_NO_THROW(amber::JsonDocument(small, "manifest", limits));
  std::string big = "[";
  for (int i = 0; i < 1000; ++i) big += i ? ",1" : "1";
  big += "]";
  EXPECT_TRUE(ParseThrows(big, ErrorKind::LimitExceeded, limits));
  std::string keys = "{";
  for (int i = 0; i < 200; ++i) keys += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":{}";
  keys += "}";
  EXPECT_TRUE(ParseThrows(keys, ErrorKind::LimitExceeded, limits));
}

TEST(JsonCheck, MessageNamesTheRegion) {
  EXPECT_TRUE(ThrowsKind([] { amber::JsonDocument("{\"a\":1,\"a\":1}", "signature block", {}); },
                         ErrorKind::InvalidManifest, "signature block"));
}

}  // namespace
