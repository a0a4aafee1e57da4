"""The generic tier: any trusted object as `object` node of its state, and the `estimator` hook.

An object is written the way Python's copy protocol describes it (`__reduce_ex__`), limited
to what can be rebuilt without running named code: `cls.__new__(cls, *new)` or `cls(*init)`
for the audited class itself, then `__setstate__(state)` or a `__dict__` update. A few types
have their own state layout (amber._dispatch.SPECIALS): tree arrays column by column, Birch's
leaf chain, masked arrays.
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable
from typing import Any

from amber import sklearn as registry
from amber._graph import Decoder, Encoder, attr_path, check_members, member
from amber._names import top_package
from amber.errors import AmberError, GraphError, UnsupportedObjectError
from amber.sklearn import _validate
from amber.sklearn._libsvm_state import check_libsvm

_OPTIONAL = ("new", "init", "state", "dictitems", "listitems")
#: Packages whose classes are trusted as values (`type` nodes) but never built from an object
#: node: their values have node kinds of their own, and their constructors allocate freely.
VALUE_PACKAGES = ("builtins", "numpy")


class Special:
    """A type with its own state layout: `encode(value, enc, path)` gives the state node;
    `decode(state, path, cls)` builds the object from the decoded state."""

    def __init__(self, encode: Callable, decode: Callable, generic_version: bool = True):
        self.encode = encode
        self.decode = decode
        self.generic_version = generic_version


SPECIALS: dict[str, Special] = {}
#: Compiled types that may be given a state, each with the check of that state (raising
#: GraphError): amber._dispatch fills it from the family modules.
STATE_CHECKS: dict[str, Callable[[Any, str], None]] = {}
_NAMES: dict[type, str] = {}


def class_name(cls: type, enc: Encoder, path: str) -> str:
    """The fully qualified name of `cls`, computed once per class."""
    name = _NAMES.get(cls)
    if name is None:
        name = _NAMES[cls] = enc.name_of(cls, path)
    return name


# ---------------------------------------------------------------------------------------------
# Encoding.


def encode_object(value: Any, enc: Encoder, path: str) -> dict:
    name = class_name(type(value), enc, path)
    adapter = registry.adapter_for(name) if enc.tier == "auto" else None
    if adapter is not None:
        return _adapter_node(adapter, value, name, enc, path)
    special = SPECIALS.get(name)
    if special is not None:
        if special.generic_version:
            enc.note_package(name)
        return {"$": "object", "type": name, "state": special.encode(value, enc, path)}
    if top_package(name) in VALUE_PACKAGES:
        raise UnsupportedObjectError(f"cannot write a {name} value", path)
    return _reduce_node(value, name, enc, path)


def _adapter_node(adapter: registry.Adapter, value: Any, name: str, enc: Encoder, path: str):
    node = adapter.to_node(value, enc, path)
    if not isinstance(node, dict) or node.get("$") != "estimator" or node.get("class") != name:
        raise UnsupportedObjectError(
            f"the adapter of {name} did not return its estimator node", path
        )
    return node


def _reduce_node(value: Any, name: str, enc: Encoder, path: str) -> dict:
    cls = type(value)
    try:
        reduced = value.__reduce_ex__(5)
    except Exception as exc:
        raise UnsupportedObjectError(f"cannot write {name}: {exc}", path) from exc
    if isinstance(reduced, str) or not isinstance(reduced, tuple) or len(reduced) < 2:
        raise UnsupportedObjectError(f"cannot write {name}: it is a named singleton", path)
    func, args, state, listitems, dictitems = (*reduced, None, None, None)[:5]
    node: dict = {"$": "object", "type": name}
    _constructor(node, func, args, cls, enc, path)
    if state is not None:
        node["state"] = encode_state(state, enc, path)
    if dictitems is not None:
        node["dictitems"] = enc.encode(dict(dictitems), f"{path}.items()")
    if listitems is not None:
        node["listitems"] = enc.encode(list(listitems), f"{path}.items()")
    enc.note_package(name)
    return node


def _constructor(node: dict, func: Any, args: tuple, cls: type, enc: Encoder, path: str) -> None:
    """Adds `new` or `init` to `node`, or refuses a constructor other than the class itself."""
    if func is copyreg.__newobj__ and args and args[0] is cls:
        if len(args) > 1:
            node["new"] = enc.encode(list(args[1:]), f"{path}.__new__")
    elif func is cls:
        node["init"] = enc.encode(list(args), f"{path}.__init__")
    elif not _is_plain_new(func, args, cls):
        func_name = getattr(func, "__qualname__", repr(func))
        raise UnsupportedObjectError(
            f"cannot write {cls.__module__}.{cls.__qualname__}: it is rebuilt by calling "
            f"{func_name}, which amber does not do; give the class __getstate__/__setstate__",
            path,
        )


def _is_plain_new(func: Any, args: tuple, cls: type) -> bool:
    """Constructors that amount to `cls.__new__(cls)`: scikit-learn's `newObj(cls)` helpers,
    and Cython's generated `__pyx_unpickle_<Class>(cls, checksum, ())` for a type without
    state."""
    name = getattr(func, "__name__", "")
    module = getattr(func, "__module__", "") or ""
    if name == "newObj" and module.startswith("sklearn."):
        return args == (cls,)
    cython = name == f"__pyx_unpickle_{cls.__name__}" and module == cls.__module__
    return cython and len(args) == 3 and args[0] is cls and args[2] == ()


def encode_state(state: Any, enc: Encoder, path: str) -> Any:
    """A state dict with str keys becomes a dict node whose entries have attribute paths."""
    if type(state) is dict and all(type(key) is str for key in state):
        items = {key: enc.encode(value, attr_path(path, key)) for key, value in state.items()}
        return {"$": "dict", "items": items}
    return enc.encode(state, path)


# ---------------------------------------------------------------------------------------------
# Decoding.


def decode_object(node: dict, dec: Decoder, path: str) -> Any:
    name = member(node, "type", str, path, "a fully qualified name")
    check_members(node, ("type",), _OPTIONAL, path)
    cls = dec.resolve(name, path)
    if not isinstance(cls, type):
        raise GraphError(f"object node type {name!r} does not name a class", path)
    special = SPECIALS.get(name)
    if special is not None:
        if set(node) - {"$", "id", "type", "state"} or "state" not in node:
            raise GraphError(f"an object node of {name} has only a 'state'", path)
        try:
            return special.decode(decode_state(node["state"], dec, path), path, cls)
        except AmberError:
            raise
        except Exception as exc:
            raise GraphError(f"cannot rebuild {name}: {type(exc).__name__}: {exc}", path) from exc
    if top_package(name) in VALUE_PACKAGES:
        raise GraphError(f"{name} values have their own node kinds, not object nodes", path)
    obj = _construct(node, cls, name, dec, path)
    _validate.check_object(obj, path)
    check_libsvm(obj, path)
    _cap_thread_count(obj, path)
    return obj


def _cap_thread_count(obj: Any, path: str) -> None:
    """The k-means family keeps the fitting machine's OpenMP thread count (`_n_threads`) and
    hands it to every parallel region of predict. It describes that machine, not the model: a
    count from a bigger one oversubscribes this one, and a file's 2^31 made libgomp abort the
    process allocating 900 GB (mutate_models.py). Capped at this machine's count."""
    state = getattr(obj, "__dict__", None)
    if not state or "_n_threads" not in state:
        return
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    count = _validate.require_int(state["_n_threads"], attr_path(path, "_n_threads"), 1)
    obj._n_threads = min(count, _openmp_effective_n_threads())


