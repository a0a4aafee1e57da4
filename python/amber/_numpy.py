"""NumPy values as nodes and back: arrays, scalars, dtypes, RandomState, Generator, masked
arrays.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from amber._builtins import decode_real, encode_float
from amber._graph import Decoder, Encoder, check_members, item_path, member
from amber.errors import GraphError, UnsupportedObjectError

#: Numeric dtypes of the array table (docs/format.md section 3.2).
NUMERIC = frozenset(
    [
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
        "complex64",
        "complex128",
    ]  # noqa: E501
)
_DTYPE_TEXT = re.compile(r"[<>|=][?a-zA-Z]\d{0,9}(\[\w{1,10}\])?")
_BIT_GENERATORS = {
    name: getattr(np.random, name) for name in ("MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64")
}


# ---------------------------------------------------------------------------------------------
# Arrays.


#: The numeric dtypes met so far (dtype.name is computed in Python on every read).
_NUMERIC_SEEN: set[np.dtype] = set()


def _is_numeric(dtype: np.dtype) -> bool:
    if dtype in _NUMERIC_SEEN:
        return True
    numeric = dtype.name in NUMERIC and dtype.fields is None
    if numeric:  # a bounded set: the 14 names in their byte orders
        _NUMERIC_SEEN.add(dtype)
    return numeric


def encode_ndarray(value: np.ndarray, enc: Encoder, path: str) -> dict:
    kind = value.dtype.kind
    if _is_numeric(value.dtype):
        return _numeric_node(value, enc, path)
    if kind == "U":
        return _str_node(value, enc, path)
    if kind == "O":
        return _object_node(value, enc, path)
    if value.dtype.fields is not None:
        return _record_node(value, enc, path)
    raise UnsupportedObjectError(
        f"cannot write an array of dtype {value.dtype}: amber writes numeric, str and object "
        "arrays",
        path,
    )


def _numeric_node(value: np.ndarray, enc: Encoder, path: str) -> dict:
    node: dict = {"$": "ndarray"}
    if value.ndim > 1 and value.flags.f_contiguous and not value.flags.c_contiguous:
        node["order"] = "F"
        value = value.T
    node["array"] = enc.add_array(value, path)
    return node


def _str_node(value: np.ndarray, enc: Encoder, path: str) -> dict:
    node = {"$": "ndarray", "array": enc.add_array(value, path), "dtype": "str"}
    width = value.dtype.itemsize // 4
    longest = max((len(s) for s in value.ravel().tolist()), default=0)
    if width != max(longest, 1):
        node["width"] = width
    return node


def _object_node(value: np.ndarray, enc: Encoder, path: str) -> dict:
    flat = value.ravel().tolist() if value.size else []
    if all(type(item) is str for item in flat):
        return {"$": "ndarray", "array": enc.add_array(value, path), "dtype": "object"}
    flat = list(value.ravel(order="C"))
    indices = np.ndindex(value.shape) if value.ndim > 1 else range(len(flat))
    items = [
        enc.encode(item, item_path(path, index)) for index, item in zip(indices, flat, strict=False)
    ]  # noqa: E501
    return {"$": "ndarray", "dtype": "object", "shape": list(value.shape), "items": items}


def _record_node(value: np.ndarray, enc: Encoder, path: str) -> dict:
    """A structured array as one array per field, plus the layout (offsets, item size)."""
    dtype = value.dtype
    fields = [(name, *dtype.fields[name][:2]) for name in dtype.names]
    for name, field, _ in fields:
        if field.name not in NUMERIC or field.shape:
            raise UnsupportedObjectError(f"cannot write the field {name!r} of dtype {field}", path)
    return {
        "$": "ndarray",
        "dtype": "record",
        "shape": list(value.shape),
        "fields": {
            name: enc.encode(np.ascontiguousarray(value[name]), item_path(path, name))
            for name, _, _ in fields
        },
        "offsets": [offset for _, _, offset in fields],
        "itemsize": dtype.itemsize,
    }


def _decode_record(node: dict, dec: Decoder, path: str) -> np.ndarray:
    check_members(node, ("dtype", "shape", "fields", "offsets", "itemsize"), (), path)
    shape = decode_shape(node["shape"], path)
    fields = member(node, "fields", dict, path, "an object of array nodes")
    offsets = member(node, "offsets", list, path, "an array of integers")
    itemsize = member(node, "itemsize", int, path, "an integer")
    columns = {name: dec.decode(field, item_path(path, name)) for name, field in fields.items()}
    for name, column in columns.items():
        if not isinstance(column, np.ndarray) or column.dtype.name not in NUMERIC:
            raise GraphError(f"field {name!r} must be a numeric array", path)
        if column.shape != shape:
            raise GraphError(f"field {name!r} has shape {column.shape}, not {shape}", path)
    dtype = _record_dtype(columns, offsets, itemsize, path)
    out = np.zeros(shape, dtype=dtype)
    for name, column in columns.items():
        out[name] = column
    return out


def _record_dtype(columns: dict, offsets: list, itemsize: int, path: str) -> np.dtype:
    if len(offsets) != len(columns) or not columns or not 1 <= itemsize <= 2**16:
        raise GraphError("a record array needs one offset per field and an item size", path)
    for (name, column), offset in zip(columns.items(), offsets, strict=False):
        if type(offset) is not int or not 0 <= offset <= itemsize - column.dtype.itemsize:
            raise GraphError(f"field {name!r} offset {offset!r} does not fit the item size", path)
    try:
        return np.dtype({
            "names": list(columns),
            "formats": [column.dtype for column in columns.values()],
            "offsets": offsets,
            "itemsize": itemsize,
        })  # fmt: skip
    except (TypeError, ValueError) as exc:
        raise GraphError(f"invalid record layout: {exc}", path) from exc


def decode_ndarray(node: dict, dec: Decoder, path: str) -> np.ndarray:
    if len(node) == 2 and "array" in node:  # {"$", "array"}: the common plain array
        array = dec.array(node["array"], path)
        if array.dtype != object:
            return array
        return _decode_strings(node, array, path)
    if node.get("dtype") == "record":
        return _decode_record(node, dec, path)
    if "items" in node:
        return _decode_object_items(node, dec, path)
    check_members(node, ("array",), ("dtype", "order", "width"), path)
    array = dec.array(node["array"], path)
    if array.dtype == object:
        return _decode_strings(node, array, path)
    if "dtype" in node or "width" in node:
        raise GraphError(f"numeric array {node['array']} cannot carry 'dtype' or 'width'", path)
    order = node.get("order", "C")
    if order not in ("C", "F") or (order == "F" and array.ndim < 2):
        raise GraphError(
            f"member 'order' must be 'F' for an array of rank 2 or more: {order!r}", path
        )
    return array.T if order == "F" else array


def _decode_strings(node: dict, array: np.ndarray, path: str) -> np.ndarray:
    kind = node.get("dtype")
    if kind == "object" and "width" not in node and "order" not in node:
        return array
    if kind != "str" or "order" in node:
        raise GraphError(
            "a string array needs 'dtype' \"object\" or \"str\" (and no 'order')", path
        )
    if "width" not in node:
        return array.astype(str)
    width = member(node, "width", int, path, "an integer")
    if not 1 <= width <= 2**20 or width * 4 * array.size > 2**31:
        raise GraphError(f"string width {width} is out of range", path)
    longest = max((len(s) for s in array.ravel().tolist()), default=0)
    if width < longest:
        raise GraphError(f"string width {width} is shorter than an element ({longest})", path)
    return array.astype(f"<U{width}")


def _decode_object_items(node: dict, dec: Decoder, path: str) -> np.ndarray:
    check_members(node, ("dtype", "shape", "items"), (), path)
    if node["dtype"] != "object":
        raise GraphError("an array with 'items' must have 'dtype' \"object\"", path)
    shape = decode_shape(node["shape"], path)
    items = member(node, "items", list, path, "an array of nodes")
    if math.prod(shape) != len(items):
        raise GraphError(f"shape {shape} holds {math.prod(shape)} items, not {len(items)}", path)
    out = np.empty(len(items), dtype=object)
    indices = np.ndindex(shape) if len(shape) > 1 else range(len(items))
    for i, (index, item) in enumerate(zip(indices, items, strict=False)):
        out[i] = dec.decode(item, item_path(path, index))
    return out.reshape(shape)


def decode_shape(shape: Any, path: str, rank: int | None = None) -> tuple[int, ...]:
    """A shape: a JSON array of non-negative integers under 2^63 (of length `rank` if given)."""
    if not isinstance(shape, list) or len(shape) > 32 or (rank is not None and len(shape) != rank):
        raise GraphError(f"member 'shape' must be an array of {rank or 'up to 32'} integers", path)
    for dim in shape:
        if type(dim) is not int or not 0 <= dim < 2**63:
            raise GraphError(f"shape {shape} has an invalid dimension {dim!r}", path)
    return tuple(shape)


# ---------------------------------------------------------------------------------------------
# Scalars and dtypes.


def encode_scalar(value: np.generic, enc: Encoder, path: str) -> Any:
    kind = value.dtype.kind
    if kind == "U":
        return str(value)
    if kind == "S":
        return enc.encode(bytes(value), path)
    if value.dtype.name not in NUMERIC:
        raise UnsupportedObjectError(f"cannot write a NumPy scalar of dtype {value.dtype}", path)
    if kind == "b":
        v: Any = bool(value)
    elif kind in "iu":
        v = int(value)
    elif kind == "f":
        v = encode_float(float(value), enc, path)
    else:
        v = [encode_float(value.real, enc, path), encode_float(value.imag, enc, path)]
    return {"$": "scalar", "dtype": value.dtype.name, "v": v}


def decode_scalar(node: dict, dec: Decoder, path: str) -> np.generic:
    check_members(node, ("dtype", "v"), (), path)
    name = node["dtype"]
    if not isinstance(name, str) or name not in NUMERIC:
        raise GraphError(f"scalar dtype must be a numeric dtype name, not {name!r}", path)
    kind, v = np.dtype(name).kind, node["v"]
    try:
        return np.dtype(name).type(_scalar_value(kind, v, dec, path))
    except (OverflowError, ValueError) as exc:
        raise GraphError(f"scalar {v!r} does not fit {name}: {exc}", path) from exc


def _scalar_value(kind: str, v: Any, dec: Decoder, path: str) -> Any:
    if kind == "b" and type(v) is bool:
        return v
    if kind in "iu" and type(v) is int:
        return dec.decode(v, path)
    if kind == "f":
        return decode_real(v, dec, path)
    if kind == "c" and isinstance(v, list) and len(v) == 2:
        return complex(decode_real(v[0], dec, path), decode_real(v[1], dec, path))
    raise GraphError(f"scalar value {v!r} does not fit its dtype", path)


def encode_dtype(value: np.dtype, enc: Encoder, path: str) -> dict:
    if value.fields is not None or value.subdtype is not None:
        raise UnsupportedObjectError(f"cannot write the structured dtype {value}", path)
    return {"$": "dtype", "v": value.str}


def decode_dtype(node: dict, dec: Decoder, path: str) -> np.dtype:
    check_members(node, ("v",), (), path)
    text = member(node, "v", str, path, "a NumPy dtype string")
    if not _DTYPE_TEXT.fullmatch(text):
        raise GraphError(f"invalid dtype string {text!r}", path)
    try:
        return np.dtype(text)
    except (TypeError, ValueError) as exc:
        raise GraphError(f"invalid dtype string {text!r}: {exc}", path) from exc


# ---------------------------------------------------------------------------------------------
# Random number generators.


def encode_random_state(value: np.random.RandomState, enc: Encoder, path: str) -> dict:
    state = value.get_state(legacy=False)
    if state["bit_generator"] != "MT19937":
        raise UnsupportedObjectError(
            f"cannot write a RandomState over {state['bit_generator']}: only MT19937", path
        )
    return {
        "$": "random_state",
        "keys": enc.encode(state["state"]["key"], f"{path}.keys"),
        "pos": int(state["state"]["pos"]),
        "has_gauss": int(state["has_gauss"]),
        "cached_gaussian": encode_float(state["gauss"], enc, path),
    }


def decode_random_state(node: dict, dec: Decoder, path: str) -> np.random.RandomState:
    check_members(node, ("keys", "pos", "has_gauss", "cached_gaussian"), (), path)
    keys = dec.decode(node["keys"], f"{path}.keys")
    if not isinstance(keys, np.ndarray) or keys.dtype != np.uint32 or keys.shape != (624,):
        raise GraphError("random_state keys must be a uint32 array of shape (624,)", path)
    pos = member(node, "pos", int, path, "an integer")
    has_gauss = member(node, "has_gauss", int, path, "an integer")
    if not 0 <= pos <= 624 or has_gauss not in (0, 1):
        raise GraphError(f"random_state pos {pos} or has_gauss {has_gauss} out of range", path)
    gauss = decode_real(node["cached_gaussian"], dec, path)
    # Seeded by fixed words, not RandomState(0): its seeding draws OS entropy and hashes 624
    # words (60 us, a tenth of a gradient boosting pipeline's load); set_state replaces all.
    state = np.random.RandomState(np.random.MT19937(_PlaceholderSeed()))
    # A list: NumPy's setter reads the 624 keys one by one, 3x slower from an array.
    state.set_state(("MT19937", keys.tolist(), pos, has_gauss, gauss))
    return state


class _PlaceholderSeed(np.random.bit_generator.ISeedSequence):
    """A seed sequence of zero words for a generator whose whole state is set next."""

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> list:
        # A list, not the array the interface names: MT19937's constructor copies the words
        # one index at a time, and a NumPy scalar per index costs 20 us of a 22 us seeding.
        # NumPy 1.24 to 2.4 only index it (test_dump_load_numpy compares the whole state).
        return [0] * n_words


def encode_generator(value: np.random.Generator, enc: Encoder, path: str) -> dict:
    bit_generator = value.bit_generator
    name = type(bit_generator).__name__
    if _BIT_GENERATORS.get(name) is not type(bit_generator):
        raise UnsupportedObjectError(f"cannot write a Generator over {name}", path)
    state = enc.encode(bit_generator.state, f"{path}.bit_generator.state")
    return {"$": "generator", "bit_generator": name, "state": state}


def decode_generator(node: dict, dec: Decoder, path: str) -> np.random.Generator:
    check_members(node, ("bit_generator", "state"), (), path)
    name = member(node, "bit_generator", str, path, "a bit generator name")
    if name not in _BIT_GENERATORS:
        raise GraphError(f"unknown bit generator {name!r}", path)
    state = dec.decode(node["state"], f"{path}.bit_generator.state")
    bit_generator = _BIT_GENERATORS[name](0)
    try:
        bit_generator.state = state
    except Exception as exc:  # NumPy's setters raise many kinds on a malformed state
        raise GraphError(f"invalid {name} state: {exc}", path) from exc
    return np.random.Generator(bit_generator)


# ---------------------------------------------------------------------------------------------
# Masked arrays: an object node whose state is data, mask, fill value and hardness.

MASKED_NAME = "numpy.ma:MaskedArray"


def encode_masked(value: np.ma.MaskedArray, enc: Encoder, path: str) -> dict:
    """The state node of a masked array (its object node is written by the generic tier)."""
    mask = value._mask
    state = {
        "data": enc.encode(np.asarray(value.data), f"{path}.data"),
        "mask": False if mask is np.ma.nomask else enc.encode(np.asarray(mask), f"{path}.mask"),
        "fill_value": enc.encode(value._fill_value, f"{path}.fill_value"),
        "hard_mask": bool(value._hardmask),
    }
    return {"$": "dict", "items": state}


def decode_masked(state: Any, path: str, cls: type) -> np.ma.MaskedArray:
    """A masked array from the decoded state of its object node."""
    if not isinstance(state, dict) or set(state) != {"data", "mask", "fill_value", "hard_mask"}:
        raise GraphError("masked array state must hold data, mask, fill_value, hard_mask", path)
    data, mask = state["data"], state["mask"]
    if not isinstance(data, np.ndarray):
        raise GraphError("masked array data must be an array", path)
    if mask is not False and (
        not isinstance(mask, np.ndarray) or mask.dtype != bool or mask.shape != data.shape
    ):
        raise GraphError(
            f"masked array mask must be False or a bool array of shape {data.shape}", path
        )
    try:
        return np.ma.MaskedArray(
            data,
            mask=np.ma.nomask if mask is False else mask,
            fill_value=state["fill_value"],
            hard_mask=bool(state["hard_mask"]),
            copy=False,
        )
    except (TypeError, ValueError) as exc:
        raise GraphError(f"invalid masked array: {exc}", path) from exc


ENCODERS = {
    np.ndarray: encode_ndarray,
    np.memmap: encode_ndarray,
    np.random.RandomState: encode_random_state,
    np.random.Generator: encode_generator,
}

DECODERS = {
    "ndarray": decode_ndarray,
    "scalar": decode_scalar,
    "dtype": decode_dtype,
    "random_state": decode_random_state,
    "generator": decode_generator,
}
