// amber_test_writer: writes a small .amber fixture with libamber's Writer, for the CLI tests.
#include <cstdint>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/writer.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: amber_test_writer [--empty | --control-chars] OUT\n"
    "  writes a fixture .amber file at OUT and prints its content digest\n"
    "  --empty          no arrays\n"
    "  --control-chars  an array name and metadata with terminal control characters\n";

constexpr std::string_view kMetadata =
    R"({"amber_version":"0.1.0","created":"2024-01-01T00:00:00Z",)"
    R"("estimator":{"class":"sklearn.linear_model.LogisticRegression",)"
    R"("params":{"C":1.0,"max_iter":100}},"tags":["fixture","cli"],"note":"caf\u00e9"})";

constexpr std::string_view kGraph =
    R"({"kind":"object","class":"sklearn.linear_model.LogisticRegression",)"
    R"("state":{"coef_":{"array":0},"intercept_":{"array":1},"classes_":{"array":2}}})";

template <class T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// Every element follows a simple formula, so the data compresses but is not trivial.
template <class T>
std::vector<T> ramp(size_t n, double scale) {
  std::vector<T> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<T>(static_cast<double>(i % 97) * scale);
  return out;
}

amber::CodecSpec raw() { return {.compress = false}; }

amber::CodecSpec zstd(int level, amber::FilterChoice filter, uint64_t chunk = 4 << 20) {
  return {.compress = true, .level = level, .filter = filter, .chunk = chunk};
}

// The arrays' bytes must outlive write(): they are kept here.
struct Fixture {
  std::vector<std::vector<uint8_t>> storage;
  amber::Writer writer;

  void add(std::string name, amber::DType dtype, std::vector<uint64_t> shape,
           std::vector<uint8_t> bytes, amber::CodecSpec codec) {
    storage.push_back(std::move(bytes));
    writer.add_array({std::move(name), dtype, std::move(shape), storage.back(), codec});
  }
};

void add_arrays(Fixture& f) {
  using amber::DType;
  using amber::FilterChoice;
  f.storage.reserve(16);
  f.add("coef_", DType::Float64, {3, 4}, bytes_of(ramp<double>(12, 0.25)),
        zstd(3, FilterChoice::Shuffle));
  f.add("intercept_", DType::Float64, {3}, bytes_of(std::vector<double>{0.5, -1.5, 2.0}), raw());
  const std::vector<std::string_view> classes = {"setosa", "versicolor", "virginica"};
  f.add("classes_", DType::String, {3}, amber::encode_string_array(classes),
        zstd(1, FilterChoice::None));
  f.add("mask", DType::Bool, {5}, {1, 0, 1, 1, 0}, raw());
  f.add("counts", DType::Int64, {10000}, bytes_of(ramp<int64_t>(10000, 3.0)),
        zstd(19, FilterChoice::None, 16384));
  f.add("scalar", DType::UInt16, {}, bytes_of(std::vector<uint16_t>{7}), raw());
  f.add("empty", DType::Int32, {0}, {}, zstd(3, FilterChoice::Auto));
  f.add("weights", DType::Float32, {64, 64}, bytes_of(ramp<float>(4096, 0.5)),
        zstd(3, FilterChoice::Auto));
  f.add("labels_\xc3\xbcn\xc3\xaf", DType::Int8, {7}, bytes_of(ramp<int8_t>(7, 1.0)), raw());
}

// Text that would drive a terminal if printed as is: ESC, BEL and the C1 CSI (U+009B).
void add_control_chars(Fixture& f) {
  f.add("evil\x1b[2J\x07\xc2\x9bname", amber::DType::UInt8, {2}, {1, 2}, raw());
  f.writer.set_metadata_json(
      R"({"title":"\u001b]0;owned\u0007","csi":"\u009b31m","del":"\u007f"})");
}

int write_fixture(const std::string& path, std::string_view mode) {
  Fixture fixture;
  fixture.writer.set_metadata_json(std::string(kMetadata));
  if (mode.empty()) add_arrays(fixture);
  if (mode == "--control-chars") add_control_chars(fixture);
  fixture.writer.set_graph_json(std::string(kGraph));
  std::cout << amber::digest_hex(fixture.writer.write(path)) << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc == 3 ? argv[1] : "";
  const bool known = mode.empty() || mode == "--empty" || mode == "--control-chars";
  if (argc < 2 || argc > 3 || !known) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    return write_fixture(argv[argc - 1], mode);
  } catch (const amber::Error& error) {
    std::cerr << "amber_test_writer: " << amber::kind_name(error.kind()) << ": " << error.what()
              << '\n';
  } catch (const std::exception& error) {
    std::cerr << "amber_test_writer: " << error.what() << '\n';
  }
  return 1;
}
