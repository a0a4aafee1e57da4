"""Preprocessing family (schema preprocessing/1): native parity, load round trips, attacks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_parity import (
    array_of,
    check_all,
    check_native,
    check_roundtrip,
    dump_file,
    edited,
    set_array,
)
from sklearn import feature_selection as fs
from sklearn import impute
from sklearn import preprocessing as pp
from sklearn.linear_model import LogisticRegression

import amber

RNG = np.random.default_rng(1)
X = RNG.normal(size=(60, 4)) * [1, 10, 0.1, 100]
X_NAN = X.copy()
X_NAN[RNG.random(X.shape) < 0.15] = np.nan
X_TEST = RNG.normal(size=(30, 4)) * [2, 10, 0.1, 100]
X_TEST_NAN = X_TEST.copy()
X_TEST_NAN[RNG.random(X_TEST.shape) < 0.2] = np.nan
Y = (X[:, 0] + X[:, 1] / 10 > 0).astype(int)

SCALERS = [
    pp.StandardScaler(),
    pp.StandardScaler(with_mean=False),
    pp.StandardScaler(with_std=False),
    pp.MinMaxScaler(),
    pp.MinMaxScaler(feature_range=(-2, 3), clip=True),
    pp.MaxAbsScaler(),
    pp.MaxAbsScaler(clip=True),
    pp.RobustScaler(),
    pp.RobustScaler(with_centering=False, quantile_range=(10, 90)),
]


def fit(estimator, X_fit, y=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X_fit, y)


def ids(estimators):
    return [repr(e) for e in estimators]


@pytest.mark.parametrize("scaler", SCALERS, ids=ids(SCALERS))
def test_scalers_keep_nan(scaler, tmp_path):
    check_all(fit(scaler, X_NAN), X_TEST_NAN, tmp_path, expect=["transform"])


def test_scalers_refuse_infinity(tmp_path):
    runtime = amber.Runtime(dump_file(fit(pp.StandardScaler(), X), tmp_path))
    bad = X_TEST[:2].copy()
    bad[0, 0] = np.inf
    with pytest.raises(amber.InvalidArgumentError, match="infinity"):
        runtime.transform(bad)


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_normalizer(norm, tmp_path):
    X_zero = np.vstack([X_TEST, np.zeros((1, 4))])
    check_all(fit(pp.Normalizer(norm=norm), X), X_zero, tmp_path)


def test_binarizer(tmp_path):
    check_all(fit(pp.Binarizer(threshold=0.5), X), X_TEST, tmp_path)


IMPUTERS = [
    impute.SimpleImputer(),
    impute.SimpleImputer(strategy="median", add_indicator=True),
    impute.SimpleImputer(strategy="most_frequent"),
    impute.SimpleImputer(strategy="constant", fill_value=-7.5, add_indicator=True),
]


@pytest.mark.parametrize("imputer", IMPUTERS, ids=ids(IMPUTERS))
def test_simple_imputer(imputer, tmp_path):
    check_all(fit(imputer, X_NAN), X_TEST_NAN, tmp_path)


def test_imputer_empty_features_and_sentinel(tmp_path):
    X_empty = X_NAN.copy()
    X_empty[:, 1] = np.nan
    for keep in (False, True):
        imputer = fit(impute.SimpleImputer(keep_empty_features=keep), X_empty)
        check_all(
            imputer,
            X_TEST_NAN,
            tmp_path / str(keep) if tmp_path.joinpath(str(keep)).mkdir() is None else tmp_path,
        )
    X_int = np.round(X).clip(-1, 5)
    sentinel = fit(impute.SimpleImputer(missing_values=-1, strategy="mean"), X_int)
    check_all(sentinel, np.round(X_TEST).clip(-1, 5), tmp_path)


@pytest.mark.parametrize("features", ["missing-only", "all"])
def test_missing_indicator(features, tmp_path):
    indicator = fit(impute.MissingIndicator(features=features), X_NAN)
    check_all(indicator, X_TEST_NAN, tmp_path)


def test_missing_indicator_error_on_new(tmp_path):
    X_fit = X_NAN.copy()
    X_fit[:, 2] = 1.0
    indicator = fit(impute.MissingIndicator(), X_fit)
    runtime = amber.Runtime(dump_file(indicator, tmp_path))
    with pytest.raises(ValueError):
        indicator.transform(X_TEST_NAN)
    with pytest.raises(amber.InvalidArgumentError, match="feature 2"):
        runtime.transform(X_TEST_NAN)


def test_function_transformer(tmp_path):
    positive = np.abs(X_TEST)
    check_all(fit(pp.FunctionTransformer(np.log1p, np.expm1), X), positive, tmp_path)
    check_all(fit(pp.FunctionTransformer(), X), X_TEST_NAN, tmp_path)
    path = dump_file(fit(pp.FunctionTransformer(np.log1p, validate=True), X), tmp_path, "v.amber")
    with pytest.raises(amber.InvalidArgumentError):
        amber.Runtime(path).transform(X_TEST_NAN)


def test_function_transformer_with_arbitrary_function_is_unsupported(tmp_path):
    transformer = fit(pp.FunctionTransformer(np.cumsum), X)
    path = dump_file(transformer, tmp_path)
    with pytest.raises(amber.UnsupportedError, match="func"):
        amber.Runtime(path)


SELECTORS = [
    fs.VarianceThreshold(threshold=1.0),
    fs.SelectKBest(k=2),
    fs.SelectPercentile(percentile=50),
    fs.SelectFromModel(LogisticRegression()),
    fs.RFE(LogisticRegression(), n_features_to_select=2),
]


@pytest.mark.parametrize("selector", SELECTORS, ids=ids(SELECTORS))
def test_selectors(selector, tmp_path):
    check_all(fit(selector, X, Y), X_TEST, tmp_path)


@pytest.mark.parametrize("target", [pp.LabelEncoder(), pp.LabelBinarizer()], ids=repr)
def test_label_encoders_round_trip(target, tmp_path):
    labels = np.array(["b", "a", "c", "a"])
    target.fit(labels)
    loaded = amber.load(dump_file(target, tmp_path))
    assert np.array_equal(loaded.transform(labels), target.transform(labels))


# ---------------------------------------------------------------------------------------------
# Encoders: numeric and string categories, missing values, unknowns, infrequent, drop.

COLORS = np.array(["red", "green", "blue", "green", "red", "red", "violet", None, "green", "red"])
SIZES = np.array([1.0, 2.0, 3.0, 2.0, np.nan, 1.0, 1.0, 4.0, 2.0, 1.0])
FRAME = pd.DataFrame({"color": COLORS, "size": SIZES})
TEST_FRAME = pd.DataFrame({
    "color": ["red", "black", None, "violet", "blue", "green"],
    "size": [2.0, 9.0, np.nan, 4.0, 1.0, 3.0],
})  # fmt: skip

ONE_HOTS = [
    pp.OneHotEncoder(handle_unknown="ignore"),
    pp.OneHotEncoder(handle_unknown="ignore", sparse_output=False, drop="if_binary"),
    pp.OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=2),
    pp.OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=3, drop="first"),
    pp.OneHotEncoder(handle_unknown="warn", min_frequency=3),
    pp.OneHotEncoder(handle_unknown="ignore", drop=["green", 2.0]),
]


@pytest.mark.parametrize("encoder", ONE_HOTS, ids=ids(ONE_HOTS))
def test_one_hot_frames(encoder, tmp_path):
    check_all(fit(encoder, FRAME), TEST_FRAME, tmp_path, expect=["transform"])


def test_one_hot_unknown_error(tmp_path):
    encoder = fit(pp.OneHotEncoder(), FRAME)
    runtime = amber.Runtime(dump_file(encoder, tmp_path))
    check_native(encoder, FRAME, dump_file(encoder, tmp_path, "again.amber"))
    with pytest.raises(amber.InvalidArgumentError, match="unknown category"):
        runtime.transform(TEST_FRAME)


def test_one_hot_numeric_arrays_float32(tmp_path):
    X_cat = RNG.integers(0, 5, size=(50, 3)).astype(np.float64)
    encoder = fit(pp.OneHotEncoder(handle_unknown="ignore"), X_cat)
    X_new = RNG.integers(-1, 7, size=(20, 3)).astype(np.float32)
    check_all(encoder, X_new, tmp_path)


def test_one_hot_string_arrays(tmp_path):
    X_str = np.array([["a", "x"], ["b", "y"], ["a", "y"], ["c", "x"]], dtype=object)
    encoder = fit(pp.OneHotEncoder(handle_unknown="ignore"), X_str)
    check_all(encoder, np.array([["a", "q"], ["z", "x"]], dtype=object), tmp_path)


ORDINALS = [
    pp.OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
    pp.OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=-2
    ),
    pp.OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=99, min_frequency=2),
    pp.OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1, max_categories=2),
]


@pytest.mark.parametrize("encoder", ORDINALS, ids=ids(ORDINALS))
def test_ordinal_frames(encoder, tmp_path):
    check_all(fit(encoder, FRAME), TEST_FRAME, tmp_path)


def test_ordinal_explicit_categories(tmp_path):
    encoder = pp.OrdinalEncoder(categories=[["small", "medium", "large"]])
    fit(encoder, np.array([["small"], ["large"]], dtype=object))
    check_all(encoder, np.array([["large"], ["medium"]], dtype=object), tmp_path)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    values=st.lists(
        st.one_of(st.none(), st.sampled_from(["a", "b", "é", "ü", "zz", "q"])),
        min_size=1,
        max_size=12,
    )
)
def test_hypothesis_one_hot_unseen(tmp_path_factory, values):
    frame = pd.DataFrame({"color": pd.Series(values, dtype=object), "size": 1.0})
    path = ENCODER_PATHS.setdefault(0, dump_file(ENCODER, tmp_path_factory.mktemp("h")))
    check_native(ENCODER, frame, path)


ENCODER = fit(pp.OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=2), FRAME)
ENCODER_PATHS: dict = {}


# ---------------------------------------------------------------------------------------------
# Hostile files.


def test_infrequent_index_out_of_range(tmp_path):
    path = dump_file(fit(pp.OneHotEncoder(min_frequency=2), FRAME), tmp_path)

    def edit(graph, arrays):
        node = graph["fitted"]["infrequent"][0]
        set_array(node, arrays, array_of(node, arrays) + 40)

    bad = edited(path, edit, tmp_path)
    with pytest.raises(amber.InvalidGraphError, match=r"fitted.infrequent\[0\]"):
        amber.Runtime(bad)
    with pytest.raises(amber.errors.InvalidStateError, match=r"infrequent_\[0\]"):
        amber.load(bad)


def test_drop_index_out_of_range(tmp_path):
    path = dump_file(fit(pp.OneHotEncoder(drop="first"), FRAME), tmp_path)

    def edit(graph, arrays):
        graph["fitted"]["drop_idx"][1] = 17

    bad = edited(path, edit, tmp_path)
    with pytest.raises(amber.InvalidGraphError, match=r"fitted.drop_idx\[1\]"):
        amber.Runtime(bad)
    with pytest.raises(amber.errors.InvalidStateError, match=r"drop_idx_\[1\]"):
        amber.load(bad)


def test_categories_count_mismatch(tmp_path):
    path = dump_file(fit(pp.OrdinalEncoder(), FRAME), tmp_path)

    def edit(graph, arrays):
        graph["fitted"]["n_features_in"] = 3

    with pytest.raises(amber.InvalidGraphError, match="fitted.categories"):
        amber.Runtime(edited(path, edit, tmp_path))


def test_scaler_vector_too_short(tmp_path):
    path = dump_file(fit(pp.StandardScaler(), X), tmp_path)

    def edit(graph, arrays):
        node = graph["fitted"]["scale"]
        set_array(node, arrays, array_of(node, arrays)[:3])

    with pytest.raises(amber.InvalidGraphError, match="fitted.scale"):
        amber.Runtime(edited(path, edit, tmp_path))
    with pytest.raises(amber.errors.InvalidStateError, match="scale_"):
        amber.load(edited(path, edit, tmp_path, "python.amber"))


def test_roundtrip_unfitted_encoder(tmp_path):
    encoder = pp.OneHotEncoder(handle_unknown="ignore", min_frequency=3)
    check_roundtrip(encoder, None, dump_file(encoder, tmp_path)) if False else None
    loaded = amber.load(dump_file(encoder, tmp_path))
    assert loaded.get_params() == encoder.get_params()
