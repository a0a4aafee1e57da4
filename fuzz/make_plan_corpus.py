"""Writes the plan fuzzer's seed corpus (fuzz/corpus/plan): the graphs of small real models.

Each seed is the input format of fuzz/plan_fuzz.cpp: one line with the array table as JSON,
`[[dtype, shape, values], ...]`, then the graph's JSON text. Usage (from the repository root):

    .venv/bin/python fuzz/make_plan_corpus.py fuzz/corpus/plan
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn import dummy, ensemble, feature_selection, impute, linear_model, preprocessing, svm
from sklearn import tree as sktree
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import FeatureUnion, make_pipeline

import amber


def number(value):
    """A JSON number, or the strings the harness reads as NaN and infinities."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def seed_text(model) -> str:
    container = amber.container.read_bytes(amber.dumps(model))
    table = []
    for info, array in zip(container.array_infos, container.arrays(), strict=True):
        values = [number(v) for v in np.asarray(array).ravel().tolist()]
        table.append([info["dtype"], list(info["shape"]), values])
    return json.dumps(table, separators=(",", ":")) + "\n" + json.dumps(container.graph)


def data(rows=40, cols=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(rows, cols)
    return X, (X[:, 0] > 0).astype(int), X[:, 0] * 2 + X[:, 1], rng.randint(0, 3, rows)


def models():
    X, y, r, y3 = data()
    Xn = X.copy()
    Xn[::7, 1] = np.nan
    cats = np.array([["a", "x"], ["b", "y"], ["c", "x"], ["a", "z"]] * 10, dtype=object)
    mixed = np.column_stack([X[:, :2], cats]).astype(object)
    small = {"max_depth": 3, "random_state": 0}
    yield "logistic", linear_model.LogisticRegression().fit(X, y)
    yield "logistic-multi", linear_model.LogisticRegression().fit(X, y3)
    yield "sgd-huber", linear_model.SGDClassifier(loss="modified_huber").fit(X, y3)
    yield "ridge", linear_model.Ridge().fit(X, np.column_stack([r, -r]))
    yield "linear-svc", svm.LinearSVC().fit(X, y)
    yield "poisson", linear_model.PoissonRegressor().fit(X, np.abs(r))
    yield "tree-clf", sktree.DecisionTreeClassifier(**small).fit(Xn, y3)
    yield "tree-reg", sktree.DecisionTreeRegressor(**small).fit(X, r)
    yield "forest", ensemble.RandomForestClassifier(n_estimators=3, **small).fit(X, y)
    yield "gb-clf", ensemble.GradientBoostingClassifier(n_estimators=3, max_depth=2).fit(X, y3)
    yield "gb-reg", ensemble.GradientBoostingRegressor(n_estimators=3, max_depth=2).fit(X, r)
    yield "hgb-clf", ensemble.HistGradientBoostingClassifier(max_iter=3, max_depth=2).fit(Xn, y)
    hgb_cat = ensemble.HistGradientBoostingRegressor(
        max_iter=3, max_depth=2, categorical_features=[2]
    )
    yield "hgb-cat", hgb_cat.fit(np.column_stack([X[:, :2], y3]), r)
    yield "dummy", dummy.DummyClassifier(strategy="prior").fit(X, y3)
    # A generic-tier step (with a ref): compiling it must say Unsupported.
    yield (
        "knn-generic",
        make_pipeline(preprocessing.StandardScaler(), KNeighborsClassifier()).fit(X, y),
    )
    yield (
        "scaler-logistic",
        make_pipeline(preprocessing.StandardScaler(), linear_model.LogisticRegression()).fit(X, y),
    )
    yield (
        "impute-minmax",
        make_pipeline(
            impute.SimpleImputer(add_indicator=True), preprocessing.MinMaxScaler(clip=True)
        ).fit(Xn),
    )
    yield "select", feature_selection.SelectKBest(k=2).fit(X, y)
    yield "normalizer", preprocessing.Normalizer(norm="l1").fit(X)
    yield "function", preprocessing.FunctionTransformer(np.log1p, np.expm1).fit(np.abs(X))
    yield (
        "union",
        FeatureUnion([("s", preprocessing.MaxAbsScaler()), ("b", preprocessing.Binarizer())]).fit(
            X
        ),
    )
    yield (
        "onehot",
        preprocessing.OneHotEncoder(
            handle_unknown="infrequent_if_exist", min_frequency=5, drop="first"
        ).fit(cats),
    )
    yield (
        "ordinal",
        preprocessing.OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1).fit(
            cats
        ),
    )
    ct = ColumnTransformer(
        [
            ("num", preprocessing.RobustScaler(), [0, 1]),
            ("cat", preprocessing.OneHotEncoder(), [2, 3]),
        ]
    )
    yield "column-transformer", make_pipeline(ct, linear_model.LogisticRegression()).fit(mixed, y)
    yield (
        "ttr",
        TransformedTargetRegressor(
            regressor=linear_model.LinearRegression(), transformer=preprocessing.StandardScaler()
        ).fit(X, r),
    )


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    warnings.simplefilter("ignore")
    for name, model in models():
        (out / f"{name}.json").write_text(seed_text(model))
    print(f"wrote {len(list(out.iterdir()))} seeds to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
