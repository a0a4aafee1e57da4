"""Canonical tree node arrays (docs/schema/tree.md §2): sklearn Trees to columns and back.

All trees of an estimator are concatenated into one array per column; `node_offsets` marks
where each tree starts. Loading checks every index with whole-array NumPy operations before
scikit-learn sees any of it, then fills one structured NODE_DTYPE array by field assignment and
hands each tree its slice through `Tree.__setstate__`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from amber._graph import Encoder, attr_path
from amber.errors import GraphError
from amber.sklearn._tree_util import Fitted
from amber.sklearn._validate import fail

#: Columns of the node arrays and the NODE_DTYPE field each one fills.
FIELDS = {
    "left": "left_child",
    "right": "right_child",
    "feature": "feature",
    "threshold": "threshold",
    "impurity": "impurity",
    "n_node_samples": "n_node_samples",
    "weighted_n_node_samples": "weighted_n_node_samples",
    "missing_left": "missing_go_to_left",
}
_KINDS = {"threshold": "f", "impurity": "f", "weighted_n_node_samples": "f"}
LEAF, UNDEFINED = -1, -2

TreePath = Callable[[int], str]


# ---------------------------------------------------------------------------------------------
# What the installed scikit-learn does.


@functools.cache
def values_are_fractions() -> bool:
    """Whether classification trees store weighted class fractions (scikit-learn >= 1.4)."""
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier(max_depth=1).fit([[0.0], [1.0], [1.0]], [0, 0, 1]).tree_
    return bool(np.isclose(tree.value[0].sum(), 1.0))


def node_dtype() -> np.dtype:
    from sklearn.tree._tree import NODE_DTYPE

    return NODE_DTYPE


# ---------------------------------------------------------------------------------------------
# Encoding.


def feature_dtype(n_features: int) -> np.dtype:
    """The smallest signed integer type that holds every feature index and -2."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_features - 1 <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    raise GraphError(f"{n_features} features do not fit the schema's int32 feature column")


def _fractions(values: np.ndarray) -> np.ndarray:
    """Class counts to fractions as predict_proba of scikit-learn < 1.4 computed them."""
    totals = values.sum(axis=2, keepdims=True)
    totals[totals == 0] = 1.0
    return values / totals


def encode_trees(trees: list, n_features: int, is_classifier: bool, enc: Encoder, path: str):
    """The `trees` object of a list of sklearn Tree objects (one estimator's trees)."""
    states = [tree.__getstate__() for tree in trees]
    nodes = np.concatenate([state["nodes"] for state in states])
    values = np.concatenate([state["values"] for state in states])
    if is_classifier and not values_are_fractions():
        values = _fractions(values)
    offsets = np.zeros(len(trees) + 1, dtype=np.int64)
    np.cumsum([len(state["nodes"]) for state in states], out=offsets[1:])
    names = nodes.dtype.names
    columns = {
        "node_offsets": offsets,
        "left": nodes["left_child"].astype(np.int32),
        "right": nodes["right_child"].astype(np.int32),
        "feature": nodes["feature"].astype(feature_dtype(n_features)),
        "threshold": nodes["threshold"].astype(np.float64),
        "missing_left": (
            nodes["missing_go_to_left"].astype(np.uint8)
            if "missing_go_to_left" in names
            else np.zeros(len(nodes), dtype=np.uint8)
        ),
        "impurity": nodes["impurity"].astype(np.float64),
        "n_node_samples": nodes["n_node_samples"].astype(np.int64),
        "weighted_n_node_samples": nodes["weighted_n_node_samples"].astype(np.float64),
        "value": np.ascontiguousarray(values, dtype=np.float64),
        "max_depth": np.array([state["max_depth"] for state in states], dtype=np.int64),
    }
    base = attr_path(path, "trees")
    return {name: enc.encode(array, attr_path(base, name)) for name, array in columns.items()}


# ---------------------------------------------------------------------------------------------
# Decoding and checks.


