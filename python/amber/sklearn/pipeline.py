"""Portable-tier adapters of Pipeline and FeatureUnion (docs/schema/composition.md, schema
`composition/1`): their fitted steps live in `params`; `fitted` holds the input schema."""

from __future__ import annotations

from typing import Any

from sklearn.pipeline import FeatureUnion, Pipeline

from amber.errors import InvalidStateError
from amber.sklearn import _portable as p

SCHEMA = "composition/1"


def to_node(estimator: Any, enc, path: str) -> dict:
    fitted = _input_schema(estimator) if p.is_fitted(estimator) else None
    return p.estimator_node(estimator, enc, path, SCHEMA, fitted)


def _input_schema(estimator: Any) -> dict:
    """n_features_in / feature_names_in, which both delegate to the first step."""
    try:
        return p.common_fitted(estimator)
    except AttributeError:
        return {}


def from_node(node: dict, dec, path: str) -> Any:
    cls, params, fitted = p.open_node(node, dec, path, SCHEMA)
    estimator = p.construct(cls, params, path)
    if fitted is not None:
        fitted.check_known(("n_features_in", "feature_names_in"))
        _check_input_schema(estimator, fitted)
    return estimator


def _check_input_schema(estimator: Any, fitted: p.Fitted) -> None:
    """The recorded input width must be what the first step reads (a check, nothing to set)."""
    if "n_features_in" not in fitted:
        return
    n = p.require_int(fitted["n_features_in"], fitted.path_of("n_features_in"), 1)
    actual = getattr(estimator, "n_features_in_", n)
    if actual != n:
        raise InvalidStateError(
            f"n_features_in is {n} but the first step reads {actual} columns",
            fitted.path_of("n_features_in"),
        )


p.register_all((Pipeline, FeatureUnion), to_node, from_node)
