// The one error type of libamber: an enumerated kind plus a message naming where.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace amber {

/// What went wrong, as an enumerated kind (docs/format.md §6).
enum class ErrorKind {
  Io,                  ///< the operating system refused an operation
  NotAmber,            ///< wrong magic: not an amber file
  Truncated,           ///< bytes are missing
  Corrupt,             ///< structure out of range, overlapping, holed, or a bad frame
  ChecksumMismatch,    ///< an array's or the manifest's bytes do not match their xxh3
  DigestMismatch,      ///< the content does not match the SHA-256 content digest
  InvalidManifest,     ///< manifest not JSON/UTF-8, duplicate keys, or wrong types
  LimitExceeded,       ///< a declared size or count is over a cap of Limits
  UnsupportedVersion,  ///< unknown format major version
  InvalidArgument,     ///< a caller asked for something invalid
  InvalidGraph,        ///< the object graph breaks docs/object-graph.md or a family schema
  Unsupported,         ///< valid, but the native runtime cannot run this part of the model
  SignatureInvalid,    ///< a required signature is missing, wrong, or by another key
};

/// The kind's name as used in docs and bindings ("Corrupt", ...).
std::string_view kind_name(ErrorKind kind) noexcept;

/// Every failure in libamber is thrown as this; what() names the region, array or node.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message);
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

/// Throws Error(kind, where + ": " + what).
[[noreturn]] void fail(ErrorKind kind, std::string_view where, std::string_view what);

}  // namespace amber
