"""`amber verify` and `amber.Runtime.verify()` re-run a file's validation samples natively.

Files are real scikit-learn models dumped with `validation=`; altered files are written by
amber's own writer (checksums and digest valid) with recorded outputs that differ from the
model's, so only the native re-run can tell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cli_binary import EXIT_OK, require_amber, run_amber
from conftest import header_fields
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelBinarizer, LabelEncoder, OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeRegressor

import amber
from amber import _validation

EXIT_DAMAGED, EXIT_VALIDATION = 5, 10


@pytest.fixture(scope="module", autouse=True)
def _binary():
    require_amber()


def frame_data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "city": rng.choice(["oslo", "rome", "lima"], n).astype(object),
            "income": rng.normal(size=n),
        }
    )
    y = (frame["age"] / 10 + (frame["city"] == "rome") + frame["income"] > 5).astype(int)
    return frame, y.to_numpy()


def frame_pipeline():
    frame, y = frame_data()
    columns = ColumnTransformer(
        [
            ("c", OneHotEncoder(handle_unknown="ignore"), ["city"]),
            ("n", StandardScaler(), ["age", "income"]),
        ]
    )
    return make_pipeline(columns, LogisticRegression()).fit(frame, y), frame


def models():
    """name -> (fitted model, validation sample)."""
    X, y = make_classification(n_samples=200, n_features=6, n_classes=3, n_informative=4,
                               random_state=0)  # fmt: skip
    Xr, yr = make_regression(n_samples=200, n_features=5, n_targets=2, random_state=0)
    words = np.array(["ant", "bee", "cat"], dtype=object)[y]
    return {
        "logistic": (LogisticRegression(max_iter=500).fit(X, y), X[:20]),
        "forest": (RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y), X[:30]),
        "string-labels": (LogisticRegression(max_iter=500).fit(X, words), X[5:25]),
        "tree-regressor": (DecisionTreeRegressor(max_depth=4).fit(Xr, yr), Xr[:15]),
        "ridge-2-targets": (Ridge().fit(Xr, yr), Xr[:15]),
        "gbr": (GradientBoostingRegressor(n_estimators=10).fit(Xr, yr[:, 0]), Xr[:15]),
        "hgb": (HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y), X[:25]),
        "scaler": (StandardScaler().fit(X), X[:10]),
        "frame-pipeline": frame_pipeline(),
        # y transformers: the sample is a 1-d y, which the runtime reads as one column
        "label-encoder": (LabelEncoder().fit(words), words[::7]),
        "label-binarizer": (LabelBinarizer().fit(y), y[3:20]),
    }  # fmt: skip


MODELS = models()


def dump(tmp_path, name, monkeypatch=None, alter=None):
    model, sample = MODELS[name]
    if alter is not None:
        real = _validation.record

        def record(m, s):
            payload = real(m, s)
            alter(payload["outputs"])
            return payload

        monkeypatch.setattr(_validation, "record", record)
    path = tmp_path / f"{name}.amber"
    digest = amber.dump(model, path, validation=sample)
    return path, digest


@pytest.mark.parametrize("name", sorted(MODELS))
def test_faithful_files_verify_natively(tmp_path, name):
    path, digest = dump(tmp_path, name)
    methods = amber.container.open(path).manifest["metadata"]["validation"]["methods"]
    result = run_amber("verify", path)
    assert result.returncode == EXIT_OK, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == f"OK {digest} {path}"
    rows = len(MODELS[name][1])
    assert lines[1].startswith("validation: ") and lines[1].endswith(
        f"re-run natively on {rows} rows: outputs match"
    ), lines[1]
    for method in methods:  # every stored method the runtime offers ran
        assert method in lines[1]
    report = amber.Runtime(path).verify()
    assert report.ok and report.present and report.rows == rows
    assert sorted(report.checked) == sorted(methods)
    assert report.skipped == []


def shift_proba(outputs):
    proba = outputs["predict_proba"].copy()
    proba[[2, 5, 9], 0] += 0.25
    outputs["predict_proba"] = proba


def test_altered_probabilities_are_refused_with_the_report(tmp_path, monkeypatch):
    path, _ = dump(tmp_path, "logistic", monkeypatch, shift_proba)
    result = run_amber("verify", path)
    assert result.returncode == EXIT_VALIDATION
    assert result.stdout == b""
    assert result.stderr.startswith(f"amber verify: {path}: validation: ")
    assert "predict_proba: 3 of 20 rows differ, largest difference 0.25" in result.stderr
    assert "predict_log_proba" not in result.stderr and "predict:" not in result.stderr
    # The file itself is whole: Python's load reports the same difference.
    with pytest.raises(amber.VerificationError, match="predict_proba: 3 of 20 rows differ"):
        amber.load(path)
    report = amber.Runtime(path).verify()
    assert not report.ok
    assert [(d.method, d.rows, d.total, d.largest) for d in report.differences] == [
        ("predict_proba", 3, 20, 0.25)
    ]
    with pytest.raises(amber.VerificationError, match="predict_proba: 3 of 20"):
        amber.Runtime(path).verify(strict=True)


def test_altered_labels_are_compared_exactly(tmp_path, monkeypatch):
    def relabel(outputs):
        labels = outputs["predict"].copy()
        labels[[0, 7]] = np.where(labels[[0, 7]] == "ant", "bee", "ant")
        outputs["predict"] = labels

    path, _ = dump(tmp_path, "string-labels", monkeypatch, relabel)
    result = run_amber("verify", path)
    assert result.returncode == EXIT_VALIDATION
    assert "predict: 2 of 20 rows differ" in result.stderr
    assert "largest difference" not in result.stderr  # labels have no distance


def test_altered_label_codes_of_a_1d_sample_are_refused(tmp_path, monkeypatch):
    def recode(outputs):
        codes = outputs["transform"].copy()
        codes[[1, 4]] = (codes[[1, 4]] + 1) % 3
        outputs["transform"] = codes

    path, _ = dump(tmp_path, "label-encoder", monkeypatch, recode)
    result = run_amber("verify", path)
    assert result.returncode == EXIT_VALIDATION
    assert "transform: 2 of 29 rows differ" in result.stderr


def test_differences_within_the_tolerance_pass_and_beyond_it_fail(tmp_path, monkeypatch):
    """The tolerance of amber.load: |a - b| <= 1e-12 + 1e-9 |b|."""

    def nudge(factor):
        def alter(outputs):
            outputs["predict"] = outputs["predict"] * (1 + factor)

        return alter

    path, _ = dump(tmp_path, "ridge-2-targets", monkeypatch, nudge(1e-10))
    assert run_amber("verify", path).returncode == EXIT_OK
    amber.load(path)  # Python agrees
    monkeypatch.undo()
    path, _ = dump(tmp_path, "ridge-2-targets", monkeypatch, nudge(1e-8))
    result = run_amber("verify", path)
    assert result.returncode == EXIT_VALIDATION
    assert "predict: 15 of 15 rows differ, largest difference" in result.stderr
    with pytest.raises(amber.VerificationError, match="predict: 15 of 15 rows differ"):
        amber.load(path)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_or_inf_where_a_number_was_recorded_differs(tmp_path, monkeypatch, value):
    def poke(outputs):
        values = outputs["transform"].copy()
        values[4, 1] = value
        outputs["transform"] = values

    path, _ = dump(tmp_path, "scaler", monkeypatch, poke)
    result = run_amber("verify", path)
    assert result.returncode == EXIT_VALIDATION
    assert "transform: 1 of 10 rows differ" in result.stderr
    with pytest.raises(amber.VerificationError, match="transform: 1 of 10 rows differ"):
        amber.load(path)  # the same rule in Python


def test_a_dataframe_sample_is_bound_by_name(tmp_path, monkeypatch):
    def flip(outputs):
        outputs["predict"] = 1 - outputs["predict"]

    path, _ = dump(tmp_path, "frame-pipeline", monkeypatch, flip)
    result = run_amber("verify", path)
    assert result.returncode == EXIT_VALIDATION
    assert "predict: 120 of 120 rows differ" in result.stderr


def damage_manifest(path):
    """Flips one bit in the middle of the stored manifest (zstd or text): the content digest no
    longer matches, whatever else the change does."""
    data = bytearray(path.read_bytes())
    data[64 + header_fields(data)["manifest_length"] // 2] ^= 0x20
    path.write_bytes(bytes(data))


def test_damage_is_reported_before_the_samples_run(tmp_path, monkeypatch):
    path, _ = dump(tmp_path, "logistic", monkeypatch, shift_proba)
    damage_manifest(path)
    assert run_amber("verify", path).returncode == EXIT_DAMAGED


def test_unsupported_model_says_so_and_still_verifies(tmp_path):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    path = tmp_path / "knn.amber"
    digest = amber.dump(KNeighborsClassifier(n_neighbors=3).fit(X, y), path, validation=X[:5])
    result = run_amber("verify", path)
    assert result.returncode == EXIT_OK, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == f"OK {digest} {path}"
    assert len(lines) == 2 and "not supported natively" in lines[1]
    assert "KNeighborsClassifier" in lines[1]
    damage_manifest(path)  # structure checks run first
    assert run_amber("verify", path).returncode == EXIT_DAMAGED


def test_file_without_samples_prints_the_ok_line_only(tmp_path):
    model, _ = MODELS["logistic"]
    path = tmp_path / "plain.amber"
    digest = amber.dump(model, path)
    result = run_amber("verify", path)
    assert result.returncode == EXIT_OK
    assert result.stdout.decode() == f"OK {digest} {path}\n"
    report = amber.Runtime(path).verify()
    assert not report.present and report.ok and report.checked == []
