"""amber.dump/load of SciPy values: sparse matrices and arrays, B-splines."""

import numpy as np
import pytest
import scipy.sparse as sp
from amber_testing import assert_same

import amber
from amber import container

DENSE = np.array([[0.0, 1.5, 0.0, -2.0], [0.0, 0.0, 0.0, 0.0], [3.0, 0.0, np.nan, 0.0]])
CLASSES = [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.csr_array, sp.csc_array, sp.coo_array]


def roundtrip(value):
    return amber.loads(amber.dumps(value))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_sparse_roundtrip(cls):
    matrix = cls(DENSE)
    back = roundtrip(matrix)
    assert type(back) is cls and back.shape == matrix.shape
    assert_same(matrix, back)
    assert np.array_equal(back.toarray(), matrix.toarray(), equal_nan=True)


def test_sparse_index_dtype_is_kept():
    matrix = sp.csr_matrix(DENSE)
    matrix.indices = matrix.indices.astype(np.int64)
    matrix.indptr = matrix.indptr.astype(np.int64)
    back = roundtrip(matrix)
    assert back.indices.dtype == np.int64 and back.indptr.dtype == np.int64


def test_sparse_node_layout():
    node = container.read_bytes(amber.dumps(sp.csr_array(DENSE))).graph
    assert node["$"] == "sparse" and node["format"] == "csr" and node["container"] == "array"
    assert node["shape"] == [3, 4] and {"data", "indices", "indptr"} <= set(node)


@pytest.mark.parametrize("fmt", ["lil", "dok", "bsr", "dia"])
def test_other_sparse_formats_are_refused_with_advice(fmt):
    with pytest.raises(amber.UnsupportedObjectError, match="tocsr"):
        amber.dumps(sp.csr_matrix(DENSE).asformat(fmt))


def test_shared_sparse_matrix_stays_shared():
    matrix = sp.csr_matrix(DENSE)
    back = roundtrip([matrix, matrix])
    assert back[0] is back[1]


def test_bspline_of_spline_transformer():
    from sklearn.preprocessing import SplineTransformer

    X = np.linspace(0, 1, 20).reshape(10, 2)
    spline = SplineTransformer(n_knots=4).fit(X)
    data = amber.dumps(spline)
    assert amber.get_untrusted_types(data=data) == []
    back = amber.loads(data)
    assert_same(spline, back)
    assert np.array_equal(spline.transform(X), back.transform(X))
