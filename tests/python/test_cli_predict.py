"""Tests of `amber predict`: scikit-learn's outputs from every input and output format, and
malformed input refused with a message naming the line (or row) and column, exit code 9."""

from __future__ import annotations

import csv
import io
import json
import struct

import numpy as np
import pandas as pd
import pytest
from cli_binary import EXIT_INPUT, EXIT_IO, EXIT_USAGE, require_amber, run_amber
from runtime_parity import ATOL, RTOL
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

import amber

NUMERIC = ["age", "income", "score"]
CITIES = ["Oslo", "Lyon, FR", 'say "hi"', "Zürich"]  # a comma, quotes and UTF-8 in CSV fields


@pytest.fixture(scope="module", autouse=True)
def _binary():
    require_amber()


def make_frame(n: int, seed: int, nan: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 3)) * [3, 5, 1], columns=NUMERIC)
    if nan:
        frame.loc[rng.random(n) < 0.1, "age"] = np.nan
    frame["city"] = rng.choice(CITIES, n)
    return frame


def target(frame: pd.DataFrame) -> np.ndarray:
    score = frame["income"].fillna(0) / 5 + frame["score"] + (frame["city"] == "Oslo")
    return np.digitize(score, [-0.5, 0.5])  # three classes


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """name -> (estimator, path, columns it reads)."""
    folder = tmp_path_factory.mktemp("predict")
    train = make_frame(300, seed=1, nan=True)
    y = target(train)
    tree = DecisionTreeClassifier(max_depth=6, random_state=0).fit(train[NUMERIC], y)
    clean = train.fillna(0)
    linear = LogisticRegression(max_iter=1000).fit(clean[NUMERIC], y)
    columns = ColumnTransformer(
        [
            ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
            ("num", StandardScaler(), NUMERIC),
        ]
    )
    labels = np.array(["low", "mid", "high, really"])[y]
    pipeline = make_pipeline(columns, LogisticRegression(max_iter=1000)).fit(clean, labels)
    strict = make_pipeline(
        ColumnTransformer([("city", OneHotEncoder(), ["city"])], remainder="passthrough"),
        LogisticRegression(max_iter=1000),
    ).fit(clean, y)
    bare = LogisticRegression(max_iter=1000).fit(clean[NUMERIC].to_numpy(), y)
    found = {}
    for name, estimator, cols in [
        ("tree", tree, NUMERIC),
        ("linear", linear, NUMERIC),
        ("pipeline", pipeline, [*NUMERIC, "city"]),
        ("strict", strict, [*NUMERIC, "city"]),
        ("bare", bare, NUMERIC),
    ]:
        path = folder / f"{name}.amber"
        amber.dump(estimator, path)
        found[name] = (estimator, path, cols)
    return found


def sklearn_out(estimator, method, X):
    return np.asarray(getattr(estimator, method)(X))


def parse_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    return rows[0], rows[1:]


def floats(rows) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in rows], dtype=np.float64)


def assert_values(actual, expected, exact: bool, where=""):
    actual = np.asarray(actual, dtype=np.float64).reshape(np.shape(expected))
    expected = np.asarray(expected, dtype=np.float64)
    if exact:  # tree models: scikit-learn's bits
        assert actual.tobytes() == expected.tobytes(), where
    else:
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=where)


def predict(model: str, models, tmp_path, frame, *args, fmt="csv"):
    """Runs `amber predict` on `frame` written as `fmt`; returns the process."""
    estimator, path, cols = models[model]
    source = tmp_path / f"input.{fmt}"
    if fmt == "csv":
        frame[cols].to_csv(source, index=False)
    elif fmt == "jsonl":
        records = frame[cols].astype(object).where(frame[cols].notna(), None)
        source.write_text("".join(json.dumps(r) + "\n" for r in records.to_dict("records")))
    else:
        np.save(source, frame[cols].to_numpy(dtype=np.float64))
    return run_amber("predict", path, source, *args)


def ok(result) -> bytes:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


