// amber._core.StreamingDecode: arrays decoded in the background while Python builds objects
// from the parts already decoded (Reader.decode_streaming).
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "bindings/bindings.hpp"
#include "format/reader.hpp"
#include "format/streaming_decode.hpp"

namespace amber::py {
namespace {

size_t checked_slot(const StreamingDecode& decode, int64_t k) {
  if (k < 0 || static_cast<uint64_t>(k) >= decode.size()) {
    throw nb::index_error(("slot " + std::to_string(k) + " out of range for " +
                           std::to_string(decode.size()) + " arrays")
                              .c_str());
  }
  return static_cast<size_t>(k);
}

void wait(StreamingDecode& decode, int64_t k, uint64_t bytes) {
  const size_t slot = checked_slot(decode, k);
  nb::gil_scoped_release release;
  decode.wait(slot, bytes);
}

// The array of slot `k` before its decode ends: read it only up to what wait() confirmed.
// A string array is a list of Python strings, so it waits for all of its bytes first.
nb::object pending(StreamingDecode& decode, int64_t k) {
  const size_t slot = checked_slot(decode, k);
  const ArrayData& data = decode.pending(slot);
  if (data.info->dtype == DType::String) wait(decode, k, UINT64_MAX);
  return to_numpy(ArrayData(data), decode.index(slot));
}

nb::object array(StreamingDecode& decode, int64_t k) {
  wait(decode, k, UINT64_MAX);
  const size_t slot = checked_slot(decode, k);
  return to_numpy(ArrayData(decode.pending(slot)), decode.index(slot));
}

std::unique_ptr<StreamingDecode> start(const Reader& reader, const std::vector<int64_t>& indices,
                                       bool check_checksum, unsigned threads) {
  std::vector<size_t> checked;
  checked.reserve(indices.size());
  for (int64_t index : indices) {
    if (index < 0 || static_cast<uint64_t>(index) >= reader.arrays().size()) {
      throw nb::index_error(("array index " + std::to_string(index) + " out of range").c_str());
    }
    checked.push_back(static_cast<size_t>(index));
  }
  nb::gil_scoped_release release;
  return std::make_unique<StreamingDecode>(reader, std::move(checked), check_checksum, threads);
}

}  // namespace

void bind_streaming(nb::module_& m, nb::class_<Reader>& reader) {
  nb::class_<StreamingDecode>(m, "StreamingDecode",
                              "Arrays being decoded on worker threads (Reader.decode_streaming).")
      .def("__len__", &StreamingDecode::size)
      .def("pending", &pending, nb::arg("k"),
           "Slot k's array now, its bytes valid only up to what wait() confirmed.")
      .def("wait", &wait, nb::arg("k"), nb::arg("nbytes"),
           "Blocks (helping to decode) until slot k's first nbytes decoded bytes are ready.")
      .def("array", &array, nb::arg("k"), "Slot k's whole array, once decoded.")
      .def(
          "release",
          [](StreamingDecode& d, int64_t k, uint64_t nbytes) {
            return d.release(checked_slot(d, k), nbytes);
          },
          nb::arg("k"), nb::arg("nbytes"),
          "Gives back the memory of slot k's first nbytes decoded bytes, which the caller\n"
          "will not read again (they read as zeros afterwards); returns the bytes freed.")
      .def(
          "wait_all",
          [](StreamingDecode& d) {
            nb::gil_scoped_release release;
            d.wait_all();
          },
          "Blocks until every array is decoded; raises the first error of any frame.");
  reader.def("decode_streaming", &start, nb::arg("indices"), nb::arg("check_checksum") = true,
             nb::arg("threads") = 0, nb::keep_alive<0, 1>(),
             "Starts decoding `indices` in the background (checksums checked first).");
}

}  // namespace amber::py
