"""Checks of index arrays before scikit-learn sees them: trees, neighbors trees, HGB predictors.

scikit-learn's compiled code trusts these arrays (child indices, feature indices, sample
indices, bitset rows) and reads out of bounds, loops forever or crashes on bad ones. Every
check raises InvalidStateError naming the path of the first bad element.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from amber.errors import InvalidStateError


def fail(message: str, path: str) -> InvalidStateError:
    return InvalidStateError(message, path)


def require_array(value: Any, path: str, kinds: str, ndim: int, length: int | None = None):
    """`value` as an ndarray of a dtype kind in `kinds` ("b", "i", "u", "f"), rank `ndim`."""
    if not isinstance(value, np.ndarray) or value.dtype.kind not in kinds:
        got = getattr(value, "dtype", type(value).__name__)
        raise fail(f"expected an array of kind {kinds!r}, not {got}", path)
    if value.ndim != ndim or (length is not None and value.shape[0] != length):
        want = f"{ndim}-d array" + (f" of length {length}" if length is not None else "")
        raise fail(f"expected a {want}, not shape {value.shape}", path)
    return value


def require_int(value: Any, path: str, low: int = 0, high: int = 2**62) -> int:
    """`value` as an int (Python or NumPy) in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise fail(f"expected an integer, not {type(value).__name__}", path)
    if not low <= int(value) <= high:
        raise fail(f"{int(value)} is out of range [{low}, {high}]", path)
    return int(value)


def check_range(values: np.ndarray, low: int, high: int, path: str, where=None, index=None):
    """Every value (or every value where the mask `where` holds) in [low, high).

    `index` maps positions in `values` to the element numbers the error names.
    """
    chosen = values if where is None else values[where]
    if chosen.size == 0 or (chosen.min() >= low and chosen.max() < high):
        return
    bad = (values < low) | (values >= high)
    if where is not None:
        bad &= where
    i = int(np.flatnonzero(bad)[0])
    element = i if index is None else int(index[i])
    raise fail(f"index {values[i]} is out of range [{low}, {high})", f"{path}[{element}]")


# ---------------------------------------------------------------------------------------------
# Binary trees stored as child arrays (sklearn Tree, HGB TreePredictor).


def check_children(left: np.ndarray, right: np.ndarray, leaf: np.ndarray, paths: tuple):
    """Checks that the child arrays form one binary tree rooted at node 0.

    `leaf` marks the leaves. Internal nodes need both children in [1, n); every node but the
    root has exactly one parent; every node is reachable from the root (so no cycles).
    Returns None when every child comes after its parent (the depth is then easy to compute
    in order), else the tree's depth.
    """
    n = left.shape[0]
    inner = np.flatnonzero(~leaf)
    lefts, rights = left[inner], right[inner]
    check_range(lefts, 1, n, paths[0], where=None, index=inner)
    check_range(rights, 1, n, paths[1], where=None, index=inner)
    children = np.concatenate((lefts, rights))
    if children.size != n - 1:
        raise fail(f"{inner.size} split nodes cannot hold {n} nodes in a binary tree", paths[0])
    parents = np.bincount(children, minlength=n)
    if children.size and parents.max() > 1:
        j = int(parents.argmax())
        raise fail(f"node {j} has {parents[j]} parents: the nodes do not form a tree", paths[0])
    # Each node but the root has exactly one parent: a tree, unless some nodes form a cycle,
    # which cannot happen when children come after their parent.
    if (lefts > inner).all() and (rights > inner).all():
        return None
    return _depth_by_levels(left, right, ~leaf, n, paths[0])


def _depth_by_levels(left, right, internal, n: int, path: str) -> int:
    """Depth by a walk level by level from the root; every node must be met exactly once."""
    frontier, seen, depth = np.zeros(1, dtype=np.intp), 1, 0
    while seen <= n:
        inner = frontier[internal[frontier]]
        if not inner.size:
            break
        frontier = np.concatenate([left[inner], right[inner]])
        seen, depth = seen + frontier.size, depth + 1
    if seen != n:
        raise fail("the nodes contain a cycle: some are not reachable from the root", path)
    return depth


