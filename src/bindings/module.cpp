// The amber._core extension module: format version constant and the three bound parts.
#include <nanobind/nanobind.h>

#include "bindings/bindings.hpp"
#include "format/layout.hpp"

NB_MODULE(_core, m) {
  namespace nb = nanobind;
  m.doc() = "libamber bindings: the .amber container reader and writer, the native runtime.";
  m.attr("FORMAT_VERSION") = nb::make_tuple(amber::kFormatMajor, amber::kFormatMinor);
  amber::py::bind_errors(m);
  amber::py::bind_reader(m);
  amber::py::bind_writer(m);
  amber::py::bind_runtime(m);
  amber::py::bind_signature(m);
  amber::py::bind_tree_nodes(m);
  amber::py::bind_predictor_nodes(m);
}
