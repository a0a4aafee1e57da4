"""Portable schemas forest/1 and gradient_boosting/1 (docs/schema/tree.md §4, §5)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestRegressor,
)

from amber._graph import Decoder, Encoder, attr_path
from amber._params import shallow_params
from amber.errors import GraphError, InvalidStateError, UnsupportedObjectError
from amber.sklearn import _portable as p
from amber.sklearn import register
from amber.sklearn._tree_arrays import Columns, build_trees, encode_trees, random_states
from amber.sklearn._tree_util import (
    Fitted,
    common_fitted,
    decode_classes,
    encode_classes,
    estimator_node,
    new_estimator,
    set_common,
    shallow_copy,
)
from amber.sklearn.tree import regressor_params, set_fitted

FOREST, GRADIENT_BOOSTING = "forest/1", "gradient_boosting/1"
FORESTS = [
    f"sklearn.ensemble._forest:{kind}{task}"
    for kind in ("RandomForest", "ExtraTrees")
    for task in ("Classifier", "Regressor")
]
BOOSTERS = [f"sklearn.ensemble._gb:GradientBoosting{task}" for task in ("Classifier", "Regressor")]
#: Optional fitted members of forests: schema name -> attribute.
_FOREST_EXTRAS = {
    "oob_score": "oob_score_",
    "oob_decision_function": "oob_decision_function_",
    "oob_prediction": "oob_prediction_",
    "n_samples": "_n_samples",
    "n_samples_bootstrap": "_n_samples_bootstrap",
    "sample_weight": "_sample_weight",
}
_BOOSTER_EXTRAS = {
    "oob_improvement": "oob_improvement_",
    "oob_scores": "oob_scores_",
    "oob_score": "oob_score_",
}


def _extras(est: Any, names: dict, enc: Encoder, path: str) -> dict:
    return {
        key: enc.encode(getattr(est, attr), attr_path(path, attr))
        for key, attr in names.items()
        if getattr(est, attr, None) is not None
    }


def _set_extras(est: Any, fitted: Fitted, names: dict) -> None:
    for key, attr in names.items():
        if fitted.has(key):
            setattr(est, attr, fitted.value(key))


# ---------------------------------------------------------------------------------------------
# forest/1: RandomForest*, ExtraTrees*


def forest_to_node(est: Any, enc: Encoder, path: str) -> dict:
    if not hasattr(est, "estimators_"):
        return estimator_node(est, FOREST, None, enc, path)
    trees = est.estimators_
    fitted = common_fitted(est, enc, path)
    fitted["n_outputs"] = int(est.n_outputs_)
    if is_classifier(est):
        fitted["classes"] = encode_classes(est.classes_, enc, attr_path(path, "classes_"))
    fitted["max_features"] = int(trees[0].max_features_)
    columns = encode_trees(
        [t.tree_ for t in trees], est.n_features_in_, is_classifier(est), enc, path
    )
    seeds = np.array([t.random_state for t in trees], dtype=np.int64)
    columns["random_state"] = enc.encode(seeds, attr_path(path, "trees.random_state"))
    fitted["trees"] = columns
    fitted.update(_extras(est, _FOREST_EXTRAS, enc, path))
    return estimator_node(est, FOREST, fitted, enc, path)


def forest_from_node(node: dict, dec: Decoder, path: str) -> Any:
    est, raw = new_estimator(node, dec, path, FOREST)
    if raw is None:
        return est
    fitted = Fitted(raw, dec, path)
    n_features = set_common(est, fitted)
    n_outputs = fitted.integer("n_outputs", 1, 2**31)
    est.n_outputs_ = n_outputs
    classes = decode_classes(fitted, n_outputs) if is_classifier(est) else None
    if classes is not None:
        est.classes_ = classes[0] if n_outputs == 1 else classes
        est.n_classes_ = len(classes[0]) if n_outputs == 1 else [len(c) for c in classes]
    est._validate_estimator()
    columns = Columns(fitted)
    est.estimators_ = _forest_trees(est, fitted, columns, classes, n_features, path)
    _set_extras(est, fitted, _FOREST_EXTRAS)
    return est


def _forest_trees(est, fitted: Fitted, columns: Columns, classes, n_features: int, path: str):
    n_outputs = est.n_outputs_
    n_classes = [len(c) for c in classes] if classes else None
    max_features = fitted.integer("max_features", 1, n_features)
    trees = build_trees(columns, n_features, n_outputs, n_classes,
                        lambda t: attr_path(path, f"estimators_[{t}].tree_"))  # fmt: skip
    seeds = random_states(columns)
    template = shallow_copy(est.estimator_)
    template.set_params(**{p: getattr(est, p) for p in est.estimator_params})
    # Trees of a forest are fitted on the encoded target: classes 0..n-1 as floats.
    sub_classes = [np.arange(n, dtype=np.float64) for n in n_classes] if classes else None
    out = []
    for tree, seed in zip(trees, seeds.tolist(), strict=True):
        sub = shallow_copy(template)
        sub.random_state = seed
        set_fitted(sub, n_features, n_outputs, sub_classes, max_features)
        sub.tree_ = tree
        out.append(sub)
    return out


# ---------------------------------------------------------------------------------------------
# gradient_boosting/1: GradientBoosting*


def booster_to_node(est: Any, enc: Encoder, path: str) -> dict:
    if not hasattr(est, "estimators_"):
        return estimator_node(est, GRADIENT_BOOSTING, None, enc, path)
    fitted = common_fitted(est, enc, path)
    if is_classifier(est):
        fitted["classes"] = enc.encode(est.classes_, attr_path(path, "classes_"))
    stages = est.estimators_
    fitted["n_trees_per_iteration"] = int(stages.shape[1])  # n_trees_per_iteration_ from 1.4
    fitted["n_estimators"] = int(est.n_estimators_)
    fitted["max_features"] = int(est.max_features_)
    fitted["init"] = enc.encode(est.init_, attr_path(path, "init_"))
    fitted["trees"] = encode_trees([t.tree_ for t in stages.ravel()], est.n_features_in_, False,
                                   enc, path, shift=_legacy_init_shift(est, path))  # fmt: skip
    fitted["tree_params"] = _tree_params(stages[0, 0], enc, attr_path(path, "estimators_[0, 0]"))
    fitted["train_score"] = enc.encode(est.train_score_, attr_path(path, "train_score_"))
    if getattr(est, "_rng", None) is not None:
        fitted["rng"] = enc.encode(est._rng, attr_path(path, "_rng"))
    fitted.update(_extras(est, _BOOSTER_EXTRAS, enc, path))
    return estimator_node(est, GRADIENT_BOOSTING, fitted, enc, path)


def _legacy_init_shift(est: Any, path: str, writing: bool = True) -> np.ndarray | None:
    """Per-tree value offsets between a multiclass booster of scikit-learn 1.3 and the schema.

    1.3 started multiclass boosting from `log(p)` of the init estimator (p clipped at float32
    epsilon); later releases, and the schema, from `log(p) - mean(log(p))` (p clipped at
    float64 epsilon). For an init estimator whose probabilities are the same on every row
    (a DummyClassifier), the difference is one constant per class: a writer under 1.3 adds it
    to the values of the first stage's trees, divided by the learning rate, and a reader under
    1.3 subtracts it (docs/schema/tree.md, "Across versions"). None for every other booster.
    """
    if type(getattr(est, "_loss", None)).__name__ != "MultinomialDeviance" or est.init_ == "zero":
        return None
    from sklearn.dummy import DummyClassifier

    init = est.init_
    if not isinstance(init, DummyClassifier) or init.strategy not in ("prior", "most_frequent"):
        what = (
            "has a portable form only with its default init (a DummyClassifier); dump it with "
            "tier='generic'" if writing else
            "loads only with its default init (a DummyClassifier): load it under 1.4 or later"
        )  # fmt: skip
        error = GraphError if writing else UnsupportedObjectError
        raise error(f"a multiclass GradientBoostingClassifier of scikit-learn 1.3 {what}",
                    attr_path(path, "init_"))  # fmt: skip
    proba = np.asarray(init.class_prior_, dtype=np.float64)
    if init.strategy == "most_frequent":
        proba = (np.arange(proba.size) == np.argmax(proba)).astype(np.float64)
    eps32, eps64 = np.finfo(np.float32).eps, np.finfo(np.float64).eps
    old = np.log(np.clip(proba, eps32, 1 - eps32))
    new = np.log(np.clip(proba, eps64, 1 - eps64))
    new -= np.mean(new)
    shift = np.zeros(est.n_estimators_ * len(proba))
    shift[: len(proba)] = (old - new) / est.learning_rate
    return shift if writing else -shift


def _set_loss(est: Any) -> None:
    """`_loss`: the common loss objects from 1.4 on; 1.3's `_gb_losses` object, which its
    `_check_params` makes (and which recomputes `max_features_`, kept as stored)."""
    get_loss = getattr(est, "_get_loss", None)
    if get_loss is not None:
        est._loss = get_loss(sample_weight=None)
        return
    max_features = est.max_features_
    est._check_params()
    est.max_features_ = max_features


def _tree_params(tree: Any, enc: Encoder, path: str) -> dict:
    params = shallow_params(tree)
    params.pop("random_state")
    return {name: enc.encode(value, attr_path(path, name)) for name, value in params.items()}


def booster_from_node(node: dict, dec: Decoder, path: str) -> Any:
    est, raw = new_estimator(node, dec, path, GRADIENT_BOOSTING)
    if raw is None:
        return est
    fitted = Fitted(raw, dec, path)
    n_features = set_common(est, fitted)
    n_classes = None  # a regressor's
    if is_classifier(est):
        (est.classes_,) = decode_classes(fitted, 1)
        est.n_classes_ = n_classes = len(est.classes_)
    k = fitted.integer("n_trees_per_iteration", 1, 2**31)
    expected = n_classes if n_classes is not None and n_classes > 2 else 1
    if k != expected:
        raise InvalidStateError(f"is {k}, the estimator's classes make it {expected}",
                                fitted.where("n_trees_per_iteration"))  # fmt: skip
    est.n_trees_per_iteration_ = k
    est.n_estimators_ = fitted.integer("n_estimators", 1, 2**40)
    est.max_features_ = fitted.integer("max_features", 1, n_features)
    _set_loss(est)
    est.init_ = _init_estimator(fitted, n_classes)
    est._rng = fitted.value("rng", None)
    est.estimators_ = _stages(est, fitted, n_features, k, path)
    est.train_score_ = fitted.array("train_score", "f", (est.n_estimators_,))
    _set_extras(est, fitted, _BOOSTER_EXTRAS)
    return est


def _init_estimator(fitted: Fitted, n_classes: int | None) -> Any:
    """`init_`: "zero", or an estimator whose predictions are as wide as the stages.

    scikit-learn's compiled stage loop (`predict_stages`) adds each of the K trees of a stage
    to column k of the rows the init estimator's predictions sized, unchecked: an init
    classifier with fewer classes than the booster would have it write past them."""
    init = fitted.value("init")
    if isinstance(init, str):
        if init != "zero":
            raise InvalidStateError(f"must be 'zero' or an estimator, not {init!r}",
                                    fitted.where("init"))  # fmt: skip
        return init
    if n_classes is not None:  # a classifier's init
        classes = getattr(init, "classes_", None)
        if classes is None or not hasattr(init, "predict_proba"):
            raise InvalidStateError("must be a fitted classifier with predict_proba",
                                    fitted.where("init"))  # fmt: skip
        if isinstance(classes, list) or len(classes) != n_classes:
            got = "several outputs" if isinstance(classes, list) else f"{len(classes)} classes"
            raise InvalidStateError(f"has {got}, the booster {n_classes} classes",
                                    fitted.where("init"))  # fmt: skip
    elif not hasattr(init, "predict"):
        raise InvalidStateError("must be a fitted regressor", fitted.where("init"))
    return init


def _stages(est: Any, fitted: Fitted, n_features: int, k: int, path: str) -> np.ndarray:
    from sklearn.tree import DecisionTreeRegressor

    columns = Columns(fitted)
    n_stages = est.n_estimators_
    if columns.n_trees != n_stages * k:
        raise GraphError(f"expected {n_stages * k} trees (n_estimators x n_trees_per_iteration)",
                         columns.where("node_offsets"))  # fmt: skip

    def tree_path(t: int) -> str:
        return attr_path(path, f"estimators_[{t // k}, {t % k}].tree_")

    shift = _legacy_init_shift(est, path, writing=False)
    trees = build_trees(columns, n_features, 1, [1], tree_path, shift)
    params_path = fitted.where("tree_params")
    raw = fitted.raw.get("tree_params")
    if not isinstance(raw, dict):
        raise GraphError("must be an object of tree parameters", params_path)
    params = {name: fitted.dec.decode(v, attr_path(params_path, name)) for name, v in raw.items()}
    template = p.construct(DecisionTreeRegressor, {**params, "random_state": est._rng}, params_path)
    set_fitted(template, n_features, 1, None, est.max_features_)  # copied into every stage
    stages = np.empty((n_stages, k), dtype=object)
    for t, tree in enumerate(trees):
        sub = shallow_copy(template)
        sub.tree_ = tree
        stages[t // k, t % k] = sub
    return stages


def _booster_params(params: dict, cls: type) -> dict:
    """`criterion` became "deprecated" in 1.9 (its only value was "friedman_mse" since 1.2)."""
    default = p.defaults(cls).get("criterion")
    if default == "deprecated" and params.get("criterion") == "friedman_mse":
        params["criterion"] = default
    return p.sentinel_to_default(params, cls, "criterion", "friedman_mse")


p.translate_params([GradientBoostingClassifier, GradientBoostingRegressor], _booster_params)
p.translate_params([RandomForestRegressor, ExtraTreesRegressor], regressor_params)
for _name in FORESTS:
    register(_name, forest_to_node, forest_from_node)
for _name in BOOSTERS:
    register(_name, booster_to_node, booster_from_node)
