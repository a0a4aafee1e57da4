"""Shared pieces of the linear, preprocessing and composition adapters: estimator nodes, fitted
members by schema name, checks on load (docs/schema/README.md)."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from amber import sklearn as registry
from amber._graph import attr_path, check_members, item_path, kind_name
from amber._params import defaults, param_names
from amber.errors import GraphError, InvalidStateError, UnsupportedObjectError
from amber.sklearn._generic import class_name

_MEMBERS = ("class", "schema", "params", "fitted")


def is_fitted(estimator: Any) -> bool:
    """scikit-learn's own verdict (check_is_fitted)."""
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return False
    return True


def attr(member: str) -> str:
    """The scikit-learn attribute of a fitted member: `coef` -> `coef_`."""
    return member + "_"


def encode_params(estimator: Any, enc, path: str) -> dict:
    """`get_params(deep=False)`, each parameter a node."""
    params = enc.params_of(estimator)
    return {name: enc.encode(value, attr_path(path, name)) for name, value in params.items()}


def encode_fitted(values: dict, enc, path: str) -> dict:
    """Fitted members (schema name -> value) as nodes with attribute paths (`coef_`)."""
    return {name: enc.encode(value, attr_path(path, attr(name))) for name, value in values.items()}


def common_fitted(estimator: Any) -> dict:
    """`n_features_in` and, when fitted on named columns, `feature_names_in`."""
    out: dict = {}
    if hasattr(estimator, "n_features_in_"):
        out["n_features_in"] = int(estimator.n_features_in_)
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        out["feature_names_in"] = np.asarray(names, dtype=object)
    return out


def estimator_node(estimator: Any, enc, path: str, schema: str, fitted: dict | None) -> dict:
    """The `estimator` node (docs/object-graph.md §2.1)."""
    return {
        "$": "estimator",
        "class": class_name(type(estimator), enc, path),  # checked once per class
        "schema": schema,
        "params": encode_params(estimator, enc, path),
        "fitted": None if fitted is None else encode_fitted(fitted, enc, path),
    }


def optional_members(estimator: Any, names: Iterable[str]) -> dict:
    """The members among `names` whose attributes the estimator has (diagnostics)."""
    return {
        name: getattr(estimator, attr(name)) for name in names if hasattr(estimator, attr(name))
    }


class Fitted:
    """The `fitted` object of a node, decoded member by member with attribute paths."""

    def __init__(self, node: dict, dec, path: str):
        self.node = node
        self.dec = dec
        self.path = path

    def __contains__(self, name: str) -> bool:
        return name in self.node

    def path_of(self, name: str) -> str:
        return f"{self.path}.{name}_" if self.path else name + "_"

    def get(self, name: str, default: Any = None) -> Any:
        if name not in self.node:
            return default
        return self.dec.decode_attr(self.node[name], self.path, name + "_")

    def __getitem__(self, name: str) -> Any:
        if name not in self.node:
            raise GraphError(f"the fitted object has no member {name!r}", self.path)
        return self.dec.decode_attr(self.node[name], self.path, name + "_")

    def check_known(self, known: Iterable[str]) -> None:
        unknown = self.node.keys() - known
        if unknown:
            raise GraphError(f"unknown fitted members {sorted(unknown)}", self.path)


def open_node(node: dict, dec, path: str, schema: str) -> tuple[type, dict, Fitted | None]:
    """The class, decoded params and fitted members of an estimator node of `schema`."""
    check_members(node, _MEMBERS, (), path)
    if node["schema"] != schema:
        raise GraphError(
            f"schema {node['schema']!r} is not {schema!r}, which this amber reads", path
        )
    cls = dec.resolve(node["class"], path)
    params = decode_params(node, dec, path)
    fitted = node["fitted"]
    if fitted is not None and not isinstance(fitted, dict):
        raise GraphError("member 'fitted' must be an object or null", path)
    return cls, params, None if fitted is None else Fitted(fitted, dec, path)


