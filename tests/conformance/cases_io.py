"""Reading a conformance case (tests/conformance/cases/<name>/): its description and its input.

A case holds `case.json` ({"description", "methods", "exact", "string_columns", "named"}),
`model.amber`, `input.csv` and one `expected_<method>.npy` per method. `exact` cases (tree
families) must match to the bit; the others within rtol 1e-12 (atol 1e-13), labels identically.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd

CASES = Path(__file__).resolve().parent / "cases"


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "case.json").is_file())


def read_case(name: str) -> dict:
    return json.loads((CASES / name / "case.json").read_text())


def read_input(path: Path, string_columns, named: bool = True):
    """input.csv as the CLI types it: string columns as str (empty: None), others float64
    (empty: NaN); a DataFrame when the model has column names, else a float64 array."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    columns = {}
    for j, name in enumerate(header):
        values = [row[j] for row in rows]
        if name in string_columns:
            columns[name] = pd.Series([v if v != "" else None for v in values], dtype=object)
        else:
            columns[name] = np.array([float(v) if v != "" else np.nan for v in values])
    frame = pd.DataFrame(columns)
    return frame if named else frame.to_numpy(dtype=np.float64)
