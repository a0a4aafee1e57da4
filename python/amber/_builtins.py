"""Builtin values as nodes and back: None, bool, int, float, str, containers, names, partial."""

from __future__ import annotations

import functools
import math
import types
from typing import Any

import numpy as np

from amber._graph import Decoder, Encoder, check_members, item_path, kind_name, member
from amber.errors import GraphError, UnsupportedObjectError

_LITERAL_MIN, _LITERAL_MAX = -(2**63), 2**64
_MAX_DIGITS = 10_000
_CHUNK_DIGITS = 4000  # under Python's own limit on int <-> str conversion
_FUNCTION_TYPES = (
    types.FunctionType,
    types.BuiltinFunctionType,
    np.ufunc,
    type(np.mean),  # NumPy's array-function dispatchers
)
_CYTHON_FUNCTIONS = ("cython_function_or_method", "fused_cython_function")


# ---------------------------------------------------------------------------------------------
# Scalars.


def encode_atom(value: Any, enc: Encoder, path: str) -> Any:
    return value


def encode_int(value: int, enc: Encoder, path: str) -> Any:
    value = int(value)
    if _LITERAL_MIN <= value < _LITERAL_MAX:
        return value
    if value.bit_length() > _MAX_DIGITS * 3.3219:
        raise UnsupportedObjectError(f"integer with more than {_MAX_DIGITS} digits", path)
    return {"$": "int", "v": _to_decimal(value)}


def _to_decimal(value: int) -> str:
    sign, value = ("-", -value) if value < 0 else ("", value)
    chunk, parts = 10**_CHUNK_DIGITS, []
    while value >= chunk:
        value, rest = divmod(value, chunk)
        parts.append(str(rest).zfill(_CHUNK_DIGITS))
    return sign + str(value) + "".join(reversed(parts))


def _from_decimal(text: str) -> int:
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    value = 0
    for start in range(0, len(digits), _CHUNK_DIGITS):
        part = digits[start : start + _CHUNK_DIGITS]
        value = value * 10 ** len(part) + int(part)
    return -value if negative else value