def decode_params(node: dict, dec, path: str) -> dict:
    """The decoded `params` member of an estimator node, each parameter's path `path.name` (a
    nested step reads as in Python: `steps[1][1]`).

    A key that is not a Python identifier cannot be a constructor parameter: a `"$"` key means
    a node stands where the object of parameters belongs. Those are errors, not parameters of
    another release to drop with a warning (construct)."""
    params = node.get("params")
    if not isinstance(params, dict):
        raise GraphError(f"member 'params' must be an object, not {kind_name(params)}", path)
    for name in params:
        if not name.isidentifier():
            raise GraphError(
                f"member 'params' has the key {name[:80]!r}, which is no parameter name", path
            )
    return dec.decode_attrs(params, path)


@functools.cache
def _param_names(cls: type) -> frozenset:
    """The constructor's parameters, as a set."""
    return frozenset(param_names(cls))


#: Parameter values that stand for "the default" in some release ("deprecated" while a
#: parameter is being removed, "warn" while its default changes): dropping a parameter the
#: installed release does not know is silent when its value is one of these or None.
SENTINELS = ("deprecated", "warn")

#: Per-class translations of parameters written by other scikit-learn releases into the
#: installed one's (class -> function(params, cls) -> params); the family modules register them
#: and docs/schema/<family>.md lists them under "Across versions".
PARAM_TRANSLATIONS: dict[type, Callable[[dict, type], dict]] = {}


def translate_params(classes: Iterable[type], function: Callable[[dict, type], dict]) -> None:
    """Registers `function` as the parameter translation of every class in `classes`."""
    for cls in classes:
        PARAM_TRANSLATIONS[cls] = function


def is_sentinel(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value in SENTINELS)


def rename_param(params: dict, cls: type, old: str, new: str) -> dict:
    """Moves `old` to `new` when the installed `cls` knows only `new` (a renamed parameter;
    call it both ways round for both directions). A sentinel value is dropped."""
    known = defaults(cls)
    if old in params and old not in known and new in known:
        value = params.pop(old)
        if not is_sentinel(value) and is_sentinel(params.get(new)):
            params[new] = value
    return params


def sentinel_to_default(params: dict, cls: type, name: str, meaning: Any = ...) -> dict:
    """A sentinel value the installed release does not use for `name` becomes what it meant
    (`meaning`), or the installed default when no meaning is given."""
    known = defaults(cls)
    value = params.get(name)
    if name in known and isinstance(value, str) and value in SENTINELS and known[name] != value:
        params[name] = known[name] if meaning is ... else meaning
    return params


def construct(cls: type, params: dict, path: str) -> Any:
    """`cls(**params)` after the family's translation of parameters from other releases.

    Parameters the installed scikit-learn does not know are dropped (the fitted state, not
    the parameters, decides predictions): silently when their value is None or a sentinel
    (SENTINELS), else with a warning naming them.
    """
    translate = PARAM_TRANSLATIONS.get(cls)
    if translate is not None:
        params = translate(dict(params), cls)
    known = _param_names(cls) if hasattr(cls, "_get_param_names") else params.keys()
    if not known >= params.keys():
        unknown = sorted(name for name in set(params) - known if not is_sentinel(params[name]))
        if unknown:
            warnings.warn(
                f"{path or '<root>'}: parameters {unknown} of {cls.__name__} are unknown to the "
                "installed scikit-learn and were dropped",
                stacklevel=4,
            )
        params = {name: value for name, value in params.items() if name in known}
    try:
        return cls(**params)
    except TypeError as exc:
        raise GraphError(f"cannot build {cls.__name__}: {exc}", path) from exc