# ---------------------------------------------------------------------------------------------
# Outputs equal scikit-learn's.


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_tree_matches_sklearn_bitwise(models, tmp_path, method):
    frame = make_frame(400, seed=2, nan=True)
    estimator = models["tree"][0]
    header, rows = parse_csv(ok(predict("tree", models, tmp_path, frame, "--method", method)))
    expected = sklearn_out(estimator, method, frame[NUMERIC])
    if method == "predict":
        assert header == ["predict"]
        assert [r[0] for r in rows] == [str(v) for v in expected]
    else:
        assert header == [str(c) for c in estimator.classes_]
        assert_values(floats(rows), expected, exact=True, where=method)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_linear_matches_sklearn(models, tmp_path, method):
    frame = make_frame(400, seed=3)
    estimator = models["linear"][0]
    header, rows = parse_csv(ok(predict("linear", models, tmp_path, frame, "--method", method)))
    expected = sklearn_out(estimator, method, frame[NUMERIC])
    if method == "predict":
        assert [int(r[0]) for r in rows] == expected.tolist()
    else:
        assert header == ["0", "1", "2"]
        assert_values(floats(rows), expected, exact=False, where=method)


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_column_transformer_pipeline_from_csv(models, tmp_path, method):
    frame = make_frame(300, seed=4)
    estimator = models["pipeline"][0]
    result = predict("pipeline", models, tmp_path, frame, "--method", method)
    header, rows = parse_csv(ok(result))
    expected = sklearn_out(estimator, method, frame)
    if method == "predict":
        assert [r[0] for r in rows] == expected.tolist()
    else:
        assert header == list(estimator.classes_)  # "high, really" comes back quoted and whole
        assert_values(floats(rows), expected, exact=False)


def test_printed_floats_round_trip(models, tmp_path):
    frame = make_frame(200, seed=5)
    _, rows = parse_csv(ok(predict("linear", models, tmp_path, frame, "--method", "predict_proba")))
    native = amber.Runtime(models["linear"][1]).predict_proba(frame[NUMERIC])
    assert floats(rows).tobytes() == native.tobytes()


def test_many_batches_and_threads(models, tmp_path):
    frame = make_frame(5000, seed=6, nan=True)
    result = predict(
        "tree", models, tmp_path, frame, "--method", "predict_proba", "--batch-rows", "300",
        "--threads", "2",
    )  # fmt: skip
    _, rows = parse_csv(ok(result))
    expected = sklearn_out(models["tree"][0], "predict_proba", frame[NUMERIC])
    assert_values(floats(rows), expected, exact=True)


# ---------------------------------------------------------------------------------------------
# Every input format.


def write_npy(path, array, fortran=False):
    np.save(path, np.asfortranarray(array) if fortran else np.ascontiguousarray(array))


@pytest.mark.parametrize(
    "dtype, fortran",
    [("<f8", False), ("<f8", True), ("<f4", False), ("<i8", False), ("<u2", True), ("|b1", False)],
)
def test_npy_input(models, tmp_path, dtype, fortran):
    rng = np.random.default_rng(7)
    X = (rng.normal(size=(257, 3)) * 20).astype(dtype)
    write_npy(tmp_path / "x.npy", X, fortran)
    result = run_amber(
        "predict", models["tree"][1], tmp_path / "x.npy", "--method", "predict_proba"
    )
    _, rows = parse_csv(ok(result))
    expected = sklearn_out(models["tree"][0], "predict_proba", pd.DataFrame(X, columns=NUMERIC))
    assert_values(floats(rows), expected, exact=True, where=dtype)


def test_jsonl_objects_and_arrays(models, tmp_path):
    frame = make_frame(50, seed=8)
    cols = models["pipeline"][2]
    lines = []
    for i, record in enumerate(frame[cols].to_dict("records")):
        if i % 2:
            lines.append(json.dumps(record))
        else:  # keys in another order, and an array line in the model's column order
            lines.append(json.dumps(dict(reversed(record.items()))) if i % 4 else "")
            order = models["pipeline"][0].feature_names_in_
            lines[-1] = lines[-1] or json.dumps([record[c] for c in order])
    source = tmp_path / "x.jsonl"
    source.write_text("\n".join(lines) + "\n\n")
    header, rows = parse_csv(ok(run_amber("predict", models["pipeline"][1], source)))
    assert [r[0] for r in rows] == sklearn_out(models["pipeline"][0], "predict", frame).tolist()


def test_jsonl_nulls_are_missing(models, tmp_path):
    frame = make_frame(100, seed=9, nan=True)
    result = predict("tree", models, tmp_path, frame, "--method", "predict_proba", fmt="jsonl")
    _, rows = parse_csv(ok(result))
    expected = sklearn_out(models["tree"][0], "predict_proba", frame[NUMERIC])
    assert_values(floats(rows), expected, exact=True)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "npy"])
