"""Portable schema adaboost/1 (docs/schema/ensemble.md §5): AdaBoostClassifier (SAMME) and
AdaBoostRegressor (AdaBoost.R2), members as in §2."""

from __future__ import annotations

from typing import Any

from sklearn.base import is_classifier
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor

from amber._graph import Decoder, Encoder, attr_path
from amber.errors import GraphError, UnsupportedObjectError
from amber.sklearn import _portable as p
from amber.sklearn import register
from amber.sklearn._members import decode_members, encode_members
from amber.sklearn._tree_util import (
    Fitted,
    common_fitted,
    decode_classes,
    estimator_node,
    new_estimator,
    set_common,
)

SCHEMA = "adaboost/1"
CLASSES = [
    f"sklearn.ensemble._weight_boosting:AdaBoost{task}" for task in ("Classifier", "Regressor")
]


def adaboost_to_node(est: Any, enc: Encoder, path: str) -> dict:
    if getattr(est, "algorithm", None) == "SAMME.R":  # scikit-learn < 1.8 only
        raise UnsupportedObjectError(
            "AdaBoostClassifier with algorithm='SAMME.R' (the default before scikit-learn 1.6) "
            "has no portable form: adaboost/1 describes SAMME, whose votes differ; refit with "
            "algorithm='SAMME' or dump with tier='generic'",
            path,
        )
    if not hasattr(est, "estimators_"):
        return estimator_node(est, SCHEMA, None, enc, path)
    fitted = common_fitted(est, enc, path)
    if is_classifier(est):
        fitted["classes"] = enc.encode(est.classes_, attr_path(path, "classes_"))
    fitted["estimators"] = encode_members(est.estimators_, enc, path)
    for name in ("estimator_weights", "estimator_errors"):
        fitted[name] = enc.encode(getattr(est, name + "_"), attr_path(path, name + "_"))
    return estimator_node(est, SCHEMA, fitted, enc, path)


def adaboost_from_node(node: dict, dec: Decoder, path: str) -> Any:
    params = node.get("params")
    if isinstance(params, dict) and params.get("algorithm") == "SAMME.R":  # before translation
        raise GraphError(
            "algorithm 'SAMME.R' is not what adaboost/1 describes (SAMME)",
            attr_path(path, "algorithm"),
        )
    est, raw = new_estimator(node, dec, path, SCHEMA)
    if raw is None:
        return est
    fitted = Fitted(raw, dec, path)
    set_common(est, fitted)
    if is_classifier(est):
        (est.classes_,) = decode_classes(fitted, 1)
        est.n_classes_ = len(est.classes_)
    est._validate_estimator()
    est.estimators_ = decode_members(fitted, path)
    n = len(est.estimators_)
    for name in ("estimator_weights", "estimator_errors"):
        value = fitted.array(name, "f", (None,))
        if value.shape[0] < n:
            raise GraphError(
                f"has {value.shape[0]} entries, fewer than the {n} estimators", fitted.where(name)
            )
        setattr(est, name + "_", value)
    return est


def _algorithm(params: dict, cls: type) -> dict:
    """`algorithm`: "SAMME.R" (default before 1.6, never written), "deprecated" (1.6, 1.7: SAMME),
    gone in 1.8 (SAMME). A file without it, or with "deprecated", means SAMME."""
    known = p.defaults(cls)
    if "algorithm" not in known:
        if params.get("algorithm") == "SAMME":  # what the installed release does
            del params["algorithm"]
        return params
    if "algorithm" not in params and not p.is_sentinel(known["algorithm"]):
        params["algorithm"] = "SAMME"
    return p.sentinel_to_default(params, cls, "algorithm", "SAMME")


def _regressor_params(params: dict, cls: type) -> dict:
    # `base_estimator` renamed `estimator` (1.2; "deprecated" in 1.3, gone in 1.4).
    return p.rename_param(params, cls, "base_estimator", "estimator")


def _classifier_params(params: dict, cls: type) -> dict:
    return _algorithm(_regressor_params(params, cls), cls)


p.translate_params([AdaBoostClassifier], _classifier_params)
p.translate_params([AdaBoostRegressor], _regressor_params)
for _name in CLASSES:
    register(_name, adaboost_to_node, adaboost_from_node)
