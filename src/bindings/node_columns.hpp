// Node columns as the native loader passes read them: integer columns of any width, node offsets,
// and the first defect handed back to Python (bind_tree_nodes.cpp, bind_predictor_nodes.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "bindings/bindings.hpp"
#include "format/error.hpp"

namespace amber::py {

using AnyColumn = nb::ndarray<nb::ro, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using Doubles = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using Int64s = nb::ndarray<const int64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
/// A uint8 view of a structured records array: one row per node.
using Records = nb::ndarray<uint8_t, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

/// Throws InvalidArgument for a call the Python reader should never make.
[[noreturn]] inline void misuse(const char* function, const std::string& what) {
  throw Error(ErrorKind::InvalidArgument, std::string(function) + "(): " + what);
}

/// An integer column of any width and signedness, read as int64. An unsigned value above
/// INT64_MAX reads as INT64_MAX: out of every range checked, never wrapped to -1 (a leaf).
class IntColumn {
 public:
  IntColumn(const AnyColumn& array, const char* function, const char* name)
      : data_(array.data()), size_(array.size()) {
    const auto dtype = array.dtype();
    const bool is_signed = dtype.code == static_cast<uint8_t>(nb::dlpack::dtype_code::Int);
    const bool is_unsigned = dtype.code == static_cast<uint8_t>(nb::dlpack::dtype_code::UInt);
    const bool width_ok =
        dtype.bits == 8 || dtype.bits == 16 || dtype.bits == 32 || dtype.bits == 64;
    if (!(is_signed || is_unsigned) || !width_ok || dtype.lanes != 1) {
      misuse(function, std::string(name) + " must be an integer array");
    }
    kind_ = (is_signed ? 0 : 4) + (dtype.bits == 8    ? 0
                                   : dtype.bits == 16 ? 1
                                   : dtype.bits == 32 ? 2
                                                      : 3);
  }

  size_t size() const { return size_; }

  /// The elements as T when T is the column's own type (read in place, not widened), else
  /// nullptr. Not for uint64, which copy() clamps.
  template <typename T>
  const T* typed() const {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, uint64_t>);
    constexpr int width = sizeof(T) == 1 ? 0 : sizeof(T) == 2 ? 1 : sizeof(T) == 4 ? 2 : 3;
    constexpr int kind = (std::is_signed_v<T> ? 0 : 4) + width;
    return kind_ == kind ? static_cast<const T*>(data_) : nullptr;
  }

  /// Elements [a, b) into `out`, widened to int64 (one dispatch per call, not per element).
  void copy(size_t a, size_t b, std::vector<int64_t>& out) const {
    out.resize(b - a);
    switch (kind_) {
      case 0:
        return widen<int8_t>(a, b, out);
      case 1:
        return widen<int16_t>(a, b, out);
      case 2:
        return widen<int32_t>(a, b, out);
      case 3:
        return widen<int64_t>(a, b, out);
      case 4:
        return widen<uint8_t>(a, b, out);
      case 5:
        return widen<uint16_t>(a, b, out);
      case 6:
        return widen<uint32_t>(a, b, out);
      default: {
        constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
        const auto* in = static_cast<const uint64_t*>(data_) + a;
        for (size_t i = 0; i < b - a; ++i) out[i] = static_cast<int64_t>(std::min(in[i], kMax));
      }
    }
  }

 private:
  template <typename T>
  void widen(size_t a, size_t b, std::vector<int64_t>& out) const {
    const T* in = static_cast<const T*>(data_) + a;
    for (size_t i = 0; i < b - a; ++i) out[i] = static_cast<int64_t>(in[i]);
  }

  const void* data_;
  size_t size_;
  int kind_ = 3;
};

/// Where the first bad value is: tree, column, local node (the tree for per-tree columns), what.
struct Defect {
  size_t tree;
  std::string column;
  size_t node;
  std::string what;
};

/// None, or the defect as the (tree, column, local node, what) tuple the Python reader raises.
inline nb::object to_python(const std::optional<Defect>& defect) {
  if (!defect) return nb::none();
  return nb::make_tuple(defect->tree, defect->column, defect->node, defect->what);
}

/// Refuses offsets that do not start at 0 and increase strictly, or that run past a column.
inline void check_offsets(const char* function, const Int64s& offsets,
                          const std::vector<size_t>& sizes) {
  if (offsets.size() < 2 || offsets(0) != 0) {
    misuse(function, "offsets must start at 0, one tree or more");
  }
  for (size_t t = 0; t + 1 < offsets.size(); ++t) {
    if (offsets(t + 1) <= offsets(t)) misuse(function, "offsets must increase strictly");
  }
  const auto n = static_cast<size_t>(offsets(offsets.size() - 1));
  for (size_t size : sizes) {
    if (size < n) misuse(function, "a column or the records are shorter than the nodes");
  }
}

/// Writes `value` at byte `offset` of a record; a negative offset is a field the installed
/// scikit-learn does not have.
template <typename T>
void put(uint8_t* record, int64_t offset, T value) {
  if (offset >= 0) std::memcpy(record + offset, &value, sizeof(T));
}

}  // namespace amber::py
