"""Portable schema dummy/1 (docs/schema/tree.md §7): DummyClassifier and DummyRegressor."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import is_classifier

from amber._graph import Decoder, Encoder, attr_path
from amber.errors import InvalidStateError
from amber.sklearn import register
from amber.sklearn._tree_util import (
    Fitted,
    decode_classes,
    encode_classes,
    estimator_node,
    new_estimator,
    set_common,
)

SCHEMA = "dummy/1"


def dummy_to_node(est: Any, enc: Encoder, path: str) -> dict:
    if not hasattr(est, "n_outputs_"):
        return estimator_node(est, SCHEMA, None, enc, path)
    fitted: dict = {"n_outputs": int(est.n_outputs_)}
    if hasattr(est, "n_features_in_"):
        fitted["n_features_in"] = int(est.n_features_in_)
    if getattr(est, "feature_names_in_", None) is not None:
        fitted["feature_names_in"] = enc.encode(est.feature_names_in_, attr_path(path, "names"))
    if is_classifier(est):
        fitted["classes"] = encode_classes(est.classes_, enc, attr_path(path, "classes_"))
        fitted["class_prior"] = encode_classes(est.class_prior_, enc, attr_path(path, "prior"))
        fitted["sparse_output"] = bool(est.sparse_output_)
    else:
        fitted["constant"] = enc.encode(est.constant_, attr_path(path, "constant_"))
    return estimator_node(est, SCHEMA, fitted, enc, path)


def dummy_from_node(node: dict, dec: Decoder, path: str) -> Any:
    est, raw = new_estimator(node, dec, path, SCHEMA)
    if raw is None:
        return est
    fitted = Fitted(raw, dec, path)
    if fitted.has("n_features_in"):
        set_common(est, fitted)
    n_outputs = fitted.integer("n_outputs", 1, 2**31)
    est.n_outputs_ = n_outputs
    if not is_classifier(est):
        est.constant_ = fitted.array("constant", "biuf", (1, n_outputs))
        return est
    est._strategy = est.strategy
    est.sparse_output_ = bool(fitted.value("sparse_output"))
    classes = decode_classes(fitted, n_outputs)
    counts = [len(c) for c in classes]
    priors = _class_priors(fitted, counts)
    one = n_outputs == 1
    est.classes_ = classes[0] if one else classes
    est.n_classes_ = counts[0] if one else counts
    est.class_prior_ = np.asarray(priors[0]) if one else [np.asarray(p) for p in priors]
    return est


def _class_priors(fitted: Fitted, counts: list[int]) -> list[np.ndarray]:
    """One float array of n_classes priors per output. Checked: predict_proba's width is the
    prior's, and gradient boosting's compiled stage loop writes as many columns as it has
    classes into rows this init estimator sized (a shorter prior overflows them)."""
    priors = fitted.value("class_prior")
    priors = priors if isinstance(priors, list) else [priors]
    if len(priors) != len(counts):
        raise InvalidStateError(
            f"holds {len(priors)} priors for {len(counts)} outputs", fitted.where("class_prior")
        )
    for k, (prior, n) in enumerate(zip(priors, counts, strict=True)):
        if not isinstance(prior, np.ndarray) or prior.dtype.kind != "f" or prior.shape != (n,):
            got = getattr(prior, "shape", type(prior).__name__)
            where = fitted.where("class_prior") + (f"[{k}]" if len(counts) > 1 else "")
            raise InvalidStateError(f"must be a float array of shape ({n},), not {got}", where)
    return priors


for _name in ("DummyClassifier", "DummyRegressor"):
    register(f"sklearn.dummy:{_name}", dummy_to_node, dummy_from_node)
