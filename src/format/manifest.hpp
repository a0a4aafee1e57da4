// The manifest's array table: parsing with every rule of docs/format.md §2-3, and writing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/dtype.hpp"
#include "format/limits.hpp"

namespace simdjson::dom {
class element;
}

namespace amber {

enum class Codec { Raw, Zstd };

/// One entry of the array table, validated.
struct ArrayInfo {
  std::string name;  ///< label for people; may be empty
  DType dtype = DType::UInt8;
  std::vector<uint64_t> shape;
  uint64_t offset = 0;  ///< relative to the data section
  uint64_t length = 0;  ///< stored bytes
  uint64_t decoded_length = 0;
  Codec codec = Codec::Raw;
  bool shuffle = false;
  uint64_t chunk = 0;            ///< zstd: decoded bytes per frame
  std::vector<uint64_t> frames;  ///< zstd: stored length of each frame
  int level = 0;                 ///< zstd level, information only (0 = unknown)
  uint64_t xxh3 = 0;
  /// Product of the shape (1 for a 0-d array).
  uint64_t element_count() const;
};

/// "array 3 'coef_'": how messages name an array.
std::string describe_array(size_t index, const ArrayInfo& info);

/// Validates the array table of a parsed manifest and returns it. `data_length` comes from
/// the header; `file_minor` decides whether unknown keys are errors. Throws Error.
std::vector<ArrayInfo> parse_array_table(const simdjson::dom::element& arrays, uint64_t data_length,
                                         uint16_t file_minor, const Limits& limits);

/// Writes one array entry as JSON, exactly as parse_array_table reads it back.
void append_array_entry_json(std::string& out, const ArrayInfo& info);

}  // namespace amber
