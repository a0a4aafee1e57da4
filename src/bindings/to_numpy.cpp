// Turns an array read by libamber into a numpy array that keeps the file's memory alive.
#include <nanobind/stl/vector.h>

#include <cstring>
#include <memory>
#include <vector>

#include "bindings/bindings.hpp"
#include "format/buffer.hpp"
#include "format/manifest.hpp"

namespace amber::py {
namespace {

using BufferPtr = std::shared_ptr<const Buffer>;

// A capsule owning one reference to `buffer`: numpy's base chain ends here.
nb::capsule owner_capsule(BufferPtr buffer) {
  auto* holder = new BufferPtr(std::move(buffer));
  return nb::capsule(holder, [](void* p) noexcept { delete static_cast<BufferPtr*>(p); });
}

std::vector<size_t> shape_of(const ArrayInfo& info) {
  return std::vector<size_t>(info.shape.begin(), info.shape.end());
}

// Raw arrays alias the mapped file and are read-only; decoded blocks are ours to write.
nb::object numeric_array(ArrayData& data) {
  std::vector<size_t> shape = shape_of(*data.info);
  nb::dlpack::dtype dtype = to_dlpack(data.info->dtype);
  nb::capsule owner = owner_capsule(std::move(data.owner));
  const uint8_t* bytes = data.bytes.data();
  if (data.is_view) {
    nb::ndarray<nb::numpy, const uint8_t> view(bytes, shape.size(), shape.data(), owner, nullptr,
                                               dtype);
    return view.cast();
  }
  nb::ndarray<nb::numpy, uint8_t> block(const_cast<uint8_t*>(bytes), shape.size(), shape.data(),
                                        owner, nullptr, dtype);
  return block.cast();
}

uint64_t load_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Decodes the §3.3 layout (already checked) into a flat list of str.
nb::list string_list(std::span<const uint8_t> bytes, uint64_t count) {
  const uint8_t* text = bytes.data() + 8 * (count + 1);
  nb::list out;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t begin = load_u64(bytes.data() + 8 * i);
    uint64_t end = load_u64(bytes.data() + 8 * (i + 1));
    out.append(nb::str(reinterpret_cast<const char*>(text + begin), end - begin));
  }
  return out;
}

nb::object string_array(const ArrayData& data, size_t index) {
  const ArrayInfo& info = *data.info;
  uint64_t count = info.element_count();
  check_string_array(data.bytes, count, describe_array(index, info));
  nb::list items = string_list(data.bytes, count);
  nb::module_ numpy = nb::module_::import_("numpy");
  nb::object flat = numpy.attr("empty")(count, nb::arg("dtype") = "object");
  flat.attr("__setitem__")(nb::ellipsis(), items);
  return flat.attr("reshape")(nb::cast(info.shape));
}

}  // namespace

nb::object to_numpy(ArrayData data, size_t index) {
  if (data.info->dtype == DType::String) return string_array(data, index);
  return numeric_array(data);
}

}  // namespace amber::py
