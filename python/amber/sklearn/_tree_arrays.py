"""Canonical tree node arrays (docs/schema/tree.md §2): sklearn Trees to columns and back.

All trees of an estimator are concatenated into one array per column; `node_offsets` marks
where each tree starts. Loading checks every tree and fills scikit-learn's NODE_DTYPE records in
one native pass per tree (`amber._core.fill_tree_nodes`, the native runtime's own tree check),
before scikit-learn sees any of it, then hands each tree its slice through `Tree.__setstate__`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from amber._graph import Encoder, attr_path
from amber.errors import GraphError, UnsupportedError
from amber.sklearn._tree_util import Fitted, concat_records
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
#: More rows than any array has: wait for all of it.
_ALL = 1 << 40

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


def _counts(n_node_samples: np.ndarray) -> np.ndarray:
    """Sample counts as int32 when they fit (half the bytes to decode), int64 otherwise."""
    fits = n_node_samples.size == 0 or n_node_samples.max() <= np.iinfo(np.int32).max
    return n_node_samples.astype(np.int32 if fits else np.int64)


def _fractions(values: np.ndarray) -> np.ndarray:
    """Class counts to fractions as predict_proba of scikit-learn < 1.4 computed them."""
    totals = values.sum(axis=2, keepdims=True)
    totals[totals == 0] = 1.0
    return values / totals


def encode_trees(trees: list, n_features: int, is_classifier: bool, enc: Encoder, path: str,
                 shift: np.ndarray | None = None):  # fmt: skip
    """The `trees` object of a list of sklearn Tree objects (one estimator's trees).

    `shift` (one float per tree) is added to every value of its tree: how a writer turns a
    release's own arithmetic into the schema's (see ensemble._legacy_init_shift).
    """
    states = [tree.__getstate__() for tree in trees]
    nodes = concat_records([state["nodes"] for state in states])
    values = np.concatenate([state["values"] for state in states])
    if is_classifier and not values_are_fractions():
        values = _fractions(values)
    if shift is not None:
        sizes = [len(state["nodes"]) for state in states]
        values = values + np.repeat(shift, sizes)[:, None, None]
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
        "n_node_samples": _counts(nodes["n_node_samples"]),
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
        # Big files are still being decoded: every read of a column waits for its rows first,
        # and rows read for good go back to the system (a column no other node names).
        self.raw, self._waits, self._releases = {}, {}, {}
        for key, node in raw.items():
            self.raw[key], wait, release = fitted.dec.view_streamed(node, self.path, key)
            if wait is not None:
                self._waits[key] = wait
            if release is not None:
                self._releases[key] = release
        self.offsets, self.sizes = self._offsets()
        self.n = int(self.offsets[-1])

    def column(self, name: str, kinds: str, shape: tuple | None = None,
               streamed: bool = False) -> np.ndarray:  # fmt: skip
        """Column `name`, checked for kind and shape; whole, unless `streamed`: then its rows
        are valid only up to what wait_rows() confirmed."""
        value = self.raw.get(name)
        shape = shape or (self.n,)
        if not isinstance(value, np.ndarray) or value.dtype.kind not in kinds:
            got = getattr(value, "dtype", type(value).__name__)
            raise GraphError(f"must be an array of kind {kinds!r}, not {got}", self.where(name))
        if value.shape != shape:
            raise GraphError(f"has shape {value.shape}, expected {shape}", self.where(name))
        if not streamed:
            self.wait_rows(name, _ALL)
        return value

    def wait_rows(self, name: str, rows: int) -> None:
        """Blocks until the first `rows` rows of column `name` are decoded."""
        wait = self._waits.get(name)
        if wait is None:
            return  # already whole
        wait(min(rows, _ALL) * self._row_bytes(name))

    def release_rows(self, name: str, rows: int) -> None:
        """The first `rows` rows of column `name` are read for good: their memory may go (they
        read as zeros afterwards), so that a big model never holds all of its columns."""
        release = self._releases.get(name)
        if release is not None:
            release(rows * self._row_bytes(name))

    def _row_bytes(self, name: str) -> int:
        value = self.raw[name]
        return value.itemsize * int(np.prod(value.shape[1:], dtype=np.int64))

    def where(self, name: str) -> str:
        return attr_path(self.path, name)

    def _offsets(self) -> tuple[np.ndarray, np.ndarray]:
        """The node offsets as int64 and each tree's size, checked."""
        value = self.raw.get("node_offsets")
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "iu" or value.ndim != 1:
            raise GraphError("must be a 1-d integer array", self.where("node_offsets"))
        self.wait_rows("node_offsets", _ALL)
        offsets = value.astype(np.int64)
        # Slices and one reduction, not np.diff: a load runs this once, with cold caches.
        sizes = offsets[1:] - offsets[:-1]
        if offsets.size < 2 or offsets[0] != 0 or sizes.min() <= 0:
            raise GraphError("must start at 0 and increase strictly (one tree or more)",
                             self.where("node_offsets"))  # fmt: skip
        return offsets, sizes

    @property
    def n_trees(self) -> int:
        return self.offsets.size - 1


#: NODE_DTYPE's fields in the order amber._core.fill_tree_nodes takes their offsets, and the
#: dtype each must have (scikit-learn's intp, float64 and uint8 on 64-bit platforms).
_RECORD_FIELDS = {
    "left_child": "<i8",
    "right_child": "<i8",
    "feature": "<i8",
    "threshold": "<f8",
    "impurity": "<f8",
    "n_node_samples": "<i8",
    "weighted_n_node_samples": "<f8",
    "missing_go_to_left": "|u1",
}


@functools.cache
def _record_fields() -> tuple[int, ...]:
    """Byte offsets of NODE_DTYPE's fields (-1 for one the installed scikit-learn lacks)."""
    dtype = node_dtype()
    offsets = []
    for name, expected in _RECORD_FIELDS.items():
        field = dtype.fields.get(name) if dtype.fields else None
        if field is None and name == "missing_go_to_left":  # scikit-learn < 1.3
            offsets.append(-1)
            continue
        if field is None or field[0].str != expected:
            raise UnsupportedError(
                f"scikit-learn's tree node record has {name} as "
                f"{None if field is None else field[0].str}, amber expects {expected}"
            )
        offsets.append(field[1])
    return tuple(offsets)


def _integers(column: np.ndarray) -> np.ndarray:
    """An integer column as the native check reads it (bool as uint8, no copy)."""
    column = np.ascontiguousarray(column)
    return column.view(np.uint8) if column.dtype.kind == "b" else column


def raise_defect(defect: tuple, where: Callable[[str], str], t0: int,
                  tree_path: TreePath) -> None:  # fmt: skip
    """Raises the InvalidStateError for a (tree, column, local node, what) from _core, the tree
    counted from t0."""
    t, column, node, what = defect
    if column == "max_depth":
        raise fail(what, f"{where('max_depth')}[{t0 + t}]")
    raise fail(what, f"{tree_path(t0 + t)}.{column}[{node}]")


class Span:
    """Trees [t0, t1) of a Columns with node offsets local to the span: one span of records is
    all the extra memory loading takes (sizes, offsets and paths as Columns)."""

    def __init__(self, columns: Columns, t0: int, t1: int):
        self.path, self.t0 = columns.path, t0
        self.lo, self.hi = int(columns.offsets[t0]), int(columns.offsets[t1])
        self.offsets = columns.offsets[t0 : t1 + 1] - self.lo
        self.sizes = columns.sizes[t0:t1]
        self.n, self.n_trees = self.hi - self.lo, t1 - t0

    def where(self, name: str) -> str:
        return attr_path(self.path, name)


#: Nodes per span: a span's records stay in cache until Tree.__setstate__ copies them.
BLOCK = 1 << 15


def _spans(columns: Columns):
    """Runs of consecutive trees holding about BLOCK nodes (a bigger tree alone)."""
    offsets, t0 = columns.offsets, 0
    while t0 < columns.n_trees:
        t1 = int(np.searchsorted(offsets, offsets[t0] + BLOCK, side="right")) - 1
        t1 = min(max(t1, t0 + 1), columns.n_trees)
        yield Span(columns, t0, t1)
        t0 = t1


class _ClassCounts(np.ndarray):
    """The `n_classes` argument of every `Tree(...)` of one estimator, answering `np.max` from
    a value computed once.

    scikit-learn's `Tree.__cinit__` runs `np.max(n_classes)` on each construction: 1.5 of the
    1.9 us a Tree takes, a sixth of a 100-stage booster's load. NumPy hands a subclass's
    `np.max` to `__array_function__` before its Python-level wrapper runs. The Tree copies the
    counts into its own buffer and keeps no reference to this array; any other function falls
    through to NumPy."""

    _max: np.intp

    @classmethod
    def of(cls, counts: list) -> _ClassCounts:
        array = np.asarray(counts, dtype=np.intp).view(cls)
        array._max = np.asarray(counts, dtype=np.intp).max()
        return array

    def __array_function__(self, func, types, args, kwargs):
        if func is np.max and len(args) == 1 and args[0] is self and not kwargs:
            return self._max
        return super().__array_function__(func, types, args, kwargs)


def build_trees(columns: Columns, n_features: int, n_outputs: int, n_classes: list | None,
                tree_path: TreePath, shift: np.ndarray | None = None) -> list:  # fmt: skip
    """The sklearn Tree objects of `columns` (checked span by span before scikit-learn sees
    them); n_classes per output (None for regressors: one each). `shift` (one float per tree)
    is added to every value of its tree, as in encode_trees."""
    from sklearn.tree._tree import Tree

    from amber import _core

    # The stored values bound n_outputs before anything is sized by it: a file may say 2^31.
    widest = 1 if n_classes is None else max(n_classes)
    values = columns.column("value", "f", (columns.n, n_outputs, widest), streamed=True)
    n_classes = _ClassCounts.of([1] * n_outputs if n_classes is None else n_classes)
    data = {}
    for name in FIELDS:  # a column to convert is waited for whole, the others span by span
        column = columns.column(name, _KINDS.get(name, "iub"), streamed=True)
        if name in _KINDS and column.dtype != np.float64:
            columns.wait_rows(name, columns.n)
            column = column.astype(np.float64)
        data[name] = _integers(column) if name not in _KINDS else column
    max_depth = columns.column("max_depth", "iu", (columns.n_trees,)).astype(np.int64)
    counts = widest > 1 and not values_are_fractions()
    fields = _record_fields()
    block = np.zeros(min(BLOCK, columns.n), dtype=node_dtype())  # zeros: padding bytes too
    trees = []
    for span in _spans(columns):
        if span.n > len(block):
            block = np.zeros(span.n, dtype=block.dtype)
        records = block[: span.n]
        for name in (*FIELDS, "value"):
            columns.wait_rows(name, span.hi)
        part = {name: column[span.lo : span.hi] for name, column in data.items()}
        span_depths = max_depth[span.t0 : span.t0 + span.n_trees]
        real_depths = np.empty(span.n_trees, dtype=np.int64)
        defect = _core.fill_tree_nodes(
            records.view(np.uint8).reshape(span.n, block.dtype.itemsize), fields,
            span.offsets, part["left"], part["right"], part["feature"], part["threshold"],
            part["impurity"], part["n_node_samples"], part["weighted_n_node_samples"],
            part["missing_left"], n_features, span_depths, real_depths,
        )  # fmt: skip
        if defect is not None:
            raise_defect(defect, span.where, span.t0, tree_path)
        span_values = np.asarray(values[span.lo : span.hi], dtype=np.float64)
        if counts:
            span_values = span_values * part["weighted_n_node_samples"][:, None, None]
        if shift is not None:
            sizes = np.diff(span.offsets)
            span_values = span_values + np.repeat(shift[span.t0 : span.t0 + span.n_trees],
                                                  sizes)[:, None, None]  # fmt: skip
        offsets = span.offsets.tolist()
        for t in range(span.n_trees):
            a, b = offsets[t], offsets[t + 1]
            tree = Tree(n_features, n_classes, n_outputs)
            tree.__setstate__({"max_depth": int(span_depths[t]), "node_count": b - a,
                               "nodes": records[a:b], "values": span_values[a:b]})  # fmt: skip
            trees.append(tree)
        # __setstate__ copied the span's nodes and values: nothing reads these rows again.
        for name in (*FIELDS, "value"):
            columns.release_rows(name, span.hi)
    return trees


def random_states(columns: Columns) -> np.ndarray:
    """The per-tree int64 `random_state` column of a forest's trees."""
    return columns.column("random_state", "iu", (columns.n_trees,)).astype(np.int64)
