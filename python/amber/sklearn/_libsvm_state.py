"""Checks of a libsvm estimator's fitted arrays (SVC, NuSVC, SVR, NuSVR, OneClassSVM) before
scikit-learn hands them to libsvm.

These estimators load through the generic tier. Their predict methods pass the arrays to
libsvm's `set_model`, which sizes nothing by the arrays themselves: it reads
`len(_n_support) - 1` rows of `len(support_)` dual coefficients, one intercept per pair of
classes, and a support vector per entry of `support_`. scikit-learn compiles that code without
bounds checks, so a file whose arrays disagree made predict read past them and crash (found by
`fuzz/mutate_models.py --shapes`). Every check raises InvalidStateError naming the attribute.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from amber.sklearn._validate import check_range, fail, require_array, require_int

#: What `_impl` names, in scikit-learn's LIBSVM_IMPL order; the first two are classifiers.
_IMPLS = ("c_svc", "nu_svc", "one_class", "epsilon_svr", "nu_svr")


def check_libsvm(obj: Any, path: str) -> None:
    """A fitted libsvm estimator's arrays agree in size with `_n_support` and `support_`
    (by duck typing, as the other cross checks of rebuilt objects)."""
    state = getattr(obj, "__dict__", None)
    if not state or not all(k in state for k in ("_dual_coef_", "_n_support", "support_")):
        return
    at = f"{path}." if path else ""
    impl = getattr(obj, "_impl", None)
    if not isinstance(impl, str) or impl not in _IMPLS:
        raise fail(f"must be one of {_IMPLS}, not {_short(impl)}", f"{at}_impl")
    support = _dense(state["support_"], np.int32, 1, f"{at}support_")
    n_support = _dense(state["_n_support"], np.int32, 1, f"{at}_n_support")
    n_class, n_sv = len(n_support), len(support)
    if impl in _IMPLS[:2]:
        classes = state.get("classes_")
        if not isinstance(classes, np.ndarray) or len(classes) != n_class or n_class < 2:
            got = getattr(classes, "shape", type(classes).__name__)
            raise fail(f"has {n_class} entries, classes_ {got}: one per class, 2 or more",
                       f"{at}_n_support")  # fmt: skip
        negative = np.flatnonzero(n_support < 0)
        if negative.size:
            i = int(negative[0])
            raise fail(f"a negative count {n_support[i]}", f"{at}_n_support[{i}]")
        if int(n_support.sum(dtype=np.int64)) != n_sv:
            raise fail(f"sums to {int(n_support.sum(dtype=np.int64))}, not len(support_) {n_sv}",
                       f"{at}_n_support")  # fmt: skip
    elif n_class != 2:
        raise fail(f"has {n_class} entries, not 2 (an {impl} model)", f"{at}_n_support")
    shape_fit = state.get("shape_fit_")
    if not isinstance(shape_fit, tuple) or len(shape_fit) != 2:
        raise fail("expected a (rows, columns) tuple", f"{at}shape_fit_")
    n_rows = require_int(shape_fit[0], f"{at}shape_fit_[0]", 1)
    # Training rows; with a precomputed or callable kernel, libsvm reads X[:, support_].
    check_range(support, 0, n_rows, f"{at}support_")
    _check_support_vectors(obj, state, n_sv, at)
    _check_matrix(state["_dual_coef_"], (n_class - 1, n_sv), f"{at}_dual_coef_")
    pairs = n_class * (n_class - 1) // 2
    _dense(state.get("_intercept_"), np.float64, 1, f"{at}_intercept_", pairs)
    prob_a = _dense(state.get("_probA"), np.float64, 1, f"{at}_probA")
    _dense(state.get("_probB"), np.float64, 1, f"{at}_probB", len(prob_a))
    if len(prob_a) not in (0, pairs):
        raise fail(f"has {len(prob_a)} entries, not 0 or {pairs}", f"{at}_probA")


def _short(value: Any) -> str:
    return repr(value) if isinstance(value, str) else type(value).__name__


def _check_support_vectors(obj: Any, state: dict, n_sv: int, at: str) -> None:
    vectors = state.get("support_vectors_")
    where = f"{at}support_vectors_"
    sparse = state.get("_sparse", False)
    if not isinstance(sparse, bool):
        raise fail(f"expected a bool, not {type(sparse).__name__}", f"{at}_sparse")
    if sparse:
        if not sp.issparse(vectors) or vectors.format != "csr" or vectors.dtype != np.float64:
            raise fail("expected a float64 CSR matrix", where)
        if vectors.shape[0] != n_sv:
            raise fail(f"has {vectors.shape[0]} rows, not len(support_) {n_sv}", where)
        return
    vectors = _dense(vectors, np.float64, 2, where)
    kernel = getattr(obj, "kernel", None)
    keeps_none = kernel == "precomputed" if isinstance(kernel, str) else callable(kernel)
    if vectors.size == 0 and keeps_none:
        return  # those kernels keep no vectors: predict indexes the kernel matrix instead
    n_features = require_int(state.get("n_features_in_"), f"{at}n_features_in_", 1)
    if vectors.shape != (n_sv, n_features):
        raise fail(f"has shape {vectors.shape}, not (len(support_), n_features_in_) = "
                   f"{(n_sv, n_features)}", where)  # fmt: skip


def _check_matrix(value: Any, shape: tuple, where: str) -> None:
    """A dense array, or a CSR matrix whose data libsvm reads as that many dense values."""
    if sp.issparse(value):
        if value.format != "csr" or value.shape != shape or value.data.size != shape[0] * shape[1]:
            raise fail(f"expected a dense CSR matrix of shape {shape}", where)
        return
    got = _dense(value, np.float64, 2, where).shape
    if got != shape:
        raise fail(f"has shape {got}, not {shape} (classes - 1, support vectors)", where)


def _dense(value: Any, dtype: type, ndim: int, where: str, length: int | None = None):
    """`value` as a C-contiguous array of exactly `dtype` (libsvm's typed memoryviews)."""
    array = require_array(value, where, np.dtype(dtype).kind, ndim, length)
    if array.dtype != dtype or not array.flags.c_contiguous:
        raise fail(f"expected a contiguous {np.dtype(dtype).name} array, not {array.dtype}", where)
    return array
