// Names and item sizes of the stored element types.
#include "format/dtype.hpp"

#include <array>
#include <utility>

namespace amber {
namespace {

struct DTypeRow {
  DType dtype;
  std::string_view name;
  size_t itemsize;
};

constexpr std::array<DTypeRow, 15> kRows = {{
    {DType::Bool, "bool", 1},
    {DType::Int8, "int8", 1},
    {DType::Int16, "int16", 2},
    {DType::Int32, "int32", 4},
    {DType::Int64, "int64", 8},
    {DType::UInt8, "uint8", 1},
    {DType::UInt16, "uint16", 2},
    {DType::UInt32, "uint32", 4},
    {DType::UInt64, "uint64", 8},
    {DType::Float16, "float16", 2},
    {DType::Float32, "float32", 4},
    {DType::Float64, "float64", 8},
    {DType::Complex64, "complex64", 8},
    {DType::Complex128, "complex128", 16},
    {DType::String, "string", 0},
}};

const DTypeRow& row(DType dtype) { return kRows[static_cast<size_t>(dtype)]; }

}  // namespace

std::string_view dtype_name(DType dtype) noexcept { return row(dtype).name; }

size_t itemsize(DType dtype) noexcept { return row(dtype).itemsize; }

std::optional<DType> parse_dtype(std::string_view name) noexcept {
  for (const auto& r : kRows) {
    if (r.name == name) return r.dtype;
  }
  return std::nullopt;
}

}  // namespace amber
