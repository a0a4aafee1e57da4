"""Constructor parameters of scikit-learn-API estimators, read without inspect.signature.

scikit-learn's `get_params` and `_get_param_names` build the constructor's signature on every
call (20-60 us): for every tree of a forest on save, for every class on a first load. For a
plain constructor the code object says the same, and the answer is kept per class.
"""

from __future__ import annotations

import functools
import inspect
import types
from typing import Any


def code_signature(function: Any) -> tuple[list[str], dict] | None:
    """The parameter names and defaults of a plain Python function without * or **
    parameters, read from its code object: what inspect.signature reports for it. None when
    signature() could report something else: not a plain function, a wrapper (`__wrapped__`),
    a `__signature__`, or variadic parameters."""
    if (
        type(function) is not types.FunctionType
        or hasattr(function, "__wrapped__")
        or hasattr(function, "__signature__")
    ):
        return None
    code = function.__code__
    if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        return None
    names = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    positional = names[: code.co_argcount]
    values = function.__defaults__ or ()
    found = dict(zip(positional[len(positional) - len(values) :], values, strict=True))
    found.update(function.__kwdefaults__ or {})
    return names, found


def _base_estimator() -> type | None:
    try:
        from sklearn.base import BaseEstimator
    except ImportError:  # estimator-like objects without scikit-learn installed
        return None
    return BaseEstimator


@functools.cache
def param_names(cls: type) -> tuple[str, ...]:
    """`cls._get_param_names()`: the constructor's parameters, sorted."""
    base = _base_estimator()
    own = getattr(cls._get_param_names, "__func__", None)
    if base is not None and own is base._get_param_names.__func__:
        if cls.__init__ is object.__init__:
            return ()
        fast = code_signature(cls.__init__)
        if fast is not None:  # what BaseEstimator._get_param_names reads, "self" aside
            return tuple(sorted(name for name in fast[0] if name != "self"))
    return tuple(cls._get_param_names())


@functools.cache
def defaults(cls: type) -> dict:
    """The installed release's default of each constructor parameter of `cls`."""
    if cls.__init__ is object.__init__:
        return {}
    fast = code_signature(cls.__init__)
    if fast is not None:
        return {name: value for name, value in fast[1].items() if name != "self"}
    signature = inspect.signature(cls.__init__)
    return {
        name: parameter.default
        for name, parameter in signature.parameters.items()
        if name != "self" and parameter.default is not inspect.Parameter.empty
    }


@functools.cache
def _plain_get_params(cls: type) -> tuple[str, ...] | None:
    """The names `get_params(deep=False)` reads when it is BaseEstimator's own; None when the
    class has its own get_params."""
    base = _base_estimator()
    if base is None or getattr(cls, "get_params", None) is not base.get_params:
        return None
    return param_names(cls)


def shallow_params(estimator: Any) -> dict:
    """`estimator.get_params(deep=False)`, a new dict on each call."""
    names = _plain_get_params(type(estimator))
    if names is None:
        return estimator.get_params(deep=False)
    return {name: getattr(estimator, name) for name in names}
