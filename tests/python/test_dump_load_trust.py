"""The trust policy: default lists, the audit before any import, trusted=[...], refusals."""

import sys
import warnings

import numpy as np
import pytest
from amber_custom import Scaler, double
from amber_testing import crafted, find_nodes, parts, rebuild
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import amber
from amber import _trusted
from amber._names import resolve


def test_every_estimator_of_all_estimators_is_trusted():
    from sklearn.experimental import enable_halving_search_cv, enable_iterative_imputer  # noqa
    from sklearn.utils import all_estimators

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimators = all_estimators()
    names = {f"{cls.__module__}:{cls.__qualname__}" for _, cls in estimators}
    assert len(names) > 200
    assert names - _trusted.DEFAULT_TRUSTED == set()


def test_every_default_name_exists_and_is_a_class_or_function():
    for name in sorted(_trusted.DEFAULT_TRUSTED):
        value = resolve(name, "")
        assert isinstance(value, type) or callable(value), name


def test_dangerous_names_are_not_trusted():
    for name in ["builtins:eval", "builtins:exec", "builtins:getattr", "builtins:__import__",
                 "os:system", "numpy:load", "numpy:fromfile", "numpy:frompyfunc",
                 "numpy:vectorize", "subprocess:Popen", "builtins:open"]:  # fmt: skip
        assert name not in _trusted.DEFAULT_TRUSTED


def test_trusted_true_does_not_exist():
    data = amber.dumps([1])
    with pytest.raises(TypeError, match="trusted=True is not supported"):
        amber.loads(data, trusted=True)
    with pytest.raises(TypeError):
        amber.loads(data, trusted="amber_custom:Scaler")
    with pytest.raises(ValueError, match="not a fully qualified name"):
        amber.loads(data, trusted=["amber_custom.Scaler"])


def test_untrusted_names_are_listed_all_at_once():
    X = np.arange(12.0).reshape(6, 2)
    model = make_pipeline(Scaler(factor=2.0), FunctionTransformer(double)).fit(X)
    data = amber.dumps(model)
    expected = ["amber_custom:Scaler", "amber_custom:double"]
    assert amber.get_untrusted_types(data=data) == expected
    with pytest.raises(amber.UntrustedTypesError) as info:
        amber.loads(data)
    assert info.value.names == expected
    assert "amber_custom:Scaler" in str(info.value) and "trusted=" in str(info.value)
    with pytest.raises(amber.UntrustedTypesError) as info:
        amber.loads(data, trusted=["amber_custom:Scaler"])
    assert info.value.names == ["amber_custom:double"]
    back = amber.loads(data, trusted=expected)
    assert np.array_equal(back.transform(X), model.transform(X))
    assert amber.loads(data, trusted=[Scaler, double]).steps[0][1].factor == 2.0


def test_nothing_is_imported_before_the_audit():
    graph = {"$": "object", "type": "amber_never_imported_module:Thing", "state": None}
    data = crafted([{"$": "function", "name": "numpy:log1p"}, graph])
    with pytest.raises(amber.UntrustedTypesError, match="amber_never_imported_module:Thing"):
        amber.loads(data)
    assert "amber_never_imported_module" not in sys.modules


@pytest.mark.parametrize(
    "node",
    [
        {"$": "function", "name": "os:system"},
        {"$": "type", "name": "subprocess:Popen"},
        {"$": "object", "type": "builtins:eval", "init": ["1"]},
        {"$": "estimator", "class": "os:system", "schema": "x/1", "params": {}, "fitted": None},
        {"$": "function", "name": "numpy.random:__builtins__"},
        {"$": "function", "name": "numpy:log1p.__globals__"},
    ],
)
def test_untrusted_named_nodes_are_refused(node):
    with pytest.raises(amber.UntrustedTypesError):
        amber.loads(crafted({"$": "dict", "items": {"x": [node]}}))


def test_names_hidden_in_unusual_places_are_still_audited():
    hidden = {"$": "tuple", "items": [], "extra": {"$": "function", "name": "os:system"}}
    assert amber.get_untrusted_types(data=crafted(hidden)) == ["os:system"]


def test_trusted_function_named_as_an_object_type_is_refused():
    data = crafted({"$": "object", "type": "numpy:mean", "state": None})
    with pytest.raises(amber.GraphError, match="does not name a class"):
        amber.loads(data)


def test_trusted_class_named_as_a_function_is_refused():
    data = crafted({"$": "function", "name": "builtins:float"})
    with pytest.raises(amber.GraphError, match="does not name a function"):
        amber.loads(data)


def test_inspect_marks_untrusted_names_and_builds_nothing():
    data = crafted({"$": "object", "type": "amber_never_imported_module:Thing", "state": None})
    view = amber.inspect(data=data)
    assert view.untrusted == ["amber_never_imported_module:Thing"]
    assert "Thing  (amber_never_imported_module:Thing  [UNTRUSTED])" in repr(view)
    assert "amber_never_imported_module" not in sys.modules
    view = amber.inspect(data=data, trusted=["amber_never_imported_module:Thing"])
    assert view.untrusted == []


@pytest.mark.filterwarnings("ignore")
def test_sklearn_numpy_scipy_names_are_trusted_in_a_pipeline():
    from scipy.special import expit

    X = np.arange(12.0).reshape(6, 2)
    model = make_pipeline(StandardScaler(), FunctionTransformer(np.log1p, inverse_func=expit))
    data = amber.dumps(model.fit(X))
    assert amber.get_untrusted_types(data=data) == []


def _written_by_sklearn(version: str, graph):
    """The state of every scikit-learn object in `graph` says `version` wrote it."""
    for node in find_nodes(graph, lambda n: n.get("$") == "dict"):
        if isinstance(node.get("items"), dict) and "_sklearn_version" in node["items"]:
            node["items"]["_sklearn_version"] = version


def test_version_mismatch_is_refused_unless_allowed():
    model = StandardScaler().fit(np.arange(6.0).reshape(3, 2))
    graph, meta, arrays = parts(amber.dumps(model, tier="generic"))
    meta["versions"]["sklearn"] = "0.0.1"
    _written_by_sklearn("0.0.1", graph)
    data = rebuild(graph, meta, arrays)
    with pytest.raises(amber.VersionMismatchError, match=r"sklearn 0\.0\.1 \(file\)"):
        amber.loads(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = amber.loads(data, allow_version_mismatch=True)
    assert np.array_equal(back.mean_, model.mean_)
    # amber's warning names both versions; scikit-learn's own about "unpickling" is not added
    assert [(w.category, "sklearn 0.0.1 (file)" in str(w.message)) for w in caught] == [
        (UserWarning, True)
    ]


def test_numpy_version_does_not_matter_for_numpy_values():
    graph, meta, arrays = parts(amber.dumps({"a": np.arange(3), "m": np.ma.MaskedArray([1])}))
    meta["versions"]["numpy"] = "0.1"
    assert amber.loads(rebuild(graph, meta, arrays))["a"].tolist() == [0, 1, 2]