def decode_int(node: dict, dec: Decoder, path: str) -> int:
    check_members(node, ("v",), (), path)
    text = member(node, "v", str, path, "a decimal string")
    digits = text[1:] if text.startswith("-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise GraphError(f"int node value {text[:40]!r} is not a decimal integer", path)
    if len(digits) > _MAX_DIGITS:
        raise GraphError(f"int node has {len(digits)} digits, more than {_MAX_DIGITS}", path)
    return _from_decimal(text)


def encode_float(value: float, enc: Encoder, path: str) -> Any:
    value = float(value)
    if math.isfinite(value):
        return value
    return {"$": "float", "v": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def decode_float(node: dict, dec: Decoder, path: str) -> float:
    check_members(node, ("v",), (), path)
    text = member(node, "v", str, path, '"nan", "inf" or "-inf"')
    if text not in _NON_FINITE:
        raise GraphError(f'float node value must be "nan", "inf" or "-inf", not {text!r}', path)
    return _NON_FINITE[text]


def decode_real(node: Any, dec: Decoder, path: str) -> float:
    """A float written as a number literal or a float node."""
    if isinstance(node, dict) and node.get("$") == "float":
        return decode_float(node, dec, path)
    if isinstance(node, int | float) and not isinstance(node, bool):
        return float(dec.decode(node, path))
    raise GraphError(f"expected a number or a float node, not {kind_name(node)}", path)


def encode_complex(value: complex, enc: Encoder, path: str) -> dict:
    return {
        "$": "complex",
        "re": encode_float(value.real, enc, path),
        "im": encode_float(value.imag, enc, path),
    }


def decode_complex(node: dict, dec: Decoder, path: str) -> complex:
    check_members(node, ("re", "im"), (), path)
    return complex(decode_real(node["re"], dec, path), decode_real(node["im"], dec, path))


# ---------------------------------------------------------------------------------------------
# Containers.


def encode_list(value: list, enc: Encoder, path: str) -> list:
    return [enc.encode(item, item_path(path, i)) for i, item in enumerate(value)]


def decode_list(node: dict, dec: Decoder, path: str) -> list:
    check_members(node, ("items",), (), path)
    return decode_items(node, dec, path)


def decode_items(node: dict, dec: Decoder, path: str) -> list:
    """The decoded `items` array of a node."""
    return dec.decode_items(member(node, "items", list, path, "an array of nodes"), path)


def encode_tuple(value: tuple, enc: Encoder, path: str) -> dict:
    return {"$": "tuple", "items": encode_list(value, enc, path)}


def decode_tuple(node: dict, dec: Decoder, path: str) -> tuple:
    check_members(node, ("items",), (), path)
    return tuple(decode_items(node, dec, path))


def _ordered(value: set | frozenset) -> list:
    """Set items in a stable order (sorted when they compare), so files are deterministic."""
    try:
        return sorted(value)
    except TypeError:
        return list(value)


def encode_set(value: set | frozenset, enc: Encoder, path: str) -> dict:
    kind = "set" if type(value) is set else "frozenset"
    items = [enc.encode(item, f"{path}{{{i}}}") for i, item in enumerate(_ordered(value))]
    return {"$": kind, "items": items}


def decode_set(node: dict, dec: Decoder, path: str) -> set | frozenset:
    check_members(node, ("items",), (), path)
    items = member(node, "items", list, path, "an array of nodes")
    values = [dec.decode(item, f"{path}{{{i}}}") for i, item in enumerate(items)]
    try:
        return set(values) if node["$"] == "set" else frozenset(values)
    except TypeError as exc:
        raise GraphError(f"set items must be hashable: {exc}", path) from exc


def encode_dict(value: dict, enc: Encoder, path: str) -> dict:
    if all(type(key) is str for key in value):
        items = {key: enc.encode(item, item_path(path, key)) for key, item in value.items()}
        return {"$": "dict", "items": items}
    pairs = []
    for key, item in value.items():
        key_node = enc.encode(key, f"{path}.keys()[{len(pairs)}]")
        pairs.append([key_node, enc.encode(item, item_path(path, key))])
    return {"$": "dict", "pairs": pairs}


def decode_dict(node: dict, dec: Decoder, path: str) -> dict:
    if "items" in node:
        check_members(node, ("items",), (), path)
        items = member(node, "items", dict, path, "an object of nodes")
        decode = dec.decode_item  # item paths: `path['key']`
        return {key: decode(item, path, key) for key, item in items.items()}
    check_members(node, ("pairs",), (), path)
    return decode_pairs(member(node, "pairs", list, path, "an array of pairs"), dec, path)


def decode_pairs(pairs: list, dec: Decoder, path: str) -> dict:
    """A dict from `[[key node, value node], ...]`."""
    out: dict = {}
    for i, pair in enumerate(pairs):
        if not isinstance(pair, list) or len(pair) != 2:
            raise GraphError(f"pair {i} must be a [key, value] array", path)
        key = dec.decode(pair[0], f"{path}.keys()[{i}]")
        try:
            out[key] = dec.decode(pair[1], item_path(path, key))
        except TypeError as exc:
            raise GraphError(f"dict key {i} is not hashable: {exc}", path) from exc
    return out


def encode_bytes(value: bytes | bytearray, enc: Encoder, path: str) -> dict:
    # A bytearray is copied so that later changes to it cannot reach the queued array.
    array = np.frombuffer(bytes(value), dtype=np.uint8)
    return {"$": type(value).__name__, "array": enc.add_array(array, path)}


def decode_bytes(node: dict, dec: Decoder, path: str) -> bytes | bytearray:
    check_members(node, ("array",), (), path)
    array = dec.array(node["array"], path)
    if array.dtype != np.uint8 or array.ndim != 1:
        raise GraphError(
            f"{node['$']} node needs a 1-d uint8 array, not {array.dtype} {array.shape}", path
        )
    return bytearray(array.data) if node["$"] == "bytearray" else array.tobytes()


def encode_slice(value: slice, enc: Encoder, path: str) -> dict:
    return {
        "$": "slice",
        "start": enc.encode(value.start, f"{path}.start"),
        "stop": enc.encode(value.stop, f"{path}.stop"),
        "step": enc.encode(value.step, f"{path}.step"),
    }


def decode_slice(node: dict, dec: Decoder, path: str) -> slice:
    check_members(node, ("start", "stop", "step"), (), path)
    parts = [dec.decode(node[key], f"{path}.{key}") for key in ("start", "stop", "step")]
    return slice(*parts)


# ---------------------------------------------------------------------------------------------
# Names: classes, functions, functools.partial.


def encode_type(value: type, enc: Encoder, path: str) -> dict:
    return {"$": "type", "name": enc.name_of(value, path)}


def decode_type(node: dict, dec: Decoder, path: str) -> type:
    check_members(node, ("name",), (), path)
    value = dec.resolve(member(node, "name", str, path, "a fully qualified name"), path)
    if not isinstance(value, type):
        raise GraphError(f"type node {node['name']!r} does not name a class", path)
    return value


def is_function_type(cls: type) -> bool:
    """Whether values of `cls` are functions (Python, builtin, ufunc, Cython)."""
    return issubclass(cls, _FUNCTION_TYPES) or cls.__name__ in _CYTHON_FUNCTIONS


def encode_function(value: Any, enc: Encoder, path: str) -> dict:
    owner = getattr(value, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType):
        return encode_method(value, enc, path)
    return {"$": "function", "name": enc.name_of(value, path)}


def decode_function(node: dict, dec: Decoder, path: str) -> Any:
    check_members(node, ("name",), (), path)
    value = dec.resolve(member(node, "name", str, path, "a fully qualified name"), path)
    if isinstance(value, type) or not callable(value):
        raise GraphError(f"function node {node['name']!r} does not name a function", path)
    return value


def encode_method(value: Any, enc: Encoder, path: str) -> dict:
    raise UnsupportedObjectError(
        f"cannot write the bound method {value!r}: pass a module-level function instead "
        "(functools.partial may bind its arguments)",
        path,
    )


def encode_partial(value: functools.partial, enc: Encoder, path: str) -> dict:
    return {
        "$": "partial",
        "func": enc.encode(value.func, f"{path}.func"),
        "args": encode_list(list(value.args), enc, f"{path}.args"),
        "keywords": encode_dict(dict(value.keywords), enc, f"{path}.keywords"),
    }


def decode_partial(node: dict, dec: Decoder, path: str) -> functools.partial:
    check_members(node, ("func", "args", "keywords"), (), path)
    func = dec.decode(node["func"], f"{path}.func")
    args = dec.decode(member(node, "args", list, path, "an array of nodes"), f"{path}.args")
    keywords = dec.decode(member(node, "keywords", dict, path, "a dict node"), f"{path}.keywords")
    if not callable(func):
        raise GraphError("partial node: func is not callable", path)
    if not isinstance(keywords, dict) or not all(isinstance(k, str) for k in keywords):
        raise GraphError("partial node: keywords must be a dict with str keys", path)
    return functools.partial(func, *args, **keywords)


def decode_ref(node: dict, dec: Decoder, path: str) -> Any:
    if set(node) != {"$", "id"}:
        raise GraphError("a ref node has exactly the members '$' and 'id'", path)
    return dec.ref(node["id"], path)


ENCODERS = {
    type(None): encode_atom,
    bool: encode_atom,
    str: encode_atom,
    int: encode_int,
    float: encode_float,
    complex: encode_complex,
    list: encode_list,
    tuple: encode_tuple,
    set: encode_set,
    frozenset: encode_set,
    dict: encode_dict,
    bytes: encode_bytes,
    bytearray: encode_bytes,
    slice: encode_slice,
    functools.partial: encode_partial,
    types.MethodType: encode_method,
}

DECODERS = {
    "int": decode_int,
    "float": decode_float,
    "complex": decode_complex,
    "list": decode_list,
    "tuple": decode_tuple,
    "set": decode_set,
    "frozenset": decode_set,
    "dict": decode_dict,
    "bytes": decode_bytes,
    "bytearray": decode_bytes,
    "slice": decode_slice,
    "type": decode_type,
    "function": decode_function,
    "partial": decode_partial,
    "ref": decode_ref,
}
