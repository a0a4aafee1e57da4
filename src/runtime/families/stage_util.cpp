// Shared compiler helpers: checked fitted-member readers, input checks, NumPy-exact sums.
#include "runtime/families/stage_util.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

#include "format/error.hpp"
#include "format/per_thread.hpp"

namespace amber::rt::fam {

Node fitted_of(const Node& estimator) {
  auto fitted = estimator["fitted"];
  if (fitted.is_null()) estimator.unsupported("the estimator is not fitted");
  if (fitted.element().is_object() == false) fitted.fail("is not an object");
  return fitted;
}

Node param(const Node& estimator, std::string_view name) { return estimator["params"][name]; }

std::string short_class(const Node& estimator) {
  const auto name = estimator["class"].as_string();
  const auto colon = name.rfind(':');
  return colon == std::string::npos ? name : name.substr(colon + 1);
}

int64_t int_in(const Node& node, int64_t lo, int64_t hi) {
  const auto v = node.as_int();
  if (v < lo || v > hi) {
    node.fail("is " + std::to_string(v) + ", outside [" + std::to_string(lo) + ", " +
              std::to_string(hi) + "]");
  }
  return v;
}

void check_width(uint64_t width, const Node& where) {
  if (width > static_cast<uint64_t>(kMaxWidth)) {
    amber::fail(ErrorKind::LimitExceeded, where.path().empty() ? "graph root" : where.path(),
                "output width " + std::to_string(width) + " is over the cap of " +
                    std::to_string(kMaxWidth) + " columns");
  }
}

size_t n_features_in(const Node& fitted) {
  return static_cast<size_t>(int_in(fitted["n_features_in"], 1, kMaxWidth));
}

std::vector<double> read_vector(const Node& node) {
  const auto kind = node.kind();
  if (kind == "int" || kind == "float" || kind == "scalar") return {node.as_double()};
  if (kind == "ndarray" && node.find("items")) {  // an object array of numbers
    if (node["shape"].items().size() > 1) node.fail("is not a 0-d or 1-d array");
    std::vector<double> out;
    for (const auto& item : node["items"].items()) out.push_back(item.as_double());
    return out;
  }
  if (kind == "ndarray" && node.shape().size() > 1) node.fail("is not a 0-d or 1-d array");
  if (kind != "ndarray" && kind != "list") node.fail("is not a number or a numeric array");
  return node.doubles();
}

std::vector<double> read_vector(const Node& node, size_t size) {
  auto values = read_vector(node);
  if (values.size() != size) {
    node.fail("has " + std::to_string(values.size()) + " elements, expected " +
              std::to_string(size));
  }
  return values;
}

Matrix read_matrix(const Node& node, size_t cols) {
  if (node.kind() != "ndarray") node.fail("is not an array");
  auto shape = node.shape();
  const auto order = node.find("order");
  const bool fortran = order && order->as_string() == "F";
  if (order && !fortran) order->fail("is not \"F\"");
  if (fortran) std::reverse(shape.begin(), shape.end());  // stored as the C-order transpose
  if (shape.empty() || shape.size() > 2) node.fail("is not a 1-d or 2-d array");
  if (shape.back() != cols) {
    node.fail("has " + std::to_string(shape.back()) + " columns, expected " + std::to_string(cols) +
              " (n_features_in)");
  }
  Matrix m;
  m.rows = shape.size() == 2 ? static_cast<size_t>(shape[0]) : 1;
  m.cols = cols;
  if (m.rows == 0 || m.rows > static_cast<uint64_t>(kMaxWidth)) node.fail("has no rows");
  m.data = node.doubles();
  if (fortran && m.rows > 1) {
    std::vector<double> c_order(m.data.size());
    for (size_t r = 0; r < m.rows; ++r) {
      for (size_t j = 0; j < cols; ++j) c_order[r * cols + j] = m.data[j * m.rows + r];
    }
    m.data = std::move(c_order);
  }
  return m;
}

std::vector<size_t> read_indices(const Node& node, size_t bound) {
  std::vector<size_t> out;
  const auto kind = node.kind();
  const auto values =
      (kind == "int" || kind == "scalar") ? std::vector<int64_t>{node.as_int()} : node.ints();
  out.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] < 0 || static_cast<uint64_t>(values[i]) >= bound) {
      node.fail("index " + std::to_string(values[i]) + " at position " + std::to_string(i) +
                " is outside [0, " + std::to_string(bound) + ")");
    }
    out.push_back(static_cast<size_t>(values[i]));
  }
  return out;
}

