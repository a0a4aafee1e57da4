"""Every estimator of all_estimators(), fitted and unfitted, through the generic tier.

After a round trip: the same class, equal get_params(), every fitted attribute equal bit for
bit (sharing included), every public method giving identical outputs, and no name of
scikit-learn, NumPy or SciPy reported untrusted.
"""

import warnings

import pytest
from amber_testing import (
    assert_same,
    assert_same_methods,
    method_outputs,
    params_equal,
    sweep_data,
)
from sklearn.base import clone
from sklearn.utils._test_common.instance_generator import (
    _get_check_estimator_ids,
    _tested_estimators,
)
from sklearn.utils._testing import set_random_state

import amber

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    ESTIMATORS = list(_tested_estimators())

FAST = {"TSNE": {"max_iter": 250}}


def _prepared(estimator):
    estimator = clone(estimator)
    estimator.set_params(**FAST.get(type(estimator).__name__, {}))
    set_random_state(estimator)
    return estimator


def roundtrip(estimator):
    data = amber.dumps(estimator, tier="generic")
    assert amber.get_untrusted_types(data=data) == []
    return amber.loads(data)


def test_the_sweep_covers_all_estimators():
    assert len({type(e) for e in ESTIMATORS}) >= 200


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_get_check_estimator_ids)
def test_unfitted_estimator_roundtrip(estimator):
    estimator = _prepared(estimator)
    back = roundtrip(estimator)
    assert type(back) is type(estimator)
    params_equal(estimator, back)
    assert_same(estimator, back)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=_get_check_estimator_ids)
def test_fitted_estimator_roundtrip(estimator):
    estimator = _prepared(estimator)
    fit_args, X, y = sweep_data(estimator)
    estimator.fit(*fit_args)
    back = roundtrip(estimator)
    assert type(back) is type(estimator)
    params_equal(estimator, back)
    assert_same(estimator, back)
    label = type(estimator).__name__
    assert_same_methods(method_outputs(estimator, X, y), method_outputs(back, X, y), label)
