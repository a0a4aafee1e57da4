// Tests of dtype.hpp and error.hpp: spec names, item sizes, error kind names.
#include "format/dtype.hpp"

#include <gtest/gtest.h>

#include "format/error.hpp"

namespace {

struct Row {
  amber::DType dtype;
  const char* name;
  size_t itemsize;
};

constexpr Row kSpec[] = {
    {amber::DType::Bool, "bool", 1},           {amber::DType::Int8, "int8", 1},
    {amber::DType::Int16, "int16", 2},         {amber::DType::Int32, "int32", 4},
    {amber::DType::Int64, "int64", 8},         {amber::DType::UInt8, "uint8", 1},
    {amber::DType::UInt16, "uint16", 2},       {amber::DType::UInt32, "uint32", 4},
    {amber::DType::UInt64, "uint64", 8},       {amber::DType::Float16, "float16", 2},
    {amber::DType::Float32, "float32", 4},     {amber::DType::Float64, "float64", 8},
    {amber::DType::Complex64, "complex64", 8}, {amber::DType::Complex128, "complex128", 16},
    {amber::DType::String, "string", 0},
};

TEST(DType, NamesAndItemSizesFollowTheSpec) {
  for (const auto& row : kSpec) {
    EXPECT_EQ(amber::dtype_name(row.dtype), row.name);
    EXPECT_EQ(amber::itemsize(row.dtype), row.itemsize) << row.name;
    EXPECT_EQ(amber::parse_dtype(row.name), row.dtype) << row.name;
  }
}

TEST(DType, UnknownNamesAreRefused) {
  for (const char* name : {"", "float", "Float64", "int128", "object", "float64 ", "<f8"}) {
    EXPECT_FALSE(amber::parse_dtype(name)) << name;
  }
}

TEST(Error, KindNamesFollowTheSpec) {
  using amber::ErrorKind;
  EXPECT_EQ(amber::kind_name(ErrorKind::Io), "Io");
  EXPECT_EQ(amber::kind_name(ErrorKind::NotAmber), "NotAmber");
  EXPECT_EQ(amber::kind_name(ErrorKind::Truncated), "Truncated");
  EXPECT_EQ(amber::kind_name(ErrorKind::Corrupt), "Corrupt");
  EXPECT_EQ(amber::kind_name(ErrorKind::ChecksumMismatch), "ChecksumMismatch");
  EXPECT_EQ(amber::kind_name(ErrorKind::DigestMismatch), "DigestMismatch");
  EXPECT_EQ(amber::kind_name(ErrorKind::InvalidManifest), "InvalidManifest");
  EXPECT_EQ(amber::kind_name(ErrorKind::LimitExceeded), "LimitExceeded");
  EXPECT_EQ(amber::kind_name(ErrorKind::UnsupportedVersion), "UnsupportedVersion");
  EXPECT_EQ(amber::kind_name(ErrorKind::InvalidArgument), "InvalidArgument");
}

TEST(Error, FailPrefixesWhere) {
  try {
    amber::fail(amber::ErrorKind::Corrupt, "array 3 'coef_'", "bad");
    FAIL() << "fail() returned";
  } catch (const amber::Error& e) {
    EXPECT_EQ(e.kind(), amber::ErrorKind::Corrupt);
    EXPECT_STREQ(e.what(), "array 3 'coef_': bad");
  }
}

}  // namespace
