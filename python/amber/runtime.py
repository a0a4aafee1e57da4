"""amber.Runtime: predictions from the native C++ runtime, shaped as scikit-learn shapes them.

A DataFrame's columns are matched to the model's by name (realigned when their order differs);
missing, unexpected or repeated columns, and a column of the wrong kind (text where the model
reads numbers, numbers where it reads string categories), are an InvalidArgumentError naming the
column before anything runs (docs/cli.md, "Input").
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from . import _core
from ._paths import path_of
from ._validation import Difference
from .errors import InvalidArgumentError, VerificationError

_METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "transform",
    "score_samples",
)


class Runtime:
    """A model compiled by the native runtime; no scikit-learn involved in predicting.

    ``Runtime(path)`` opens and compiles the file. Each method of the model is available by
    scikit-learn's name and takes a NumPy array or a pandas DataFrame. The GIL is released
    while the runtime computes; batches use up to ``threads`` threads (0: all cores).
    """

    def __init__(self, file: str | os.PathLike, *, threads: int = 0, limits: dict | None = None):
        self._model = _core.Model.open(path_of(file, "Runtime"), limits)
        self.threads = threads
        self._labels = _labels_array(self._model)
        self._methods = tuple(self._model.methods)  # asked on every call: keep it off the binding
        self._kinds = tuple(self._model.input_kinds)
        names = self._model.feature_names
        self._kind_of = dict(zip(names, self._kinds, strict=True)) if names else {}

    @property
    def methods(self) -> list[str]:
        return list(self._methods)

    @property
    def n_features_in_(self) -> int:
        return self._model.n_features

    @property
    def feature_names_in_(self) -> np.ndarray | None:
        names = self._model.feature_names
        return np.asarray(names, dtype=object) if names else None

    @property
    def classes_(self) -> np.ndarray | None:
        return self._labels

    def verify(self, *, strict: bool = False) -> NativeValidation:
        """Re-runs the file's validation samples natively (docs/object-graph.md section 5.2).

        Returns the report; with `strict`, a difference raises VerificationError instead.
        """
        raw = self._model.validate(self.threads)
        report = NativeValidation(
            present=raw["present"],
            rows=raw["rows"],
            checked=list(raw["checked"]),
            skipped=list(raw["skipped"]),
            differences=[Difference(**d) for d in raw["differences"]],
        )
        if strict and not report.ok:
            raise VerificationError(str(report), report.differences)
        return report

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not set yet (e.g. a failed __init__): no recursion
            raise AttributeError(name)
        if name in _METHODS and name in self._methods:
            return lambda X: self._run(name, X)
        raise AttributeError(f"Runtime has no method {name!r}; the model offers {self.methods}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.methods))

    def _run(self, method: str, X) -> np.ndarray:
        out = self._raw(method, X)
        if method == "predict" and self._labels is not None:
            return self._labels[out[:, 0].astype(np.intp)]
        if method == "transform":
            return out
        return out[:, 0] if out.shape[1] == 1 else out

    def _raw(self, method: str, X) -> np.ndarray:
        if _is_dataframe(X):
            columns = _frame_columns(X, self._kind_for, method)
            return self._model.run_columns(method, columns, len(X), self.threads)
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"{method}(): expected a 2-d array, got shape {X.shape}")
        if X.dtype.kind in "OUS":
            columns = [
                ("", _column(X[:, j], self._kind_for("", j), method, j)) for j in range(X.shape[1])
            ]
            return self._model.run_columns(method, columns, X.shape[0], self.threads)
        matrix = np.ascontiguousarray(X, dtype=np.float64)
        return self._model.run_matrix(method, matrix, self.threads)

    def _kind_for(self, name: str, index: int) -> str:
        """What the model reads in input column `name` (or position `index` without names)."""
        if self._kind_of:
            return self._kind_of.get(name, "any")  # an unknown name: the binding names it
        return self._kinds[index] if index < len(self._kinds) else "any"


@dataclass
class NativeValidation:
    """What re-running the validation samples natively found (Runtime.verify)."""

    present: bool  # whether the file holds validation samples at all
    rows: int
    checked: list[str] = field(default_factory=list)  # methods re-run natively
    skipped: list[str] = field(default_factory=list)  # "method (why not)"
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def __str__(self) -> str:
        if not self.present:
            return "the file holds no validation samples"
        if self.differences:
            return "the native outputs differ from those recorded at dump: " + "; ".join(
                map(str, self.differences)
            )
        text = f"{', '.join(self.checked) or 'nothing'} re-run natively on {self.rows} rows"
        return text + (f"; not re-run: {', '.join(self.skipped)}" if self.skipped else "")


def _labels_array(model) -> np.ndarray | None:
    labels = model.labels
    if not labels:
        return None
    if model.labels_dtype == "string":
        return np.asarray(labels, dtype=object)
    return np.asarray(labels, dtype=np.float64).astype(model.labels_dtype)


def _is_dataframe(X) -> bool:
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def _frame_columns(X, kind_for, method: str) -> list:
    """[(name, column)] of a DataFrame. pandas builds a Series for each X[name], which costs more
    than predicting one row natively; its column-array accessor does not, so use it when present."""
    get = getattr(X, "_get_column_array", None)
    if get is None or X.columns.has_duplicates:
        values = [X.iloc[:, i] for i in range(len(X.columns))]  # X[name] is a frame if repeated
    else:
        values = [get(i) for i in range(len(X.columns))]
    names = [str(name) for name in X.columns]
    return [
        (name, _column(v, kind_for(name, i), method, name))
        for i, (name, v) in enumerate(zip(names, values, strict=True))
    ]


def _column(values, kind: str = "any", method: str = "", label=None):
    """A float64 array for numeric data, else a list of str (None/NaN kept as None).

    Where the model reads numbers, text is converted as scikit-learn converts it (float("1.5"));
    a value that is not a number is an error naming the column.
    """
    array = np.asarray(values)
    if array.dtype.kind in "biuf":
        return np.ascontiguousarray(array, dtype=np.float64)
    if kind == "number":
        return _numbers(array, method, label)
    return [None if _is_missing(v) else str(v) for v in array.tolist()]


def _numbers(array: np.ndarray, method: str, label) -> np.ndarray:
    if array.dtype.kind in "OUS":
        try:  # NumPy parses text as float() does; the loop below only finds the value at fault
            return np.ascontiguousarray(array.astype(np.float64))
        except (TypeError, ValueError):
            pass
    out = np.empty(len(array), dtype=np.float64)
    for i, value in enumerate(array.tolist()):
        try:
            out[i] = np.nan if _is_missing(value) else float(value)
        except (TypeError, ValueError):
            column = f"column {label!r}" if isinstance(label, str) else f"column {label}"
            raise InvalidArgumentError(
                f"{method}(): {column} holds {value!r}, not a number; the model reads numbers there"
            ) from None
    return out


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or _is_na(value)


def _is_na(value) -> bool:
    """pandas.NA and NaT without importing pandas."""
    return type(value).__name__ in ("NAType", "NaTType")