def test_standard_input(models, tmp_path, fmt):
    frame = make_frame(80, seed=10)
    predict("linear", models, tmp_path, frame, fmt=fmt)  # writes input.<fmt>
    data = (tmp_path / f"input.{fmt}").read_bytes()
    result = run_amber(
        "predict", models["linear"][1], "-", "--input-format", fmt, "--method", "predict_proba",
        stdin=data,
    )  # fmt: skip
    _, rows = parse_csv(ok(result))
    assert_values(floats(rows), models["linear"][0].predict_proba(frame[NUMERIC]), exact=False)


def test_csv_bom_crlf_blank_lines_and_quotes(models, tmp_path):
    frame = make_frame(20, seed=11)
    text = frame[models["pipeline"][2]].to_csv(index=False, lineterminator="\r\n")
    source = tmp_path / "x.csv"
    source.write_bytes(b"\xef\xbb\xbf" + text.replace("\r\n", "\r\n\r\n", 3).encode())
    header, rows = parse_csv(ok(run_amber("predict", models["pipeline"][1], source)))
    assert [r[0] for r in rows] == models["pipeline"][0].predict(frame).tolist()


def test_model_without_names_takes_columns_by_position(models, tmp_path):
    frame = make_frame(30, seed=12)
    source = tmp_path / "x.csv"
    frame[NUMERIC].to_csv(source, index=False, header=["x", "y", "z"])
    _, rows = parse_csv(ok(run_amber("predict", models["bare"][1], source)))
    expected = models["bare"][0].predict(frame[NUMERIC].to_numpy())
    assert [int(r[0]) for r in rows] == expected.tolist()


# ---------------------------------------------------------------------------------------------
# Every output format.


@pytest.mark.parametrize("model", ["tree", "pipeline"])
@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_npy_output(models, tmp_path, model, method):
    frame = make_frame(120, seed=13)
    estimator, _, cols = models[model]
    out = tmp_path / "out.npy"
    ok(predict(model, models, tmp_path, frame, "--method", method, "-o", out))
    actual = np.load(out, allow_pickle=False)
    expected = sklearn_out(estimator, method, frame[cols])
    assert actual.shape == expected.shape
    if method == "predict":
        assert actual.tolist() == expected.tolist()
        assert actual.dtype == (expected.dtype if expected.dtype != object else "<U12")
    else:
        assert actual.dtype == np.float64
        assert_values(actual, expected, exact=model == "tree")


@pytest.mark.parametrize("method", ["predict", "predict_log_proba"])
def test_jsonl_output(models, tmp_path, method):
    frame = make_frame(60, seed=14)
    estimator, _, cols = models["pipeline"]
    out = tmp_path / "out.jsonl"
    ok(predict("pipeline", models, tmp_path, frame, "--method", method, "-o", out))
    records = [json.loads(line) for line in out.read_text().splitlines()]
    expected = sklearn_out(estimator, method, frame[cols])
    if method == "predict":
        assert [r["predict"] for r in records] == expected.tolist()
    else:
        assert list(records[0]) == list(estimator.classes_)
        assert_values([list(r.values()) for r in records], expected, exact=False)


def test_infinities_in_jsonl_and_csv(models, tmp_path):
    """A tree's zero probabilities have log -inf: CSV prints -inf, JSON a number too large."""
    frame = make_frame(40, seed=15)
    expected = models["tree"][0].predict_log_proba(frame[NUMERIC])
    assert np.isneginf(expected).any()
    out = tmp_path / "out.jsonl"
    ok(predict("tree", models, tmp_path, frame, "--method", "predict_log_proba", "-o", out))
    records = [list(json.loads(line).values()) for line in out.read_text().splitlines()]
    assert_values(records, expected, exact=True)
    _, rows = parse_csv(ok(run_amber("predict", models["tree"][1], tmp_path / "input.csv",
                                     "--method", "predict_log_proba")))  # fmt: skip
    assert_values(floats(rows), expected, exact=True)


def test_output_format_to_stdout(models, tmp_path):
    frame = make_frame(10, seed=16)
    data = ok(predict("linear", models, tmp_path, frame, "--output-format", "jsonl"))
    records = [json.loads(line) for line in data.decode().splitlines()]
    assert [r["predict"] for r in records] == models["linear"][0].predict(frame[NUMERIC]).tolist()
    result = predict("linear", models, tmp_path, frame, "--output-format", "npy")
    assert result.returncode == EXIT_USAGE
    assert ".npy output needs a file" in result.stderr


