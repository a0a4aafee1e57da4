// Output tables for `amber predict`: column names, exact number text, CSV and JSON lines.
#include "cli/table_output.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "format/error.hpp"
#include "format/json_writer.hpp"
#include "runtime/model.hpp"

namespace amber::cli {
namespace {

std::vector<std::string> numbered(std::string_view method, size_t width) {
  if (width == 1) return {std::string(method)};
  std::vector<std::string> names;
  for (size_t j = 0; j < width; ++j) names.push_back(std::string(method) + "_" + std::to_string(j));
  return names;
}

std::vector<std::string> label_names(const rt::Labels& labels) {
  std::vector<std::string> names;
  for (size_t i = 0; i < labels.size(); ++i) {
    std::string name;
    append_label(name, labels, i, false);
    names.push_back(std::move(name));
  }
  return names;
}

/// RFC 4180: quote a field holding a separator, a quote or a line break; double the quotes.
void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

class CsvWriter final : public TableWriter {
 public:
  CsvWriter(int fd, std::string name, const OutputSpec& spec)
      : fd_(fd), name_(std::move(name)), spec_(spec) {
    for (size_t j = 0; j < spec_.width(); ++j) {
      if (j) buffer_ += ',';
      append_csv_field(buffer_, spec_.names[j]);
    }
    buffer_ += '\n';
  }
  void write(const double* values, size_t rows) override {
    const size_t width = spec_.width();
    std::string label;
    for (size_t r = 0; r < rows; ++r) {
      for (size_t j = 0; j < width; ++j) {
        if (j) buffer_ += ',';
        const double v = values[r * width + j];
        if (!spec_.labels) {
          append_double(buffer_, v);
          continue;
        }
        label.clear();
        append_label(label, *spec_.labels, label_index(v, *spec_.labels), false);
        append_csv_field(buffer_, label);
      }
      buffer_ += '\n';
    }
    flush();
  }
  void finish() override { flush(); }

 private:
  void flush() {
    write_all(fd_, name_, buffer_);
    buffer_.clear();
  }
  int fd_;
  std::string name_;
  const OutputSpec& spec_;
  std::string buffer_;
};

/// JSON has no NaN or infinity: NaN is null, infinities are numbers too large for a double.
void append_json_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "null";
  } else if (std::isinf(v)) {
    out += v > 0 ? "1e999" : "-1e999";
  } else {
    append_double(out, v);
  }
}

class JsonlWriter final : public TableWriter {
 public:
  JsonlWriter(int fd, std::string name, const OutputSpec& spec)
      : fd_(fd), name_(std::move(name)), spec_(spec) {
    for (const auto& key : spec_.names) {
      std::string quoted;
      append_json_string(quoted, key);
      keys_.push_back(quoted + ":");
    }
  }
  void write(const double* values, size_t rows) override {
    const size_t width = spec_.width();
    for (size_t r = 0; r < rows; ++r) {
      buffer_ += '{';
      for (size_t j = 0; j < width; ++j) {
        if (j) buffer_ += ',';
        buffer_ += keys_[j];
        const double v = values[r * width + j];
        if (spec_.labels) {
          append_label(buffer_, *spec_.labels, label_index(v, *spec_.labels), true);
        } else {
          append_json_double(buffer_, v);
        }
      }
      buffer_ += "}\n";
    }
    write_all(fd_, name_, buffer_);
    buffer_.clear();
  }
  void finish() override {}

 private:
  int fd_;
  std::string name_;
  const OutputSpec& spec_;
  std::vector<std::string> keys_;
  std::string buffer_;
};

}  // namespace

OutputSpec OutputSpec::of(const rt::Model& model, rt::Method method) {
  OutputSpec spec;
  const size_t width = model.n_outputs(method);
  const rt::Labels& labels = model.labels();
  const std::string_view name = rt::method_name(method);
  const bool per_class = labels.size() > 0 && width == labels.size() && width > 1;
  if (method == rt::Method::Predict && labels.size() > 0 && width == 1) {
    spec.names = {"predict"};
    spec.labels = &labels;
  } else if (per_class && method != rt::Method::Transform && method != rt::Method::Predict) {
    spec.names = label_names(labels);
  } else {
    spec.names = numbered(name, width);
  }
  spec.squeeze = width == 1 && method != rt::Method::Transform;
  return spec;
}

void write_all(int fd, const std::string& name, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(ErrorKind::Io, name + ": cannot write: " + std::strerror(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
}

size_t label_index(double value, const rt::Labels& labels) {
  if (!(value >= 0 && value < static_cast<double>(labels.size())) || value != std::floor(value)) {
    throw std::logic_error("the runtime gave a class index outside the classes");
  }
  return static_cast<size_t>(value);
}

void append_double(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "nan";  // also for NaNs with the sign bit, which to_chars prints as "-nan"
    return;
  }
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  out.append(text, result.ptr);
}

void append_label(std::string& out, const rt::Labels& labels, size_t i, bool json) {
  if (labels.is_string) {
    if (json) return append_json_string(out, labels.strings[i]);
    out += labels.strings[i];
    return;
  }
  const double v = labels.numbers[i];
  char text[32];
  char* end = text;
  switch (labels.dtype) {
    case DType::Bool:
      out += v != 0 ? (json ? "true" : "True") : (json ? "false" : "False");
      return;
    case DType::Int8:
    case DType::Int16:
    case DType::Int32:
    case DType::Int64:
      end = std::to_chars(text, text + sizeof text, static_cast<int64_t>(v)).ptr;
      break;
    case DType::UInt8:
    case DType::UInt16:
    case DType::UInt32:
    case DType::UInt64:
      end = std::to_chars(text, text + sizeof text, static_cast<uint64_t>(v)).ptr;
      break;
    case DType::Float32:
      // The shortest text of the float32 class, as NumPy prints it ("0.1", not 0.10000000149).
      if (std::isfinite(v)) {
        end = std::to_chars(text, text + sizeof text, static_cast<float>(v)).ptr;
        break;
      }
      [[fallthrough]];
    default:
      return json ? append_json_double(out, v) : append_double(out, v);
  }
  out.append(text, end);
}

std::unique_ptr<TableWriter> open_csv_writer(int fd, std::string name, const OutputSpec& spec) {
  return std::make_unique<CsvWriter>(fd, std::move(name), spec);
}

std::unique_ptr<TableWriter> open_jsonl_writer(int fd, std::string name, const OutputSpec& spec) {
  return std::make_unique<JsonlWriter>(fd, std::move(name), spec);
}

}  // namespace amber::cli
