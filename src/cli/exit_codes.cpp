// Maps libamber error kinds to the CLI's exit codes.
#include "cli/exit_codes.hpp"

namespace amber::cli {

int exit_code_for(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::Io:
      return kExitIo;
    case ErrorKind::NotAmber:
      return kExitNotAmber;
    case ErrorKind::Truncated:
    case ErrorKind::Corrupt:
    case ErrorKind::ChecksumMismatch:
    case ErrorKind::DigestMismatch:
    case ErrorKind::InvalidManifest:
    case ErrorKind::LimitExceeded:
    case ErrorKind::InvalidGraph:
      return kExitDamaged;
    case ErrorKind::UnsupportedVersion:
      return kExitUnsupportedVersion;
    case ErrorKind::InvalidArgument:
      return kExitUsage;
    case ErrorKind::Unsupported:
      return kExitUnsupported;
    case ErrorKind::SignatureInvalid:
      return kExitSignature;
  }
  return kExitInternal;
}

}  // namespace amber::cli
