// The categories of one encoded feature (numeric or string, with a missing category) and the
// lookup of an input value's category index, shared by the encoder compilers.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/frame.hpp"
#include "runtime/graph_node.hpp"

namespace amber::rt::fam {

/// One feature's `categories` entry (docs/schema/preprocessing.md §Encoders).
class Categories {
 public:
  /// Reads a numeric, string or object `ndarray` node (object items: str, numbers, null, NaN).
  static Categories read(const Node& node);

  size_t size() const noexcept { return size_; }
  bool is_string() const noexcept { return is_string_; }
  /// Index of the category missing input maps to (None first, then NaN), or -1.
  int64_t missing() const noexcept { return missing_; }
  /// Whether the last category is NaN (scikit-learn's OrdinalEncoder treats it as missing).
  bool last_is_nan() const noexcept { return last_is_nan_; }
  /// The category index of row `row` of `column`, or -1 for a value not among the categories.
  int64_t find(const Column& column, size_t row) const;

 private:
  int64_t find_number(double value) const;
  int64_t find_string(std::string_view value) const;

  size_t size_ = 0;
  bool is_string_ = false;
  int64_t missing_ = -1;
  bool last_is_nan_ = false;
  std::vector<std::pair<double, int64_t>> numbers_;       ///< sorted by value
  std::vector<std::pair<std::string, int64_t>> strings_;  ///< sorted by bytes
};

}  // namespace amber::rt::fam