Labels read_labels(const Node& node, size_t min_size) {
  Labels labels;
  const bool strings = node.kind() == "ndarray" && (node.find("dtype") || node.find("items"));
  if (strings) {
    labels.is_string = true;
    labels.dtype = DType::String;
    labels.strings = node.strings();
  } else {
    labels.dtype = node.array_data().info->dtype;
    labels.numbers = node.doubles();
  }
  if (labels.size() < min_size) {
    node.fail("has " + std::to_string(labels.size()) + " classes, expected at least " +
              std::to_string(min_size));
  }
  return labels;
}

void require_numeric(const Frame& in, size_t width, const std::string& who) {
  if (in.columns.size() != width) {
    amber::fail(
        ErrorKind::InvalidArgument, who,
        "got " + std::to_string(in.columns.size()) + " columns, expected " + std::to_string(width));
  }
  for (size_t j = 0; j < width; ++j) {
    if (in.columns[j].numbers == nullptr) {
      amber::fail(ErrorKind::InvalidArgument, who,
                  "column " + std::to_string(j) + " holds strings; numbers are expected");
    }
  }
}

const double* row_major_base(const Frame& in) {
  const size_t n = in.columns.size();
  if (n == 0 || in.columns[0].numbers == nullptr) return nullptr;
  const double* base = in.columns[0].numbers;
  for (size_t j = 0; j < n; ++j) {
    const auto& c = in.columns[j];
    if (c.numbers != base + j || (c.stride != n && in.rows > 1)) return nullptr;
  }
  return base;
}

void gather_row(const Frame& in, size_t row, double* dst) {
  const size_t n = in.columns.size();
  for (size_t j = 0; j < n; ++j) dst[j] = in.columns[j].number(row);
}

namespace {
struct FrameSlots;  // names this thread's frames (per_thread)
}  // namespace

Frame& frame_slot(size_t slot) {
  // A deque: growing it keeps references to the frames callers up the stack still hold.
  auto& frames = amber::per_thread<FrameSlots, std::deque<Frame>>();
  if (slot >= frames.size()) frames.resize(slot + 1);
  Frame& frame = frames[slot];
  frame.columns.clear();
  frame.rows = 0;
  return frame;
}

const Frame& row_major_frame(size_t slot, const double* data, size_t rows, size_t cols) {
  Frame& frame = frame_slot(slot);
  frame.rows = rows;
  frame.columns.resize(cols);
  for (size_t j = 0; j < cols; ++j) {
    frame.columns[j].numbers = data + j;
    frame.columns[j].stride = cols;
  }
  return frame;
}

double numpy_sum(const double* a, size_t n) {
  constexpr size_t kBlock = 128;  // NumPy's PW_BLOCKSIZE
  if (n < 8) {
    double res = 0.0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= kBlock) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t half = n / 2;
  half -= half % 8;
  return numpy_sum(a, half) + numpy_sum(a + half, n - half);
}

void check_finite_row(const Frame& in, size_t row, const std::string& who, bool allow_nan) {
  for (size_t j = 0; j < in.columns.size(); ++j) {
    const double v = in.columns[j].number(row);
    if (std::isnan(v) && !allow_nan) {
      amber::fail(ErrorKind::InvalidArgument, who,
                  "input contains NaN (row " + input_row(row) + ", column " + std::to_string(j) +
                      "); the estimator does not accept missing values");
    }
    if (std::isinf(v)) {
      amber::fail(
          ErrorKind::InvalidArgument, who,
          "input contains infinity (row " + input_row(row) + ", column " + std::to_string(j) + ")");
    }
  }
}

void Transformer::run(Method method, const Frame& in, double* out, Scratch& scratch) const {
  if (method != Method::Transform) no_method(path_, method);
  transform(in, out, scratch);
}

void Transformer::inverse(const double*, size_t, double*) const {
  amber::fail(ErrorKind::Unsupported, path_, "has no inverse_transform in the native runtime");
}

void no_method(const std::string& path, Method method) {
  amber::fail(ErrorKind::InvalidArgument, path.empty() ? "model" : path,
              "has no method " + std::string(method_name(method)));
}

}  // namespace amber::rt::fam
