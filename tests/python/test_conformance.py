"""Conformance cases (tests/conformance/cases) through amber.Runtime and through `amber predict`:
each must give the stored scikit-learn outputs, bit for bit for tree families, else within
rtol 1e-12, and identical labels."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from cli_binary import run_amber
from runtime_parity import ATOL, RTOL

import amber

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "conformance"))
from cases_io import CASES, case_names, read_case, read_input  # noqa: E402

PAIRS = [(name, method) for name in case_names() for method in read_case(name)["methods"]]


def assert_conforms(actual, expected, exact: bool, where: str) -> None:
    actual = np.asarray(actual)
    if expected.dtype.kind in "UObiu":  # labels: the same values, of a compatible dtype
        assert actual.tolist() == expected.tolist(), where
        assert actual.dtype.kind == expected.dtype.kind or expected.dtype.kind == "U", where
        return
    assert actual.shape == expected.shape, (where, actual.shape, expected.shape)
    actual = actual.astype(np.float64)
    if exact:
        assert actual.tobytes() == expected.tobytes(), where
    else:
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=where)


def test_cases_exist():
    assert len(case_names()) >= 8, case_names()


@pytest.mark.parametrize("name, method", PAIRS)
def test_runtime(name, method):
    case = read_case(name)
    folder = CASES / name
    X = read_input(folder / "input.csv", case["string_columns"], case["named"])
    actual = getattr(amber.Runtime(folder / "model.amber"), method)(X)
    expected = np.load(folder / f"expected_{method}.npy", allow_pickle=False)
    assert_conforms(actual, expected, case["exact"], f"{name}.{method}")


@pytest.mark.parametrize("name, method", PAIRS)
def test_cli(name, method, tmp_path):
    case = read_case(name)
    folder = CASES / name
    out = tmp_path / "out.npy"
    result = run_amber(
        "predict", folder / "model.amber", folder / "input.csv", "--method", method, "-o", out
    )
    assert result.returncode == 0, result.stderr
    expected = np.load(folder / f"expected_{method}.npy", allow_pickle=False)
    actual = np.load(out, allow_pickle=False)
    assert_conforms(actual, expected, case["exact"], f"{name}.{method} (CLI)")
