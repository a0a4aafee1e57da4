"""amber: safe, fast persistence of scikit-learn models.

The file container lives in :mod:`amber.container`; errors in :mod:`amber.errors`.
Objects go to files with :func:`dump`/:func:`dumps` and come back with :func:`load`/:func:`loads`
(docs/object-graph.md, docs/security.md).
"""

from amber import container, errors
from amber._api import dump, dumps, get_untrusted_types, load, loads
from amber._inspect import Inspection, inspect
from amber.runtime import Runtime
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
from amber.errors import (
    CycleError,
    GraphError,
    InvalidStateError,
    UnsupportedObjectError,
    UntrustedTypesError,
    VersionMismatchError,
)

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
    "get_untrusted_types",
    "inspect",
    "Inspection",
    "CycleError",
    "GraphError",
    "InvalidStateError",
    "UnsupportedObjectError",
    "UntrustedTypesError",
    "VersionMismatchError",
]
