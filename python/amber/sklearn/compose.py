"""Portable-tier adapters of ColumnTransformer and TransformedTargetRegressor
(docs/schema/composition.md, schema `composition/1`)."""

from __future__ import annotations

import functools
from collections import UserList
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor

from amber._graph import item_path
from amber.errors import InvalidStateError
from amber.sklearn import _portable as p

SCHEMA = "composition/1"
_CT_MEMBERS = ("n_features_in", "feature_names_in", "transformers", "column_indices",
               "output_indices", "sparse_output")  # fmt: skip
_TTR_MEMBERS = ("n_features_in", "feature_names_in", "regressor", "transformer", "training_dim")


# ---------------------------------------------------------------------------------------------
# ColumnTransformer.


def ct_to_node(ct: ColumnTransformer, enc, path: str) -> dict:
    fitted = _ct_fitted(ct) if p.is_fitted(ct) else None
    return p.estimator_node(ct, enc, path, SCHEMA, fitted)


def _ct_fitted(ct: ColumnTransformer) -> dict:
    out = p.common_fitted(ct)
    # 1.5 to 1.8 wrap the remainder's columns in a private UserList (which warns when read):
    # written as the plain list it holds.
    out["transformers"] = [
        (name, trans, list(cols.data) if isinstance(cols, UserList) else cols)
        for name, trans, cols in ct.transformers_
    ]
    out["column_indices"] = [
        np.asarray(ct._transformer_to_input_indices[name], dtype=np.int64)
        for name, _, _ in ct.transformers_
    ]
    out["output_indices"] = {
        name: [int(block.start), int(block.stop)] for name, block in ct.output_indices_.items()
    }
    out["sparse_output"] = bool(ct.sparse_output_)
    return out


def ct_from_node(node: dict, dec, path: str) -> ColumnTransformer:
    cls, params, fitted = p.open_node(node, dec, path, SCHEMA)
    ct = p.construct(cls, params, path)
    if fitted is not None:
        fitted.check_known(_CT_MEMBERS)
        _restore_ct(ct, fitted)
    return ct


def _restore_ct(ct: ColumnTransformer, fitted: p.Fitted) -> None:
    n = p.set_common(ct, fitted)
    entries = _entries(fitted)
    indices = _column_indices(fitted, len(entries), n)
    names = [name for name, _, _ in entries]
    passthrough = any(isinstance(trans, str) and trans == "passthrough" for _, trans, _ in entries)
    # The probe fits a ColumnTransformer (ms, once a process): only for a file that needs it.
    if passthrough and _fits_passthrough():  # a file of 1.3 holds the string
        entries = [
            (name, _passthrough(ct, cols) if trans == "passthrough" else trans, spec)
            for (name, trans, spec), cols in zip(entries, indices, strict=True)
        ]
    elif not _fits_passthrough():  # 1.3 keeps the string, and the fitted identity aside
        ct._name_to_fitted_passthrough = {
            name: _passthrough(ct, cols, _output_of(ct))
            for (name, trans, _), cols in zip(entries, indices, strict=True)
            if isinstance(trans, str) and trans == "passthrough"
        }
    ct.transformers_ = entries
    ct._columns = [spec for _, _, spec in entries[: len(ct.transformers)]]
    ct._transformer_to_input_indices = dict(
        zip(names, (list(map(int, i)) for i in indices), strict=True)
    )
    used = {int(i) for i in np.concatenate([np.zeros(0, np.int64), *indices])}
    remaining = sorted(set(range(n)) - used)
    if "remainder" in ct._transformer_to_input_indices:
        remaining = ct._transformer_to_input_indices["remainder"]
    ct._transformer_to_input_indices["remainder"] = remaining
    # 1.5 on name the remainder's columns as the selectors did (_get_remainder_cols); 1.3 and
    # 1.4 keep the indices.
    name_columns = getattr(ct, "_get_remainder_cols", None)
    ct._remainder = ("remainder", ct.remainder,
                     remaining if name_columns is None else name_columns(remaining))  # fmt: skip
    ct.sparse_output_ = bool(fitted["sparse_output"])
    ct.output_indices_ = _output_indices(fitted, [*names, "remainder"])


def _entries(fitted: p.Fitted) -> list:
    entries = fitted["transformers"]
    where = fitted.path_of("transformers")
    if not isinstance(entries, list):
        raise InvalidStateError("expected a list of (name, transformer, columns)", where)
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, tuple) or len(entry) != 3 or not isinstance(entry[0], str):
            raise InvalidStateError(
                "expected a (name, transformer, columns) tuple", item_path(where, i)
            )
        out.append(entry)
    if len({name for name, _, _ in out}) != len(out):
        raise InvalidStateError("transformer names repeat", where)
    return out