def set_common(estimator: Any, fitted: Fitted) -> int:
    """Sets n_features_in_ (and feature_names_in_); returns n_features_in."""
    n = fitted["n_features_in"]
    if type(n) is not int or not 1 <= n <= 2**62:  # the path only for the error
        n = require_int(n, fitted.path_of("n_features_in"), 1)
    _set_unless_property(estimator, "n_features_in_", n)
    if "feature_names_in" in fitted:
        names = fitted["feature_names_in"]
        if not isinstance(names, np.ndarray) or names.shape != (n,):
            raise InvalidStateError(
                "must hold n_features_in names", fitted.path_of("feature_names_in")
            )
        _set_unless_property(estimator, "feature_names_in_", np.asarray(names, dtype=object))
    return n


def _set_unless_property(estimator: Any, name: str, value: Any) -> None:
    """Sets an attribute; one the class computes (a property delegating to a wrapped
    estimator) is left to the class."""
    if not isinstance(getattr(type(estimator), name, None), property):
        setattr(estimator, name, value)


def set_members(estimator: Any, fitted: Fitted, names: Iterable[str]) -> None:
    """Sets the attribute of each member in `names` that the node has."""
    node, decode, path = fitted.node, fitted.dec.decode_attr, fitted.path
    for name in names:
        if name in node:
            setattr(estimator, name + "_", decode(node[name], path, name + "_"))


# ---------------------------------------------------------------------------------------------
# Checks of decoded values (InvalidStateError names the path).


def require_int(value: Any, path: str, low: int = 0, high: int = 2**62) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidStateError(f"expected an integer, not {type(value).__name__}", path)
    if not low <= int(value) <= high:
        raise InvalidStateError(f"{int(value)} is out of range [{low}, {high}]", path)
    return int(value)


def require_float_array(value: Any, path: str, shape: tuple | None = None, ndims=(1, 2)):
    """A real floating array of rank in `ndims` (and `shape` when given; None = any size)."""
    if not isinstance(value, np.ndarray) or value.dtype.kind != "f" or value.ndim not in ndims:
        got = getattr(value, "shape", type(value).__name__)
        raise InvalidStateError(f"expected a float array of rank {ndims}, not {got}", path)
    if shape is not None and (
        len(shape) != value.ndim
        or any(s is not None and s != v for s, v in zip(shape, value.shape, strict=True))
    ):
        raise InvalidStateError(f"expected shape {shape}, not {value.shape}", path)
    return value


def require_indices(value: Any, bound: int, path: str) -> np.ndarray:
    """An integer array (or list) whose values lie in [0, bound)."""
    array = np.asarray(value)
    if array.dtype.kind not in "iu" and not (array.size == 0 and array.dtype.kind == "f"):
        raise InvalidStateError(f"expected integer indices, not dtype {array.dtype}", path)
    array = array.astype(np.int64)
    bad = np.flatnonzero((array < 0) | (array >= bound))
    if bad.size:
        i = int(bad[0])
        raise InvalidStateError(f"index {int(array.flat[i])} at {i} is outside [0, {bound})", path)
    return array


def require_labels(value: Any, path: str) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.ndim != 1 or value.size < 1:
        raise InvalidStateError("classes must be a non-empty 1-d array", path)
    return value


# ---------------------------------------------------------------------------------------------
# Registration.


def class_key(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def register_all(classes: Iterable[type], to_node: Callable, from_node: Callable) -> None:
    for cls in classes:
        registry.register(class_key(cls), to_node, from_node)


def not_portable(estimator: Any, why: str, path: str) -> UnsupportedObjectError:
    return UnsupportedObjectError(
        f"{type(estimator).__name__} has no portable form: {why}; dump with tier='generic'", path
    )


__all__ = [
    "attr",
    "attr_path",
    "class_key",
    "common_fitted",
    "construct",
    "defaults",
    "encode_fitted",
    "encode_params",
    "estimator_node",
    "Fitted",
    "is_fitted",
    "item_path",
    "not_portable",
    "open_node",
    "optional_members",
    "register_all",
    "require_float_array",
    "require_indices",
    "require_int",
    "rename_param",
    "require_labels",
    "sentinel_to_default",
    "set_common",
    "set_members",
    "translate_params",
]
