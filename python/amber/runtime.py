"""amber.Runtime: predictions from the native C++ runtime, shaped as scikit-learn shapes them."""

from __future__ import annotations

import os

import numpy as np

from . import _core

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
        self._model = _core.Model.open(os.fspath(file), limits)
        self.threads = threads
        self._labels = _labels_array(self._model)
        self._methods = tuple(self._model.methods)  # asked on every call: keep it off the binding

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
            return self._model.run_columns(method, _frame_columns(X), len(X), self.threads)
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"{method}(): expected a 2-d array, got shape {X.shape}")
        if X.dtype.kind in "OUS":
            columns = [("", _column(X[:, j])) for j in range(X.shape[1])]
            return self._model.run_columns(method, columns, X.shape[0], self.threads)
        matrix = np.ascontiguousarray(X, dtype=np.float64)
        return self._model.run_matrix(method, matrix, self.threads)


def _labels_array(model) -> np.ndarray | None:
    labels = model.labels
    if not labels:
        return None
    if model.labels_dtype == "string":
        return np.asarray(labels, dtype=object)
    return np.asarray(labels, dtype=np.float64).astype(model.labels_dtype)


def _is_dataframe(X) -> bool:
    return hasattr(X, "columns") and hasattr(X, "dtypes") and hasattr(X, "iloc")


def _frame_columns(X) -> list:
    """[(name, column)] of a DataFrame. pandas builds a Series for each X[name], which costs more
    than predicting one row natively; its column-array accessor does not, so use it when present."""
    get = getattr(X, "_get_column_array", None)
    if get is None or X.columns.has_duplicates:
        return [(str(name), _column(X[name])) for name in X.columns]
    return [(str(name), _column(get(i))) for i, name in enumerate(X.columns)]


def _column(values):
    """A float64 array for numeric data, else a list of str (None/NaN kept as None)."""
    array = np.asarray(values)
    if array.dtype.kind in "biuf":
        return np.ascontiguousarray(array, dtype=np.float64)
    return [None if _is_missing(v) else str(v) for v in array.tolist()]


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)