def _column_indices(fitted: p.Fitted, count: int, n: int) -> list:
    value = fitted["column_indices"]
    where = fitted.path_of("column_indices")
    if not isinstance(value, list) or len(value) != count:
        raise InvalidStateError(f"expected {count} index arrays, one per transformer", where)
    return [p.require_indices(v, n, item_path(where, i)) for i, v in enumerate(value)]


def _output_indices(fitted: p.Fitted, names: list) -> dict:
    value = fitted["output_indices"]
    where = fitted.path_of("output_indices")
    if not isinstance(value, dict) or not set(value) <= set(names):
        raise InvalidStateError("expected {transformer name: [start, stop]}", where)
    out = {}
    for name, block in value.items():
        if not isinstance(block, list) or len(block) != 2:
            raise InvalidStateError("expected [start, stop]", item_path(where, name))
        start = p.require_int(block[0], item_path(where, name))
        out[name] = slice(start, p.require_int(block[1], item_path(where, name), start))
    return out


# ---------------------------------------------------------------------------------------------
# TransformedTargetRegressor.


def ttr_to_node(ttr: TransformedTargetRegressor, enc, path: str) -> dict:
    fitted = None
    if p.is_fitted(ttr):
        fitted = p.common_fitted(ttr)
        fitted["regressor"] = ttr.regressor_
        fitted["transformer"] = ttr.transformer_
        fitted["training_dim"] = int(ttr._training_dim)
    return p.estimator_node(ttr, enc, path, SCHEMA, fitted)


def ttr_from_node(node: dict, dec, path: str) -> TransformedTargetRegressor:
    cls, params, fitted = p.open_node(node, dec, path, SCHEMA)
    ttr = p.construct(cls, params, path)
    if fitted is not None:
        fitted.check_known(_TTR_MEMBERS)
        ttr.regressor_ = fitted["regressor"]
        ttr.transformer_ = fitted["transformer"]
        ttr._training_dim = p.require_int(
            fitted["training_dim"], fitted.path_of("training_dim"), 1, 2
        )
        if "feature_names_in" in fitted:
            # scikit-learn keeps the names on the regressor; the record must agree with it.
            names = getattr(ttr.regressor_, "feature_names_in_", None)
            if names is None or list(names) != list(fitted["feature_names_in"]):
                raise InvalidStateError(
                    "feature_names_in differs from the regressor's",
                    fitted.path_of("feature_names_in"),
                )
    return ttr


# ---------------------------------------------------------------------------------------------
# Other scikit-learn releases (docs/schema/composition.md, "Across versions").


@functools.cache
def _fits_passthrough() -> bool:
    """Whether the installed release keeps a fitted identity FunctionTransformer in
    `transformers_` where "passthrough" was given (1.4 on) rather than the string (1.3)."""
    fitted = ColumnTransformer([("p", "passthrough", [0])]).fit(np.zeros((1, 1)))
    return not isinstance(fitted.transformers_[0][1], str)


def _output_of(ct: ColumnTransformer) -> str:
    """The container `ct` was set to transform into ("default", "pandas", ...)."""
    from sklearn.utils._set_output import _get_output_config

    return _get_output_config("transform", ct)["dense"]


def _passthrough(ct: ColumnTransformer, indices: np.ndarray, output: str | None = None) -> Any:
    """The fitted identity transformer the installed release uses for "passthrough" (1.3 sets
    it to the ColumnTransformer's `output` container; later releases through set_output)."""
    from sklearn.preprocessing import FunctionTransformer

    identity = FunctionTransformer(accept_sparse=True, check_inverse=False,
                                   feature_names_out="one-to-one")  # fmt: skip
    if output is not None:
        identity.set_output(transform=output)
    names = getattr(ct, "feature_names_in_", None)
    if names is not None:
        import pandas as pd

        selected = [str(names[i]) for i in indices]
        return identity.fit(pd.DataFrame(np.zeros((1, len(selected))), columns=selected))
    return identity.fit(np.zeros((1, len(indices))))


def _ct_params(params: dict, cls: type) -> dict:
    # `force_int_remainder_cols` (1.5 to 1.8) only changed how transformers_ names remainder
    # columns; the schema keeps column_indices.
    if "force_int_remainder_cols" not in p.defaults(cls):
        params.pop("force_int_remainder_cols", None)
    return params


p.translate_params([ColumnTransformer], _ct_params)
p.register_all((ColumnTransformer,), ct_to_node, ct_from_node)
p.register_all((TransformedTargetRegressor,), ttr_to_node, ttr_from_node)
