"""Helpers of the dump/load tests: fit any estimator on tiny data, compare objects bit for bit."""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import scipy.sparse as sp

METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "transform",
    "score_samples",
    "score",
)
_ATOMS = (type(None), bool, int, float, str, bytes, complex)


# ---------------------------------------------------------------------------------------------
# Bitwise comparison of outputs and of whole object graphs.


def assert_same_array(a, b, where="") -> None:
    """Same type, dtype, shape and bytes (NaN payloads and -0.0 count); objects recursively."""
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    assert a.dtype == b.dtype, f"{where}: dtype {a.dtype} != {b.dtype}"
    assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
    if a.dtype == object:
        for i, (x, y) in enumerate(zip(a.ravel().tolist(), b.ravel().tolist(), strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes(), where
        if a.flags.c_contiguous or a.flags.f_contiguous:  # else: made contiguous, as copies are
            fortran = a.flags.f_contiguous and not a.flags.c_contiguous
            assert b.flags.f_contiguous if fortran else b.flags.c_contiguous, f"{where}: order"


def assert_same_output(a, b, where="output") -> None:
    """Outputs of a method: arrays, sparse matrices, DataFrames, scalars, tuples of them."""
    if isinstance(a, np.ndarray):
        assert_same_array(a, b, where)
    elif sp.issparse(a):
        assert type(a) is type(b) and a.shape == b.shape, where
        assert_same_array(a.toarray(), b.toarray(), where)
    elif type(a).__name__ == "DataFrame":
        assert list(a.columns) == list(b.columns), where
        assert_same_array(a.to_numpy(), b.to_numpy(), where)
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_output(x, y, f"{where}[{i}]")
    else:
        assert_same(a, b, where)


def _same_float(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (
        a == b and math.copysign(1, a) == math.copysign(1, b)
    )


class _Comparer:
    """Recursive equality that also checks that sharing is preserved (a -> b is one-to-one)."""

    def __init__(self):
        self.pairs: dict[int, object] = {}
        self.keep: list = []

    def same(self, a, b, where: str) -> None:
        if isinstance(a, _ATOMS) and not isinstance(a, np.generic):
            self._atom(a, b, where)
            return
        if id(a) in self.pairs:
            assert self.pairs[id(a)] is b, f"{where}: sharing not preserved"
            return
        self.pairs[id(a)] = b
        self.keep.append(a)
        assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
        self._compound(a, b, where)

    def _atom(self, a, b, where: str) -> None:
        assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
        if isinstance(a, float):
            assert _same_float(a, b), f"{where}: {a!r} != {b!r}"
        elif isinstance(a, complex):
            assert _same_float(a.real, b.real) and _same_float(a.imag, b.imag), where
        else:
            assert a == b, f"{where}: {a!r} != {b!r}"

    def _compound(self, a, b, where: str) -> None:
        if isinstance(a, np.ma.MaskedArray):
            assert_same_array(np.asarray(a.data), np.asarray(b.data), f"{where}.data")
            assert_same_array(np.ma.getmaskarray(a), np.ma.getmaskarray(b), f"{where}.mask")
        elif isinstance(a, np.ndarray):
            self._array(a, b, where)
        elif isinstance(a, np.generic):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), f"{where}: {a!r} != {b!r}"
        elif sp.issparse(a):
            self._sparse(a, b, where)
        elif isinstance(a, list | tuple):
            assert len(a) == len(b), f"{where}: length {len(a)} != {len(b)}"
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                self.same(x, y, f"{where}[{i}]")
        elif isinstance(a, dict):
            assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
            for key in a:
                self.same(a[key], b[key], f"{where}[{key!r}]")
        elif isinstance(a, set | frozenset):
            assert a == b, where
        else:
            self._other(a, b, where)

    def _array(self, a, b, where: str) -> None:
        if a.dtype == object:
            assert a.shape == b.shape, where
            for i, (x, y) in enumerate(zip(a.ravel(), b.ravel(), strict=True)):
                self.same(x, y, f"{where}.flat[{i}]")
        else:
            assert_same_array(a, b, where)

    def _sparse(self, a, b, where: str) -> None:
        assert a.shape == b.shape, where
        for name in ("data", "indices", "indptr", "row", "col"):
            if hasattr(a, name) and isinstance(getattr(a, name), np.ndarray):
                assert_same_array(getattr(a, name), getattr(b, name), f"{where}.{name}")

    def _other(self, a, b, where: str) -> None:
        if callable(a) and (isinstance(a, type) or hasattr(a, "__qualname__")):
            assert a is b, f"{where}: {a!r} is not {b!r}"
        elif isinstance(a, functools.partial):
            assert a.func is b.func, where
            self.same(a.args, b.args, f"{where}.args")
            self.same(a.keywords, b.keywords, f"{where}.keywords")
        elif isinstance(a, np.random.RandomState):
            self.same(a.get_state(legacy=False), b.get_state(legacy=False), where)
        elif isinstance(a, np.random.Generator):
            self.same(a.bit_generator.state, b.bit_generator.state, where)
        elif isinstance(a, np.dtype):
            assert a == b, where
        elif hasattr(a, "__dict__") and vars(a):
            self.same(dict(vars(a)), dict(vars(b)), where)
        else:
            self.same(_state(a), _state(b), where)


def _state(obj):
    """What the copy protocol says about an object without a __dict__ (Cython types)."""
    reduced = obj.__reduce_ex__(5)
    return tuple(reduced[1:3]) if isinstance(reduced, tuple) else reduced


def assert_same(a, b, where="") -> None:
    """`b` is a faithful copy of `a`: same types, same values bit for bit, same sharing."""
    _Comparer().same(a, b, where or "<root>")


def params_equal(a, b) -> None:
    """get_params() of two estimators are equal, nested estimators compared recursively."""
    pa, pb = a.get_params(deep=False), b.get_params(deep=False)
    assert list(pa) == list(pb)
    for key in pa:
        x, y = pa[key], pb[key]
        if hasattr(x, "get_params") and not isinstance(x, type):
            assert type(x) is type(y), key
            params_equal(x, y)
        else:
            assert_same(x, y, f"params.{key}")


# ---------------------------------------------------------------------------------------------
# Running every public method.


def method_outputs(estimator, X, y) -> dict:
    """{method: output or ("raises", exception type)} for every public prediction method."""
    results = {}
    for name in METHODS:
        if not hasattr(estimator, name):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                args = (X, y) if name == "score" else (X,)
                results[name] = getattr(estimator, name)(*args)
        except Exception as exc:  # the copy must fail the same way
            results[name] = ("raises", type(exc))
    return results


def assert_same_methods(original: dict, loaded: dict, label: str) -> None:
    assert list(original) == list(loaded), label
    for name, value in original.items():
        assert_same_output(value, loaded[name], f"{label}.{name}")


# ---------------------------------------------------------------------------------------------
# Fitting any estimator of all_estimators() on tiny data (as check_estimators_pickle does).

TEXT = ["the cat sat", "a dog ran", "the dog sat on a cat", "cats and dogs", "a b c"] * 6
_Y_ONLY = ("LabelBinarizer", "LabelEncoder", "MultiLabelBinarizer")


def sweep_data(estimator):
    """(fit arguments, X for the methods, y for score) fitting `estimator` as sklearn checks do."""
    from sklearn.datasets import make_blobs
    from sklearn.metrics.pairwise import rbf_kernel
    from sklearn.utils import get_tags
    from sklearn.utils.estimator_checks import _enforce_estimator_tags_X, _enforce_estimator_tags_y

    name = type(estimator).__name__
    X, y = make_blobs(
        n_samples=30, centers=[[0, 0, 0], [1, 1, 1]], random_state=0, n_features=2,
        cluster_std=0.1,
    )  # fmt: skip
    special = _special_inputs(name, y)
    if special is not None:
        return special
    X = _enforce_estimator_tags_X(estimator, X, kernel=rbf_kernel)
    if get_tags(estimator).input_tags.allow_nan:
        mask = np.random.RandomState(42).choice(X.size, 10, replace=False)
        X.reshape(-1)[mask] = np.nan
    y = _enforce_estimator_tags_y(estimator, y)
    # The methods get a copy: some estimators keep X itself and take shortcuts when given it.
    return (X, y), X.copy(), y


def _special_inputs(name: str, y):
    if name in ("CountVectorizer", "TfidfVectorizer", "HashingVectorizer"):
        return (TEXT,), TEXT, None
    if name in ("DictVectorizer", "FeatureHasher"):
        dicts = [{"a": i % 3, "b": float(i), f"k{i % 4}": 1} for i in range(30)]
        return (dicts,), dicts, None
    if name == "MultiLabelBinarizer":
        labels = [{int(v), int(v) + 2} for v in y]
        return (labels,), labels, None
    if name in _Y_ONLY:
        return (y,), y, None
    if name == "PatchExtractor":
        images = np.random.RandomState(0).rand(3, 8, 8)
        return (images,), images, None
    return None


# ---------------------------------------------------------------------------------------------
# File surgery for adversarial tests: rewrite the graph, metadata or arrays of a file.


def parts(data: bytes):
    """(graph, metadata, {name: array}) of an .amber file's bytes (arrays copied)."""
    from amber import container

    opened = container.read_bytes(data)
    names = [info["name"] for info in opened.array_infos]
    arrays = {name: np.array(array) for name, array in zip(names, opened.arrays(), strict=True)}
    return opened.graph, opened.metadata, arrays


def rebuild(graph, metadata, arrays) -> bytes:
    """The bytes of a file with this graph, metadata and arrays (written by the container)."""
    import io

    from amber import container

    buffer = io.BytesIO()
    container.write(buffer, arrays, graph=graph, metadata=metadata, compression="none")
    return buffer.getvalue()


def crafted(graph, arrays=(), metadata=None) -> bytes:
    """A file whose graph is `graph` (a JSON value), with a valid graph version."""
    from amber._api import _metadata

    meta = _metadata(set(), None) if metadata is None else metadata
    named = {f"a{i}": array for i, array in enumerate(arrays)}
    return rebuild(graph, meta, named)


def graph_places(node, at=()):
    """The key path of every JSON value of a graph, the root's () first."""
    yield at
    if isinstance(node, dict):
        for key, value in node.items():
            yield from graph_places(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from graph_places(value, (*at, i))


def replace_at(graph, at, value):
    """`graph` with the value at key path `at` replaced (in place; the root is returned anew)."""
    if not at:
        return value
    target = graph
    for key in at[:-1]:
        target = target[key]
    target[at[-1]] = value
    return graph


def find_nodes(node, predicate, found=None):
    """Every dict node of a graph for which `predicate(node)` holds, depth first."""
    found = [] if found is None else found
    if isinstance(node, dict):
        if predicate(node):
            found.append(node)
        for value in node.values():
            find_nodes(value, predicate, found)
    elif isinstance(node, list):
        for value in node:
            find_nodes(value, predicate, found)
    return found
