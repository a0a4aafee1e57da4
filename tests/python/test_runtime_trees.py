"""Tree kernels of the native runtime: bit-identical to scikit-learn for every batch shape.

The runtime lays trees out depth-first and walks several trees (one row) or several rows (one
tree) in lockstep; these cases pin what that must not change: NaN routing, best-first trees
(whose node order is not depth-first), multi-output values, and sums in tree order whatever the
number of rows (one row, fewer than a group, several blocks on threads).
"""

from __future__ import annotations

import numpy as np
import pytest
from runtime_parity import dump_file
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import amber

X, Y = make_classification(
    n_samples=3000, n_features=8, n_informative=5, n_classes=3, random_state=0
)
X[::7, 2] = np.nan
X[::11, 5] = np.nan
X_FINITE = np.nan_to_num(X)
X_REG, Y_REG = make_regression(n_samples=2000, n_features=6, n_targets=2, random_state=0)

CASES = [
    (RandomForestClassifier(n_estimators=37, random_state=0), X, Y, "predict_proba"),
    (RandomForestClassifier(n_estimators=13, max_leaf_nodes=40, random_state=0), X, Y, "predict"),
    (DecisionTreeClassifier(max_leaf_nodes=50, random_state=0), X, Y, "predict_proba"),
    (ExtraTreesRegressor(n_estimators=11, random_state=0), X_REG, Y_REG, "predict"),
    (DecisionTreeRegressor(random_state=0), X_REG, Y_REG, "predict"),
    (GradientBoostingClassifier(n_estimators=30, random_state=0), X_FINITE, Y, "predict_proba"),
]


@pytest.mark.parametrize("estimator, data, target, method", CASES, ids=lambda c: str(c)[:40])
@pytest.mark.parametrize("rows", [slice(0, 1), slice(5, 12), slice(0, 1000), slice(None)])
def test_bit_identical(estimator, data, target, method, rows, tmp_path):
    estimator.fit(data, target)
    runtime = amber.Runtime(dump_file(estimator, tmp_path))
    expected = getattr(estimator, method)(data[rows])
    actual = getattr(runtime, method)(data[rows])
    assert np.array_equal(actual, expected, equal_nan=True)


# The columns amber writes are read in place (int32 children, the smallest signed feature type,
# uint8 missing_left); any other integer dtypes are widened first. Both must give the same
# trees, through the one-pass reader (depth-first trees) and the general one (best-first).
COLUMN_DTYPES = {
    "as written": {},
    "int16 features, bool missing": {"feature": np.int16, "missing_left": np.bool_},
    "int32 features": {"feature": np.int32},
    "another writer's int64": {
        "left": np.int64,
        "right": np.int64,
        "feature": np.int64,
        "missing_left": np.int64,
    },
    "mixed": {"left": np.int64, "right": np.int32},
}


@pytest.mark.parametrize("dtypes", list(COLUMN_DTYPES.values()), ids=list(COLUMN_DTYPES))
@pytest.mark.parametrize("max_leaf_nodes", [None, 40], ids=["depth-first", "best-first"])
def test_node_columns_of_any_integer_dtype_give_the_same_trees(dtypes, max_leaf_nodes, tmp_path):
    from amber_testing import parts, rebuild

    model = RandomForestClassifier(n_estimators=9, max_leaf_nodes=max_leaf_nodes, random_state=0)
    model.fit(X, Y)
    graph, meta, arrays = parts(amber.dumps(model))
    for name, dtype in dtypes.items():
        arrays[f"trees.{name}"] = arrays[f"trees.{name}"].astype(dtype)
    path = tmp_path / "m.amber"
    path.write_bytes(rebuild(graph, meta, arrays))
    assert np.array_equal(amber.Runtime(str(path)).predict_proba(X), model.predict_proba(X))
    assert np.array_equal(amber.load(path).predict_proba(X), model.predict_proba(X))


@pytest.fixture(scope="module")
def big_forest():
    """A forest whose read node columns decode to more than 4 MiB: above the runtime's
    streaming threshold (kStreamBytes in tree_arrays.cpp), so they are decoded on helper
    threads while the trees are placed, and the placed rows given back."""
    data, target = make_classification(n_samples=8000, n_features=10, flip_y=0.3, random_state=1)
    model = RandomForestClassifier(n_estimators=60, random_state=0, n_jobs=-1).fit(data, target)
    model.n_jobs = None
    return model, data


def _read_columns_bytes(path) -> int:
    from amber import container

    read = {"left", "right", "feature", "threshold", "missing_left", "value"}
    infos = container.open(path).array_infos
    return sum(a["decoded_length"] for a in infos if a["name"].rsplit(".", 1)[-1] in read)


def test_a_big_compressed_forest_is_placed_while_it_decodes(big_forest, tmp_path):
    model, data = big_forest
    path = tmp_path / "big.amber"
    amber.dump(model, path)  # compressed: the default
    assert _read_columns_bytes(path) > 4 << 20
    runtime = amber.Runtime(path)
    assert np.array_equal(runtime.predict_proba(data), model.predict_proba(data))


def test_a_big_forest_with_a_bad_tree_late_is_refused_naming_it(big_forest, tmp_path):
    from amber_testing import parts

    model, _ = big_forest
    graph, meta, arrays = parts(amber.dumps(model))
    offsets = arrays["trees.node_offsets"]
    arrays["trees.left"][offsets[57]] = 10**6  # tree 57's root points past its nodes
    path = tmp_path / "bad.amber"
    from amber import container

    container.write(path, arrays, graph=graph, metadata=meta)
    with pytest.raises(amber.AmberError, match=r"estimators_\[57\]\.tree_\.left\[0\]"):
        amber.Runtime(path)


def test_a_big_forest_with_damaged_values_is_refused_naming_them(big_forest, tmp_path):
    from amber import container

    model, _ = big_forest
    path = tmp_path / "m.amber"
    amber.dump(model, path)
    opened = container.open(path)
    entry = next(a for a in opened.manifest["arrays"] if a["name"] == "trees.value")
    data_offset = int.from_bytes(path.read_bytes()[24:32], "little")
    damaged = bytearray(path.read_bytes())
    damaged[data_offset + entry["offset"] + entry["length"] // 2] ^= 0x40
    path.write_bytes(bytes(damaged))
    with pytest.raises(amber.errors.ChecksumMismatchError, match="trees.value"):
        amber.Runtime(path)
