"""amber: safe, fast persistence of scikit-learn models.

The file container lives in :mod:`amber.container`; errors in :mod:`amber.errors`.
Objects go to files with :func:`dump`/:func:`dumps` and come back with :func:`load`/:func:`loads`
(docs/object-graph.md, docs/security.md).
"""

from amber import container, errors, signing
from amber._api import dump, dumps, get_untrusted_types, load, loads
from amber._fingerprint import fingerprint
from amber._inspect import Inspection, inspect
from amber._provenance import script_record
from amber.errors import (
    AmberError,
    AmberIOError,
    ChecksumMismatchError,
    CorruptFileError,
    CycleError,
    DigestMismatchError,
    GraphError,
    InvalidArgumentError,
    InvalidGraphError,
    InvalidManifestError,
    InvalidStateError,
    LimitExceededError,
    NotAmberFileError,
    SignatureError,
    TruncatedFileError,
    UnsupportedError,
    UnsupportedObjectError,
    UnsupportedVersionError,
    UntrustedTypesError,
    VerificationError,
    VersionMismatchError,
)
from amber.runtime import Runtime

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "container",
    "signing",
    "Runtime",
    "fingerprint",
    "script_record",
    "SignatureError",
    "VerificationError",
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
