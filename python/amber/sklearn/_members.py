"""The fitted sub-estimators of meta-ensembles (docs/schema/ensemble.md §2): Bagging*,
AdaBoost* and IsolationForest write `estimators_` either as one tree-array object (every member a
tree of one class: the compact form the native runtime walks) or as a list of estimator nodes."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import is_classifier

from amber._graph import Encoder, attr_path
from amber._params import shallow_params
from amber.errors import GraphError
from amber.sklearn._tree_arrays import Columns, build_trees, encode_trees, random_states
from amber.sklearn._tree_util import Fitted, shallow_copy
from amber.sklearn.tree import CLASSES as TREE_CLASSES
from amber.sklearn.tree import set_fitted

#: Attributes a fitted tree may carry beyond these make the list form necessary.
_TREE_FITTED = {"n_features_in_", "n_outputs_", "classes_", "n_classes_", "max_features_", "tree_"}


def _class_key(est: Any) -> str:
    return f"{type(est).__module__}:{type(est).__qualname__}"


def _fitted_attrs(est: Any) -> set:
    return {k for k in vars(est) if k.endswith("_") and not k.startswith("_")}


def tree_form_fits(estimators: list) -> bool:
    """Whether every member is a single-output-classes tree of one class with one set of
    parameters (random_state aside): then the tree-array form holds them exactly."""
    if not estimators:
        return False
    first = estimators[0]
    if _class_key(first) not in TREE_CLASSES:
        return False
    params = shallow_params(first)
    params.pop("random_state")
    for est in estimators:
        if type(est) is not type(first) or not hasattr(est, "tree_"):
            return False
        own = shallow_params(est)
        seed = own.pop("random_state")
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            return False
        if not _same_params(own, params):
            return False
        if _fitted_attrs(est) - _TREE_FITTED or est.n_features_in_ != first.n_features_in_:
            return False
        if est.n_outputs_ != first.n_outputs_ or est.max_features_ != first.max_features_:
            return False
        if is_classifier(est) and not _same_classes(est.classes_, first.classes_):
            return False
    return not is_classifier(first) or first.n_outputs_ == 1


def _same_params(a: dict, b: dict) -> bool:
    """Plain values equal by type and value (arrays and estimators send to the list form)."""
    plain = (type(None), bool, int, float, str)
    if a.keys() != b.keys():
        return False
    return all(type(a[k]) is type(b[k]) and type(a[k]) in plain and a[k] == b[k] for k in a)


def _same_classes(a: Any, b: Any) -> bool:
    return (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and a.dtype == b.dtype
        and np.array_equal(a, b)
    )


def encode_members(estimators: list, enc: Encoder, path: str) -> Any:
    """The `estimators` member: the tree-array object when tree_form_fits, else a list node."""
    where = attr_path(path, "estimators_")
    if not tree_form_fits(estimators):
        return enc.encode(list(estimators), where)
    first = estimators[0]
    template = shallow_copy(first)
    for name in _fitted_attrs(template):
        delattr(template, name)
    out: dict = {
        "template": enc.encode(template, f"{where}[0]"),
        "n_features": int(first.n_features_in_),
        "n_outputs": int(first.n_outputs_),
        "max_features": int(first.max_features_),
    }
    if is_classifier(first):
        out["classes"] = enc.encode(first.classes_, f"{where}[0].classes_")
    trees = [est.tree_ for est in estimators]
    columns = encode_trees(trees, first.n_features_in_, is_classifier(first), enc, where)
    seeds = np.array([est.random_state for est in estimators], dtype=np.int64)
    columns["random_state"] = enc.encode(seeds, attr_path(where, "trees.random_state"))
    out["trees"] = columns
    return out


def decode_members(fitted: Fitted, path: str, name: str = "estimators") -> list:
    """`estimators_` back from either form; the list form decodes node by node."""
    raw = fitted.raw.get(name)
    where = attr_path(path, "estimators_")
    if not isinstance(raw, dict) or "$" in raw:
        value = fitted.value(name)
        if not isinstance(value, list) or not value:
            raise GraphError("must be a non-empty list of estimators or a tree object", where)
        return value
    members = Fitted(raw, fitted.dec, path)
    members.path = fitted.where(name)
    return _decode_trees(members, where)


def _decode_trees(members: Fitted, where: str) -> list:
    template = members.value("template")
    if _class_key(template) not in TREE_CLASSES:
        raise GraphError("the template of tree members must be a tree", members.where("template"))
    n_features = members.integer("n_features", 1, 2**31)
    n_outputs = members.integer("n_outputs", 1, 2**31)
    max_features = members.integer("max_features", 1, n_features)
    classes = None
    if is_classifier(template):
        value = members.value("classes")
        if not isinstance(value, np.ndarray) or value.ndim != 1 or value.size == 0:
            raise GraphError("must be a non-empty 1-d array", members.where("classes"))
        if n_outputs != 1:
            raise GraphError(
                "tree members of a classifier have one output", members.where("n_outputs")
            )
        classes = [value]
    columns = Columns(members)
    n_classes = [len(c) for c in classes] if classes else None
    trees = build_trees(columns, n_features, n_outputs, n_classes, lambda t: f"{where}[{t}].tree_")
    out = []
    for tree, seed in zip(trees, random_states(columns).tolist(), strict=True):
        sub = shallow_copy(template)
        sub.random_state = seed
        set_fitted(sub, n_features, n_outputs, classes, max_features)
        sub.tree_ = tree
        out.append(sub)
    return out


def encode_features(features: list, enc: Encoder, path: str) -> Any:
    """`estimators_features_` as one int array [T, k] (every member draws k features)."""
    return enc.encode(np.asarray(features, dtype=np.int64), attr_path(path, "estimators_features_"))


def decode_features(fitted: Fitted, n_members: int, n_features: int) -> list:
    value = fitted.array("estimators_features", "iu")
    where = fitted.where("estimators_features")
    if value.ndim != 2 or value.shape[0] != n_members or value.shape[1] < 1:
        raise GraphError(f"must have shape ({n_members}, k), not {value.shape}", where)
    bad = np.flatnonzero((value < 0) | (value >= n_features))
    if bad.size:
        i = int(bad[0])
        raise GraphError(
            f"{int(value.flat[i])} is not a feature index in [0, {n_features})",
            f"{where}[{i // value.shape[1]}, {i % value.shape[1]}]",
        )
    return [row.astype(np.intp) for row in value]


def extras(est: Any, names: dict, enc: Encoder, path: str) -> dict:
    """Optional members (schema name -> attribute) the estimator has and are not None."""
    return {
        key: enc.encode(getattr(est, attr), attr_path(path, attr))
        for key, attr in names.items()
        if getattr(est, attr, None) is not None
    }


def set_extras(est: Any, fitted: Fitted, names: dict) -> None:
    for key, attr in names.items():
        if fitted.has(key):
            setattr(est, attr, fitted.value(key))
