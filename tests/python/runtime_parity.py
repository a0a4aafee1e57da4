"""Helpers of the native-runtime parity tests: dump, run natively, compare with scikit-learn."""

from __future__ import annotations

import io
import warnings

import numpy as np
import scipy.sparse as sp
from amber_testing import assert_same_array, assert_same_output, parts, rebuild

import amber

#: The exactness contract for models other than trees (docs/schema/README.md).
RTOL = 1e-12
ATOL = 1e-13
NATIVE_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function", "transform")


def dump_file(estimator, tmp_path, name="model.amber"):
    path = tmp_path / name
    amber.dump(estimator, path)
    return path


def dense(value):
    return value.toarray() if sp.issparse(value) else np.asarray(value)


def sklearn_output(estimator, method, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dense(getattr(estimator, method)(X))


def offered(estimator, runtime) -> list[str]:
    """Methods both scikit-learn and the runtime offer, that scikit-learn can run."""
    names = []
    for method in NATIVE_METHODS:
        if method in runtime.methods and hasattr(estimator, method):
            names.append(method)
    return names


def assert_close(actual, expected, where):
    expected = np.asarray(expected)
    if expected.dtype.kind == "b":  # boolean masks come back as 0/1
        assert np.array_equal(np.asarray(actual, dtype=np.float64), expected), where
        return
    if expected.dtype.kind in "OUS" or where.endswith("predict") and expected.dtype.kind in "iu":
        assert np.array_equal(actual, expected), where
        assert actual.dtype == expected.dtype or expected.dtype.kind in "OU", where
        return
    actual = np.asarray(actual, dtype=np.float64)
    expected = expected.astype(np.float64)
    if actual.shape != expected.shape and actual.size == expected.size:
        actual = actual.reshape(expected.shape)  # (n, 1) vs (n,) for single-output models
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=where)


def check_native(estimator, X, path, expect=None, X_sklearn=None):
    """Every method the runtime offers agrees with scikit-learn on X; returns the runtime."""
    runtime = amber.Runtime(path)
    methods = offered(estimator, runtime)
    if expect is not None:
        assert set(expect) <= set(runtime.methods), runtime.methods
    assert methods, f"no common method: {runtime.methods}"
    for method in methods:
        expected = sklearn_output(estimator, method, X if X_sklearn is None else X_sklearn)
        assert_close(getattr(runtime, method)(X), expected, f"{type(estimator).__name__}.{method}")
    return runtime


def params_equal(a, b, where="params") -> None:
    """get_params(deep=False) equal, nested estimators by type and params (their fitted
    attributes may be set in another order than fit sets them)."""
    pa, pb = a.get_params(deep=False), b.get_params(deep=False)
    assert list(pa) == list(pb), where
    for key in pa:
        same(pa[key], pb[key], f"{where}.{key}")


def same(x, y, where) -> None:
    assert type(x) is type(y), f"{where}: {type(x)} != {type(y)}"
    if hasattr(x, "get_params") and not isinstance(x, type):
        params_equal(x, y, where)
    elif isinstance(x, np.ndarray):
        assert_same_array(x, y, where)
    elif isinstance(x, list | tuple):
        assert len(x) == len(y), where
        for i, (u, v) in enumerate(zip(x, y, strict=True)):
            same(u, v, f"{where}[{i}]")
    elif isinstance(x, dict):
        assert list(x) == list(y), where
        for key in x:
            same(x[key], y[key], f"{where}[{key!r}]")
    elif isinstance(x, float) and x != x:
        assert y != y, where
    elif type(x).__eq__ is object.__eq__ and hasattr(x, "__dict__"):  # e.g. a column selector
        same(vars(x), vars(y), where)
    else:
        assert x == y, where


def check_roundtrip(estimator, X, path):
    """amber.load gives an equal estimator: same params, bitwise equal outputs."""
    loaded = amber.load(path)
    assert type(loaded) is type(estimator)
    params_equal(estimator, loaded)
    for method in NATIVE_METHODS:
        if hasattr(estimator, method):
            assert_same_output(
                sklearn_output(estimator, method, X), sklearn_output(loaded, method, X), method
            )
    return loaded


def check_all(estimator, X, tmp_path, expect=None):
    path = dump_file(estimator, tmp_path)
    check_native(estimator, X, path, expect)
    check_roundtrip(estimator, X, path)
    return path


def edited(path, edit, tmp_path, name="edited.amber"):
    """A copy of the file at `path` after `edit(graph, arrays)` changed its graph or arrays."""
    graph, metadata, arrays = parts(path.read_bytes())
    edit(graph, arrays)
    out = tmp_path / name
    out.write_bytes(rebuild(graph, metadata, arrays))
    return out


def array_of(node, arrays):
    """The array an `ndarray` node refers to, from a `parts` dict (by position)."""
    return list(arrays.values())[node["array"]]


def set_array(node, arrays, value):
    key = list(arrays)[node["array"]]
    arrays[key] = np.asarray(value)


def fitted_member(graph, name):
    return graph["fitted"][name]


__all__ = [
    "ATOL",
    "RTOL",
    "array_of",
    "assert_close",
    "check_all",
    "check_native",
    "check_roundtrip",
    "dump_file",
    "edited",
    "io",
    "set_array",
]
