// Error kinds and the one exception type of libamber.
#include "format/error.hpp"

#include <string>

namespace amber {

std::string_view kind_name(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::Io:
      return "Io";
    case ErrorKind::NotAmber:
      return "NotAmber";
    case ErrorKind::Truncated:
      return "Truncated";
    case ErrorKind::Corrupt:
      return "Corrupt";
    case ErrorKind::ChecksumMismatch:
      return "ChecksumMismatch";
    case ErrorKind::DigestMismatch:
      return "DigestMismatch";
    case ErrorKind::InvalidManifest:
      return "InvalidManifest";
    case ErrorKind::LimitExceeded:
      return "LimitExceeded";
    case ErrorKind::UnsupportedVersion:
      return "UnsupportedVersion";
    case ErrorKind::InvalidArgument:
      return "InvalidArgument";
    case ErrorKind::InvalidGraph:
      return "InvalidGraph";
    case ErrorKind::Unsupported:
      return "Unsupported";
    case ErrorKind::SignatureInvalid:
      return "SignatureInvalid";
  }
  return "Unknown";
}

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(message), kind_(kind) {}

void fail(ErrorKind kind, std::string_view where, std::string_view what) {
  std::string message(where);
  message += ": ";
  message += what;
  throw Error(kind, message);
}

}  // namespace amber