def decode_state(node: Any, dec: Decoder, path: str) -> Any:
    """The state of an object node; a dict node's entries get attribute paths."""
    if type(node) is dict and node.get("$") == "dict" and type(node.get("items")) is dict:
        check_members(node, ("items",), (), path)
        return dec.decode_attrs(node["items"], path)
    return dec.decode(node, path)


def _construct(node: dict, cls: type, name: str, dec: Decoder, path: str) -> Any:
    if "new" in node and "init" in node:
        raise GraphError("an object node has 'new' or 'init', not both", path)
    key = "init" if "init" in node else "new"
    args = dec.decode(node.get(key, []), f"{path}.__{key}__")
    if not isinstance(args, list):
        raise GraphError(f"member {key!r} must be an array of nodes", path)
    state = decode_state(node["state"], dec, path) if "state" in node else None
    if state is not None and _is_compiled(cls):
        check = STATE_CHECKS.get(name)
        if check is None:
            raise GraphError(f"{name} is a compiled type: amber does not hand it a state", path)
        check(state, path)
    dictitems = _optional(node, "dictitems", dict, dec, path)
    listitems = _optional(node, "listitems", list, dec, path)
    try:
        obj = cls(*args) if key == "init" else cls.__new__(cls, *args)
        if state is not None:
            set_state(obj, state, path)
        for item_key, value in (dictitems or {}).items():
            obj[item_key] = value
        if listitems:
            obj.extend(listitems)
    except AmberError:
        raise
    except Exception as exc:
        raise GraphError(f"cannot rebuild {name}: {type(exc).__name__}: {exc}", path) from exc
    return obj


