"""SciPy sparse matrices and arrays (CSR, CSC, COO) as nodes and back, indices checked."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from amber._graph import Decoder, Encoder, check_members, member
from amber._numpy import decode_shape
from amber.errors import GraphError, InvalidStateError, UnsupportedObjectError

_CLASSES = {
    ("csr", "matrix"): sp.csr_matrix,
    ("csc", "matrix"): sp.csc_matrix,
    ("coo", "matrix"): sp.coo_matrix,
    ("csr", "array"): sp.csr_array,
    ("csc", "array"): sp.csc_array,
    ("coo", "array"): sp.coo_array,
}
_KEYS = {cls: key for key, cls in _CLASSES.items()}
#: Base classes of every sparse type: `sparray` is public from SciPy 1.11 on (before, the
#: `*_array` classes derive from `spmatrix`).
BASES: tuple[type, ...] = (sp.spmatrix, sp.sparray) if hasattr(sp, "sparray") else (sp.spmatrix,)
_MEMBERS = {"csr": ("indices", "indptr"), "csc": ("indices", "indptr"), "coo": ("row", "col")}


def is_sparse(value: Any) -> bool:
    return sp.issparse(value)


def encode_sparse(value: Any, enc: Encoder, path: str) -> dict:
    fmt, container = _KEYS.get(type(value), (value.format, None))
    if container is None or len(value.shape) != 2:
        raise UnsupportedObjectError(
            f"cannot write {type(value).__name__}: amber writes 2-d CSR, CSC and COO matrices "
            "and arrays (convert it, e.g. with .tocsr())",
            path,
        )
    node = {"$": "sparse", "format": fmt, "container": container, "shape": list(value.shape)}
    node["data"] = enc.encode(value.data, f"{path}.data")
    for name in _MEMBERS[fmt]:
        node[name] = enc.encode(getattr(value, name), f"{path}.{name}")
    return node


def decode_sparse(node: dict, dec: Decoder, path: str) -> Any:
    fmt = member(node, "format", str, path, '"csr", "csc" or "coo"')
    if fmt not in _MEMBERS:
        raise GraphError(f"unknown sparse format {fmt!r}", path)
    check_members(node, ("format", "container", "shape", "data", *_MEMBERS[fmt]), (), path)
    container = member(node, "container", str, path, '"matrix" or "array"')
    cls = _CLASSES.get((fmt, container))
    if cls is None:
        raise GraphError(f"sparse container must be 'matrix' or 'array': {container!r}", path)
    shape = decode_shape(node["shape"], path, rank=2)
    parts = {name: _part(node, name, dec, path) for name in ("data", *_MEMBERS[fmt])}
    if fmt == "coo":
        return _build_coo(cls, shape, parts, path)
    return _build_compressed(cls, fmt, shape, parts, path)


def _part(node: dict, name: str, dec: Decoder, path: str) -> np.ndarray:
    value = dec.decode(node[name], f"{path}.{name}")
    if not isinstance(value, np.ndarray) or value.ndim != 1:
        raise GraphError(f"sparse {name} must be a 1-d array", f"{path}.{name}")
    if name != "data" and value.dtype.kind not in "iu":
        raise InvalidStateError(
            f"sparse {name} must be integers, not {value.dtype}", f"{path}.{name}"
        )
    if name == "data" and value.dtype == object:
        raise GraphError("sparse data must be numeric", f"{path}.data")
    return value


def _check_range(values: np.ndarray, stop: int, path: str) -> None:
    """Every value in [0, stop), else an error naming the first bad element."""
    bad = np.flatnonzero((values < 0) | (values >= stop))
    if bad.size:
        i = int(bad[0])
        raise InvalidStateError(f"index {values[i]} out of range [0, {stop})", f"{path}[{i}]")


def _build_compressed(cls: type, fmt: str, shape: tuple, parts: dict, path: str) -> Any:
    major, minor = shape if fmt == "csr" else shape[::-1]
    data, indices, indptr = parts["data"], parts["indices"], parts["indptr"]
    if len(indptr) != major + 1:
        raise InvalidStateError(
            f"indptr has {len(indptr)} entries, not {major + 1}", f"{path}.indptr"
        )
    if len(indices) != len(data):
        raise InvalidStateError("indices and data differ in length", f"{path}.indices")
    if indptr[0] != 0 or indptr[-1] != len(indices):
        raise InvalidStateError(f"indptr must run from 0 to {len(indices)}", f"{path}.indptr")
    drops = np.flatnonzero(np.diff(indptr.astype(np.int64)) < 0)
    if drops.size:
        raise InvalidStateError("indptr decreases", f"{path}.indptr[{int(drops[0]) + 1}]")
    _check_range(indices, minor, f"{path}.indices")
    matrix = cls((data, indices, indptr), shape=shape, copy=False)
    matrix.indices, matrix.indptr = indices, indptr  # keep the written index dtype
    return matrix


def _build_coo(cls: type, shape: tuple, parts: dict, path: str) -> Any:
    data, row, col = parts["data"], parts["row"], parts["col"]
    if not len(data) == len(row) == len(col):
        raise InvalidStateError("row, col and data differ in length", f"{path}.row")
    _check_range(row, shape[0], f"{path}.row")
    _check_range(col, shape[1], f"{path}.col")
    matrix = cls((data, (row, col)), shape=shape, copy=False)
    matrix.row, matrix.col = row, col
    return matrix


DECODERS = {"sparse": decode_sparse}
