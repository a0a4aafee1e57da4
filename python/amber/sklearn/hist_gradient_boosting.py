"""Portable schema hist_gradient_boosting/1 (docs/schema/tree.md §6): HistGradientBoosting*.

Features are numbered as the user's input columns. scikit-learn >= 1.4 reorders them
internally (categorical columns first, through an OrdinalEncoder); this module maps feature
indices, bin thresholds and categories between the two numberings. scikit-learn 1.3 has no
such encoder: its categories are the raw values kept by the bin mapper, and the writer turns
them into codes (docs/schema/tree.md, "Across versions").
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.preprocessing import LabelEncoder

from amber._graph import Decoder, Encoder, attr_path
from amber.errors import GraphError, InvalidStateError, UnsupportedError, UnsupportedObjectError
from amber.sklearn import _portable as p
from amber.sklearn import register
from amber.sklearn._tree_arrays import Columns, raise_defect
from amber.sklearn._tree_util import (
    Fitted,
    common_fitted,
    concat_records,
    estimator_node,
    new_estimator,
    set_common,
)

SCHEMA = "hist_gradient_boosting/1"
MODULE = "sklearn.ensemble._hist_gradient_boosting.gradient_boosting"
#: Predictor columns and their canonical dtypes.
NODE_COLUMNS = {
    "value": np.float64,
    "count": np.uint32,
    "feature_idx": np.int32,
    "num_threshold": np.float64,
    "missing_go_to_left": np.uint8,
    "left": np.uint32,
    "right": np.uint32,
    "gain": np.float64,
    "depth": np.uint32,
    "is_leaf": np.uint8,
    "bin_threshold": np.uint8,
    "is_categorical": np.uint8,
    "bitset_idx": np.uint32,
}
_EXTRAS = {
    "train_score": "train_score_",
    "validation_score": "validation_score_",
    "do_early_stopping": "do_early_stopping_",
    "use_validation_data": "_use_validation_data",
    "random_seed": "_random_seed",
    "feature_subsample_rng": "_feature_subsample_rng",
}


# ---------------------------------------------------------------------------------------------
# Feature numbering.


def input_order(is_categorical: np.ndarray | None, n_features: int) -> np.ndarray:
    """Input column of each internal feature: categorical columns first (scikit-learn >= 1.4)."""
    if is_categorical is None:
        return np.arange(n_features)
    mask = np.asarray(is_categorical, dtype=bool)
    return np.concatenate([np.flatnonzero(mask), np.flatnonzero(~mask)])


def _has_encoder(est: Any) -> bool:
    """Whether this scikit-learn encodes categories before binning (1.4 and later)."""
    return hasattr(est, "_preprocessor")


def _encoder_categories(est: Any) -> list:
    """Categories of each categorical feature, in input order: their position is the code."""
    if not _has_encoder(est):  # 1.3: the bin mapper keeps the raw values as "thresholds"
        mask = np.asarray(est.is_categorical_, dtype=bool)
        return [est._bin_mapper.bin_thresholds_[j] for j in np.flatnonzero(mask)]
    if est._preprocessor is None:
        return []
    return list(est._preprocessor.named_transformers_["encoder"].categories_)


# ---------------------------------------------------------------------------------------------
# Encoding.


def hgb_to_node(est: Any, enc: Encoder, path: str) -> dict:
    if not hasattr(est, "_predictors"):
        return estimator_node(est, SCHEMA, None, enc, path)
    n_features = int(est.n_features_in_)
    order = input_order(est.is_categorical_ if _has_encoder(est) else None, n_features)
    fitted = common_fitted(est, enc, path)
    if is_classifier(est):
        fitted["classes"] = enc.encode(est.classes_, attr_path(path, "classes_"))
    fitted["n_trees_per_iteration"] = int(est.n_trees_per_iteration_)
    fitted["n_iter"] = len(est._predictors)
    baseline = np.asarray(est._baseline_prediction, dtype=np.float64).ravel()
    fitted["baseline_prediction"] = enc.encode(baseline, attr_path(path, "_baseline_prediction"))
    raw_bitsets = "raw_left_cat_bitsets" if _has_encoder(est) else "binned_left_cat_bitsets"
    fitted["predictors"] = _encode_predictors(est._predictors, order, raw_bitsets, enc, path)
    fitted.update(_encode_categories(est, order, enc, path))
    fitted["bin_mapper"] = _encode_bin_mapper(est, order, enc, path)
    for key, name in _EXTRAS.items():
        value = getattr(est, name, None)
        if value is not None:
            value = int(value) if key == "random_seed" else value
            fitted[key] = enc.encode(value, attr_path(path, name))
    return estimator_node(est, SCHEMA, fitted, enc, path)


def _encode_predictors(predictors: list, order: np.ndarray, raw_bitsets: str, enc: Encoder,
                       path: str) -> dict:  # fmt: skip
    """The predictor columns; `raw_bitsets` names the predictor attribute holding the sets of
    category codes (1.3 keeps sets of raw values there, and sets of codes in the binned ones:
    a categorical feature's bin is its category's position, its code)."""
    flat = [p for iteration in predictors for p in iteration]
    nodes = concat_records([p.nodes for p in flat])
    columns = {name: nodes[name].astype(dtype) for name, dtype in NODE_COLUMNS.items()}
    internal = columns["is_leaf"] == 0
    columns["feature_idx"] = np.where(internal, order[nodes["feature_idx"]], 0).astype(np.int32)
    columns["node_offsets"] = _offsets([len(p.nodes) for p in flat])
    columns["bitset_offsets"] = _offsets([len(p.raw_left_cat_bitsets) for p in flat])
    for name, source in (("raw_left_cat_bitsets", raw_bitsets),
                         ("binned_left_cat_bitsets", "binned_left_cat_bitsets")):  # fmt: skip
        parts = [np.asarray(getattr(p, source), dtype=np.uint32).reshape(-1, 8) for p in flat]
        columns[name] = np.concatenate(parts) if parts else np.zeros((0, 8), np.uint32)
    base = attr_path(path, "predictors")
    return {name: enc.encode(array, attr_path(base, name)) for name, array in columns.items()}


def _offsets(sizes: list) -> np.ndarray:
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return offsets


def _encode_categories(est: Any, order: np.ndarray, enc: Encoder, path: str) -> dict:
    if est.is_categorical_ is None:
        return {}
    mask = np.asarray(est.is_categorical_, dtype=bool)
    lists: list = [None] * len(mask)
    missing = np.zeros(len(mask), dtype=np.uint8)
    for j, categories in zip(np.flatnonzero(mask), _encoder_categories(est), strict=True):
        if len(categories) and _is_nan(categories[-1]):
            categories, missing[j] = categories[:-1], 1
        values = categories.astype(object) if categories.dtype == object else categories
        lists[j] = enc.encode(values, attr_path(path, f"categories[{j}]"))
    return {
        "is_categorical": enc.encode(mask.astype(np.uint8), attr_path(path, "is_categorical_")),
        "categories": lists,
        "categories_missing": enc.encode(missing, attr_path(path, "categories_missing")),
    }


def _is_nan(value: Any) -> bool:
    return isinstance(value, float | np.floating) and np.isnan(value)


def _encode_bin_mapper(est: Any, order: np.ndarray, enc: Encoder, path: str) -> dict:
    mapper = est._bin_mapper
    base = attr_path(path, "_bin_mapper")
    inverse = np.argsort(order)
    thresholds = [np.asarray(mapper.bin_thresholds_[r], dtype=np.float64) for r in inverse]
    if not _has_encoder(est) and est.is_categorical_ is not None:
        # 1.3 keeps a categorical feature's raw values here; later releases its codes.
        for j in np.flatnonzero(est.is_categorical_):
            thresholds[j] = np.arange(len(thresholds[j]), dtype=np.float64)
    values = {
        "threshold_offsets": _offsets([len(t) for t in thresholds]),
        "thresholds": np.concatenate(thresholds) if thresholds else np.zeros(0),
        "n_bins_non_missing": np.asarray(mapper.n_bins_non_missing_, np.uint32)[inverse],
    }
    node = {name: enc.encode(v, attr_path(base, name)) for name, v in values.items()}
    for name in ("n_bins", "subsample", "random_state", "n_threads", "missing_values_bin_idx_"):
        value = getattr(mapper, name)
        value = int(value) if isinstance(value, np.integer) else value
        node[name.rstrip("_")] = enc.encode(value, attr_path(base, name))
    return node


# ---------------------------------------------------------------------------------------------
# Decoding.


def hgb_from_node(node: dict, dec: Decoder, path: str) -> Any:
    est, raw = new_estimator(node, dec, path, SCHEMA)
    if raw is None:
        return est
    fitted = Fitted(raw, dec, path)
    n_features = fitted.integer("n_features_in", 1, 2**31)
    _check_feature_count(fitted, n_features)
    legacy = not hasattr(type(est), "_preprocess_X")  # 1.3: categories are binned as given
    decode_categories = _legacy_categories if legacy else _decode_categories
    categories = decode_categories(est, fitted, n_features)
    set_common(est, fitted)
    order = np.arange(n_features) if legacy else input_order(est.is_categorical_, n_features)
    if isinstance(est, HistGradientBoostingClassifier):  # is_classifier() reads all tags: slow
        _set_classes(est, fitted)
    k = fitted.integer("n_trees_per_iteration", 1, 2**31)
    est.n_trees_per_iteration_ = k
    baseline = fitted.array("baseline_prediction", "f", (k,))
    est._baseline_prediction = baseline.astype(np.float64).reshape(1, k)
    n_iter = fitted.integer("n_iter", 0, 2**31)
    est._predictors = _decode_predictors(fitted, n_iter, k, order, est.is_categorical_, path)
    if legacy and categories is not None:
        _bitsets_of_values(est._predictors, categories, fitted.where("predictors"))
    est._bin_mapper = _decode_bin_mapper(est, fitted, order, categories, legacy)
    est._n_features = n_features
    est._loss = est._get_loss(sample_weight=None)
    for key, name in _EXTRAS.items():
        setattr(est, name, fitted.value(key, None))
    est._scorer = _scorer(est)
    return est


def _check_feature_count(fitted: Fitted, n_features: int) -> None:
    """n_features_in against the bin mapper's stored threshold runs (one per feature, plus
    one), before anything is sized by it: a file that says 2^31 features must not allocate
    for them."""
    raw = fitted.raw.get("bin_mapper")
    where = attr_path(fitted.where("bin_mapper"), "threshold_offsets")
    offsets = fitted.dec.decode(raw.get("threshold_offsets"), where) if isinstance(raw, dict) \
        else None  # fmt: skip
    if not isinstance(offsets, np.ndarray) or offsets.shape != (n_features + 1,):
        got = getattr(offsets, "shape", type(offsets).__name__)
        raise InvalidStateError(f"must hold n_features_in + 1 = {n_features + 1} offsets, "
                                f"not {got}", where)  # fmt: skip


def _set_classes(est: Any, fitted: Fitted) -> None:
    classes = fitted.value("classes")
    if not isinstance(classes, np.ndarray) or classes.ndim != 1 or classes.size < 2:
        raise GraphError("must be a 1-d array of 2 classes or more", fitted.where("classes"))
    est.classes_ = classes
    est._label_encoder = LabelEncoder()
    est._label_encoder.classes_ = classes


def _scorer(est: Any) -> Any:
    if not est.do_early_stopping_ or est.scoring == "loss":
        return None
    from sklearn.metrics import check_scoring

    return check_scoring(est, est.scoring)


def _decode_categories(est: Any, fitted: Fitted, n_features: int) -> list | None:
    """Rebuilds `_preprocessor` and `is_categorical_` by fitting sklearn's own encoder on rows
    holding exactly the stored categories; returns the categories per input feature."""
    if not fitted.has("is_categorical"):
        est.is_categorical_ = est._preprocessor = est._is_categorical_remapped = None
        return None
    mask, lists = _stored_categories(fitted, n_features)
    missing = fitted.array("categories_missing", "bu", (n_features,)).astype(bool)
    names = fitted.value("feature_names_in", None)
    rows = _synthetic_rows(lists, missing, mask, names)
    saved = est.categorical_features
    est.categorical_features = mask
    try:
        est._preprocess_X(rows, reset=True)
    except (ValueError, TypeError) as exc:
        raise GraphError(f"the categories do not rebuild an encoder: {exc}", fitted.path) from exc
    finally:
        est.categorical_features = saved
    return lists


def _stored_categories(fitted: Fitted, n_features: int) -> tuple[np.ndarray, list]:
    """`is_categorical` as a bool mask, and `categories`: a 1-d array per categorical feature,
    None for the others."""
    mask = fitted.array("is_categorical", "bu", (n_features,)).astype(bool)
    lists = fitted.value("categories")
    if not isinstance(lists, list) or len(lists) != n_features:
        raise GraphError(f"must be a list of {n_features} entries", fitted.where("categories"))
    for j in range(n_features):
        ok = (
            isinstance(lists[j], np.ndarray) and lists[j].ndim == 1 if mask[j] else lists[j] is None
        )
        if not ok:
            raise GraphError("a 1-d array for a categorical feature, else null",
                             f"{fitted.where('categories')}[{j}]")  # fmt: skip
    return mask, lists


def _legacy_categories(est: Any, fitted: Fitted, n_features: int) -> list | None:
    """`is_categorical_` under scikit-learn 1.3, which has no encoder: its bin mapper keeps each
    categorical feature's values, integers below 255 that stand for themselves. Returns the
    categories per input feature (None: no categorical feature)."""
    if not fitted.has("is_categorical"):
        est.is_categorical_ = None
        return None
    mask, lists = _stored_categories(fitted, n_features)
    for j in np.flatnonzero(mask):
        values = lists[j]
        if values.dtype.kind not in "iuf" or not np.all((values >= 0) & (values < 255)) or \
                not np.array_equal(values, np.round(values)):  # fmt: skip
            raise UnsupportedObjectError(
                "scikit-learn 1.3 takes only integer categories in [0, 254]: load this model "
                "under 1.4 or later", f"{fitted.where('categories')}[{j}]")  # fmt: skip
    est.is_categorical_ = mask
    return lists


def _bitsets_of_values(predictors: list, categories: list, where: str) -> None:
    """Rewrites the raw bitsets of categorical splits from category codes (the schema's) to the
    category values scikit-learn 1.3 compares the input with."""
    for stage in predictors:
        for predictor in stage:
            nodes, raw = predictor.nodes, predictor.raw_left_cat_bitsets
            for i in np.flatnonzero(nodes["is_categorical"] & (nodes["is_leaf"] == 0)):
                values = categories[int(nodes["feature_idx"][i])]
                row = int(nodes["bitset_idx"][i])
                codes = np.flatnonzero(np.unpackbits(raw[row].view(np.uint8), bitorder="little"))
                if codes.size and codes[-1] >= len(values):
                    raise GraphError(f"a category code {codes[-1]} past the feature's "
                                     f"{len(values)} categories", where)  # fmt: skip
                bits = np.zeros(256, dtype=np.uint8)
                bits[values[codes].astype(np.int64)] = 1
                raw[row] = np.packbits(bits, bitorder="little").view(np.uint32)


def _synthetic_rows(lists: list, missing: np.ndarray, mask: np.ndarray, names) -> Any:
    """Rows whose categorical columns hold each category (and NaN where it was seen)."""
    cats = [np.append(c.astype(object), np.nan) if missing[j] and c.dtype == object else
            (np.append(c, np.nan) if missing[j] else c)
            for j, c in enumerate(lists) if mask[j]]  # fmt: skip
    height = max([1, *(len(c) for c in cats)])
    it = iter(cats)
    columns = [np.resize(next(it), height) if m else np.zeros(height) for m in mask]
    if names is not None:
        import pandas as pd

        return pd.DataFrame({str(n): c for n, c in zip(names, columns, strict=True)})
    dtype = np.result_type(*(c.dtype for c in columns))
    return np.column_stack([c.astype(dtype) for c in columns])


def _decode_predictors(fitted: Fitted, n_iter: int, k: int, order, is_categorical, path: str):
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    from amber import _core

    def tree_path(t: int) -> str:
        return attr_path(path, f"_predictors[{t // k}][{t % k}].nodes")

    columns = Columns(fitted, "predictors")
    if columns.n_trees != n_iter * k:
        raise GraphError(f"expected {n_iter * k} predictors", columns.where("node_offsets"))
    data = []
    for name, dtype in NODE_COLUMNS.items():
        column = columns.column(name, "f" if dtype == np.float64 else "iu")
        data.append(np.asarray(column, dtype=np.float64) if column.dtype.kind == "f" else column)
    bitsets = _bitsets(columns)
    mask = np.zeros(0, np.uint8) if is_categorical is None else is_categorical.astype(np.uint8)
    dtype, fields = _predictor_fields()
    records = np.empty(columns.n, dtype=dtype)
    defect = _core.fill_predictor_nodes(
        records.view(np.uint8).reshape(columns.n, dtype.itemsize), fields, columns.offsets,
        bitsets["offsets"], data, np.argsort(order), mask,
    )  # fmt: skip
    if defect is not None:
        raise_defect(defect, columns.where, 0, tree_path)
    # Each predictor gets a view of the one records array (and of the bitsets): contiguous
    # slices, as scikit-learn's predictor needs, without a copy per tree.
    # (a mapped file's arrays are read-only: then one copy each, no longer one per tree)
    binned, raw = (
        np.require(bitsets[name], requirements=["C", "W"])
        for name in ("binned_left_cat_bitsets", "raw_left_cat_bitsets")
    )
    node_offsets, bitset_offsets = columns.offsets.tolist(), bitsets["offsets"].tolist()
    if bitset_offsets[-1] == 0:  # no categorical split: every predictor shares the empty sets
        bounds = zip(node_offsets[:-1], node_offsets[1:], strict=True)
        predictors = [TreePredictor(records[lo:hi], binned, raw) for lo, hi in bounds]
    else:
        predictors = []
        for t in range(columns.n_trees):
            lo, hi = node_offsets[t], node_offsets[t + 1]
            b0, b1 = bitset_offsets[t], bitset_offsets[t + 1]
            predictors.append(TreePredictor(records[lo:hi], binned[b0:b1], raw[b0:b1]))
    return [predictors[i * k : (i + 1) * k] for i in range(n_iter)]


@functools.cache
def _predictor_fields() -> tuple[np.dtype, tuple[int, ...]]:
    """scikit-learn's PREDICTOR_RECORD_DTYPE and the byte offset of each of NODE_COLUMNS in it,
    in the order amber._core.fill_predictor_nodes takes them."""
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE as dtype

    offsets = []
    for name, expected in {**NODE_COLUMNS, "feature_idx": np.intp}.items():
        field = (dtype.fields or {}).get(name)
        if field is None or field[0] != np.dtype(expected):
            raise UnsupportedError(
                f"scikit-learn's predictor record has {name} as "
                f"{None if field is None else field[0]}, amber expects {np.dtype(expected)}"
            )
        offsets.append(field[1])
    return dtype, tuple(offsets)


def _bitsets(columns: Columns) -> dict:
    offsets = columns.column("bitset_offsets", "iu", (columns.n_trees + 1,)).astype(np.int64)
    if offsets[0] != 0 or (offsets.size > 1 and (offsets[1:] - offsets[:-1]).min() < 0):
        raise GraphError("must start at 0 and not decrease", columns.where("bitset_offsets"))
    out = {"offsets": offsets}
    for name in ("raw_left_cat_bitsets", "binned_left_cat_bitsets"):
        array = columns.column(name, "u", (int(offsets[-1]), 8))
        if array.dtype != np.uint32:
            raise GraphError("must be uint32", columns.where(name))
        out[name] = np.ascontiguousarray(array)
    return out


def _decode_bin_mapper(est: Any, fitted: Fitted, order: np.ndarray, categories,
                       legacy: bool = False) -> Any:  # fmt: skip
    from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper

    raw = fitted.raw.get("bin_mapper")
    where = fitted.where("bin_mapper")
    if not isinstance(raw, dict) or "$" in raw:
        raise GraphError("must be an object", where)
    node = fitted.dec.decode_attrs(raw, where)
    n = len(order)
    offsets = np.asarray(node["threshold_offsets"], dtype=np.int64)
    values = np.asarray(node["thresholds"], dtype=np.float64)
    if offsets.shape != (n + 1,) or offsets[0] != 0 or offsets[-1] != len(values) or \
            (n and (offsets[1:] - offsets[:-1]).min() < 0):  # fmt: skip
        raise GraphError("threshold_offsets do not match thresholds", where)
    # 1.3 keeps features in input order and bins the category values themselves.
    remapped = est.is_categorical_ if legacy else est._is_categorical_remapped
    known = None
    if categories is not None:
        known = [(np.asarray(categories[j], np.float64) if legacy else
                  np.arange(len(categories[j]), dtype=np.float64)) if remapped[r] else None
                 for r, j in enumerate(order)]  # fmt: skip
    mapper = _BinMapper(n_bins=node["n_bins"], subsample=node["subsample"],
                        is_categorical=remapped, known_categories=known,
                        random_state=node["random_state"], n_threads=node["n_threads"])  # fmt: skip
    bounds = offsets.tolist()
    mapper.bin_thresholds_ = [values[bounds[j] : bounds[j + 1]].copy() for j in order.tolist()]
    if legacy and known is not None:  # the stored thresholds are codes 0..n-1
        mapper.bin_thresholds_ = [t if c is None else c for t, c in
                                  zip(mapper.bin_thresholds_, known, strict=True)]  # fmt: skip
    mapper.n_bins_non_missing_ = np.asarray(node["n_bins_non_missing"], np.uint32)[order]
    mapper.missing_values_bin_idx_ = node["missing_values_bin_idx"]
    cat = np.zeros(n, dtype=np.uint8) if remapped is None else remapped.astype(np.uint8)
    mapper.is_categorical_ = cat
    return mapper


def _hgb_params(params: dict, cls: type) -> dict:
    # "warn" (1.4, 1.5) behaved as None: no categorical features unless given.
    return p.sentinel_to_default(params, cls, "categorical_features", None)


p.translate_params([HistGradientBoostingClassifier, HistGradientBoostingRegressor], _hgb_params)
for _name in ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor"):
    register(f"{MODULE}:{_name}", hgb_to_node, hgb_from_node)