def _is_compiled(cls: type) -> bool:
    """Extension types (Cython): their __setstate__ indexes the state unchecked, so a
    malformed one would crash the process rather than raise."""
    return not cls.__flags__ & _HEAP_TYPE


_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: classes defined by a class statement


def _optional(node: dict, key: str, kind: type, dec: Decoder, path: str) -> Any:
    if key not in node:
        return None
    value = dec.decode(node[key], f"{path}.items()")
    if not isinstance(value, kind):
        raise GraphError(f"member {key!r} must decode to a {kind.__name__}", path)
    return value


def set_state(obj: Any, state: Any, path: str) -> None:
    """`obj.__setstate__(state)`, or the `__dict__` (and slots) update of the copy protocol."""
    setstate = getattr(obj, "__setstate__", None)
    if setstate is not None:
        setstate(_version_checked(state))
        return
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    for part in (state, slots):
        if part is not None and not (
            isinstance(part, dict) and all(isinstance(k, str) for k in part)
        ):
            raise GraphError("object state must be a dict with str keys", path)
    if state:
        obj.__dict__.update(state)
    for key, value in (slots or {}).items():
        setattr(obj, key, value)


def _version_checked(state: Any) -> Any:
    """The state with scikit-learn's version marker set to the installed release.

    scikit-learn's `__setstate__` compares `_sklearn_version` with the installed release and
    warns about "unpickling" when they differ. The loader has compared the file's versions
    already (it refuses, or warns naming both with allow_version_mismatch=True): one warning,
    about what amber does, is enough."""
    if isinstance(state, dict) and "_sklearn_version" in state:
        import sklearn

        return {**state, "_sklearn_version": sklearn.__version__}
    return state


def decode_estimator(node: dict, dec: Decoder, path: str) -> Any:
    name = member(node, "class", str, path, "a fully qualified name")
    dec.resolve(name, path)
    adapter = registry.adapter_for(name)
    if adapter is None:
        schema = node.get("schema")
        raise GraphError(f"no adapter for estimator {name} (schema {schema!r}) in this amber", path)
    try:
        return adapter.from_node(node, dec, path)
    except AmberError:
        raise
    except Exception as exc:  # scikit-learn refusing a parameter or a fitted value of the file
        raise GraphError(f"cannot rebuild {name}: {type(exc).__name__}: {exc}", path) from exc


DECODERS = {"object": decode_object, "estimator": decode_estimator}
