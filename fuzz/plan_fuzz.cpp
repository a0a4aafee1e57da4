// libFuzzer target: plan compilation and prediction on a hostile object graph in a valid file.
//
// Input: one line with the array table as JSON, `[[dtype, shape, values, zstd?], ...]`, then the
// graph's JSON text. The harness writes both into a valid container in memory (so mutations
// reach the graph, not checksums), compiles it with amber::rt::Model and, when that succeeds,
// runs every method on tiny fixed inputs. A crash, a sanitizer report, a hang, an exception
// other than amber::Error, or an amber::Error of a kind that phase must not raise is a finding.
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/buffer.hpp"
#include "format/dtype.hpp"
#include "format/error.hpp"
#include "format/reader.hpp"
#include "format/writer.hpp"
#include "runtime/model.hpp"

namespace {

using amber::DType;
using amber::ErrorKind;

constexpr uint64_t kMaxElements = uint64_t{1} << 16;  // per array: keeps one run small
constexpr size_t kMaxArrays = 64;
constexpr size_t kMaxRunColumns = 64;          // wider models compile but are not run
constexpr size_t kMaxRunOutputs = 4096;        // per row
constexpr size_t kMaxWidth = size_t{1} << 24;  // fam::kMaxWidth: no plan is wider

amber::Limits fuzz_limits() {
  amber::Limits limits;
  limits.max_manifest_bytes = uint64_t{1} << 20;
  limits.max_decoded_bytes = uint64_t{64} << 20;
  limits.max_json_values = 100'000;
  limits.max_arrays = 10'000;
  return limits;
}

/// A value of the table as the double the harness stores ("nan", "inf", "-inf" allowed).
double number_of(simdjson::dom::element value) {
  double d;
  int64_t i;
  uint64_t u;
  bool b;
  std::string_view s;
  if (!value.get(i)) return static_cast<double>(i);
  if (!value.get(u)) return static_cast<double>(u);
  if (!value.get(d)) return d;
  if (!value.get(b)) return b ? 1.0 : 0.0;
  if (!value.get(s)) {
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return 0.0;
}

/// Integers wrap as NumPy's astype does; floats keep their exact bits.
template <typename T>
void store(std::vector<uint8_t>& out, size_t i, simdjson::dom::element value) {
  T v;
  int64_t integer;
  if constexpr (std::is_integral_v<T>) {
    if (!value.get(integer)) {
      v = static_cast<T>(integer);
    } else {
      const double d = number_of(value);
      v = std::isfinite(d) && std::fabs(d) < 9e18 ? static_cast<T>(static_cast<int64_t>(d)) : 0;
    }
  } else {
    v = static_cast<T>(number_of(value));
  }
  std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
}

void store_value(DType dtype, std::vector<uint8_t>& out, size_t i, simdjson::dom::element value) {
  switch (dtype) {
    case DType::Bool:
      store<uint8_t>(out, i, value);
      out[i] = out[i] != 0;  // the reader refuses bool bytes other than 0 and 1
      return;
    case DType::Int8:
      return store<int8_t>(out, i, value);
    case DType::Int16:
      return store<int16_t>(out, i, value);
    case DType::Int32:
      return store<int32_t>(out, i, value);
    case DType::Int64:
      return store<int64_t>(out, i, value);
    case DType::UInt8:
      return store<uint8_t>(out, i, value);
    case DType::UInt16:
      return store<uint16_t>(out, i, value);
    case DType::UInt32:
      return store<uint32_t>(out, i, value);
    case DType::UInt64:
      return store<uint64_t>(out, i, value);
    case DType::Float32:
      return store<float>(out, i, value);
    case DType::Float64:
      return store<double>(out, i, value);
    default:
      return;  // float16 and complex stay zero
  }
}

/// One array of the table, with the bytes the writer stores.
struct TableArray {
  DType dtype = DType::Float64;
  std::vector<uint64_t> shape;
  std::vector<uint8_t> bytes;
  bool compress = false;
};

std::optional<TableArray> read_array(simdjson::dom::element spec) {
  simdjson::dom::array fields;
  std::string_view name;
  simdjson::dom::array dims;
  if (spec.get(fields) || fields.size() < 2 || fields.at(0).get(name) || fields.at(1).get(dims)) {
    return std::nullopt;
  }
  const auto dtype = amber::parse_dtype(name);
  if (!dtype || dims.size() > 4) return std::nullopt;
  TableArray a;
  a.dtype = *dtype;
  uint64_t count = 1;
  for (auto d : dims) {
    uint64_t n;
    if (d.get(n) || n > kMaxElements) return std::nullopt;
    count *= n;
    if (count > kMaxElements) return std::nullopt;
    a.shape.push_back(n);
  }
  // Missing values are zeros (or empty strings): the fuzzer may change a shape freely.
  simdjson::dom::array values;
  const bool has_values = fields.size() > 2 && !fields.at(2).get(values);
  bool compress = false;
  if (fields.size() > 3 && !fields.at(3).get(compress)) a.compress = compress;
  if (a.dtype == DType::String) {
    std::vector<std::string_view> strings(count);
    if (has_values) {
      size_t i = 0;
      for (auto v : values) {
        if (i == count) break;
        std::string_view s;
        if (!v.get(s)) strings[i] = s;
        ++i;
      }
    }
    a.bytes = amber::encode_string_array(strings);
    return a;
  }
  a.bytes.assign(count * amber::itemsize(a.dtype), 0);
  if (!has_values) return a;
  size_t i = 0;
  for (auto v : values) {
    if (i == count) break;
    store_value(a.dtype, a.bytes, i++, v);
  }
  return a;
}

/// The container of the input, or nullopt when the input is not in the harness's format.
std::optional<std::vector<uint8_t>> build_file(std::string_view text) {
  const size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  static simdjson::dom::parser parser;
  simdjson::dom::array specs;
  if (parser.parse(text.substr(0, newline)).get(specs) || specs.size() > kMaxArrays) {
    return std::nullopt;
  }
  std::vector<TableArray> table;
  for (auto spec : specs) {
    auto a = read_array(spec);
    if (!a) return std::nullopt;
    table.push_back(std::move(*a));
  }
  amber::WriteOptions options;
  options.threads = 1;
  options.limits = fuzz_limits();
  amber::Writer writer(options);
  for (size_t i = 0; i < table.size(); ++i) {
    const auto& a = table[i];
    writer.add_array({"a" + std::to_string(i),
                      a.dtype,
                      a.shape,
                      a.bytes,
                      {a.compress, 1, amber::FilterChoice::None, 4096}});
  }
  writer.set_graph_json(std::string(text.substr(newline + 1)));
  return writer.to_bytes();
}

[[noreturn]] void finding(const char* phase, const amber::Error& error) {
  std::fprintf(stderr, "plan_fuzz: %s raised %s, which it must not: %s\n", phase,
               std::string(amber::kind_name(error.kind())).c_str(), error.what());
  std::abort();
}

/// PLAN_FUZZ_VERBOSE=1 says what happened to each input (to check that seeds compile).
bool verbose() {
  static const bool on = std::getenv("PLAN_FUZZ_VERBOSE") != nullptr;
  return on;
}

/// Compilation reports a bad graph, an unsupported part or a cap; nothing else.
bool compile_kind(ErrorKind kind) {
  return kind == ErrorKind::InvalidGraph || kind == ErrorKind::Unsupported ||
         kind == ErrorKind::LimitExceeded;
}

/// Numbers: variant 0 ordinary values and small category codes, 1 NaN, infinity and extremes.
amber::rt::Frame numeric_frame(std::vector<double>& data, size_t rows, size_t cols, int variant) {
  data.resize(rows * cols);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t j = 0; j < cols; ++j) {
      double v = static_cast<double>(j % 3) + (r == 0 ? 0.25 : -0.5 * static_cast<double>(r));
      if (variant == 1) {
        constexpr double kOdd[] = {std::numeric_limits<double>::quiet_NaN(), 1e300, -0.0,
                                   std::numeric_limits<double>::infinity(),  255.0, -1e-310};
        v = kOdd[(r + j) % 6];
      }
      data[r * cols + j] = v;
    }
  }
  return amber::rt::Frame::from_row_major(data.data(), rows, cols);
}

