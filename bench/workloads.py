"""The reference workloads of bench/: models fitted once and cached under build/bench/models."""

from __future__ import annotations

import os
import pickle  # bench only: caching fitted models between runs, never in the package

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

CACHE = os.path.join("build", "bench", "models")


def classification_data():
    """make_classification(50,000 x 20, 10 informative), as in scikit-learn's own examples."""
    return make_classification(n_samples=50_000, n_features=20, n_informative=10, random_state=42)


def mixed_frame(n: int = 20_000, seed: int = 0):
    """A DataFrame with two string and three numeric columns, and a label that depends on both."""
    rng = np.random.default_rng(seed)
    city = rng.choice(["paris", "oslo", "lima", "kyoto", "accra"], size=n)
    plan = rng.choice(["free", "pro", "team"], size=n, p=[0.6, 0.3, 0.1])
    X = pd.DataFrame(
        {
            "city": city,
            "plan": plan,
            "age": rng.normal(40, 12, n),
            "visits": rng.poisson(5, n).astype(np.float64),
            "spend": rng.lognormal(3, 1, n),
        }
    )
    logit = 0.04 * (X["age"] - 40) + 0.3 * (plan == "pro") + 0.2 * X["visits"] - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def _fit(name: str):
    if name == "forest":
        X, y = classification_data()
        model = RandomForestClassifier(n_estimators=500, max_depth=20, random_state=42, n_jobs=-1)
        return model.fit(X, y), X
    if name == "hist_gradient_boosting":
        X, y = classification_data()
        return HistGradientBoostingClassifier(random_state=42).fit(X, y), X
    if name == "scaler_logistic":
        X, y = classification_data()
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y), X
    if name == "columns_gradient_boosting":
        X, y = mixed_frame()
        columns = ColumnTransformer(
            [
                ("categories", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
                ("numbers", StandardScaler(), ["age", "visits", "spend"]),
            ]
        )
        model = Pipeline([("columns", columns), ("boost", GradientBoostingClassifier())])
        return model.fit(X, y), X
    raise ValueError(name)


WORKLOADS = ("forest", "hist_gradient_boosting", "scaler_logistic", "columns_gradient_boosting")


def load_workload(name: str):
    """(fitted model, its training inputs), fitted on first use and cached."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f"{name}.pkl")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return pickle.load(f)
    fitted = _fit(name)
    if hasattr(fitted[0], "n_jobs"):
        fitted[0].set_params(n_jobs=None)
    with open(path, "wb") as f:
        pickle.dump(fitted, f, protocol=5)
    return fitted
