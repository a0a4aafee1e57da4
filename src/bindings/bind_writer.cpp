// amber._core.Writer: queues numpy arrays and strings, writes the file atomically or to bytes.
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <array>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bindings/bindings.hpp"
#include "format/error.hpp"
#include "format/hashing.hpp"
#include "format/safe_math.hpp"
#include "format/writer.hpp"

namespace amber::py {
namespace {

using LimitsArg = std::optional<nb::dict>;
/// Any C-contiguous CPU array; the Python layer converts byte order and layout first.
using InputArray = nb::ndarray<nb::ro, nb::c_contig, nb::device::cpu>;

FilterChoice parse_filter(const std::string& filter) {
  if (filter == "none") return FilterChoice::None;
  if (filter == "shuffle") return FilterChoice::Shuffle;
  if (filter == "auto") return FilterChoice::Auto;
  throw Error(ErrorKind::InvalidArgument,
              "add_array(): unknown filter '" + filter + "' (expected none, shuffle or auto)");
}

DType input_dtype(const InputArray& array) {
  std::optional<DType> dtype = from_dlpack(array.dtype());
  if (!dtype) {
    throw Error(ErrorKind::InvalidArgument,
                "add_array(): unsupported dtype (bool, int8-64, uint8-64, float16-64, "
                "complex64/128 only)");
  }
  return *dtype;
}

std::vector<uint64_t> input_shape(const InputArray& array) {
  std::vector<uint64_t> shape(array.ndim());
  for (size_t i = 0; i < shape.size(); ++i) shape[i] = array.shape(i);
  return shape;
}

uint64_t element_count(const std::vector<uint64_t>& shape) {
  uint64_t count = 1;
  for (uint64_t d : shape) {
    std::optional<uint64_t> next = checked_mul(count, d);
    if (!next) throw Error(ErrorKind::InvalidArgument, "add_string_array(): shape overflows");
    count = *next;
  }
  return count;
}

/// amber::Writer plus what must outlive write(): the arrays and encoded strings it points to.
class PyWriter {
 public:
  PyWriter(unsigned threads, const LimitsArg& limits, int manifest_level)
      : writer_(WriteOptions{threads, limits_from_dict(limits, "Writer()"), manifest_level}) {}

  uint64_t add_array(InputArray array, std::string name, CodecSpec codec) {
    ArrayInput input{std::move(name),
                     input_dtype(array),
                     input_shape(array),
                     {static_cast<const uint8_t*>(array.data()), array.nbytes()},
                     codec};
    arrays_.reserve(arrays_.size() + 1);
    uint64_t index = writer_.add_array(std::move(input));
    arrays_.push_back(std::move(array));
    return index;
  }

  uint64_t add_strings(const std::vector<std::string>& strings, std::vector<uint64_t> shape,
                       std::string name, CodecSpec codec) {
    if (element_count(shape) != strings.size()) {
      throw Error(ErrorKind::InvalidArgument,
                  "add_string_array(): shape holds " + std::to_string(element_count(shape)) +
                      " elements but " + std::to_string(strings.size()) + " strings were given");
    }
    std::vector<std::string_view> views(strings.begin(), strings.end());
    std::vector<uint8_t>& encoded = encoded_.emplace_back(encode_string_array(views));
    ArrayInput input{std::move(name), DType::String, std::move(shape), encoded, codec};
    try {
      return writer_.add_array(std::move(input));
    } catch (...) {
      encoded_.pop_back();
      throw;
    }
  }

  void set_graph_json(std::string json) { writer_.set_graph_json(std::move(json)); }
  void set_metadata_json(std::string json) { writer_.set_metadata_json(std::move(json)); }

  std::string write(const std::filesystem::path& path) {
    nb::gil_scoped_release release;
    return digest_hex(writer_.write(path));
  }

  nb::bytes to_bytes() {
    std::vector<uint8_t> bytes;
    {
      nb::gil_scoped_release release;
      bytes = writer_.to_bytes();
    }
    return nb::bytes(bytes.data(), bytes.size());
  }

 private:
  Writer writer_;
  std::vector<InputArray> arrays_;
  std::deque<std::vector<uint8_t>> encoded_;
};

uint64_t add_array(PyWriter& w, InputArray array, std::string name, bool compress, int level,
                   const std::string& filter, uint64_t chunk) {
  CodecSpec codec{compress, level, parse_filter(filter), chunk};
  return w.add_array(std::move(array), std::move(name), codec);
}

uint64_t add_string_array(PyWriter& w, const std::vector<std::string>& strings,
                          std::vector<uint64_t> shape, std::string name, bool compress, int level,
                          uint64_t chunk) {
  CodecSpec codec{compress, level, FilterChoice::None, chunk};
  return w.add_strings(strings, std::move(shape), std::move(name), codec);
}

}  // namespace

void bind_writer(nb::module_& m) {
  constexpr uint64_t kChunk = CodecSpec{}.chunk;
  nb::class_<PyWriter>(m, "Writer", "Builds one .amber file (amber::Writer).")
      .def(nb::init<unsigned, const LimitsArg&, int>(), nb::arg("threads") = 0,
           nb::arg("limits") = nb::none(), nb::arg("manifest_level") = 0,
           "`manifest_level` 1..19 stores the manifest zstd-compressed when that makes the file "
           "smaller; 0 stores it as text.")
      .def("add_array", &add_array, nb::arg("array"), nb::arg("name") = "",
           nb::arg("compress") = true, nb::arg("level") = CodecSpec{}.level,
           nb::arg("filter") = "auto", nb::arg("chunk") = kChunk,
           "Queues a C-contiguous little-endian numeric array; returns its index. The writer "
           "keeps a reference to it until the writer is destroyed.")
      .def("add_string_array", &add_string_array, nb::arg("strings"), nb::arg("shape"),
           nb::arg("name") = "", nb::arg("compress") = true, nb::arg("level") = CodecSpec{}.level,
           nb::arg("chunk") = kChunk, "Queues a string array of `shape`; returns its index.")
      .def("set_graph_json", &PyWriter::set_graph_json, nb::arg("json"))
      .def("set_metadata_json", &PyWriter::set_metadata_json, nb::arg("json"))
      .def("write", &PyWriter::write, nb::arg("path"),
           "Writes the file atomically at `path`; returns the content digest (hex).")
      .def("to_bytes", &PyWriter::to_bytes, "The file's bytes.");
}

}  // namespace amber::py
