// Declarations shared by the files of the amber._core extension.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <optional>

#include "format/dtype.hpp"
#include "format/limits.hpp"
#include "format/reader.hpp"

namespace amber::py {

namespace nb = nanobind;

/// Registers the translator from amber::Error to the classes of amber.errors.
void bind_errors(nb::module_& m);
/// Defines amber._core.Reader.
void bind_reader(nb::module_& m);
/// Adds Reader.decode_streaming and defines amber._core.StreamingDecode.
void bind_streaming(nb::module_& m, nb::class_<Reader>& reader);
/// Adds Reader.load_view, Reader.member and Reader.decoded_bytes.
void bind_load_view(nb::class_<Reader>& reader);
/// Defines amber._core.Writer.
void bind_writer(nb::module_& m);
/// Defines amber._core.Model, the native runtime.
void bind_runtime(nb::module_& m);
/// Defines amber._core.fill_tree_nodes, the loader's native tree check and record fill.
void bind_tree_nodes(nb::module_& m);
/// Defines amber._core.fill_predictor_nodes, the same for HistGradientBoosting predictors.
void bind_predictor_nodes(nb::module_& m);
/// Defines amber._core.sign_file, verify_signature, generate_keypair and key_id.
void bind_signature(nb::module_& m);

/// Builds Limits from a dict of field names (None: the defaults). `where` prefixes errors.
Limits limits_from_dict(const std::optional<nb::dict>& dict, const char* where);

/// The DLPack dtype of a numeric amber dtype (not String).
nb::dlpack::dtype to_dlpack(DType dtype);
/// The amber dtype of a DLPack dtype; nullopt when amber does not store it.
std::optional<DType> from_dlpack(nb::dlpack::dtype dtype);

/// An array as a numpy array: read-only view for raw arrays, object array of str for strings.
nb::object to_numpy(ArrayData data, size_t index);

}  // namespace amber::py
