"""amber.dump / dumps / load / loads / get_untrusted_types: objects to .amber files and back."""

from __future__ import annotations

import datetime
import importlib
import io
import os
import platform
import warnings
from contextlib import contextmanager
from typing import Any

from amber import _importances, _provenance, _trust, _validation, container
from amber._graph import Decoder, Encoder
from amber._paths import path_of
from amber.errors import (
    GraphError,
    InvalidArgumentError,
    UntrustedTypesError,
    VersionMismatchError,
)

GRAPH_VERSION = 1
_TIERS = ("auto", "generic")
_CORE_PACKAGES = {"sklearn": "sklearn", "numpy": "numpy", "scipy": "scipy"}


def _dispatch():
    """The dispatch tables, imported on first use (they import SciPy)."""
    from amber import _dispatch

    return _dispatch


# ---------------------------------------------------------------------------------------------
# Writing.


def dump(
    obj: Any,
    file: Any,
    *,
    compression: Any = "default",
    metadata: dict | None = None,
    validation: Any = None,
    tier: str = "auto",
) -> str:
    """Writes `obj` to `file` (a path, written atomically, or a binary file object).

    `compression` is "default" (zstd), "none" (raw: arrays are views of the mapped file),
    "zstd", "max" or a zstd level 1..19. `metadata` is a JSON-serialisable dict stored under
    "user" (keys amber knows: description, tags, metrics, fingerprint, script).
    `validation` is a sample of inputs (array or DataFrame): every prediction method's output
    on it is stored, and load() re-runs them. `tier="generic"` skips the portable-tier
    adapters. Returns the content digest.
    """
    arrays, graph, meta = _encode(obj, metadata, tier, validation)
    return container.write(file, arrays, graph=graph, metadata=meta, compression=compression)


def dumps(
    obj: Any,
    *,
    compression: Any = "default",
    metadata: dict | None = None,
    validation: Any = None,
    tier: str = "auto",
) -> bytes:
    """The bytes of the .amber file that dump() would write."""
    buffer = io.BytesIO()
    dump(obj, buffer, compression=compression, metadata=metadata, validation=validation, tier=tier)
    return buffer.getvalue()


def _encode(obj: Any, metadata: dict | None, tier: str, validation: Any) -> tuple[dict, Any, dict]:
    if tier not in _TIERS:
        raise InvalidArgumentError(f"dump(): tier must be one of {_TIERS}, not {tier!r}")
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidArgumentError(f"dump(): metadata must be a dict, not {type(metadata)}")
    if metadata is not None:
        try:
            _provenance.check_user_metadata(metadata)
        except ValueError as exc:
            raise InvalidArgumentError(f"dump(): {exc}") from None
    encoder = Encoder(_dispatch().encoder_for, tier)
    try:
        graph = encoder.finish(encoder.encode(obj, ""))
    except RecursionError as exc:
        raise GraphError("the object is nested too deeply to write", "") from exc
    meta = _metadata(encoder.packages, metadata)
    meta.update(_describe(obj, validation, encoder.params_of))
    if validation is not None:
        # A second encoder on the same array table: the samples share no refs with the model.
        samples = Encoder(_dispatch().encoder_for, tier)
        samples.arrays = encoder.arrays
        payload = _validation.record(obj, validation)
        meta["validation"] = {
            **_validation.summary(payload),
            "graph": samples.finish(samples.encode(payload, "<validation>")),
        }
    return _named_arrays(encoder.arrays), graph, meta


def _describe(obj: Any, sample: Any, params_of: Any = None) -> dict:
    """Format version, platform, estimator and input schema (docs/object-graph.md §5);
    `params_of` is the encoder's get_params(deep=False), remembered for this dump."""
    described = {
        "format_version": "{}.{}".format(*container.FORMAT_VERSION),
        "platform": _provenance.environment(),
    }
    estimator = _provenance.estimator_summary(obj, params_of)
    if estimator is not None:
        described["estimator"] = estimator
        schema = _provenance.input_schema(obj, sample)
        if schema is not None:
            described["input_schema"] = schema
        importances = _importances.record(obj)
        if importances is not None:
            described["feature_importances"] = importances
    return described


