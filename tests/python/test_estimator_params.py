"""The constructor parameters amber reads from code objects (amber._params) equal what
inspect.signature, scikit-learn's _get_param_names and get_params(deep=False) report, for every
estimator and for the cases the fast read must hand back to them."""

import functools
import inspect
import warnings

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils import all_estimators
from sklearn.utils._test_common.instance_generator import _tested_estimators

from amber import _params

CLASSES = [cls for _, cls in all_estimators()]


def _signature_defaults(cls):
    return {
        name: parameter.default
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
        if name != "self" and parameter.default is not inspect.Parameter.empty
    }


def _same_defaults(fast, slow):
    # Identity, not equality: the same objects come out of the same function (NaN included).
    return list(fast) == list(slow) and all(fast[name] is slow[name] for name in slow)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_estimator_reads_as_inspect_and_sklearn_do(cls):
    assert _params.param_names.__wrapped__(cls) == tuple(cls._get_param_names())
    assert _same_defaults(_params.defaults.__wrapped__(cls), _signature_defaults(cls))


def test_the_fast_read_covers_most_estimators():
    # The point of it: were most constructors handed back to inspect, the first load would
    # pay the slow path again.
    fast = [cls for cls in CLASSES if _params.code_signature(cls.__init__) is not None]
    assert len(fast) > 0.9 * len(CLASSES)


def _wrapped_init(init):
    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        init(self, *args, **kwargs)

    return wrapper


class Wrapped(BaseEstimator):
    @_wrapped_init
    def __init__(self, alpha=1.0, *, beta="b"):
        self.alpha, self.beta = alpha, beta


class Variadic(BaseEstimator):
    def __init__(self, alpha=1.0, *extra):
        self.alpha = alpha


class Keywords(BaseEstimator):
    def __init__(self, alpha=1.0, **extra):
        self.alpha = alpha


class Described(BaseEstimator):
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    __init__.__signature__ = inspect.Signature(
        [
            inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("gamma", inspect.Parameter.KEYWORD_ONLY, default=2),
        ]
    )


class OwnNames(BaseEstimator):
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    @classmethod
    def _get_param_names(cls):
        return ["alpha", "extra"]


@pytest.mark.parametrize("cls", [Wrapped, Keywords, Described, OwnNames])
def test_what_the_code_object_cannot_tell_is_read_the_slow_way(cls):
    assert _params.param_names.__wrapped__(cls) == tuple(cls._get_param_names())
    assert _same_defaults(_params.defaults.__wrapped__(cls), _signature_defaults(cls))


def test_variadic_constructors_get_scikit_learns_error():
    with pytest.raises(RuntimeError, match="varargs"):
        Variadic._get_param_names()
    with pytest.raises(RuntimeError, match="varargs"):
        _params.param_names.__wrapped__(Variadic)
    assert _params.code_signature(Variadic.__init__) is None


def test_positional_and_keyword_only_defaults():
    def f(a, b=1, /, c=2, *, d, e=3):
        pass

    assert _params.code_signature(f) == (["a", "b", "c", "d", "e"], {"b": 1, "c": 2, "e": 3})


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    INSTANCES = list(_tested_estimators())


def _same_params(estimator):
    fast, slow = _params.shallow_params(estimator), estimator.get_params(deep=False)
    return list(fast) == list(slow) and all(fast[name] is slow[name] for name in slow)


@pytest.mark.parametrize("estimator", INSTANCES, ids=lambda e: type(e).__name__)
def test_shallow_params_are_get_params(estimator):
    assert _same_params(estimator)


class OwnGetParams(BaseEstimator):
    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def get_params(self, deep=True):
        return {"alpha": self.alpha, "derived": 2 * self.alpha}


def test_an_own_get_params_is_called():
    assert _params.shallow_params(OwnGetParams(3.0)) == {"alpha": 3.0, "derived": 6.0}
    assert _same_params(Wrapped(alpha=2.0))