# ---------------------------------------------------------------------------------------------
# Malformed input: one line on stderr naming where, exit code 9, no output file.

GOOD_CSV = "age,income,score\n1,2,3\n"


def assert_input_error(result, *needles):
    assert result.returncode == EXIT_INPUT, (result.returncode, result.stderr)
    assert result.stdout == b""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("amber predict: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize(
    "text, needle",
    [
        (GOOD_CSV + "4,abc,6\n", 'x.csv:3: column "income": "abc" is not a number'),
        (GOOD_CSV + "4,5\n", "x.csv:3: 2 fields, the header has 3"),
        (GOOD_CSV + "4,5,6,7\n", "x.csv:3: 4 fields, the header has 3"),
        ("age,income,score,zip\n1,2,3,4\n", 'x.csv:1: unknown column "zip"'),
        ("age,score\n1,3\n", 'x.csv:1: missing column "income"'),
        ("age,income,age\n1,2,3\n", 'x.csv:1: column "age" appears twice'),
        (GOOD_CSV + '4,"5\n6,7\n', "x.csv:3: a quoted field is not closed"),
        (GOOD_CSV + '4,"5"x,6\n', "x.csv:3: column 2: unexpected text after a closing quote"),
        (GOOD_CSV + "\n\n1e5,--2,3\n", 'x.csv:5: column "income": "--2" is not a number'),
        ("", "x.csv: empty input"),
    ],
)
def test_malformed_csv(models, tmp_path, text, needle):
    (tmp_path / "x.csv").write_text(text)
    out = tmp_path / "out.csv"
    assert_input_error(
        run_amber("predict", models["tree"][1], tmp_path / "x.csv", "-o", out), needle
    )
    assert not out.exists()  # written atomically: nothing on failure


@pytest.mark.parametrize(
    "text, needle",
    [
        (
            '{"age": 1, "income": 2, "score": 3}\n{"age": 1, "income": 2,\n',
            "x.jsonl:2: not valid JSON",
        ),
        (
            '{"age": 1, "income": "2", "score": 3}\n',
            'x.jsonl:1: column "income": "2" is not a number',
        ),
        ('{"age": 1, "income": 2}\n', 'x.jsonl:1: missing column "score"'),
        ('{"age": 1, "income": 2, "score": 3, "zip": 4}\n', 'x.jsonl:1: unknown column "zip"'),
        (
            '{"age": 1, "income": 2, "score": 3, "age": 4}\n',
            'x.jsonl:1: column "age" appears twice',
        ),
        ("\n[1, 2]\n", "x.jsonl:2: an array of 2 values, the model expects 3"),
        (
            '{"age": [1], "income": 2, "score": 3}\n',
            'column "age": expected a number, got an array',
        ),
        ("3\n", "x.jsonl:1: a line must hold a JSON object"),
    ],
)
def test_malformed_jsonl(models, tmp_path, text, needle):
    (tmp_path / "x.jsonl").write_text(text)
    assert_input_error(run_amber("predict", models["tree"][1], tmp_path / "x.jsonl"), needle)