def _named_arrays(arrays: list) -> dict:
    """The array table as {name: array}; names are node paths, made unique if they repeat."""
    named: dict = {}
    for name, array in arrays:
        key, n = name, 1
        while key in named:
            n += 1
            key = f"{name}#{n}"
        named[key] = array
    return named


def _metadata(packages: set[str], user: dict | None) -> dict:
    versions = {"python": platform.python_version()}
    for package in sorted({*_CORE_PACKAGES, *packages}):
        versions[package] = _installed_version(package)
    versions["amber"] = _amber_version()
    created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    meta = {"graph_version": GRAPH_VERSION, "versions": versions, "created": created}
    if user is not None:
        meta["user"] = user
    return meta


def _installed_version(package: str) -> str | None:
    try:
        module = importlib.import_module(package)
    except ImportError:
        return None
    version = getattr(module, "__version__", None)
    return version if isinstance(version, str) else None


def _amber_version() -> str:
    import amber

    return amber.__version__


# ---------------------------------------------------------------------------------------------
# Reading.


def load(
    file: Any,
    *,
    trusted: Any = None,
    allow_version_mismatch: bool = False,
    verify: str = "raise",
    public_key: Any = None,
) -> Any:
    """Reads the object written to `file` (a path or a binary file object).

    Every fully qualified name in the file is audited before anything is imported; an
    untrusted one raises UntrustedTypesError listing all of them. `trusted` adds names
    (strings "module:qualname", or the classes and functions themselves).
    `allow_version_mismatch=True` loads a generic-tier file written with other library
    versions (with a warning) instead of raising VersionMismatchError. `verify` says what to do
    when the validation samples stored at dump give other outputs now: "raise"
    (VerificationError), "warn" or "skip". `public_key` (PEM text, bytes or a path) requires
    a valid Ed25519 signature by that key (embedded, or in `file + ".sig"` when present) before
    anything else is read; it needs `file` to be a path.
    """
    extra = _trust.normalize_trusted(trusted, "load")
    mode = _validation_mode(verify)
    if public_key is not None:
        _check_signature(file, public_key)
    opened = _open(file, "load")
    try:
        return _decode(opened, extra, allow_version_mismatch, mode)
    finally:
        opened.close()


def loads(
    data: bytes,
    *,
    trusted: Any = None,
    allow_version_mismatch: bool = False,
    verify: str = "raise",
) -> Any:
    """Reads the object of an .amber file held in memory (see load())."""
    extra = _trust.normalize_trusted(trusted, "loads")
    mode = _validation_mode(verify)
    with open_bytes(data, "loads") as opened:
        return _decode(opened, extra, allow_version_mismatch, mode)


def _validation_mode(verify: Any) -> str:
    return _validation.check_mode(verify)


def _check_signature(file: Any, public_key: Any) -> None:
    from amber import signing

    if not isinstance(file, str | os.PathLike):
        raise InvalidArgumentError("load(): public_key needs the file as a path")
    detached = os.fspath(file) + ".sig"
    signing.verify_signature(
        file, public_key, signature=detached if os.path.exists(detached) else None
    )


def get_untrusted_types(file: Any = None, data: bytes | None = None) -> list[str]:
    """The names in the file that the default trust policy does not accept, sorted.

    Give `file` (a path or a binary file object) or `data` (the file's bytes). Nothing in the
    file is imported or built.
    """
    if (file is None) == (data is None):
        raise InvalidArgumentError("get_untrusted_types(): give either file or data")
    opened = (
        open_bytes(data, "get_untrusted_types")
        if file is None
        else open_container(file, "get_untrusted_types")
    )
    with opened as c:
        _, version, validation, names, _ = c.load_view(True)
        check_graph_version(version)
        _validation_graph(validation)
        return _trust.untrusted(names)


