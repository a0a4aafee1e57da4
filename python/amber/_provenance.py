"""What every dump records about where a model came from: environment, estimator, input schema.

All of it is plain JSON under the manifest's metadata (docs/object-graph.md section 5), so
`amber inspect` shows it without Python and nothing in it is ever imported or executed.
"""

from __future__ import annotations

import hashlib
import inspect
import math
import os
import platform
from collections.abc import Callable
from typing import Any

import numpy as np

from amber._params import defaults, shallow_params

#: Categories listed per column in the input schema; more are counted, not listed.
MAX_LISTED_CATEGORIES = 1000
#: Keys of dump(metadata=...) that amber gives a meaning to; others are kept as given.
KNOWN_USER_KEYS = ("description", "tags", "metrics", "fingerprint", "script")


def environment() -> dict:
    """Platform, CPU architecture and Python implementation of the writing process."""
    return {
        "system": platform.system(),
        "machine": platform.machine(),
        "python_implementation": platform.python_implementation(),
    }


def estimator_summary(obj: Any, params_of: Callable[[Any], dict] | None = None) -> dict | None:
    """Class and constructor parameters of a scikit-learn-API estimator, as JSON.

    `params_of(estimator)` is `get_params(deep=False)`, possibly remembered from encoding the
    graph of the same dump (the dict is only read).
    """
    get_params = getattr(obj, "get_params", None)
    if not callable(get_params) or isinstance(obj, type):
        return None
    cls = type(obj)
    if params_of is None:
        params_of = _get_params
    try:
        params = params_of(obj)
    except Exception:  # an estimator whose get_params fails still gets dumped
        params = {}
    shown = _EstimatorRepr(params_of)
    return {
        "class": f"{cls.__module__}:{cls.__qualname__}",
        "params": {str(k): _json_value(v, shown) for k, v in params.items()},
    }


def _get_params(estimator: Any) -> dict:
    return shallow_params(estimator)


class _EstimatorRepr:
    """scikit-learn's repr of an estimator on one line: `Class(param=value, ...)` with the
    parameters that differ from the constructor's defaults (all of them when scikit-learn is
    set to print_changed_only=False). scikit-learn's own repr pretty-prints through pprint and
    reads each constructor's signature again: most of the time of a small dump."""

    def __init__(self, params_of: Callable[[Any], dict]):
        from sklearn import get_config
        from sklearn.base import BaseEstimator

        self._params_of = params_of
        self._base = BaseEstimator
        self._changed_only = get_config().get("print_changed_only", True)
        self._defaults_of = defaults  # the constructor's defaults, read once per class
        self._active: set[int] = set()  # estimators being shown: one inside itself is "..."

    def handles(self, value: Any) -> bool:
        """Whether `value` is an estimator shown with scikit-learn's repr."""
        return isinstance(value, self._base) and type(value).__repr__ is self._base.__repr__

    def __call__(self, value: Any) -> str:
        if not self.handles(value):
            return repr(value)
        if id(value) in self._active:
            return f"{type(value).__name__}(...)"
        self._active.add(id(value))
        try:
            params = self._params_of(value)
            if self._changed_only:
                defaults = self._defaults_of(type(value))
                params = {k: v for k, v in params.items() if self._changed(k, v, defaults)}
            inner = ", ".join(f"{k}={self._value(v, 0)}" for k, v in params.items())
        finally:
            self._active.discard(id(value))
        return f"{type(value).__name__}({inner})"

    def _changed(self, name: str, value: Any, defaults: dict) -> bool:
        """scikit-learn's test (sklearn.utils._pprint._changed_params); `defaults` holds only
        the parameters that have one."""
        default = defaults.get(name, inspect.Parameter.empty)
        if value is default:
            return False
        if default is inspect.Parameter.empty:
            return True
        if type(value) is type(default) and type(value) in _EXACT_REPR:
            return value != default  # equal values of these types have equal reprs
        if isinstance(value, self._base) and value.__class__ != default.__class__:
            return True
        return self._value(value, 0) != self._value(default, 0) and not (
            _is_nan(value) and _is_nan(default)
        )

    def _value(self, value: Any, depth: int) -> str:
        """A parameter's value as scikit-learn prints it (containers item by item)."""
        kind = type(value)
        if depth > 8:
            return repr(value)
        if kind is list or kind is tuple:
            items = [self._value(item, depth + 1) for item in value]
            if kind is list:
                return f"[{', '.join(items)}]"
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        if kind is dict:
            try:
                pairs = sorted(value.items())
            except TypeError:
                pairs = list(value.items())
            return "{" + ", ".join(f"{k!r}: {self._value(v, depth + 1)}" for k, v in pairs) + "}"
        return self(value)