class Columns:
    """The checked columns of a `trees` object and where each tree starts."""

    def __init__(self, fitted: Fitted, name: str = "trees"):
        raw = fitted.raw.get(name)
        self.path = fitted.where(name)
        if not isinstance(raw, dict) or "$" in raw:
            raise GraphError("must be an object of node arrays", self.path)
        self.raw = {
            key: fitted.dec.view(node, attr_path(self.path, key)) for key, node in raw.items()
        }
        self.offsets = self._offsets()
        self.n = int(self.offsets[-1])
        self.sizes = np.diff(self.offsets)

    def column(self, name: str, kinds: str, shape: tuple | None = None) -> np.ndarray:
        value = self.raw.get(name)
        shape = shape or (self.n,)
        if not isinstance(value, np.ndarray) or value.dtype.kind not in kinds:
            got = getattr(value, "dtype", type(value).__name__)
            raise GraphError(f"must be an array of kind {kinds!r}, not {got}", self.where(name))
        if value.shape != shape:
            raise GraphError(f"has shape {value.shape}, expected {shape}", self.where(name))
        return value

    def where(self, name: str) -> str:
        return attr_path(self.path, name)

    def _offsets(self) -> np.ndarray:
        value = self.raw.get("node_offsets")
        where = self.where("node_offsets")
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "iu" or value.ndim != 1:
            raise GraphError("must be a 1-d integer array", where)
        offsets = value.astype(np.int64)
        if offsets.size < 2 or offsets[0] != 0 or (np.diff(offsets) <= 0).any():
            raise GraphError("must start at 0 and increase strictly (one tree or more)", where)
        return offsets

    @property
    def n_trees(self) -> int:
        return self.offsets.size - 1


def _first_bad(bad: np.ndarray) -> int | None:
    if not bad.any():
        return None
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def _node_path(columns: Columns, tree_path: TreePath, column: str, g: int) -> str:
    """`estimators_[t].tree_.left[i]` for the global node index g."""
    t = int(np.searchsorted(columns.offsets, g, side="right") - 1)
    return f"{tree_path(t)}.{column}[{g - int(columns.offsets[t])}]"


def _refuse_at(bad: np.ndarray, columns: Columns, tree_path: TreePath, column: str, what: str):
    g = _first_bad(bad)
    if g is not None:
        raise fail(what, _node_path(columns, tree_path, column, g))


def _index_dtype(n: int) -> type:
    return np.int32 if n < 2**31 else np.int64


def _children(column: np.ndarray) -> np.ndarray:
    """A child column in a signed type that holds every node index and -1 (no copy if int32)."""
    if column.dtype == np.int32:
        return column
    if column.dtype.kind == "u" and column.size and column.max() > np.iinfo(np.int64).max:
        return np.full(column.shape, np.iinfo(np.int64).max)  # out of range anyway
    return column.astype(np.int64)


def check_structure(columns: Columns, left, right, leaf, tree_path: TreePath):
    """Checks that every tree is a binary tree rooted at its node 0.

    Returns None when every child comes after its parent (scikit-learn's own order: the depth
    is then computed in node order by scikit-learn), else each tree's depth.
    """
    if _ordered(columns, left, right, leaf):
        return None
    index = _index_dtype(columns.n)
    start = np.repeat(columns.offsets[:-1].astype(index), columns.sizes)
    size = np.repeat(columns.sizes.astype(index), columns.sizes)
    for name, child in (("left", left), ("right", right)):
        bad = np.where(leaf, child != LEAF, (child < 1) | (child >= size))
        _refuse_at(bad, columns, tree_path, name, "child index out of range [1, n_nodes) "
                   "(or not -1 at a leaf)")  # fmt: skip
    inner = ~leaf
    children = np.concatenate([(left + start)[inner], (right + start)[inner]])
    parents = np.bincount(children, minlength=columns.n)
    parents[columns.offsets[:-1]] += 1
    _refuse_at(parents != 1, columns, tree_path, "left", "node entered twice or never: not a tree")
    return _depths(columns, left.astype(np.int64), right.astype(np.int64), leaf,
                   start.astype(np.int64))  # fmt: skip


