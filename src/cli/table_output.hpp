// Output tables for `amber predict`: what the columns are called and how values are printed,
// and writers for CSV, JSON lines and .npy.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "runtime/method.hpp"

namespace amber::rt {
class Model;
struct Labels;
}  // namespace amber::rt

namespace amber::cli {

/// The columns a method's output has and how to give them back as scikit-learn does.
struct OutputSpec {
  std::vector<std::string> names;  ///< CSV header and JSON keys: class names, "predict", ...
  const rt::Labels* labels =
      nullptr;           ///< set when values are class indices (a classifier's predict)
  bool squeeze = false;  ///< .npy: one column is written as a 1-D array
  size_t width() const noexcept { return names.size(); }

  static OutputSpec of(const rt::Model& model, rt::Method method);
};

/// Writes rows of runtime output (rows x width doubles, row-major) in one format.
class TableWriter {
 public:
  virtual ~TableWriter() = default;
  virtual void write(const double* values, size_t rows) = 0;
  /// Completes the output (the .npy header's row count). Throws Error(Io) on a write failure.
  virtual void finish() = 0;
};

/// Writers onto file descriptor `fd` (not closed); `name` names it in errors.
std::unique_ptr<TableWriter> open_csv_writer(int fd, std::string name, const OutputSpec& spec);
std::unique_ptr<TableWriter> open_jsonl_writer(int fd, std::string name, const OutputSpec& spec);
/// `fd` must be a regular file at offset 0: the header is rewritten once the rows are counted.
std::unique_ptr<TableWriter> open_npy_writer(int fd, std::string name, const OutputSpec& spec);

/// Appends all of `data` to `fd`; throws Error(Io) naming `name` on failure.
void write_all(int fd, const std::string& name, std::string_view data);
/// The class index in a Predict output, checked against the labels.
size_t label_index(double value, const rt::Labels& labels);
/// Appends `value` so that it reads back to the same double ("nan", "inf", "-inf" included).
void append_double(std::string& out, double value);
/// Appends label `i` as text (CSV) or as a JSON value.
void append_label(std::string& out, const rt::Labels& labels, size_t i, bool json);

}  // namespace amber::cli
