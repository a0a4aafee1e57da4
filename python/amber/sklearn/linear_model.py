"""Portable-tier adapters of the linear family (docs/schema/linear.md, schema `linear/1`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import linear_model as lm
from sklearn import svm
from sklearn.preprocessing import LabelBinarizer

from amber.errors import InvalidStateError
from amber.sklearn import _portable as p

SCHEMA = "linear/1"


@dataclass(frozen=True)
class Spec:
    kind: str  # "regressor", "glm" or "classifier"
    optional: tuple[str, ...] = ()


_SGD = ("t", "n_iter")
_BAYES = ("alpha", "lambda", "sigma", "X_offset", "X_scale", "scores", "n_iter")
_CV = ("alpha", "alphas", "mse_path", "dual_gap", "n_iter")

SPECS: dict[type, Spec] = {
    lm.LinearRegression: Spec("regressor", ("rank", "singular")),
    lm.Ridge: Spec("regressor", ("n_iter", "solver")),
    lm.RidgeCV: Spec("regressor", ("alpha", "best_score", "cv_results")),
    lm.Lasso: Spec("regressor", ("n_iter", "dual_gap")),
    lm.ElasticNet: Spec("regressor", ("n_iter", "dual_gap")),
    lm.LassoCV: Spec("regressor", _CV),
    lm.ElasticNetCV: Spec("regressor", (*_CV, "l1_ratio")),
    lm.SGDRegressor: Spec("regressor", _SGD),
    lm.PassiveAggressiveRegressor: Spec("regressor", _SGD),
    lm.HuberRegressor: Spec("regressor", ("n_iter", "scale", "outliers")),
    lm.QuantileRegressor: Spec("regressor", ("n_iter",)),
    lm.BayesianRidge: Spec("regressor", _BAYES),
    lm.ARDRegression: Spec("regressor", _BAYES),
    svm.LinearSVR: Spec("regressor", ("n_iter",)),
    lm.PoissonRegressor: Spec("glm", ("n_iter",)),
    lm.GammaRegressor: Spec("glm", ("n_iter",)),
    lm.TweedieRegressor: Spec("glm", ("n_iter",)),
    lm.LogisticRegression: Spec("classifier", ("n_iter",)),
    lm.RidgeClassifier: Spec("classifier", ("n_iter", "solver")),
    lm.RidgeClassifierCV: Spec("classifier", ("alpha", "best_score", "cv_results")),
    lm.SGDClassifier: Spec("classifier", _SGD),
    lm.Perceptron: Spec("classifier", _SGD),
    lm.PassiveAggressiveClassifier: Spec("classifier", _SGD),
    svm.LinearSVC: Spec("classifier", ("n_iter",)),
}

_REQUIRED = {
    "regressor": ("n_features_in", "coef", "intercept"),
    "glm": ("n_features_in", "coef", "intercept", "link"),
    "classifier": ("n_features_in", "coef", "intercept", "classes"),
}


# ---------------------------------------------------------------------------------------------
# Derived members: how predict_proba and the GLM link work (version independent).


def probability(estimator: Any) -> str | None:
    """`logistic`, `softmax`, `modified_huber` or None (no predict_proba)."""
    if isinstance(estimator, lm.LogisticRegression):
        if len(estimator.classes_) <= 2:
            multi = getattr(estimator, "multi_class", "auto")
            return "softmax" if multi == "multinomial" else "logistic"
        multi = getattr(estimator, "multi_class", "auto")
        ovr = multi == "ovr" or (multi == "auto" and estimator.solver == "liblinear")
        return "logistic" if ovr else "softmax"
    if isinstance(estimator, lm.SGDClassifier):
        return {"log_loss": "logistic", "log": "logistic", "modified_huber": "modified_huber"}.get(
            estimator.loss
        )
    return None


def glm_link(estimator: Any) -> str:
    """The inverse link the GLM applies to X·coef + intercept: `identity` or `log`."""
    if isinstance(estimator, lm.TweedieRegressor):
        if estimator.link == "auto":
            return "identity" if estimator.power <= 0 else "log"
        return estimator.link
    return "log"


# ---------------------------------------------------------------------------------------------
# Writing.


def to_node(estimator: Any, enc, path: str) -> dict:
    spec = SPECS[type(estimator)]
    fitted = _fitted(estimator, spec, path) if p.is_fitted(estimator) else None
    return p.estimator_node(estimator, enc, path, SCHEMA, fitted)


def _fitted(estimator: Any, spec: Spec, path: str) -> dict:
    out = p.common_fitted(estimator)
    out["coef"] = np.ascontiguousarray(estimator.coef_)
    out["intercept"] = estimator.intercept_
    if spec.kind == "glm":
        out["link"] = glm_link(estimator)
    if spec.kind == "classifier":
        _check_single_label(estimator, path)
        out["classes"] = estimator.classes_
        kind = probability(estimator)
        if kind is not None:
            out["probability"] = kind
    out.update(p.optional_members(estimator, spec.optional))
    return out


def _check_single_label(estimator: Any, path: str) -> None:
    binarizer = getattr(estimator, "_label_binarizer", None)
    if binarizer is not None and binarizer.y_type_.startswith("multilabel"):
        raise p.not_portable(estimator, "multilabel targets", path)


# ---------------------------------------------------------------------------------------------
# Reading.


def from_node(node: dict, dec, path: str) -> Any:
    cls, params, fitted = p.open_node(node, dec, path, SCHEMA)
    estimator = p.construct(cls, params, path)
    spec = SPECS.get(cls)
    if spec is None:
        raise InvalidStateError(f"{cls.__name__} is not in the linear family", path)
    if fitted is not None:
        _restore(estimator, spec, fitted)
    return estimator


def _restore(estimator: Any, spec: Spec, fitted: p.Fitted) -> None:
    required = _REQUIRED[spec.kind]
    fitted.check_known((*required, "feature_names_in", "probability", *spec.optional))
    n = p.set_common(estimator, fitted)
    coef = p.require_float_array(fitted["coef"], fitted.path_of("coef"))
    if coef.shape[-1] != n:
        raise InvalidStateError(
            f"coef has {coef.shape[-1]} columns, n_features_in is {n}", fitted.path_of("coef")
        )
    estimator.coef_ = coef
    estimator.intercept_ = _intercept(fitted, coef)
    if spec.kind == "glm":
        _restore_glm(estimator, fitted)
    if spec.kind == "classifier":
        _restore_classifier(estimator, fitted, coef)
    p.set_members(estimator, fitted, spec.optional)


def _intercept(fitted: p.Fitted, coef: np.ndarray) -> Any:
    value = fitted["intercept"]
    rows = 1 if coef.ndim == 1 else coef.shape[0]
    size = np.size(value)
    # The native reader takes a 0-d or 1-d intercept only; a 2-d one would broadcast here.
    if (
        not isinstance(value, float | np.floating | np.ndarray)
        or np.ndim(value) > 1
        or size not in (1, rows)
    ):
        raise InvalidStateError(
            f"intercept must be a float or {rows} floats", fitted.path_of("intercept")
        )
    return value


def _restore_glm(estimator: Any, fitted: p.Fitted) -> None:
    if fitted["link"] != glm_link(estimator):
        raise InvalidStateError(
            f"link {fitted['link']!r} does not match the parameters ({glm_link(estimator)!r})",
            fitted.path_of("link"),
        )
    estimator._base_loss = estimator._get_loss()


def _restore_classifier(estimator: Any, fitted: p.Fitted, coef: np.ndarray) -> None:
    classes = p.require_labels(fitted["classes"], fitted.path_of("classes"))
    rows = 1 if coef.ndim == 1 else coef.shape[0]
    if classes.size < 2 or rows != (1 if classes.size == 2 else classes.size):
        raise InvalidStateError(
            f"coef has {rows} rows for {classes.size} classes", fitted.path_of("coef")
        )
    estimator.classes_ = classes
    if isinstance(estimator, lm.RidgeClassifier | lm.RidgeClassifierCV):
        estimator._label_binarizer = LabelBinarizer(pos_label=1, neg_label=-1).fit(classes)
    written = fitted.get("probability")
    if not isinstance(written, str | None) or written != probability(estimator):
        raise p.not_portable(
            estimator,
            f"its file computes predict_proba as {written!r}, this scikit-learn as "
            f"{probability(estimator)!r}",
            fitted.path,
        )


p.register_all(SPECS, to_node, from_node)