def _ordered(columns: Columns, left, right, leaf) -> bool:
    """The fast check of trees in scikit-learn's order: at leaves both children are -1; at
    splits both lie after the node and inside its tree; no node is a child twice; N - T
    children in all. Then each node but a root has exactly one parent, which comes before it:
    no cycle, and every node is reachable from its root. False sends the caller to the general
    checks, which name the first bad node. (Element-wise arithmetic and one scatter: boolean
    indexing and np.where cost several times more per node.)"""
    n = columns.n
    start = np.repeat(columns.offsets[:-1], columns.sizes)
    g = np.arange(n, dtype=np.int64)
    # g < start + child < end, i.e. 0 <= start + child - g - 1 < end - g - 1, in one unsigned
    # comparison (exact: every value is far below 2^63).
    room = np.repeat(columns.offsets[1:], columns.sizes)
    room -= g
    room -= 1
    room = room.view(np.uint64)
    inner = ~leaf
    if ((right != LEAF) & leaf).any() or 2 * np.count_nonzero(inner) != n - columns.n_trees:
        return False
    spare = n + 1 - start  # start - 1 + spare = n: the leaves' -1 marks the spare slot n
    spare *= leaf
    entered = np.zeros(n + 1, dtype=bool)
    for child in (left, right):
        target = child + start
        step = target - g
        step -= 1
        if ((step.view(np.uint64) >= room) & inner).any():
            return False
        target += spare
        entered[target] = True
    return np.count_nonzero(entered[:n]) == n - columns.n_trees


def _depths(columns: Columns, left, right, leaf, start) -> np.ndarray:
    """Walks all trees level by level from their roots: every node must be met exactly once."""
    tree_of = np.repeat(np.arange(columns.n_trees), columns.sizes)
    depth = np.zeros(columns.n_trees, dtype=np.int64)
    frontier, seen, level = columns.offsets[:-1].copy(), columns.n_trees, 0
    while frontier.size:
        depth[tree_of[frontier]] = level
        inner = frontier[~leaf[frontier]]
        frontier = np.concatenate([left[inner] + start[inner], right[inner] + start[inner]])
        seen, level = seen + frontier.size, level + 1
        if seen > columns.n:
            break
    if seen != columns.n:
        raise fail("the nodes contain a cycle or unreachable nodes", columns.where("left"))
    return depth


def _check_features(columns: Columns, feature, leaf, n_features: int, tree_path: TreePath):
    if feature.dtype.kind == "u" or feature.dtype.itemsize > 4:
        feature = feature.astype(np.int64)
    low = (feature < 0) & ~leaf
    if n_features <= np.iinfo(feature.dtype).max:
        low |= (feature >= n_features) & ~leaf
    bad = low | (leaf & (feature != UNDEFINED))
    _refuse_at(bad, columns, tree_path, "feature", f"not a feature index in [0, {n_features})")


class Span:
    """Trees [t0, t1) of a Columns with node offsets local to the span: the checks run on one
    span at a time, so that their arrays stay in cache (sizes, offsets and paths as Columns)."""

    def __init__(self, columns: Columns, t0: int, t1: int):
        self.path, self.t0 = columns.path, t0
        self.lo, self.hi = int(columns.offsets[t0]), int(columns.offsets[t1])
        self.offsets = columns.offsets[t0 : t1 + 1] - self.lo
        self.sizes = columns.sizes[t0:t1]
        self.n, self.n_trees = self.hi - self.lo, t1 - t0

    def where(self, name: str) -> str:
        return attr_path(self.path, name)


#: Nodes per span: a span's checks and records stay in cache until Tree.__setstate__ copies
#: them, and one span of records is all the extra memory they take.
BLOCK = 1 << 15


def _spans(columns: Columns):
    """Runs of consecutive trees holding about BLOCK nodes (a bigger tree alone)."""
    offsets, t0 = columns.offsets, 0
    while t0 < columns.n_trees:
        t1 = int(np.searchsorted(offsets, offsets[t0] + BLOCK, side="right")) - 1
        t1 = min(max(t1, t0 + 1), columns.n_trees)
        yield Span(columns, t0, t1)
        t0 = t1


