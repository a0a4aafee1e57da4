// The machine-readable report of `amber inspect --json`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/manifest.hpp"

namespace amber {
class Reader;
}

namespace amber::cli {

/// Stored and decoded bytes summed over an array table.
struct ArrayTotals {
  uint64_t stored = 0;
  uint64_t decoded = 0;
};

/// Sums the table's sizes (saturating: hostile tables cannot wrap around).
ArrayTotals array_totals(const std::vector<ArrayInfo>& arrays);

/// One JSON object describing the file: exact sizes in bytes, the array table, the metadata,
/// a summary of the graph, and with `full_graph` the graph itself.
std::string json_report(const std::string& path, const Reader& reader, bool full_graph);

}  // namespace amber::cli