@contextmanager
def open_container(file: Any, caller: str):
    """An open Container for a path or a binary file object, closed afterwards."""
    opened = _open(file, caller)
    try:
        yield opened
    finally:
        opened.close()


def _open(file: Any, caller: str) -> container.Container:
    """An open Container for a path or a binary file object; the caller closes it."""
    if hasattr(file, "read"):
        return container.read_bytes(file.read())
    hint = "amber.loads(data)" if caller == "load" else f"{caller}(data=...)"
    path = path_of(file, caller, or_also=" or a binary file object", content_hint=hint)
    return container.open(path)


@contextmanager
def open_bytes(data: Any, caller: str):
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidArgumentError(f"{caller}(): data must be bytes, not {type(data).__name__}")
    opened = container.read_bytes(bytes(data))
    try:
        yield opened
    finally:
        opened.close()


def check_graph_version(version: Any) -> None:
    """Refuses a file whose graph version (metadata.graph_version) this amber does not read."""
    if type(version) is not int or version != GRAPH_VERSION:
        raise GraphError(
            f"unknown graph version {version!r}: this amber reads graph version {GRAPH_VERSION}"
        )


def _decode(
    opened: container.Container, extra: frozenset[str], allow_mismatch: bool, verify: str
) -> Any:
    # The validation samples are audited with the model: nothing is imported before both pass.
    graph, version, validation, names, object_types = opened.load_view(verify != "skip")
    check_graph_version(version)
    samples = _validation_graph(validation) if verify != "skip" else None
    refused = _trust.untrusted(names, extra)
    if refused:
        raise UntrustedTypesError(refused)
    if object_types:  # only generic-tier objects depend on the writing versions
        _check_versions(opened.member("metadata", "versions"), object_types, allow_mismatch)
    arrays = opened.arrays_streaming(check_checksum=True)
    decoders, allowed = _dispatch().DECODERS, frozenset(names)
    try:
        obj = Decoder(decoders, arrays, allowed).decode(graph, "")
        if isinstance(arrays, container.StreamedArrays):
            arrays.finish()  # a damaged frame of an array nothing read still fails the load
        if samples is None:
            return obj
        payload = Decoder(decoders, arrays, allowed).decode(samples, "<validation>")
    except RecursionError as exc:
        raise GraphError("the graph is nested too deeply to read", "") from exc
    if not isinstance(payload, dict) or not {"input", "outputs"} <= payload.keys():
        raise GraphError("the validation samples are not {input, outputs}", "<validation>")
    _validation.check(obj, payload, verify)
    return obj


def _validation_graph(validation: Any) -> Any:
    """The graph of metadata.validation (None: no samples stored)."""
    if validation is None:
        return None
    if not isinstance(validation, dict) or "graph" not in validation:
        raise GraphError("metadata.validation has no graph", "<validation>")
    return validation["graph"]


def _check_versions(recorded: Any, object_types: set[str], allow_mismatch: bool) -> None:
    """Generic-tier objects load only into the library versions that wrote them (`recorded`:
    the file's metadata.versions)."""
    from amber._names import top_package

    exempt = _dispatch().VERSION_FREE
    packages = sorted({top_package(name) for name in object_types if name not in exempt})
    recorded = recorded if isinstance(recorded, dict) else {}
    mismatches = []
    for package in packages:
        written, installed = recorded.get(package), _installed_version(package)
        if written != installed:
            mismatches.append(f"{package} {written} (file) vs {installed} (installed)")
    if not mismatches:
        return
    message = (
        "the file holds generic-tier objects, which load only into the library versions "
        f"that wrote them: {'; '.join(mismatches)}"
    )
    if not allow_mismatch:
        raise VersionMismatchError(message + ". Pass allow_version_mismatch=True to try anyway")
    warnings.warn(message, stacklevel=3)
