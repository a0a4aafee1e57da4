"""Tree state column by column: sklearn Tree, HGB TreePredictor and KDTree/BallTree nodes.

Structured arrays are not in the container format, so each node field is its own array
(`tree_.children_left`, `tree_.threshold`, ...). Loading checks the columns (amber.sklearn.
_validate) and rebuilds the structured node array by field assignment, then hands it to the
type's own `__setstate__`.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import numpy as np

from amber._graph import Encoder, attr_path
from amber.errors import UnsupportedObjectError
from amber.sklearn._generic import Special
from amber.sklearn._validate import check_children, check_range, fail, require_array, require_int

TREE = "sklearn.tree._tree:Tree"
PREDICTOR = "sklearn.ensemble._hist_gradient_boosting.predictor:TreePredictor"
BINARY_TREES = [
    f"sklearn.neighbors._{module}:{name}{suffix}"
    for module, name in (("kd_tree", "KDTree"), ("ball_tree", "BallTree"))
    for suffix in ("", "64", "32")
]

#: Tree columns by their public name (`Tree.children_left`) -> NODE_DTYPE field.
TREE_COLUMNS = {
    "children_left": "left_child",
    "children_right": "right_child",
    "feature": "feature",
    "threshold": "threshold",
    "impurity": "impurity",
    "n_node_samples": "n_node_samples",
    "weighted_n_node_samples": "weighted_n_node_samples",
    "missing_go_to_left": "missing_go_to_left",
}
_TREE_SCALARS = ("n_features", "n_outputs", "max_depth", "node_count")
_BINARY_TREE_FIELDS = (
    "data", "idx_array", "node_data", "node_bounds", "leaf_size", "n_levels", "n_nodes",
    "n_trims", "n_leaves", "n_splits", "n_calls", "dist_metric", "sample_weight",
)  # fmt: skip


def _columns(records: np.ndarray, names: dict[str, str], enc: Encoder, path: str) -> dict:
    """One array node per field of a structured array, named by `names` (public -> field)."""
    if set(records.dtype.names) != set(names.values()):
        raise UnsupportedObjectError(
            f"unknown node layout {records.dtype.names}: this scikit-learn is not supported", path
        )
    return {
        public: enc.encode(np.ascontiguousarray(records[field]), attr_path(path, public))
        for public, field in names.items()
    }


def _records(columns: dict, names: dict[str, str], dtype: np.dtype, path: str) -> np.ndarray:
    """The structured array of `dtype` from its checked columns (field assignment)."""
    n = len(next(iter(columns.values())))
    records = np.zeros(n, dtype=dtype)
    for public, field in names.items():
        records[field] = columns[public]
    return records


def _column(columns: dict, name: str, kinds: str, n: int, path: str) -> np.ndarray:
    if name not in columns:
        raise fail(f"missing column {name!r}", path)
    return require_array(columns[name], attr_path(path, name), kinds, 1, n)


def _require_keys(state: Any, keys, path: str) -> dict:
    if not isinstance(state, dict) or set(state) != set(keys):
        have = sorted(state) if isinstance(state, dict) else type(state).__name__
        raise fail(f"state must hold exactly {sorted(keys)}, not {have}", path)
    return state


# ---------------------------------------------------------------------------------------------
# sklearn.tree._tree.Tree


def encode_tree(tree: Any, enc: Encoder, path: str) -> dict:
    state = tree.__getstate__()
    items: dict = {name: int(getattr(tree, name)) for name in ("n_features", "n_outputs")}
    items["n_classes"] = enc.encode(np.asarray(tree.n_classes), attr_path(path, "n_classes"))
    items["max_depth"] = int(state["max_depth"])
    items["node_count"] = int(state["node_count"])
    items.update(_columns(state["nodes"], TREE_COLUMNS, enc, path))
    items["value"] = enc.encode(state["values"], attr_path(path, "value"))
    return {"$": "dict", "items": items}


def decode_tree(state: Any, path: str, cls: type) -> Any:
    keys = (*_TREE_SCALARS, "n_classes", *TREE_COLUMNS, "value")
    state = _require_keys(state, keys, path)
    n_features, n_outputs, n_classes = _tree_shape(state, path)
    nodes, values, depth = _tree_nodes(state, n_features, n_outputs, n_classes, path)
    max_depth = require_int(state["max_depth"], attr_path(path, "max_depth"), 0, len(nodes))
    tree = cls(n_features, n_classes, n_outputs)
    tree.__setstate__({"max_depth": max_depth, "node_count": len(nodes), "nodes": nodes,
                       "values": values})  # fmt: skip
    if depth is None:  # children come after parents: sklearn's own pass in node order is exact
        depth = int(tree.compute_node_depths().max()) - 1
    if depth > max_depth:  # decision_path() sizes its buffer by max_depth
        raise fail(f"max_depth {max_depth} is less than the depth {depth} of the nodes",
                   attr_path(path, "max_depth"))  # fmt: skip
    return tree


def _tree_shape(state: dict, path: str) -> tuple[int, int, np.ndarray]:
    n_features = require_int(state["n_features"], attr_path(path, "n_features"), 1, 2**31)
    n_outputs = require_int(state["n_outputs"], attr_path(path, "n_outputs"), 1, 2**31)
    where = attr_path(path, "n_classes")
    n_classes = require_array(state["n_classes"], where, "iu", 1, n_outputs)
    return n_features, n_outputs, n_classes.astype(np.intp)


def _tree_nodes(state: dict, n_features: int, n_outputs: int, n_classes, path: str):
    from sklearn.tree._tree import NODE_DTYPE

    n = require_int(state["node_count"], attr_path(path, "node_count"), 1)
    columns = {name: _column(state, name, _tree_kind(name), n, path) for name in TREE_COLUMNS}
    left, right = columns["children_left"], columns["children_right"]
    leaf = left == -1
    if not np.array_equal(right == -1, leaf):
        j = int(np.flatnonzero((right == -1) != leaf)[0])
        where = attr_path(path, "children_right")
        raise fail(f"node {j} has one child: left {left[j]}, right {right[j]}", f"{where}[{j}]")
    paths = (attr_path(path, "children_left"), attr_path(path, "children_right"))
    depth = check_children(left, right, leaf, paths)
    check_range(columns["feature"], 0, n_features, attr_path(path, "feature"), where=~leaf)
    check_range(columns["missing_go_to_left"], 0, 2, attr_path(path, "missing_go_to_left"))
    check_range(n_classes, 1, 2**31, attr_path(path, "n_classes"))
    values = state["value"]
    shape = (n, n_outputs, int(n_classes.max()))
    if not isinstance(values, np.ndarray) or values.dtype != np.float64 or values.shape != shape:
        got = getattr(values, "shape", type(values).__name__)
        raise fail(
            f"expected a float64 array of shape {shape}, not {got}", attr_path(path, "value")
        )
    return _records(columns, TREE_COLUMNS, NODE_DTYPE, path), values, depth


def _tree_kind(name: str) -> str:
    if name in ("threshold", "impurity", "weighted_n_node_samples"):
        return "f"
    return "bu" if name == "missing_go_to_left" else "i"


# ---------------------------------------------------------------------------------------------
# HistGradientBoosting TreePredictor


def _predictor_columns() -> dict[str, str]:
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE

    return {name: name for name in PREDICTOR_RECORD_DTYPE.names}


def encode_predictor(predictor: Any, enc: Encoder, path: str) -> dict:
    state = dict(vars(predictor))
    nodes_path = attr_path(path, "nodes")
    items = {"nodes": {"$": "dict", "items": _columns(state.pop("nodes"), _predictor_columns(),
                                                      enc, nodes_path)}}  # fmt: skip
    items.update({key: enc.encode(value, attr_path(path, key)) for key, value in state.items()})
    return {"$": "dict", "items": items}


def decode_predictor(state: Any, path: str, cls: type) -> Any:
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE

    state = _require_keys(state, ("nodes", "binned_left_cat_bitsets", "raw_left_cat_bitsets"), path)
    bitsets = {key: _bitsets(state[key], attr_path(path, key)) for key in state if key != "nodes"}
    nodes_path = attr_path(path, "nodes")
    columns = _predictor_nodes(state["nodes"], nodes_path, bitsets)
    nodes = _records(columns, _predictor_columns(), PREDICTOR_RECORD_DTYPE, nodes_path)
    predictor = cls.__new__(cls)
    predictor.__setstate__({"nodes": nodes, **bitsets})
    return predictor


def _bitsets(value: Any, path: str) -> np.ndarray:
    array = require_array(value, path, "u", 2)
    if array.dtype != np.uint32 or array.shape[1] != 8:
        raise fail(
            f"expected uint32 bitsets of shape (n, 8), not {array.dtype} {array.shape}", path
        )
    return np.ascontiguousarray(array)


def _predictor_nodes(columns: Any, path: str, bitsets: dict) -> dict:
    names = _predictor_columns()
    if not isinstance(columns, dict) or set(columns) != set(names):
        raise fail(f"predictor nodes must hold the columns {sorted(names)}", path)
    n = len(require_array(columns["value"], attr_path(path, "value"), "f", 1))
    if n < 1:
        raise fail("a predictor needs one node or more", attr_path(path, "value"))
    kinds = {"value": "f", "num_threshold": "f", "gain": "f", "feature_idx": "i"}
    checked = {name: _column(columns, name, kinds.get(name, "u"), n, path) for name in names}
    leaf = checked["is_leaf"] != 0
    paths = (attr_path(path, "left"), attr_path(path, "right"))
    check_children(checked["left"].astype(np.int64), checked["right"].astype(np.int64), leaf, paths)
    categorical = ~leaf & (checked["is_categorical"] != 0)
    rows = min(len(bitsets["raw_left_cat_bitsets"]), len(bitsets["binned_left_cat_bitsets"]))
    check_range(checked["bitset_idx"], 0, rows, attr_path(path, "bitset_idx"), where=categorical)
    return checked


# ---------------------------------------------------------------------------------------------
# KDTree / BallTree (sklearn.neighbors BinaryTree)


def encode_binary_tree(tree: Any, enc: Encoder, path: str) -> dict:
    state = dict(zip(_BINARY_TREE_FIELDS, tree.__getstate__(), strict=True))
    node_data = state["node_data"]
    names = {name: name for name in node_data.dtype.names}
    data_path = attr_path(path, "node_data")
    items = {}
    for key, value in state.items():
        if key == "node_data":
            items[key] = {"$": "dict", "items": _columns(node_data, names, enc, data_path)}
        else:
            items[key] = enc.encode(value, attr_path(path, key))
    return {"$": "dict", "items": items}


def decode_binary_tree(state: Any, path: str, cls: type) -> Any:
    node_dtype = sys.modules[cls.__module__].NodeData
    state = _require_keys(state, _BINARY_TREE_FIELDS, path)
    state["node_data"] = _binary_nodes(state, node_dtype, cls, path)
    tree = cls.__new__(cls)
    tree.__setstate__(tuple(state[key] for key in _BINARY_TREE_FIELDS))
    return tree


def _binary_nodes(state: dict, node_dtype: np.dtype, cls: type, path: str) -> np.ndarray:
    data = _tree_data(state["data"], cls, attr_path(path, "data"))
    n_samples, n_features = data.shape
    idx = require_array(state["idx_array"], attr_path(path, "idx_array"), "i", 1, n_samples)
    check_range(idx, 0, n_samples, attr_path(path, "idx_array"))
    n_levels = require_int(state["n_levels"], attr_path(path, "n_levels"), 1, 62)
    n_nodes = require_int(state["n_nodes"], attr_path(path, "n_nodes"), 1)
    # A leaf size of 0 (or False) made kernel_density die of SIGFPE (a mutation fuzz).
    require_int(state["leaf_size"], attr_path(path, "leaf_size"), 1, 2**31 - 1)
    if n_nodes != 2**n_levels - 1:
        raise fail(f"n_nodes {n_nodes} is not 2**n_levels - 1", attr_path(path, "n_nodes"))
    nodes_path = attr_path(path, "node_data")
    columns = _node_data(state["node_data"], node_dtype, n_nodes, n_samples, nodes_path)
    _check_bounds(
        state["node_bounds"], n_nodes, n_features, data.dtype, attr_path(path, "node_bounds")
    )
    _check_weights(state["sample_weight"], n_samples, data.dtype, attr_path(path, "sample_weight"))
    _check_metric(state["dist_metric"], n_features, attr_path(path, "dist_metric"))
    names = {name: name for name in node_dtype.names}
    return _records(columns, names, node_dtype, nodes_path)


def _tree_data(data: Any, cls: type, path: str) -> np.ndarray:
    kind = np.float32 if cls.__name__.endswith("32") else np.float64
    array = require_array(data, path, "f", 2)
    if array.dtype != kind or 0 in array.shape:
        raise fail(
            f"expected a non-empty {np.dtype(kind)} array, not {array.dtype} {array.shape}", path
        )
    return np.ascontiguousarray(array)


def _node_data(columns: Any, dtype: np.dtype, n_nodes: int, n_samples: int, path: str) -> dict:
    if not isinstance(columns, dict) or set(columns) != set(dtype.names):
        raise fail(f"node_data must hold the columns {list(dtype.names)}", path)
    kinds = {"radius": "f"}
    checked = {
        name: _column(columns, name, kinds.get(name, "i"), n_nodes, path) for name in columns
    }
    start, end = checked["idx_start"], checked["idx_end"]
    check_range(start, 0, n_samples + 1, attr_path(path, "idx_start"))
    check_range(end, 0, n_samples + 1, attr_path(path, "idx_end"))
    check_range(end - start, 0, n_samples + 1, attr_path(path, "idx_end"))
    is_leaf = checked["is_leaf"]
    check_range(is_leaf, 0, 2, attr_path(path, "is_leaf"))
    inner = np.flatnonzero(is_leaf == 0)
    if inner.size and 2 * int(inner[-1]) + 2 >= n_nodes:
        j = int(inner[-1])
        raise fail(f"internal node {j} has children past n_nodes {n_nodes}", f"{path}.is_leaf[{j}]")
    return checked


def _check_bounds(bounds: Any, n_nodes: int, n_features: int, dtype, path: str) -> None:
    array = require_array(bounds, path, "f", 3)
    if (
        array.dtype != dtype
        or array.shape[1:] != (n_nodes, n_features)
        or array.shape[0] not in (1, 2)
    ):
        raise fail(f"expected node bounds of shape (1|2, {n_nodes}, {n_features})", path)


def _check_weights(weights: Any, n_samples: int, dtype, path: str) -> None:
    if weights is not None:
        array = require_array(weights, path, "f", 1, n_samples)
        if array.dtype != dtype:
            raise fail(f"expected {dtype} sample weights, not {array.dtype}", path)


def _check_metric(metric: Any, n_features: int, path: str) -> None:
    from sklearn.metrics._dist_metrics import DistanceMetric32, DistanceMetric64

    if not isinstance(metric, DistanceMetric64 | DistanceMetric32):
        raise fail(f"expected a DistanceMetric, not {type(metric).__name__}", path)
    _, vec, mat = metric.__getstate__()[:3]
    name = type(metric).__name__
    if name.startswith("SEuclidean") and vec.shape != (n_features,):
        raise fail(f"SEuclidean V has shape {vec.shape}, not ({n_features},)", path)
    if name.startswith("Minkowski") and vec.size not in (0, n_features):
        raise fail(f"Minkowski w has {vec.size} weights, not {n_features}", path)
    if name.startswith("Mahalanobis") and mat.shape != (n_features, n_features):
        raise fail(f"Mahalanobis VI has shape {mat.shape}, not ({n_features}, {n_features})", path)


# ---------------------------------------------------------------------------------------------
# DistanceMetric: a compiled type whose __setstate__ indexes its state tuple unchecked.

METRICS = [
    f"sklearn.metrics._dist_metrics:{kind}Distance{bits}"
    for kind in (
        "BrayCurtis", "Canberra", "Chebyshev", "Dice", "Euclidean", "Hamming", "Haversine",
        "Jaccard", "Kulsinski", "Mahalanobis", "Manhattan", "Matching", "Minkowski", "PyFunc",
        "RogersTanimoto", "RussellRao", "SEuclidean", "SokalMichener", "SokalSneath",
    )
    for bits in ("32", "64")
]  # fmt: skip


def check_metric_state(state: Any, path: str, pyfunc: bool = False) -> None:
    """`(p, vec, mat)`, plus `(func, kwargs)` for PyFuncDistance: p a number, vec a 1-d and
    mat a 2-d C-contiguous float64 array."""
    size = 5 if pyfunc else 3
    if not isinstance(state, tuple) or len(state) != size:
        raise fail(f"a distance metric's state is a tuple of {size} values", path)
    p, vec, mat = state[:3]
    if isinstance(p, bool) or not isinstance(p, int | float | np.floating | np.integer):
        raise fail(f"the metric's p must be a number, not {type(p).__name__}", path)
    for name, value, ndim in (("vec", vec, 1), ("mat", mat, 2)):
        if not (isinstance(value, np.ndarray) and value.dtype == np.float64 and value.ndim == ndim):
            raise fail(f"the metric's {name} must be a {ndim}-d float64 array", path)
    if pyfunc and (not callable(state[3]) or not isinstance(state[4], dict)):
        raise fail("a PyFuncDistance state ends with a function and a dict", path)


STATE_CHECKS = {
    name: functools.partial(check_metric_state, pyfunc="PyFunc" in name) for name in METRICS
}

SPECIALS = {
    TREE: Special(encode_tree, decode_tree),
    PREDICTOR: Special(encode_predictor, decode_predictor),
    **{name: Special(encode_binary_tree, decode_binary_tree) for name in BINARY_TREES},
}