# ---------------------------------------------------------------------------------------------
# Estimator-level cross checks, run after a generic object is rebuilt.


def check_object(obj: Any, path: str) -> None:
    """Cross checks between a rebuilt estimator's attributes (by duck typing)."""
    state = getattr(obj, "__dict__", None)
    if not state:
        return
    if "tree_" in state and "n_features_in_" in state:
        _check_tree_features(state, path)
    if "_predictors" in state and "_bin_mapper" in state:
        _check_hgb(state, path)
    if "_fit_X" in state and "n_samples_fit_" in state:
        _check_neighbors_data(state, path)


def _check_neighbors_data(state: dict, path: str) -> None:
    """A neighbors estimator's training rows: as many as n_samples_fit_ (and targets), as wide
    as n_features_in_. Brute force search over fewer rows than it was told divides by zero in
    scikit-learn's chunked distance reduction (SIGFPE, found by mutate_models.py --shapes)."""
    prefix = f"{path}." if path else ""
    n_samples = require_int(state["n_samples_fit_"], f"{prefix}n_samples_fit_", 1)
    fit_x = state["_fit_X"]
    shape = getattr(fit_x, "shape", None)
    if not (isinstance(fit_x, np.ndarray) or sp.issparse(fit_x)) or len(shape) != 2:
        raise fail(f"expected a 2-d array or sparse matrix, not {type(fit_x).__name__}",
                   f"{prefix}_fit_X")  # fmt: skip
    n_features = state.get("n_features_in_")
    if n_features is not None:
        n_features = require_int(n_features, f"{prefix}n_features_in_", 1)
    if shape[0] != n_samples or (n_features is not None and shape[1] != n_features):
        raise fail(f"has shape {shape}, not (n_samples_fit_, n_features_in_) = "
                   f"{(n_samples, n_features)}", f"{prefix}_fit_X")  # fmt: skip
    targets = state.get("_y")
    if isinstance(targets, np.ndarray) and (targets.ndim == 0 or len(targets) != n_samples):
        raise fail(f"has shape {targets.shape}, not {n_samples} rows (n_samples_fit_)",
                   f"{prefix}_y")  # fmt: skip


def _check_tree_features(state: dict, path: str) -> None:
    prefix = f"{path}." if path else ""
    n_features = getattr(state["tree_"], "n_features", None)
    n_features_in = require_int(state["n_features_in_"], f"{prefix}n_features_in_", 1)
    if n_features is not None and n_features != n_features_in:
        raise fail(
            f"tree_.n_features is {n_features} but n_features_in_ is {state['n_features_in_']}",
            f"{path}.tree_.n_features" if path else "tree_.n_features",
        )


def _check_hgb(state: dict, path: str) -> None:
    prefix = f"{path}." if path else ""
    n_features = require_int(state.get("n_features_in_"), f"{prefix}n_features_in_", 1)
    is_categorical = getattr(state["_bin_mapper"], "is_categorical_", None)
    require_array(is_categorical, f"{prefix}_bin_mapper.is_categorical_", "bu", 1, n_features)
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    predictors = state["_predictors"]
    if not isinstance(predictors, list) or not all(isinstance(it, list) for it in predictors):
        raise fail("expected a list of lists of TreePredictor", f"{prefix}_predictors")
    for i, iteration in enumerate(predictors):
        for k, predictor in enumerate(iteration):
            if not isinstance(predictor, TreePredictor):
                kind = type(predictor).__name__
                raise fail(
                    f"expected a TreePredictor, not {kind}", f"{prefix}_predictors[{i}][{k}]"
                )
            nodes = predictor.nodes
            where = f"{prefix}_predictors[{i}][{k}].nodes.feature_idx"
            internal = nodes["is_leaf"] == 0
            features = nodes["feature_idx"]
            check_range(features, 0, n_features, where, where=internal)
            categorical = internal & (nodes["is_categorical"] != 0)
            bad = np.flatnonzero(categorical & ~is_categorical.astype(bool)[features * internal])
            if bad.size:
                j = int(bad[0])
                raise fail(
                    f"categorical split on the numeric feature {features[j]}", f"{where}[{j}]"
                )
