// Conversions between Python values and libamber types: Limits dicts and dtypes.
#include <nanobind/stl/string.h>

#include <cstdint>
#include <limits>
#include <string>

#include "bindings/bindings.hpp"
#include "format/error.hpp"

namespace amber::py {
namespace {

using dlcode = nb::dlpack::dtype_code;

template <typename Field>
void set_field(Field& field, nb::handle value, const std::string& where) {
  uint64_t v = 0;
  if (!nb::try_cast(value, v) || v > std::numeric_limits<Field>::max()) {
    throw Error(ErrorKind::InvalidArgument, where + ": must be an integer in [0, " +
                                                std::to_string(std::numeric_limits<Field>::max()) +
                                                "]");
  }
  field = static_cast<Field>(v);
}

// Sets the field of `limits` named `key`; false when there is no such field.
bool set_limit(Limits& limits, const std::string& key, nb::handle value, const std::string& where) {
  if (key == "max_manifest_bytes")
    set_field(limits.max_manifest_bytes, value, where);
  else if (key == "max_json_depth")
    set_field(limits.max_json_depth, value, where);
  else if (key == "max_json_values")
    set_field(limits.max_json_values, value, where);
  else if (key == "max_arrays")
    set_field(limits.max_arrays, value, where);
  else if (key == "max_rank")
    set_field(limits.max_rank, value, where);
  else if (key == "max_decoded_bytes")
    set_field(limits.max_decoded_bytes, value, where);
  else if (key == "max_signature_bytes")
    set_field(limits.max_signature_bytes, value, where);
  else
    return false;
  return true;
}

nb::dlpack::dtype make(dlcode code, uint8_t bits) {
  return nb::dlpack::dtype{static_cast<uint8_t>(code), bits, 1};
}

}  // namespace

Limits limits_from_dict(const std::optional<nb::dict>& dict, const char* where) {
  Limits limits;
  if (!dict) return limits;
  for (auto [key, value] : *dict) {
    std::string name = nb::isinstance<nb::str>(key) ? nb::cast<std::string>(key) : "";
    std::string context = std::string(where) + ": limit '" + name + "'";
    if (!set_limit(limits, name, value, context)) {
      throw Error(ErrorKind::InvalidArgument,
                  std::string(where) + ": unknown limit '" + nb::str(key).c_str() + "'");
    }
  }
  return limits;
}

nb::dlpack::dtype to_dlpack(DType dtype) {
  switch (dtype) {
    case DType::Bool:
      return make(dlcode::Bool, 8);
    case DType::Int8:
      return make(dlcode::Int, 8);
    case DType::Int16:
      return make(dlcode::Int, 16);
    case DType::Int32:
      return make(dlcode::Int, 32);
    case DType::Int64:
      return make(dlcode::Int, 64);
    case DType::UInt8:
      return make(dlcode::UInt, 8);
    case DType::UInt16:
      return make(dlcode::UInt, 16);
    case DType::UInt32:
      return make(dlcode::UInt, 32);
    case DType::UInt64:
      return make(dlcode::UInt, 64);
    case DType::Float16:
      return make(dlcode::Float, 16);
    case DType::Float32:
      return make(dlcode::Float, 32);
    case DType::Float64:
      return make(dlcode::Float, 64);
    case DType::Complex64:
      return make(dlcode::Complex, 64);
    case DType::Complex128:
      return make(dlcode::Complex, 128);
    case DType::String:
      break;
  }
  throw Error(ErrorKind::InvalidArgument, "to_dlpack(): string arrays have no DLPack dtype");
}

std::optional<DType> from_dlpack(nb::dlpack::dtype dtype) {
  if (dtype.lanes != 1) return std::nullopt;
  for (int k = 0; k < static_cast<int>(DType::String); ++k) {
    auto candidate = static_cast<DType>(k);
    if (to_dlpack(candidate) == dtype) return candidate;
  }
  return std::nullopt;
}

}  // namespace amber::py