def npy_bytes(header: str, data: bytes = b"", version: int = 1) -> bytes:
    text = header.encode("latin1")
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    size = struct.pack("<H" if version == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + size + text + data


def header(descr="'<f8'", order="False", shape="(2, 3)", tail=""):
    return f"{{'descr': {descr}, 'fortran_order': {order}, 'shape': {shape}, }}{tail}"


GOOD_HEADER = header()


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"PK\x03\x04 not numpy", "x.npy: not a .npy file"),
        (npy_bytes(GOOD_HEADER)[:9], "x.npy: not a .npy file"),
        (npy_bytes(GOOD_HEADER)[:40], "x.npy: truncated .npy header"),
        (npy_bytes(GOOD_HEADER, bytes(48), version=4), ".npy format version 4.0 is not supported"),
        (b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 30), "header of 1073741824 bytes is longer"),
        (npy_bytes("{'descr': '<f8', 'shape': (2, 3), }", bytes(48)), "it needs 'descr'"),
        (npy_bytes(header(descr="'>f8'")), "big-endian"),
        (npy_bytes(header(descr="'|O'")), "pickle"),
        (npy_bytes(header(descr="'<c16'")), "'<c16'"),
        (npy_bytes(header(descr="[('a', '<f8')]")), "structured"),
        (npy_bytes(header(order="0")), "(in 'fortran_order')"),
        (npy_bytes(header(shape="(6,)"), bytes(48)), "expected a 2-D array, the shape is (6,)"),
        (npy_bytes(header(shape="(3, 2)"), bytes(48)), "x.npy: 2 columns, the model expects 3"),
        (
            npy_bytes(GOOD_HEADER, bytes(40)),
            "the header promises 48 bytes of data, the file holds 40",
        ),
        (npy_bytes(GOOD_HEADER, bytes(56)), "8 bytes after the data"),
        (npy_bytes(header(tail=" junk")), "text after"),
        (npy_bytes(header(shape="(99999999999999999999, 3)")), "a dimension is too large"),
        (npy_bytes(header(shape="(4611686018427387904, 3)")), "the shape is too large"),
    ],
)
def test_malformed_npy(models, tmp_path, data, needle):
    (tmp_path / "x.npy").write_bytes(data)
    assert_input_error(run_amber("predict", models["tree"][1], tmp_path / "x.npy"), needle)


def test_truncated_npy_on_a_pipe(models):
    data = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (5000, 3), }", bytes(8000))
    result = run_amber("predict", models["tree"][1], "-", "--input-format", "npy", stdin=data)
    assert result.returncode == EXIT_INPUT
    assert "<stdin>: truncated: the data ends before row" in result.stderr


def test_rejected_value_names_the_line(models, tmp_path):
    """The runtime refuses an unknown category (handle_unknown='error') in line 3002, batch 3."""
    frame = make_frame(4000, seed=17)
    frame.loc[3000, "city"] = "Atlantis"
    result = predict("strict", models, tmp_path, frame, "--batch-rows", "1000")
    assert result.returncode == EXIT_INPUT, result.stderr
    assert result.stderr.startswith("amber predict: ")
    assert "input.csv:3002: " in result.stderr and "unknown category" in result.stderr


def test_string_column_typing_follows_the_model(models, tmp_path):
    """ "city" is text for the one-hot encoder; numbers-only categories still arrive as text."""
    source = tmp_path / "x.csv"
    source.write_text("age,income,score,city\n1,2,3,Oslo\n1,2,3,12\n1,2,3,\n")
    header, rows = parse_csv(ok(run_amber("predict", models["pipeline"][1], source)))
    frame = pd.DataFrame(
        {"age": [1.0] * 3, "income": [2.0] * 3, "score": [3.0] * 3, "city": ["Oslo", "12", None]}
    )
    frame = frame.astype({"city": object})
    assert [r[0] for r in rows] == models["pipeline"][0].predict(frame).tolist()
    X = tmp_path / "x.npy"
    np.save(X, np.zeros((2, 4)))
    result = run_amber("predict", models["pipeline"][1], X)
    assert_input_error(result, 'the model reads column "city" as strings')


# ---------------------------------------------------------------------------------------------
# Usage and file errors.


def test_usage_errors(models, tmp_path):
    (tmp_path / "x.csv").write_text(GOOD_CSV)
    (tmp_path / "x.txt").write_text(GOOD_CSV)
    tree = models["tree"][1]
    result = run_amber("predict", tree, tmp_path / "x.csv", "--method", "transform")
    assert result.returncode == EXIT_USAGE
    assert "the model has no method transform (it offers predict" in result.stderr
    result = run_amber("predict", tree, tmp_path / "x.txt")
    assert result.returncode == EXIT_USAGE and "--input-format" in result.stderr
    ok(run_amber("predict", tree, tmp_path / "x.txt", "--input-format", "csv"))
    assert run_amber("predict", tree, "-").returncode == EXIT_USAGE
    assert (
        run_amber("predict", tree, tmp_path / "x.csv", "--method", "fit").returncode == EXIT_USAGE
    )
    result = run_amber("predict", tree, tmp_path / "missing.csv")
    assert result.returncode == EXIT_IO and "missing.csv: cannot open" in result.stderr
    result = run_amber("predict", tmp_path / "x.csv", tmp_path / "x.csv")
    assert result.returncode == 4 and "x.csv" in result.stderr  # NotAmber
