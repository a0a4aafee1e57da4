"""Linear family (schema linear/1): native parity with scikit-learn, load round trips, attacks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from runtime_parity import array_of, check_all, check_native, dump_file, edited, set_array
from sklearn import linear_model as lm
from sklearn import svm

import amber

RNG = np.random.default_rng(0)
X = RNG.normal(size=(80, 5))
X_TEST = RNG.normal(size=(40, 5)) * 2
Y = X @ [1.5, -2.0, 0.0, 0.5, 1.0] + RNG.normal(scale=0.3, size=80)
Y_BINARY = (Y > 0).astype(np.int64)
Y_MULTI = np.digitize(Y, [-1.5, 0.0, 1.5])
Y_NAMES = np.array(["low", "mid", "high"], dtype=object)[np.digitize(Y, [-1.0, 1.0])]
Y_POSITIVE = np.exp(Y / 4)

REGRESSORS = [
    lm.LinearRegression(),
    lm.LinearRegression(fit_intercept=False),
    lm.Ridge(alpha=0.5),
    lm.RidgeCV(),
    lm.Lasso(alpha=0.05),
    lm.ElasticNet(alpha=0.05),
    lm.LassoCV(cv=3),
    lm.ElasticNetCV(cv=3, l1_ratio=[0.2, 0.8]),
    lm.SGDRegressor(random_state=0),
    lm.PassiveAggressiveRegressor(random_state=0),
    lm.HuberRegressor(),
    lm.QuantileRegressor(alpha=0.01),
    lm.BayesianRidge(),
    lm.ARDRegression(),
    svm.LinearSVR(random_state=0, max_iter=5000),
]
GLMS = [
    lm.PoissonRegressor(),
    lm.GammaRegressor(),
    lm.TweedieRegressor(power=1.5),
    lm.TweedieRegressor(power=0.0),
    lm.TweedieRegressor(power=2.5, link="identity", alpha=5.0),
]
CLASSIFIERS = [
    lm.LogisticRegression(),
    lm.LogisticRegression(fit_intercept=False, C=0.3),
    lm.LogisticRegression(solver="liblinear"),
    lm.RidgeClassifier(),
    lm.RidgeClassifierCV(),
    lm.SGDClassifier(random_state=0),
    lm.SGDClassifier(loss="log_loss", random_state=0),
    lm.SGDClassifier(loss="modified_huber", random_state=0),
    lm.Perceptron(random_state=0),
    lm.PassiveAggressiveClassifier(random_state=0),
    svm.LinearSVC(random_state=0),
    svm.LinearSVC(multi_class="crammer_singer", random_state=0),
]


def fitted(estimator, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


def ids(estimators):
    return [repr(e) for e in estimators]


@pytest.mark.parametrize("estimator", REGRESSORS, ids=ids(REGRESSORS))
def test_regressors(estimator, tmp_path):
    check_all(fitted(estimator, Y), X_TEST, tmp_path, expect=["predict"])


@pytest.mark.parametrize("estimator", GLMS, ids=ids(GLMS))
def test_glms(estimator, tmp_path):
    check_all(fitted(estimator, Y_POSITIVE), X_TEST, tmp_path, expect=["predict"])


def test_multi_target_regressors(tmp_path):
    targets = np.c_[Y, -2 * Y + 1]
    for estimator in (lm.LinearRegression(), lm.Ridge(), lm.Lasso(alpha=0.01)):
        path = check_all(fitted(estimator, targets), X_TEST, tmp_path)
        assert amber.Runtime(path).predict(X_TEST).shape == (len(X_TEST), 2)


@pytest.mark.parametrize("y", [Y_BINARY, Y_MULTI, Y_NAMES], ids=["binary", "multiclass", "names"])
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids(CLASSIFIERS))
def test_classifiers(estimator, y, tmp_path):
    if estimator.get_params().get("solver") == "liblinear" and len(set(y)) > 2:
        pytest.skip("liblinear is binary only")
    check_all(fitted(estimator, y), X_TEST, tmp_path, expect=["predict", "decision_function"])


def test_logistic_probabilities_are_labelled(tmp_path):
    model = fitted(lm.LogisticRegression(), Y_NAMES)
    runtime = amber.Runtime(dump_file(model, tmp_path))
    assert list(runtime.classes_) == list(model.classes_)
    assert set(runtime.methods) >= {"predict_proba", "predict_log_proba"}
    assert runtime.predict(X_TEST[:1]).tolist() == model.predict(X_TEST[:1]).tolist()


def test_float32_and_single_rows(tmp_path):
    model = fitted(lm.LogisticRegression(), Y_MULTI)
    path = dump_file(model, tmp_path)
    X32 = X_TEST.astype(np.float32)
    check_native(model, X32, path)
    runtime = amber.Runtime(path)
    for row in X_TEST[:5]:
        np.testing.assert_allclose(
            runtime.predict_proba(row[None]), model.predict_proba(row[None]), rtol=1e-12
        )


def test_non_finite_input_is_refused(tmp_path):
    model = fitted(lm.Ridge(), Y)
    runtime = amber.Runtime(dump_file(model, tmp_path))
    bad = X_TEST[:3].copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError):
        model.predict(bad)
    with pytest.raises(amber.InvalidArgumentError, match="NaN"):
        runtime.predict(bad)
    bad[1, 2] = np.inf
    with pytest.raises(amber.InvalidArgumentError, match="infinity"):
        runtime.predict(bad)


def test_unfitted_round_trip(tmp_path):
    path = dump_file(lm.LogisticRegression(C=0.25), tmp_path)
    assert amber.load(path).get_params()["C"] == 0.25
    with pytest.raises(amber.UnsupportedError, match="not fitted"):
        amber.Runtime(path)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rows=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 12), st.just(5)),
        elements=st.floats(-1e3, 1e3, allow_subnormal=False),
    ),
    index=st.integers(0, 2),
)
def test_hypothesis_rows(tmp_path_factory, rows, index):
    model = MODELS[index]
    path = PATHS.setdefault(index, dump_file(model, tmp_path_factory.mktemp("h")))
    check_native(model, rows, path)


MODELS = [
    fitted(lm.LogisticRegression(), Y_MULTI),
    fitted(lm.Ridge(), Y),
    fitted(lm.PoissonRegressor(), Y_POSITIVE),
]
PATHS: dict = {}


# ---------------------------------------------------------------------------------------------
# Hostile files: shapes that disagree are InvalidGraph errors naming the node.


def test_coef_wider_than_inputs(tmp_path):
    path = dump_file(fitted(lm.LinearRegression(), Y), tmp_path)

    def edit(graph, arrays):
        graph["fitted"]["n_features_in"] = 4

    with pytest.raises(amber.InvalidGraphError, match="fitted.coef"):
        amber.Runtime(edited(path, edit, tmp_path))


def test_intercept_length_mismatch(tmp_path):
    path = dump_file(fitted(lm.LogisticRegression(), Y_MULTI), tmp_path)

    def edit(graph, arrays):
        node = graph["fitted"]["intercept"]
        set_array(node, arrays, array_of(node, arrays)[:2])

    with pytest.raises(amber.InvalidGraphError, match="fitted.intercept"):
        amber.Runtime(edited(path, edit, tmp_path))


def test_classes_disagree_with_coef(tmp_path):
    path = dump_file(fitted(lm.LogisticRegression(), Y_MULTI), tmp_path)

    def edit(graph, arrays):
        node = graph["fitted"]["classes"]
        set_array(node, arrays, array_of(node, arrays)[:3])

    with pytest.raises(amber.InvalidGraphError, match="fitted.coef"):
        amber.Runtime(edited(path, edit, tmp_path))
    with pytest.raises(amber.errors.InvalidStateError, match="coef"):
        amber.load(edited(path, edit, tmp_path, "python.amber"))


def test_unknown_probability_kind(tmp_path):
    path = dump_file(fitted(lm.LogisticRegression(), Y_MULTI), tmp_path)

    def edit(graph, arrays):
        graph["fitted"]["probability"] = "cauchit"

    with pytest.raises(amber.UnsupportedError, match="fitted.probability"):
        amber.Runtime(edited(path, edit, tmp_path))