def _check_span(span: Span, part: dict, n_features: int, max_depth, tree_path: TreePath):
    """The checks of §2.1 on one span; returns the depths or None (compute them in order)."""
    left, right = _children(part["left"]), _children(part["right"])
    leaf = left == LEAF
    depth = check_structure(span, left, right, leaf, tree_path)
    _check_features(span, part["feature"], leaf, n_features, tree_path)
    _refuse_at(part["missing_left"] > 1, span, tree_path, "missing_left", "must be 0 or 1")
    if depth is not None:
        _refuse_at_tree(max_depth < depth, span, "max_depth", "is below the tree's depth")
    return depth


def _refuse_at_tree(bad: np.ndarray, span: Span, name: str, what: str) -> None:
    t = _first_bad(bad)
    if t is not None:
        raise fail(what, f"{span.where(name)}[{span.t0 + t}]")


def _fill(block: np.ndarray, part: dict, n: int) -> np.ndarray:
    records = block[:n]
    for name, field in FIELDS.items():
        if field in records.dtype.names:
            records[field] = part[name]
    return records


def build_trees(columns: Columns, n_features: int, n_outputs: int, n_classes,
                tree_path: TreePath) -> list:  # fmt: skip
    """The sklearn Tree objects of `columns` (checked span by span before scikit-learn sees
    them); n_classes per output ([1] for regressors)."""
    from sklearn.tree._tree import Tree

    n_classes = np.asarray(n_classes, dtype=np.intp)
    data = {name: columns.column(name, _KINDS.get(name, "iub")) for name in FIELDS}
    values = columns.column("value", "f", (columns.n, n_outputs, int(n_classes.max())))
    max_depth = columns.column("max_depth", "iu", (columns.n_trees,)).astype(np.int64)
    counts = n_classes.max() > 1 and not values_are_fractions()
    block = np.zeros(min(BLOCK, columns.n), dtype=node_dtype())  # zeros: padding bytes too
    trees = []
    for span in _spans(columns):
        part = {name: column[span.lo : span.hi] for name, column in data.items()}
        depths = max_depth[span.t0 : span.t0 + span.n_trees]
        depth = _check_span(span, part, n_features, depths,
                            lambda t, t0=span.t0: tree_path(t0 + t))  # fmt: skip
        if span.n > len(block):
            block = np.zeros(span.n, dtype=block.dtype)
        records = _fill(block, part, span.n)
        span_values = np.asarray(values[span.lo : span.hi], dtype=np.float64)
        if counts:
            span_values = span_values * part["weighted_n_node_samples"][:, None, None]
        offsets = span.offsets.tolist()
        for t in range(span.n_trees):
            a, b = offsets[t], offsets[t + 1]
            tree = Tree(n_features, n_classes, n_outputs)
            tree.__setstate__({"max_depth": int(depths[t]), "node_count": b - a,
                               "nodes": records[a:b], "values": span_values[a:b]})  # fmt: skip
            if depth is None:
                _check_depth(tree, int(depths[t]), span, t)
            trees.append(tree)
    return trees


def _check_depth(tree, max_depth: int, span: Span, t: int) -> None:
    """decision_path() sizes its buffer by max_depth: it must not be below the real depth."""
    if hasattr(tree, "compute_node_depths"):  # scikit-learn >= 1.3, in node order
        real = int(tree.compute_node_depths().max()) - 1
    else:
        real = _depths_of(tree)
    if real > max_depth:
        raise fail("is below the tree's depth", f"{span.where('max_depth')}[{span.t0 + t}]")


def _depths_of(tree) -> int:
    left, right = tree.children_left, tree.children_right
    depth = np.zeros(tree.node_count, dtype=np.int64)
    for i in range(tree.node_count):  # children follow parents: checked before
        if left[i] != LEAF:
            depth[left[i]] = depth[right[i]] = depth[i] + 1
    return int(depth.max())


def random_states(columns: Columns) -> np.ndarray:
    """The per-tree int64 `random_state` column of a forest's trees."""
    return columns.column("random_state", "iu", (columns.n_trees,)).astype(np.int64)
