"""Writes the conformance cases: small fitted models, an input table and scikit-learn's outputs.

Run by hand (`python tests/conformance/make_cases.py`) with the amber package importable; the
generated files are committed. Each case folder holds case.json, model.amber, input.csv and
expected_<method>.npy (see cases_io.py). The expected outputs are scikit-learn's on input.csv as
read back, so the CSV text and the values agree exactly.
"""

from __future__ import annotations

import json
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
)
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases_io import CASES, read_input  # noqa: E402

import amber  # noqa: E402

ROWS = 40  # input rows per case
MAX_CASE_BYTES = 100_000
COLORS = ["red", "green", "blue, dark", 'say "hi"', "grün"]


def frame(n: int, seed: int, nan: float = 0.0, colors: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(rng.normal(size=(n, 4)) * [1, 10, 0.1, 3], columns=["a", "b", "c", "d"])
    if nan:
        data = data.mask(rng.random(data.shape) < nan)
    if colors:
        data["color"] = rng.choice(COLORS, n)
    return data


def labels(data: pd.DataFrame, classes: int = 3) -> np.ndarray:
    score = data["a"].fillna(0) + data["b"].fillna(0) / 10
    if "color" in data:
        score = score + (data["color"] == "red")
    return np.digitize(score, np.linspace(-1, 1, classes - 1)) if classes > 2 else score > 0


def case_linear_classifier():
    train = frame(200, 1)
    model = LogisticRegression(max_iter=1000).fit(train, labels(train))
    methods = ["predict", "predict_proba", "predict_log_proba", "decision_function"]
    return model, frame(ROWS, 2), methods, False, "multinomial LogisticRegression"


def case_linear_regressor():
    train = frame(200, 3)
    model = Ridge(alpha=0.5).fit(train.to_numpy(), train["a"] * 2 - train["d"])
    return model, frame(ROWS, 4), ["predict"], False, "Ridge fitted on a NumPy array (no names)"


def case_tree_nan():
    train = frame(300, 5, nan=0.15)
    model = DecisionTreeClassifier(max_depth=5, random_state=0).fit(train, labels(train))
    data = frame(ROWS, 6, nan=0.2)
    return model, data, ["predict", "predict_proba"], True, "DecisionTreeClassifier with NaN"


def case_forest():
    train = frame(300, 7)
    model = RandomForestRegressor(n_estimators=8, max_depth=4, random_state=0)
    model.fit(train, train["a"] + train["b"] / 10)
    return model, frame(ROWS, 8), ["predict"], True, "RandomForestRegressor, 8 trees"


def case_gradient_boosting():
    train = frame(300, 9)
    model = GradientBoostingClassifier(n_estimators=10, max_depth=2, random_state=0)
    model.fit(train, labels(train, classes=2))
    methods = ["predict", "predict_proba", "decision_function"]
    return model, frame(ROWS, 10), methods, True, "binary GradientBoostingClassifier"


def case_hgb_nan():
    train = frame(400, 11, nan=0.2)
    model = HistGradientBoostingClassifier(max_iter=10, max_leaf_nodes=8, random_state=0)
    model.fit(train, labels(train))
    methods = ["predict", "predict_proba"]
    return model, frame(ROWS, 12, nan=0.2), methods, True, "HistGradientBoostingClassifier, NaN"


def case_hgb_categorical():
    train = frame(400, 13, colors=True)
    y = train["a"] + (train["color"] == "red")
    train["color"] = train["color"].astype("category")
    model = HistGradientBoostingRegressor(
        max_iter=10, categorical_features="from_dtype", random_state=0
    ).fit(train, y)
    return model, frame(ROWS, 14, colors=True), ["predict"], True, "HGB, string categories"


def case_scalers_encoders():
    train = frame(200, 15, colors=True)
    model = ColumnTransformer(
        [
            ("onehot", OneHotEncoder(handle_unknown="ignore"), ["color"]),
            ("ordinal", OrdinalEncoder(), ["color"]),
            ("standard", StandardScaler(), ["a", "b"]),
            ("robust", RobustScaler(), ["c"]),
            ("minmax", MinMaxScaler(), ["d"]),
        ]
    ).fit(train)
    return model, frame(ROWS, 16, colors=True), ["transform"], False, "scalers and encoders"


def case_pipeline():
    train = frame(300, 17, nan=0.1, colors=True)
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    columns = ColumnTransformer(
        [
            ("color", OneHotEncoder(handle_unknown="ignore"), ["color"]),
            ("num", numeric, list("abcd")),
        ]
    )
    names = np.array(["small", "medium", "large, very"])
    model = make_pipeline(columns, LogisticRegression(max_iter=1000))
    model.fit(train, names[labels(train)])
    data = frame(ROWS, 18, nan=0.1, colors=True)
    return model, data, ["predict", "predict_proba"], False, "Pipeline(ColumnTransformer, LogReg)"


CASE_MAKERS = {
    "linear_classifier": case_linear_classifier,
    "linear_regressor": case_linear_regressor,
    "tree_nan": case_tree_nan,
    "forest_regressor": case_forest,
    "gradient_boosting": case_gradient_boosting,
    "hist_gradient_boosting_nan": case_hgb_nan,
    "hist_gradient_boosting_categorical": case_hgb_categorical,
    "scalers_encoders": case_scalers_encoders,
    "pipeline_column_transformer": case_pipeline,
}


def storable(output) -> np.ndarray:
    """A plain array np.load reads without pickle: object (string) labels become str."""
    output = np.asarray(output)
    return output.astype(str) if output.dtype == object else output


def write_case(name: str, make) -> None:
    model, data, methods, exact, description = make()
    folder = CASES / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    named = hasattr(model, "feature_names_in_")
    strings = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
    data.to_csv(folder / "input.csv", index=False)
    X = read_input(folder / "input.csv", strings, named)
    if "color" in strings and isinstance(model, HistGradientBoostingRegressor):
        X = X.astype({"color": "category"})  # how the model was fitted: categories from dtype
    amber.dump(model, folder / "model.amber")
    for method in methods:
        np.save(folder / f"expected_{method}.npy", storable(getattr(model, method)(X)))
    meta = {
        "description": description,
        "methods": methods,
        "exact": exact,
        "string_columns": strings,
        "named": named,
    }
    (folder / "case.json").write_text(json.dumps(meta, indent=2) + "\n")
    size = sum(p.stat().st_size for p in folder.iterdir())
    if size > MAX_CASE_BYTES:
        raise SystemExit(f"{name}: {size} bytes, more than {MAX_CASE_BYTES}")
    print(f"{name}: {size} bytes, {', '.join(methods)}")


def main() -> None:
    warnings.simplefilter("ignore")
    for name, make in CASE_MAKERS.items():
        write_case(name, make)


if __name__ == "__main__":
    main()
