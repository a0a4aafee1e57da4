"""The exceptions of amber: one class per libamber error kind (docs/format.md section 6).

amber._core raises these classes when libamber throws amber::Error; the C++ error kind
decides the class (see src/bindings/bind_errors.cpp).
"""

__all__ = [
    "AmberError",
    "AmberIOError",
    "NotAmberFileError",
    "CorruptFileError",
    "TruncatedFileError",
    "ChecksumMismatchError",
    "DigestMismatchError",
    "InvalidManifestError",
    "LimitExceededError",
    "UnsupportedVersionError",
    "InvalidArgumentError",
    "InvalidGraphError",
    "UnsupportedError",
    "SignatureError",
    "VerificationError",
]


class AmberError(Exception):
    """Base class of every error amber raises about a file or a request."""


class AmberIOError(AmberError, OSError):
    """The operating system refused an operation (open, read, write, rename): kind Io."""


class NotAmberFileError(AmberError):
    """The file does not start with the amber magic: kind NotAmber."""


class CorruptFileError(AmberError):
    """The file's structure is wrong: kind Corrupt, and the base of the kinds below."""


class TruncatedFileError(CorruptFileError):
    """Bytes are missing: kind Truncated."""


class ChecksumMismatchError(CorruptFileError):
    """An array's stored bytes do not match its xxh3: kind ChecksumMismatch."""


class DigestMismatchError(CorruptFileError):
    """The content does not match the SHA-256 content digest: kind DigestMismatch."""


class InvalidManifestError(CorruptFileError):
    """The manifest is not valid JSON/UTF-8, has duplicate keys or wrong types."""


class LimitExceededError(AmberError):
    """A declared size or count is over a cap of the limits: kind LimitExceeded."""


class UnsupportedVersionError(AmberError):
    """The file's format major version is unknown to this reader: kind UnsupportedVersion."""


class InvalidArgumentError(AmberError, ValueError):
    """A caller asked for something invalid: kind InvalidArgument."""


class InvalidGraphError(AmberError):
    """The object graph breaks docs/object-graph.md or a family schema: kind InvalidGraph."""


class UnsupportedError(AmberError):
    """Valid, but the native runtime cannot run this part of the model: kind Unsupported."""


class SignatureError(AmberError):
    """A required signature is missing, wrong, or by another key: kind SignatureInvalid."""


# Errors of the object graph (docs/object-graph.md): raised by amber.dump and amber.load, never
# by libamber. Each names the node path of the value at fault, as a user would write it.

__all__ += [
    "GraphError",
    "UnsupportedObjectError",
    "CycleError",
    "UntrustedTypesError",
    "InvalidStateError",
    "VersionMismatchError",
]


class GraphError(InvalidGraphError, ValueError):
    """The object graph is invalid or cannot be written; `path` names the node at fault."""

    def __init__(self, message: str, path: str | None = None):
        self.path = (path or "<root>") if path is not None else None
        self.reason = message
        super().__init__(f"{self.path}: {message}" if path is not None else message)


class UnsupportedObjectError(GraphError, TypeError):
    """amber.dump cannot write this object (a lambda, a closure, an unsupported type)."""


class CycleError(GraphError):
    """amber.dump found an object that contains itself; the graph must be acyclic."""


class UntrustedTypesError(GraphError, TypeError):
    """The file names types or functions the trust policy does not accept; `names` lists all."""

    def __init__(self, names: list[str]):
        self.names = list(names)
        listing = ", ".join(repr(name) for name in self.names)
        super().__init__(
            f"untrusted names in the file: {listing}. Nothing was imported or built. Check "
            "them with amber.get_untrusted_types() and pass the ones you trust as "
            "amber.load(..., trusted=[...])"
        )


class InvalidStateError(GraphError):
    """A value in the file would make scikit-learn read out of bounds (tree, index arrays)."""


class VersionMismatchError(AmberError):
    """A generic-tier file was written with other library versions than the installed ones."""


class VerificationError(AmberError):
    """A loaded model's outputs differ from the validation outputs recorded at dump.

    `differences` lists, per method, how many rows differ and the largest difference.
    """

    def __init__(self, message: str, differences: list | None = None):
        self.differences = list(differences or [])
        super().__init__(message)
