"""AdaBoost in the native runtime (docs/schema/ensemble.md §5): SAMME votes and the weighted
median of AdaBoost.R2, bit for bit against scikit-learn, and the portable round trip."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from runtime_parity import check_native, check_roundtrip, dump_file, edited
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreeClassifier

import amber

X2, Y2 = make_classification(n_samples=400, n_features=6, random_state=0)
X3, Y3 = make_classification(
    n_samples=500, n_features=8, n_informative=5, n_classes=4, random_state=1
)
XR, YR = make_regression(n_samples=400, n_features=5, noise=5.0, random_state=2)
LABELS = np.array(["ant", "bee", "cat", "dog"], dtype=object)[Y3]
METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")

TREE_CASES = {
    "binary stumps": (AdaBoostClassifier(n_estimators=40, random_state=0), X2, Y2),
    "one member": (AdaBoostClassifier(n_estimators=1, random_state=0), X2, Y2),
    "multiclass depth 3": (
        AdaBoostClassifier(
            DecisionTreeClassifier(max_depth=3), n_estimators=25, learning_rate=0.5, random_state=1
        ),
        X3,
        Y3,
    ),
    "string labels": (AdaBoostClassifier(n_estimators=20, random_state=2), X3, LABELS),
    "extra trees": (
        AdaBoostClassifier(ExtraTreeClassifier(max_depth=2), n_estimators=30, random_state=3),
        X3,
        Y3,
    ),
    # A perfect first member stops boosting: estimator_weights_ ends in zeros.
    "early stop": (
        AdaBoostClassifier(DecisionTreeClassifier(), n_estimators=10, random_state=4),
        X2,
        Y2,
    ),
    "regressor linear": (AdaBoostRegressor(n_estimators=30, random_state=0), XR, YR),
    "regressor square": (AdaBoostRegressor(n_estimators=20, loss="square", random_state=1), XR, YR),
    "regressor exponential": (
        AdaBoostRegressor(
            DecisionTreeRegressor(max_depth=2), n_estimators=60, loss="exponential", random_state=2
        ),
        XR,
        YR,
    ),
    "regressor one member": (AdaBoostRegressor(n_estimators=1, random_state=3), XR, YR),
}


def fitted(case):
    estimator, X, y = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y), X


def probes(X):
    """X, values far outside the training range (float32 overflow included), single rows."""
    extreme = X[:16].copy()
    extreme[::2, 0] = 3e38  # float32-finite: tree members refuse more
    extreme[1::2, 1] = -3.4e38
    return np.vstack([X, extreme])


@pytest.mark.parametrize("name", TREE_CASES)
def test_bit_identical(name, tmp_path):
    estimator, X = fitted(TREE_CASES[name])
    runtime = amber.Runtime(dump_file(estimator, tmp_path))
    data = probes(X)
    for method in METHODS:
        if not hasattr(estimator, method):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = getattr(estimator, method)(data)
        for rows in (slice(None), slice(0, 1), slice(2, 9)):
            actual = getattr(runtime, method)(data[rows])
            assert actual.dtype == expected.dtype, (name, method)
            assert np.array_equal(actual, expected[rows]), (name, method, rows)


def test_early_stop_really_stopped():
    estimator, _ = fitted(TREE_CASES["early stop"])
    assert len(estimator.estimators_) < len(estimator.estimator_weights_)


def test_regressor_ties_take_the_same_prediction(tmp_path):
    """Members with equal predictions (a constant column): the weighted median still picks
    scikit-learn's value."""
    X = np.c_[XR[:, :2], np.zeros(len(XR))]
    estimator = AdaBoostRegressor(
        DecisionTreeRegressor(max_depth=1), n_estimators=40, random_state=0
    ).fit(X, YR)
    runtime = amber.Runtime(dump_file(estimator, tmp_path))
    assert np.array_equal(runtime.predict(X), estimator.predict(X))


def test_list_members(tmp_path):
    """Members of other families (the list form) run natively, linear ones within 1e-12."""
    clf = AdaBoostClassifier(LogisticRegression(), n_estimators=8, random_state=0).fit(X3, Y3)
    reg = AdaBoostRegressor(LinearRegression(), n_estimators=8, random_state=0).fit(XR, YR)
    for estimator, X in ((clf, X3), (reg, XR)):
        path = dump_file(estimator, tmp_path, f"{type(estimator).__name__}.amber")
        check_native(estimator, X, path)
        check_roundtrip(estimator, X, path)


@pytest.mark.parametrize("name", ["binary stumps", "regressor linear"])
@pytest.mark.parametrize(
    "value, message", [(np.nan, "NaN"), (np.inf, "infinity"), (1e300, "too large for float32")]
)
def test_bad_values_are_refused_as_scikit_learn_does(name, value, message, tmp_path):
    estimator, X = fitted(TREE_CASES[name])
    runtime = amber.Runtime(dump_file(estimator, tmp_path))
    bad = X[:3].copy()
    bad[1, 2] = value
    with pytest.raises(ValueError):
        estimator.predict(bad)
    with pytest.raises(amber.AmberError, match=message):
        runtime.predict(bad)


@pytest.mark.parametrize("name", TREE_CASES)
def test_roundtrip(name, tmp_path):
    estimator, X = fitted(TREE_CASES[name])
    loaded = check_roundtrip(estimator, X, dump_file(estimator, tmp_path))
    assert np.array_equal(loaded.estimator_weights_, estimator.estimator_weights_)
    assert np.array_equal(loaded.estimator_errors_, estimator.estimator_errors_)
    assert [t.random_state for t in loaded.estimators_] == [
        t.random_state for t in estimator.estimators_
    ]
    if hasattr(estimator, "staged_predict"):
        for a, b in zip(
            loaded.staged_predict(X[:50]), estimator.staged_predict(X[:50]), strict=True
        ):
            assert np.array_equal(a, b)


def test_tree_members_use_the_tree_arrays(tmp_path):
    estimator, _ = fitted(TREE_CASES["binary stumps"])
    from amber_testing import parts

    graph, _, _ = parts(dump_file(estimator, tmp_path).read_bytes())
    members = graph["fitted"]["estimators"]
    assert set(members) == {
        "template",
        "n_features",
        "n_outputs",
        "max_features",
        "classes",
        "trees",
    }


def test_samme_r_is_refused_at_dump(tmp_path):
    """SAMME.R (the default before scikit-learn 1.6) votes with probabilities, which adaboost/1
    does not describe: such a model is refused, not written as SAMME."""
    estimator = AdaBoostClassifier(n_estimators=3, random_state=0).fit(X2, Y2)
    estimator.algorithm = "SAMME.R"  # what releases before 1.8 store
    with pytest.raises(amber.UnsupportedObjectError, match="algorithm='SAMME.R'.*tier='generic'"):
        amber.dump(estimator, tmp_path / "model.amber")


def test_samme_r_in_a_file_is_refused(tmp_path):
    estimator, _ = fitted(TREE_CASES["binary stumps"])
    path = dump_file(estimator, tmp_path)

    def to_samme_r(graph, arrays):
        graph["params"]["algorithm"] = "SAMME.R"

    bad = edited(path, to_samme_r, tmp_path)
    with pytest.raises(amber.GraphError, match=r"^algorithm: .*'SAMME\.R'") as info:
        amber.load(bad)
    assert info.value.path == "algorithm"  # the estimator's attribute (docs/object-graph.md §4)
    # The native runtime refuses it too, rather than voting as SAMME.
    with pytest.raises(amber.UnsupportedError, match=r"algorithm.*SAMME\.R"):
        amber.Runtime(bad)