#: Types whose values are equal exactly when their reprs are (not float: 0.0 == -0.0).
_EXACT_REPR = frozenset([str, int, bool, type(None)])


def _is_nan(value: Any) -> bool:
    return isinstance(value, float | np.floating) and math.isnan(value)


def input_schema(obj: Any, sample: Any = None) -> dict | None:
    """Feature names, count, dtypes (from `sample`) and categories the model knows."""
    n_features = getattr(obj, "n_features_in_", None)
    names = getattr(obj, "feature_names_in_", None)
    if n_features is None and names is None:
        return None
    schema: dict[str, Any] = {
        "n_features": int(n_features) if n_features is not None else len(names),
        "fitted_on_dataframe": names is not None,
    }
    if names is not None:
        schema["feature_names"] = [str(n) for n in names]
    dtypes = _sample_dtypes(sample)
    if dtypes:
        schema["dtypes"] = dtypes
    categories = _known_categories(obj)
    if categories:
        schema["categories"] = categories
    return schema


def check_user_metadata(user: dict) -> None:
    """Raises ValueError when a key amber knows has a value of the wrong shape."""
    checks = {
        "description": lambda v: isinstance(v, str),
        "tags": lambda v: isinstance(v, list) and all(isinstance(t, str) for t in v),
        "metrics": lambda v: (
            isinstance(v, dict) and all(isinstance(k, str) and _is_number(x) for k, x in v.items())
        ),
        "fingerprint": lambda v: isinstance(v, str),
        "script": lambda v: isinstance(v, dict) and all(isinstance(k, str) for k in v),
    }
    for key, ok in checks.items():
        if key in user and not ok(user[key]):
            raise ValueError(f"metadata[{key!r}] has the wrong form (see docs/object-graph.md)")


def script_record(path: str | os.PathLike, *, include_source: bool = False) -> dict:
    """`{"path", "sha256"[, "source"]}` of a training script, for dump(metadata={"script": ...})."""
    with open(path, "rb") as f:
        data = f.read()
    record = {"path": os.fspath(path), "sha256": hashlib.sha256(data).hexdigest()}
    if include_source:
        record["source"] = data.decode("utf-8", errors="replace")
    return record


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_value(value: Any, shown: Callable[[Any], str] = repr) -> Any:
    """Parameters as JSON: plain values as they are, anything else as `shown(value)` (its
    repr)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if np.isfinite(value) else repr(value)
    if isinstance(value, np.generic):
        return _json_value(value.item(), shown)
    if isinstance(value, list | tuple) and len(value) <= 100:
        return [_json_value(v, shown) for v in value]
    if isinstance(value, dict) and len(value) <= 100:
        return {str(k): _json_value(v, shown) for k, v in value.items()}
    text = shown(value)
    return text if len(text) <= 2000 else text[:2000] + "..."


def _sample_dtypes(sample: Any) -> dict | None:
    dtypes = getattr(sample, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return None
    return {str(name): str(dtype) for name, dtype in dtypes.items()}


def _known_categories(obj: Any) -> dict:
    """Categories per input column from encoders that see raw input columns directly."""
    found: dict[str, Any] = {}
    for encoder, columns in _encoders_on_input(obj):
        for column, cats in zip(columns, encoder.categories_, strict=False):
            listed = [_json_value(c) for c in list(cats)[:MAX_LISTED_CATEGORIES]]
            entry: dict[str, Any] = {"values": listed}
            if len(cats) > MAX_LISTED_CATEGORIES:
                entry["more"] = len(cats) - MAX_LISTED_CATEGORIES
            found[str(column)] = entry
    return found


def _encoders_on_input(obj: Any) -> list:
    """(fitted encoder, its input column names) pairs of a model's first stage."""
    steps = getattr(obj, "steps", None)
    if steps:
        obj = steps[0][1]
    if hasattr(obj, "categories_"):
        names = getattr(obj, "feature_names_in_", None)
        columns = list(names) if names is not None else range(len(obj.categories_))
        return [(obj, columns)]
    pairs = []
    for _, transformer, columns in getattr(obj, "transformers_", ()):
        inner = transformer
        if getattr(inner, "steps", None):
            inner = inner.steps[0][1]
        if not hasattr(inner, "categories_"):
            continue
        selected = getattr(inner, "feature_names_in_", None)
        if selected is None and isinstance(columns, list | tuple | np.ndarray):
            selected = [str(c) for c in columns]
        if selected is not None:
            pairs.append((inner, list(selected)))
    return pairs
