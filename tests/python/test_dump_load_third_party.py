"""Third-party estimators (LightGBM, XGBoost) through the generic tier: refused until their
names are trusted, then the same predictions; what cannot be named is refused on dump."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import amber

X = np.random.RandomState(0).rand(200, 4)
Y = (X[:, 0] + X[:, 1] > 1).astype(int)


def _roundtrip_when_trusted(model, names):
    data = amber.dumps(model)
    assert amber.get_untrusted_types(data=data) == names
    with pytest.raises(amber.UntrustedTypesError) as info:
        amber.loads(data)
    assert info.value.names == names
    return amber.loads(data, trusted=names)


def test_lightgbm_classifier_in_a_pipeline():
    lightgbm = pytest.importorskip("lightgbm")
    model = make_pipeline(
        StandardScaler(), lightgbm.LGBMClassifier(n_estimators=8, num_leaves=7, verbose=-1)
    ).fit(X, Y)
    back = _roundtrip_when_trusted(
        model, ["lightgbm.basic:Booster", "lightgbm.sklearn:LGBMClassifier"]
    )
    assert type(back[-1]) is lightgbm.LGBMClassifier
    assert np.array_equal(back.predict_proba(X), model.predict_proba(X))
    assert back[-1].get_params() == model[-1].get_params()


def test_xgboost_classifier():
    xgboost = pytest.importorskip("xgboost")
    model = xgboost.XGBClassifier(n_estimators=8, max_depth=3).fit(X, Y)
    back = _roundtrip_when_trusted(model, ["xgboost.core:Booster", "xgboost.sklearn:XGBClassifier"])
    assert np.array_equal(back.predict_proba(X), model.predict_proba(X))


def test_lightgbm_with_a_lambda_objective_is_refused_on_dump():
    lightgbm = pytest.importorskip("lightgbm")

    def objective(y_true, y_pred):  # a local function: not importable by name
        grad = y_pred - y_true
        return grad, np.ones_like(grad)

    model = lightgbm.LGBMRegressor(n_estimators=3, objective=objective, verbose=-1).fit(X, Y)
    with pytest.raises(amber.UnsupportedObjectError, match="module") as info:
        amber.dumps(model)
    assert info.value.path.endswith("objective")
