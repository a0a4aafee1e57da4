// amber._core.Reader: opens and validates a file, hands out arrays as numpy arrays.
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "bindings/bindings.hpp"
#include "format/buffer.hpp"
#include "format/hashing.hpp"
#include "format/json_writer.hpp"
#include "format/manifest.hpp"
#include "format/reader.hpp"

namespace amber::py {
namespace {

using LimitsArg = std::optional<nb::dict>;

Reader open_path(const std::filesystem::path& path, LimitsArg limits) {
  Limits parsed = limits_from_dict(limits, "Reader.open()");
  nb::gil_scoped_release release;
  return Reader::open(path, parsed);
}

// Copies `data`: the reader then owns an aligned buffer nobody else can change (§8).
Reader open_bytes(nb::bytes data, LimitsArg limits) {
  Limits parsed = limits_from_dict(limits, "Reader.from_bytes()");
  auto* begin = static_cast<const uint8_t*>(data.data());
  std::shared_ptr<const Buffer> buffer = copy_buffer({begin, data.size()});
  nb::gil_scoped_release release;
  return Reader::from_buffer(std::move(buffer), parsed);
}

size_t checked_index(const Reader& reader, int64_t index) {
  if (index < 0 || static_cast<uint64_t>(index) >= reader.arrays().size()) {
    throw nb::index_error(("array index " + std::to_string(index) + " out of range for " +
                           std::to_string(reader.arrays().size()) + " arrays")
                              .c_str());
  }
  return static_cast<size_t>(index);
}

const char* codec_name(Codec codec) { return codec == Codec::Zstd ? "zstd" : "raw"; }

nb::dict array_info(const Reader& reader, int64_t index) {
  const ArrayInfo& info = reader.arrays()[checked_index(reader, index)];
  nb::dict d;
  d["name"] = info.name;
  d["dtype"] = dtype_name(info.dtype);
  d["shape"] = nb::tuple(nb::cast(info.shape));
  d["codec"] = codec_name(info.codec);
  d["filter"] = info.shuffle ? "shuffle" : "none";
  d["level"] = info.level;
  d["offset"] = info.offset;
  d["length"] = info.length;
  d["decoded_length"] = info.decoded_length;
  d["chunk"] = info.chunk;
  d["frames"] = info.frames.size();
  d["xxh3"] = hex64(info.xxh3);
  return d;
}

nb::object read_array(const Reader& reader, int64_t index, bool check_checksum) {
  size_t i = checked_index(reader, index);
  ArrayData data;
  {
    nb::gil_scoped_release release;
    data = reader.array(i, check_checksum);
  }
  return to_numpy(std::move(data), i);
}

nb::list read_arrays(const Reader& reader, const std::vector<int64_t>& indices, bool check_checksum,
                     unsigned threads) {
  std::vector<size_t> checked;
  checked.reserve(indices.size());
  for (int64_t index : indices) checked.push_back(checked_index(reader, index));
  std::vector<ArrayData> decoded;
  {
    nb::gil_scoped_release release;
    decoded = reader.arrays_at(checked, check_checksum, threads);
  }
  nb::list out;
  for (size_t k = 0; k < decoded.size(); ++k)
    out.append(to_numpy(std::move(decoded[k]), checked[k]));
  return out;
}

std::string compute_digest(const Reader& reader) {
  Digest digest;
  {
    nb::gil_scoped_release release;
    digest = reader.compute_digest();
  }
  return digest_hex(digest);
}

void verify(const Reader& reader, unsigned threads) {
  nb::gil_scoped_release release;
  reader.verify(threads);
}

nb::tuple format_version(const Reader& reader) {
  return nb::make_tuple(reader.header().format_major, reader.header().format_minor);
}

}  // namespace

void bind_reader(nb::module_& m) {
  auto reader = nb::class_<Reader>(m, "Reader", "An open, validated .amber file (amber::Reader).");
  reader
      .def_static("open", &open_path, nb::arg("path"), nb::arg("limits") = nb::none(),
                  "Maps the file at `path` read-only and validates its structure.")
      .def_static("from_bytes", &open_bytes, nb::arg("data"), nb::arg("limits") = nb::none(),
                  "Copies `data` into an aligned buffer and validates it as a file.")
      .def_prop_ro("format_version", &format_version)
      .def_prop_ro("manifest_compressed",
                   [](const Reader& r) { return r.header().manifest_compressed(); })
      .def_prop_ro("file_size", &Reader::file_size)
      .def_prop_ro("manifest_json", &Reader::manifest_json)
      .def_prop_ro("signature_json", &Reader::signature_json)
      .def_prop_ro("digest", [](const Reader& r) { return digest_hex(r.footer().content_digest); })
      .def_prop_ro("array_count", [](const Reader& r) { return r.arrays().size(); })
      .def("compute_digest", &compute_digest, "SHA-256 of the content as the bytes are now.")
      .def("array_info", &array_info, nb::arg("index"))
      .def("array", &read_array, nb::arg("index"), nb::arg("check_checksum") = false,
           "Array `index`: a read-only view of the file for raw arrays, decoded otherwise.")
      .def("arrays", &read_arrays, nb::arg("indices"), nb::arg("check_checksum") = false,
           nb::arg("threads") = 0, "Several arrays, decoded in parallel without the GIL.")
      .def("verify", &verify, nb::arg("threads") = 0,
           "Checks padding, every checksum, string and bool array, and the digest.");
  bind_streaming(m, reader);
  bind_load_view(reader);
}

}  // namespace amber::py
