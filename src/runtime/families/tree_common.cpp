// Typed array access, labels and path helpers shared by the tree family's compilers.
#include "runtime/families/tree_common.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "format/error.hpp"

namespace amber::rt::trees {
namespace {

template <typename T>
void widen(const amber::ArrayData& data, size_t begin, std::vector<int64_t>& out) {
  const size_t n = out.size();
  const uint8_t* p = data.bytes.data() + begin * sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    out[i] = static_cast<int64_t>(v);
  }
}

size_t array_index(const Node& node) {
  if (node.kind() != "ndarray") node.fail("is not an array");
  if (node.find("items")) node.fail("is an object array, not a numeric one");
  const int64_t index = node["array"].as_int();
  const auto& table = node.context().reader().arrays();
  if (index < 0 || static_cast<uint64_t>(index) >= table.size()) {
    node.fail("array index " + std::to_string(index) + " is out of range");
  }
  return static_cast<size_t>(index);
}

}  // namespace

const amber::ArrayInfo& array_info(const Node& node) {
  return node.context().reader().arrays()[array_index(node)];
}

void expect_shape(const Node& node, std::span<const uint64_t> shape) {
  const auto& info = array_info(node);
  if (info.shape.size() == shape.size() &&
      std::equal(shape.begin(), shape.end(), info.shape.begin())) {
    return;
  }
  auto text = [](std::span<const uint64_t> s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + (s.size() == 1 ? ",)" : ")");
  };
  node.fail("has shape " + text(info.shape) + ", expected " + text(shape));
}

namespace {

/// The array-table indices of `ndarray` nodes (each checked).
std::vector<size_t> indices_of(std::span<const Node> nodes) {
  std::vector<size_t> indices;
  indices.reserve(nodes.size());
  for (const auto& node : nodes) indices.push_back(array_index(node));
  return indices;
}

}  // namespace

std::vector<amber::ArrayData> fetch(std::span<const Node> nodes) {
  if (nodes.empty()) return {};
  return nodes.front().context().reader().arrays_at(indices_of(nodes), true, 0);
}

std::unique_ptr<amber::StreamingDecode> stream(std::span<const Node> nodes) {
  return std::make_unique<amber::StreamingDecode>(nodes.front().context().reader(),
                                                  indices_of(nodes), true, 0);
}

void require_integers(const amber::ArrayData& data, const Node& where) {
  switch (data.info->dtype) {
    case DType::Bool:
    case DType::UInt8:
    case DType::Int8:
    case DType::Int16:
    case DType::UInt16:
    case DType::Int32:
    case DType::UInt32:
    case DType::Int64:
    case DType::UInt64:
      return;
    default:
      where.fail("has dtype " + std::string(dtype_name(data.info->dtype)) +
                 ", expected an integer dtype");
  }
}

void widen_rows(const amber::ArrayData& data, const Node& where, size_t begin, size_t end,
                std::vector<int64_t>& out) {
  out.resize(end - begin);
  switch (data.info->dtype) {
    case DType::Bool:
    case DType::UInt8:
      return widen<uint8_t>(data, begin, out);
    case DType::Int8:
      return widen<int8_t>(data, begin, out);
    case DType::Int16:
      return widen<int16_t>(data, begin, out);
    case DType::UInt16:
      return widen<uint16_t>(data, begin, out);
    case DType::Int32:
      return widen<int32_t>(data, begin, out);
    case DType::UInt32:
      return widen<uint32_t>(data, begin, out);
    case DType::Int64:
      return widen<int64_t>(data, begin, out);
    case DType::UInt64:
      widen<uint64_t>(data, begin, out);
      for (auto v : out) {
        if (v < 0) where.fail("holds a uint64 value above 2^63");
      }
      return;
    default:
      require_integers(data, where);  // throws: not an integer dtype
  }
}

std::vector<int64_t> to_int64(const amber::ArrayData& data, const Node& where) {
  where.context().charge(data.info->element_count(), where);
  std::vector<int64_t> out;
  widen_rows(data, where, 0, data.info->element_count(), out);
  return out;
}

std::span<const double> as_doubles(const amber::ArrayData& data, std::vector<double>& storage,
                                   const Node& where) {
  if (data.info->dtype != DType::Float64) {
    where.fail("has dtype " + std::string(dtype_name(data.info->dtype)) + ", expected float64");
  }
  const size_t n = data.info->element_count();
  where.context().charge(n, where);
  const auto address = reinterpret_cast<uintptr_t>(data.bytes.data());
  if (address % alignof(double) == 0) {
    return {reinterpret_cast<const double*>(data.bytes.data()), n};
  }
  storage.resize(n);
  if (n) std::memcpy(storage.data(), data.bytes.data(), n * sizeof(double));
  return storage;
}

Labels read_labels(const Node& classes) {
  Labels labels;
  if (classes.kind() == "ndarray" && classes.find("dtype")) {
    labels.strings = classes.strings();
    labels.is_string = true;
    labels.dtype = DType::String;
  } else {
    labels.numbers = classes.doubles();
    if (classes.kind() == "ndarray") labels.dtype = classes.array_data().info->dtype;
  }
  if (labels.size() == 0) classes.fail("a classifier needs at least one class");
  return labels;
}

std::string join_path(std::string_view prefix, std::string_view tail) {
  if (prefix.empty()) return std::string(tail);
  return std::string(prefix) + "." + std::string(tail);
}

void fail_at(const std::string& path, std::string_view what) {
  amber::fail(ErrorKind::InvalidGraph, path.empty() ? "graph root" : path, what);
}

void bad_input(size_t column, std::string_view what) {
  amber::fail(ErrorKind::InvalidArgument, "input column " + std::to_string(column), what);
}

void expect_schema(const Node& estimator, std::string_view schema) {
  const auto found = estimator["schema"].as_string();
  if (found != schema) {
    estimator.unsupported("schema \"" + found + "\" is not known to this reader (it reads \"" +
                          std::string(schema) + "\")");
  }
}

Node fitted_of(const Node& estimator) {
  // A missing member breaks the graph; null is a valid unfitted estimator the runtime cannot run.
  const Node fitted = estimator["fitted"];
  if (fitted.is_null()) estimator.unsupported("the estimator is not fitted (\"fitted\" is null)");
  if (!fitted.element().is_object()) fitted.fail("is not an object");
  return fitted;
}

size_t n_features_of(const Node& fitted) {
  const int64_t n = fitted["n_features_in"].as_int();
  if (n <= 0 || n > (int64_t{1} << 31)) {
    fitted["n_features_in"].fail("must be in [1, 2^31], not " + std::to_string(n));
  }
  return static_cast<size_t>(n);
}

size_t argmax(const double* values, size_t n) {
  size_t best = 0;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(values[i])) return i;
    if (values[i] > values[best]) best = i;
  }
  return best;
}

}  // namespace amber::rt::trees
