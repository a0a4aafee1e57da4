// The NumPy .npy format (versions 1-3): reading and writing the header, with strict checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace amber::cli {

class ByteSource;

/// The most bytes of header text accepted (NumPy itself refuses more than 10000 by default).
inline constexpr size_t kMaxNpyHeaderBytes = 65536;
/// Every header amber writes takes exactly this many bytes, so it can be rewritten in place.
inline constexpr size_t kNpyWrittenHeaderBytes = 128;

/// A parsed .npy header.
struct NpyHeader {
  char kind = 'f';       ///< 'f' float, 'i' signed, 'u' unsigned, 'b' bool
  size_t itemsize = 8;   ///< bytes per element
  bool fortran = false;  ///< column-major data
  std::vector<uint64_t> shape;
  uint64_t data_offset = 0;  ///< where the data starts in the file
  std::string descr;         ///< as written, for messages
};

/// Reads and checks the header at the start of `source`: magic, version, length cap, the dict
/// (descr, fortran_order, shape). Only little-endian numeric and bool dtypes are accepted.
/// Throws InputError naming the file and what is wrong.
NpyHeader read_npy_header(ByteSource& source);

/// A version 1.0 header of kNpyWrittenHeaderBytes bytes for `descr` ("<f8") and `shape`.
std::string npy_header(std::string_view descr, const std::vector<uint64_t>& shape);

}  // namespace amber::cli
