// Translates amber::Error into the Python exception class of its kind (amber.errors).
#include <nanobind/stl/string.h>

#include <exception>
#include <string>

#include "bindings/bindings.hpp"
#include "format/error.hpp"

namespace amber::py {
namespace {

struct KindClass {
  ErrorKind kind;
  const char* class_name;
};

// Every kind and the amber.errors class raised for it.
constexpr KindClass kKindClasses[] = {
    {ErrorKind::Io, "AmberIOError"},
    {ErrorKind::NotAmber, "NotAmberFileError"},
    {ErrorKind::Truncated, "TruncatedFileError"},
    {ErrorKind::Corrupt, "CorruptFileError"},
    {ErrorKind::ChecksumMismatch, "ChecksumMismatchError"},
    {ErrorKind::DigestMismatch, "DigestMismatchError"},
    {ErrorKind::InvalidManifest, "InvalidManifestError"},
    {ErrorKind::LimitExceeded, "LimitExceededError"},
    {ErrorKind::UnsupportedVersion, "UnsupportedVersionError"},
    {ErrorKind::InvalidArgument, "InvalidArgumentError"},
    {ErrorKind::InvalidGraph, "InvalidGraphError"},
    {ErrorKind::Unsupported, "UnsupportedError"},
    {ErrorKind::SignatureInvalid, "SignatureError"},
};

const char* class_name(ErrorKind kind) {
  for (const KindClass& entry : kKindClasses) {
    if (entry.kind == kind) return entry.class_name;
  }
  return "AmberError";
}

// Throws the Error whose kind is named `kind` ("Corrupt", ...), for the tests of the mapping.
void raise_error(const std::string& kind, const std::string& message) {
  for (const KindClass& entry : kKindClasses) {
    if (kind_name(entry.kind) == kind) throw Error(entry.kind, message);
  }
  throw Error(ErrorKind::InvalidArgument, "_raise_error(): unknown kind '" + kind + "'");
}

// Sets the Python error for `error`; falls back to RuntimeError if amber.errors is missing.
void raise_amber_error(const Error& error) {
  try {
    nb::object errors = nb::module_::import_("amber.errors");
    nb::object cls = errors.attr(class_name(error.kind()));
    PyErr_SetString(cls.ptr(), error.what());
  } catch (nb::python_error& import_failure) {
    import_failure.discard_as_unraisable("amber._core: importing amber.errors");
    PyErr_SetString(PyExc_RuntimeError, error.what());
  }
}

void translate(const std::exception_ptr& pointer, void*) {
  try {
    std::rethrow_exception(pointer);
  } catch (const Error& error) {
    raise_amber_error(error);
  }
}

}  // namespace

void bind_errors(nb::module_& m) {
  nb::register_exception_translator(translate);
  m.def("_raise_error", &raise_error, nb::arg("kind"), nb::arg("message"),
        "Throws amber::Error of the named kind (tests the translation of every kind).");
}

}  // namespace amber::py
