"""libsvm estimators' fitted arrays are checked against each other on load: libsvm reads as
many dual coefficients, intercepts and support vectors as `_n_support` and `support_` say,
without bounds checks, so each of these files crashed predict before the check."""

import numpy as np
import pytest
import scipy.sparse as sp
from amber_testing import parts, rebuild
from sklearn import svm

import amber

X = np.random.RandomState(0).rand(80, 4)
Y = (X[:, 0] > 0.5).astype(int) + (X[:, 1] > 0.5)
YR = X @ [1.0, 2.0, 0.0, -1.0]

MODELS = {
    "svc": lambda: svm.SVC(probability=True, random_state=0).fit(X, Y),
    "binary_nu_svc": lambda: svm.NuSVC(nu=0.3, random_state=0).fit(X, Y > 0),
    "svr": lambda: svm.SVR().fit(X, YR),
    "one_class": lambda: svm.OneClassSVM().fit(X),
    "sparse_svc": lambda: svm.SVC(random_state=0).fit(sp.csr_matrix(X), Y),
    "precomputed_svc": lambda: svm.SVC(kernel="precomputed").fit(X @ X.T, Y),
}


def rows(name):
    return X[:7] @ X.T if name == "precomputed_svc" else X[:7]


@pytest.fixture(scope="module")
def files():
    models = {name: fit() for name, fit in MODELS.items()}
    return {name: (model, amber.dumps(model)) for name, model in models.items()}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_libsvm_files_load_and_predict_the_same(files, name):
    model, data = files[name]
    back = amber.loads(data)
    for method in ("predict", "decision_function", "predict_proba"):
        if hasattr(model, method) and (method != "predict_proba" or model.probability):
            np.testing.assert_array_equal(getattr(back, method)(rows(name)),
                                          getattr(model, method)(rows(name)))  # fmt: skip


def _dropped_row(a):
    return a[:-1]


def _dropped_column(a):
    return np.ascontiguousarray(a[:, :-1])


def _empty(a):
    return a[:0]


@pytest.mark.parametrize(
    ("name", "array", "change", "path", "message"),
    [
        ("svc", "dual_coef_", _dropped_row, "_dual_coef_", r"shape \(1, \d+\), not \(2, "),
        ("svc", "dual_coef_", _dropped_column, "_dual_coef_", r"not \(2, \d+\)"),
        ("svc", "dual_coef_", _empty, "_dual_coef_", "shape"),
        ("svc", "support_vectors_", _empty, "support_vectors_", "not \\(len\\(support_\\)"),
        ("svc", "support_vectors_", _dropped_column, "support_vectors_", "n_features_in_"),
        ("svc", "support_", _dropped_row, "_n_support", "not len\\(support_\\)"),
        ("svc", "_n_support", _dropped_row, "_n_support", "one per class"),
        ("svc", "_intercept_", _dropped_row, "_intercept_", "of length 3"),
        ("svc", "_probA", _dropped_row, "_probB", "of length 2"),
        ("svc", "_probA", _empty, "_probB", "of length 0"),
        ("binary_nu_svc", "_dual_coef_", _empty, "_dual_coef_", "shape"),
        ("svr", "support_vectors_", _empty, "support_vectors_", "len\\(support_\\)"),
        ("svr", "_n_support", _dropped_row, "_n_support", "not 2"),
        ("svr", "dual_coef_", _dropped_row, "_dual_coef_", "shape"),
        ("one_class", "_n_support", _dropped_row, "_n_support", "not 2"),
        ("one_class", "dual_coef_", _empty, "_dual_coef_", "shape"),
    ],
)
def test_arrays_that_disagree_in_size_are_refused(files, name, array, change, path, message):
    graph, meta, arrays = parts(files[name][1])
    arrays[array] = change(arrays[array])
    with pytest.raises(amber.InvalidStateError, match=message) as info:
        amber.loads(rebuild(graph, meta, arrays))
    assert info.value.path == path


@pytest.mark.parametrize(
    ("name", "array", "value", "path", "message"),
    [
        ("svc", "support_", lambda a: np.r_[a[:-1], 10**6].astype(np.int32), "support_[", "range"),
        ("svc", "_n_support", lambda a: np.r_[-1, a[1:]].astype(np.int32), "_n_support[0]",
         "negative"),
        ("precomputed_svc", "support_", lambda a: np.r_[a[:-1], 80].astype(np.int32),
         "support_[", r"range \[0, 80\)"),
        ("svc", "support_", lambda a: a.astype(np.int64), "support_", "int32"),
        ("svc", "dual_coef_", lambda a: a.astype(np.float32), "_dual_coef_", "float64"),
    ],
)  # fmt: skip
def test_bad_values_and_dtypes_are_refused(files, name, array, value, path, message):
    graph, meta, arrays = parts(files[name][1])
    arrays[array] = value(arrays[array])
    with pytest.raises(amber.InvalidStateError, match=message) as info:
        amber.loads(rebuild(graph, meta, arrays))
    assert info.value.path.startswith(path)


def test_sparse_dual_coefficients_must_be_stored_dense(files):
    # libsvm reads the CSR matrix's data as (classes - 1) x support vectors dense values.
    graph, meta, arrays = parts(files["sparse_svc"][1])
    for part in ("data", "indices"):
        arrays[f"dual_coef_.{part}"] = arrays[f"dual_coef_.{part}"][:-1]
    arrays["dual_coef_.indptr"][-1] -= 1
    with pytest.raises(amber.InvalidStateError, match="dense CSR matrix") as info:
        amber.loads(rebuild(graph, meta, arrays))
    assert info.value.path == "_dual_coef_"


@pytest.mark.parametrize("member", ["_sparse", "_impl", "n_features_in_", "shape_fit_"])
def test_members_that_are_arrays_instead_are_refused(files, member):
    # An array where a flag or a name belongs made the checks' own comparisons ambiguous.
    graph, meta, arrays = parts(files["svc"][1])
    graph["state"]["items"][member] = {"$": "ndarray", "array": 0}
    with pytest.raises(amber.InvalidStateError) as info:
        amber.loads(rebuild(graph, meta, arrays))
    assert info.value.path == member
