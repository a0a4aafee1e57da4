"""Portable schema tree/1 (docs/schema/tree.md §3): DecisionTree* and ExtraTree* estimators."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.tree import DecisionTreeRegressor, ExtraTreeRegressor

from amber._graph import Decoder, Encoder, attr_path
from amber.errors import GraphError
from amber.sklearn import _portable as p
from amber.sklearn import register
from amber.sklearn._tree_arrays import Columns, build_trees, encode_trees
from amber.sklearn._tree_util import (
    Fitted,
    common_fitted,
    decode_classes,
    encode_classes,
    estimator_node,
    new_estimator,
    set_common,
)

SCHEMA = "tree/1"
CLASSES = [
    f"sklearn.tree._classes:{name}"
    for name in (
        "DecisionTreeClassifier",
        "DecisionTreeRegressor",
        "ExtraTreeClassifier",
        "ExtraTreeRegressor",
    )
]


def tree_to_node(est: Any, enc: Encoder, path: str) -> dict:
    if not hasattr(est, "tree_"):
        return estimator_node(est, SCHEMA, None, enc, path)
    fitted = common_fitted(est, enc, path)
    fitted["n_outputs"] = int(est.n_outputs_)
    if is_classifier(est):
        fitted["classes"] = encode_classes(est.classes_, enc, attr_path(path, "classes_"))
    fitted["max_features"] = int(est.max_features_)
    fitted["trees"] = encode_trees([est.tree_], est.n_features_in_, is_classifier(est), enc, path)
    return estimator_node(est, SCHEMA, fitted, enc, path)


def tree_from_node(node: dict, dec: Decoder, path: str) -> Any:
    est, raw = new_estimator(node, dec, path, SCHEMA)
    if raw is None:
        return est
    fitted = Fitted(raw, dec, path)
    n_features = set_common(est, fitted)
    n_outputs = fitted.integer("n_outputs", 1, 2**31)
    columns = Columns(fitted)
    if columns.n_trees != 1:
        raise GraphError(
            "a single tree's node_offsets holds 2 entries", columns.where("node_offsets")
        )
    classes = decode_classes(fitted, n_outputs) if is_classifier(est) else None
    set_fitted(est, n_features, n_outputs, classes, fitted.integer("max_features", 1, n_features))
    n_classes = [len(c) for c in classes] if classes else None
    tree_path = attr_path(path, "tree_")
    (est.tree_,) = build_trees(columns, n_features, n_outputs, n_classes, lambda t: tree_path)
    return est


def set_fitted(est: Any, n_features: int, n_outputs: int, classes: list | None, max_features: int):
    """The fitted attributes of a tree other than `tree_`, as its fit sets them."""
    est.n_features_in_ = n_features
    est.n_outputs_ = n_outputs
    if classes is not None:
        counts = np.array([len(c) for c in classes], dtype=np.intp)
        est.classes_ = classes[0] if n_outputs == 1 else classes
        est.n_classes_ = counts[0] if n_outputs == 1 else counts
    est.max_features_ = max_features


@functools.cache
def _friedman_deprecated() -> bool:
    """Whether the installed release deprecates criterion="friedman_mse" (1.9 on), an alias
    of "squared_error" for regression trees."""
    from sklearn.tree import DecisionTreeRegressor

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DecisionTreeRegressor(criterion="friedman_mse")
    return any(issubclass(w.category, FutureWarning) for w in caught)


def regressor_params(params: dict, cls: type) -> dict:
    if params.get("criterion") == "friedman_mse" and _friedman_deprecated():
        params["criterion"] = "squared_error"
    return params


p.translate_params([DecisionTreeRegressor, ExtraTreeRegressor], regressor_params)
for _name in CLASSES:
    register(_name, tree_to_node, tree_from_node)
