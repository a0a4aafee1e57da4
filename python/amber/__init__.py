"""amber: safe, fast persistence of scikit-learn models.

The file container lives in :mod:`amber.container`; errors in :mod:`amber.errors`.
The native runtime is :class:`Runtime`.
"""

from amber import container, errors
from amber.errors import (
    AmberError,
    AmberIOError,
    ChecksumMismatchError,
    CorruptFileError,
    DigestMismatchError,
    InvalidArgumentError,
    InvalidGraphError,
    InvalidManifestError,
    LimitExceededError,
    NotAmberFileError,
    TruncatedFileError,
    UnsupportedError,
    UnsupportedVersionError,
)
from amber.runtime import Runtime

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "container",
    "Runtime",
    "errors",
    "AmberError",
    "AmberIOError",
    "ChecksumMismatchError",
    "CorruptFileError",
    "DigestMismatchError",
    "InvalidArgumentError",
    "InvalidGraphError",
    "InvalidManifestError",
    "LimitExceededError",
    "NotAmberFileError",
    "TruncatedFileError",
    "UnsupportedError",
    "UnsupportedVersionError",
    "dump",
    "dumps",
    "load",
    "loads",
]
