"""Metadata of every dump, amber.fingerprint, validation samples and load(public_key=...)."""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier, StackingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import amber
from amber import _validation, signing


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=200, n_features=6, random_state=0)


@pytest.fixture(scope="module")
def forest(data):
    X, y = data
    return RandomForestClassifier(n_estimators=4, max_depth=4, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def frame_pipeline():
    frame = pd.DataFrame(
        {"city": np.array(["oslo", "rome", "lima"] * 30, dtype=object), "age": np.arange(90.0)}
    )
    target = np.arange(90) % 2
    columns = ColumnTransformer(
        [("o", OneHotEncoder(), ["city"]), ("s", StandardScaler(), ["age"])]
    )
    return make_pipeline(columns, LogisticRegression()).fit(frame, target), frame


def metadata_of(path):
    return amber.container.open(path).manifest["metadata"]


def test_every_dump_records_versions_platform_estimator_and_schema(tmp_path, forest):
    path = tmp_path / "m.amber"
    amber.dump(forest, path)
    meta = metadata_of(path)
    assert {"python", "numpy", "scipy", "sklearn", "amber"} <= meta["versions"].keys()
    assert meta["format_version"] == "{}.{}".format(*amber.container.FORMAT_VERSION)
    assert meta["platform"]["machine"]
    assert meta["created"].endswith("+00:00")
    assert meta["estimator"]["class"] == "sklearn.ensemble._forest:RandomForestClassifier"
    assert meta["estimator"]["params"]["n_estimators"] == 4
    assert meta["input_schema"] == {"n_features": 6, "fitted_on_dataframe": False}


def test_dataframe_schema_names_dtypes_and_categories(tmp_path, frame_pipeline):
    model, frame = frame_pipeline
    path = tmp_path / "p.amber"
    amber.dump(model, path, validation=frame.head(5))
    schema = metadata_of(path)["input_schema"]
    assert schema["fitted_on_dataframe"] is True
    assert schema["feature_names"] == ["city", "age"]
    assert schema["dtypes"]["age"] == "float64"
    assert schema["categories"] == {"city": {"values": ["lima", "oslo", "rome"]}}


def test_user_metadata_is_kept_and_checked(tmp_path, forest, data):
    user = {
        "description": "churn model",
        "tags": ["prod"],
        "metrics": {"cv_auc": 0.91},
        "fingerprint": amber.fingerprint(*data),
        "script": amber.script_record(__file__),
    }
    amber.dump(forest, tmp_path / "m.amber", metadata=user)
    assert metadata_of(tmp_path / "m.amber")["user"] == user
    for bad in ({"tags": "prod"}, {"metrics": {"auc": "high"}}, {"description": 3}):
        with pytest.raises(amber.InvalidArgumentError, match=next(iter(bad))):
            amber.dumps(forest, metadata=bad)


def test_fingerprint_depends_on_content_not_layout(data):
    X, y = data
    reference = amber.fingerprint(X, y)
    assert reference.startswith("sha256:") and len(reference) == 7 + 64
    assert amber.fingerprint(np.asfortranarray(X), y.astype(y.dtype.newbyteorder(">"))) == reference
    assert amber.fingerprint(X.copy(), list(y)) == reference
    changed = X.copy()
    changed[17, 3] = np.nextafter(changed[17, 3], np.inf)
    assert amber.fingerprint(changed, y) != reference
    assert amber.fingerprint(X.astype(np.float32), y) != amber.fingerprint(X, y)
    assert amber.fingerprint(X, None) != reference
    assert amber.fingerprint(X.reshape(100, 12), y) != reference
    dense = np.eye(5)
    assert amber.fingerprint(sp.csr_matrix(dense)) == amber.fingerprint(sp.csc_matrix(dense))


def test_fingerprint_of_dataframes_sees_names_and_values():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    reference = amber.fingerprint(frame)
    assert amber.fingerprint(frame.copy()) == reference
    assert amber.fingerprint(frame.rename(columns={"a": "c"})) != reference
    assert amber.fingerprint(frame.assign(b=["x", "z"])) != reference
    assert amber.fingerprint(frame[["b", "a"]]) != reference


def test_validation_samples_pass_after_a_faithful_load(tmp_path, forest, data, frame_pipeline):
    X, _ = data
    path = tmp_path / "m.amber"
    amber.dump(forest, path, validation=X[:25])
    validation = metadata_of(path)["validation"]
    assert validation["rows"] == 25
    assert validation["methods"] == ["predict", "predict_log_proba", "predict_proba"]
    assert np.array_equal(amber.load(path).predict_proba(X), forest.predict_proba(X))
    model, frame = frame_pipeline
    amber.dump(model, tmp_path / "p.amber", validation=frame.head(7))
    assert amber.get_untrusted_types(tmp_path / "p.amber") == []
    amber.load(tmp_path / "p.amber")


@pytest.fixture
def drifted(tmp_path, forest, data, monkeypatch):
    """A file whose recorded predict_proba differs from the model's in 3 rows."""
    real = _validation.record

    def record(model, sample):
        payload = real(model, sample)
        proba = payload["outputs"]["predict_proba"].copy()
        proba[[2, 5, 9], 0] += 0.25
        payload["outputs"]["predict_proba"] = proba
        return payload

    monkeypatch.setattr(_validation, "record", record)
    path = tmp_path / "drift.amber"
    amber.dump(forest, path, validation=data[0][:12])
    return path


def test_changed_outputs_are_refused_with_a_report(drifted):
    with pytest.raises(amber.VerificationError) as caught:
        amber.load(drifted)
    assert "predict_proba: 3 of 12 rows differ, largest difference 0.25" in str(caught.value)
    assert [d.method for d in caught.value.differences] == ["predict_proba"]


def test_verify_warn_and_skip(drifted):
    with pytest.warns(UserWarning, match="predict_proba: 3 of 12"):
        assert amber.load(drifted, verify="warn") is not None
    assert amber.load(drifted, verify="skip") is not None
    with pytest.raises(amber.InvalidArgumentError, match="verify"):
        amber.load(drifted, verify=True)


def test_compare_rules():
    same = np.array([0.5, -np.inf, np.nan])
    assert _validation.compare("m", same.copy(), same) is None
    assert _validation.compare("m", same + 1e-13, same) is None  # within ATOL/RTOL
    found = _validation.compare("m", np.array([0.5, -np.inf, 0.0]), same)
    assert found is not None and found.rows == 1
    labels = np.array(["a", "b"], dtype=object)
    assert _validation.compare("predict", np.array(["a", "c"], dtype=object), labels).rows == 1
    assert "shape" in str(_validation.compare("m", np.zeros(3), np.zeros(4)))


def test_load_with_a_public_key_requires_its_signature(tmp_path, forest):
    alice, bob = signing.generate_keypair(), signing.generate_keypair()
    path = tmp_path / "m.amber"
    amber.dump(forest, path)
    with pytest.raises(amber.SignatureError, match="not signed"):
        amber.load(path, public_key=alice[1])
    signing.sign(path, alice[0])
    assert type(amber.load(path, public_key=alice[1])) is type(forest)
    with pytest.raises(amber.SignatureError):
        amber.load(path, public_key=bob[1])
    detached = tmp_path / "d.amber"
    amber.dump(forest, detached)
    signing.sign(detached, bob[0], detached=True)
    amber.load(detached, public_key=bob[1])
    with pytest.raises(amber.InvalidArgumentError, match="path"):
        amber.load(open(path, "rb"), public_key=alice[1])  # noqa: SIM115


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", "", text)


NESTED = [
    make_pipeline(StandardScaler(with_mean=False), LogisticRegression(C=0.5, max_iter=300)),
    make_pipeline(make_pipeline(StandardScaler()), RandomForestClassifier(n_estimators=7)),
    ColumnTransformer([("num", StandardScaler(), [0]), ("cat", OneHotEncoder(), [1])]),
    StackingClassifier(
        [("a", LogisticRegression()), ("b", RandomForestClassifier(max_depth=3))],
        final_estimator=LogisticRegression(class_weight={0: 1.0, 1: 2.5}),
    ),
    make_pipeline(SimpleImputer(missing_values=np.nan, fill_value=np.float32(1.5))),
]


@pytest.mark.parametrize("model", NESTED, ids=lambda m: type(m).__name__)
def test_nested_estimators_are_described_as_scikit_learn_prints_them(model):
    """metadata.estimator.params shows a nested estimator as scikit-learn's own repr (changed
    parameters only), on one line: the card and registries show what a user would print."""
    meta = amber.container.read_bytes(amber.dumps(model, tier="generic")).metadata
    params = meta["estimator"]["params"]
    for name, value in model.get_params(deep=False).items():
        if isinstance(value, list):  # steps, transformers, estimators: (name, estimator, ...)
            for stored, item in zip(params[name], value, strict=True):
                for part_stored, part in zip(stored, item, strict=True):
                    if hasattr(part, "get_params"):
                        assert _one_line(part_stored) == _one_line(repr(part))
        elif hasattr(value, "get_params"):
            assert _one_line(params[name]) == _one_line(repr(value))
