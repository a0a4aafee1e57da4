"""An importable module of user code for the trust tests: a custom estimator and a function."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


def double(X):
    """A user function for FunctionTransformer."""
    return np.asarray(X) * 2


class Scaler(BaseEstimator, TransformerMixin):
    """A user transformer: subtracts the mean seen in fit, multiplies by `factor`."""

    def __init__(self, factor=1.0):
        self.factor = factor

    def fit(self, X, y=None):
        self.mean_ = np.asarray(X).mean(axis=0)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def transform(self, X):
        return (np.asarray(X) - self.mean_) * self.factor


class Slotted:
    """A class with __slots__ and no __dict__."""

    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b

    def __eq__(self, other):
        return type(other) is Slotted and (self.a, self.b) == (other.a, other.b)


class Rebuilt:
    """A class whose copy protocol calls a helper function: amber refuses to write it."""

    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        return (make_rebuilt, (self.value,))


def make_rebuilt(value):
    return Rebuilt(value)