/// String columns with a missing value in row 1.
amber::rt::Frame string_frame(size_t rows, size_t cols) {
  static const std::string_view kText[] = {"a", "x", "b", "0", "", "\xc3\xa9"};
  static std::vector<std::string_view> values[kMaxRunColumns];
  static std::vector<uint8_t> missing;
  missing.assign(rows, 0);
  if (rows > 1) missing[1] = 1;
  amber::rt::Frame frame;
  frame.rows = rows;
  for (size_t j = 0; j < cols; ++j) {
    values[j].resize(rows);
    for (size_t r = 0; r < rows; ++r) values[j][r] = kText[(r + 2 * j) % 6];
    amber::rt::Column c;
    c.strings = values[j].data();
    c.missing = missing.data();
    frame.columns.push_back(c);
  }
  return frame;
}

void run_methods(const amber::rt::Model& model, const amber::rt::Frame& frame) {
  amber::rt::Scratch scratch;
  std::vector<double> out;
  for (const auto method : model.methods()) {
    const size_t width = model.n_outputs(method);
    if (width > kMaxRunOutputs) continue;
    out.assign(frame.rows * width + 1, 0.0);
    try {
      model.run(method, model.bind(frame), out.data(), scratch);
    } catch (const amber::Error& e) {
      if (e.kind() != ErrorKind::InvalidArgument && e.kind() != ErrorKind::Unsupported) {
        finding("running", e);
      }
    }
  }
}

void compile_and_run(std::shared_ptr<const amber::Reader> reader) {
  std::optional<amber::rt::Model> model;
  try {
    model = amber::rt::Model::compile(std::move(reader));
  } catch (const amber::Error& e) {
    if (!compile_kind(e.kind())) finding("compiling", e);
    if (verbose()) std::fprintf(stderr, "plan_fuzz: not compiled: %s\n", e.what());
    return;
  }
  if (verbose()) std::fprintf(stderr, "plan_fuzz: compiled, %zu inputs\n", model->n_features());
  // Callers size output buffers by n_outputs: a compiled plan must keep it bounded.
  for (const auto method : model->methods()) {
    if (model->n_outputs(method) > kMaxWidth) {
      std::fprintf(stderr, "plan_fuzz: %s has %zu outputs, over the runtime's width cap\n",
                   std::string(amber::rt::method_name(method)).c_str(), model->n_outputs(method));
      std::abort();
    }
  }
  const size_t cols = model->n_features();
  if (cols == 0 || cols > kMaxRunColumns) return;
  std::vector<double> data;
  run_methods(*model, numeric_frame(data, 2, cols, 0));
  run_methods(*model, numeric_frame(data, 3, cols, 1));
  run_methods(*model, string_frame(3, cols));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::shared_ptr<const amber::Reader> reader;
  try {
    const auto file = build_file({reinterpret_cast<const char*>(data), size});
    if (!file) return 0;
    reader = std::make_shared<const amber::Reader>(
        amber::Reader::from_buffer(amber::copy_buffer(*file), fuzz_limits()));
  } catch (const amber::Error&) {
    return 0;  // the graph is not JSON the writer and reader accept: not this target's subject
  }
  compile_and_run(std::move(reader));
  return 0;
}
