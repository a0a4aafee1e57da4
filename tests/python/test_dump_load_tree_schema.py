"""Hostile tree node arrays of the portable tier (docs/schema/tree.md §2.1): concatenated
columns of a forest or of HistGradientBoosting predictors, checked before scikit-learn sees
them, each error naming the tree and node (`steps[1][1].estimators_[3].tree_.left[0]`)."""

import numpy as np
import pandas as pd
import pytest
from amber_testing import parts, rebuild
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import amber

X = np.random.RandomState(0).rand(120, 4)
Y = (X[:, 0] > 0.5).astype(int) + (X[:, 1] > 0.5)
FOREST = make_pipeline(StandardScaler(), RandomForestClassifier(6, max_depth=6, random_state=0))
FOREST.fit(X, Y)
TREES = "steps[1][1].trees"
TREE = "steps[1][1].estimators_[3].tree_"
PARTS = parts(amber.dumps(FOREST))


def forest_file(mutate) -> bytes:
    graph, meta, arrays = PARTS[0], PARTS[1], {k: v.copy() for k, v in PARTS[2].items()}
    mutate(arrays)
    return rebuild(graph, meta, arrays)


def tree_error(mutate, error=amber.InvalidStateError):
    with pytest.raises(error) as info:
        amber.loads(forest_file(mutate))
    return info.value


def local(arrays, t: int) -> tuple[int, int]:
    """Global node range of tree t."""
    offsets = arrays[f"{TREES}.node_offsets"]
    return int(offsets[t]), int(offsets[t + 1])


def permuted(arrays, t: int, seed: int = 0) -> None:
    """Tree t's nodes in a random order (root kept first): children no longer follow parents."""
    lo, hi = local(arrays, t)
    order = np.r_[0, 1 + np.random.RandomState(seed).permutation(hi - lo - 1)]  # new -> old
    where = np.argsort(order)  # old -> new
    for name in ("feature", "threshold", "missing_left", "impurity", "n_node_samples",
                 "weighted_n_node_samples", "value"):  # fmt: skip
        arrays[f"{TREES}.{name}"][lo:hi] = arrays[f"{TREES}.{name}"][lo:hi][order]
    for name in ("left", "right"):
        column = arrays[f"{TREES}.{name}"][lo:hi][order]
        arrays[f"{TREES}.{name}"][lo:hi] = np.where(column == -1, -1, where[column])


def test_the_file_loads_with_the_same_outputs():
    back = amber.loads(forest_file(lambda arrays: None))
    assert np.array_equal(back.predict_proba(X), FOREST.predict_proba(X))
    Xt = FOREST[0].transform(X)
    assert np.array_equal(back[-1].decision_path(Xt)[0].toarray(),
                          FOREST[-1].decision_path(Xt)[0].toarray())  # fmt: skip


def test_nodes_in_another_order_still_load_and_predict_the_same():
    back = amber.loads(forest_file(lambda arrays: permuted(arrays, 3)))
    assert np.array_equal(back.predict_proba(X), FOREST.predict_proba(X))
    tree, original = back[-1].estimators_[3].tree_, FOREST[-1].estimators_[3].tree_
    assert tree.max_depth == original.max_depth and tree.node_count == original.node_count


@pytest.mark.parametrize("order", ["ordered", "permuted"])
def test_child_out_of_range(order):
    def bad(arrays):
        if order == "permuted":
            permuted(arrays, 3)
        lo, hi = local(arrays, 3)
        arrays[f"{TREES}.left"][lo] = hi - lo  # one past the tree's last node

    error = tree_error(bad)
    assert error.path == f"{TREE}.left[0]"
    assert "out of range" in str(error)


def test_child_in_the_next_tree_is_out_of_range():
    def bad(arrays):
        lo, hi = local(arrays, 2)
        arrays[f"{TREES}.right"][lo] = hi - lo + 1  # a valid global index of tree 3

    assert tree_error(bad).path == "steps[1][1].estimators_[2].tree_.right[0]"


def test_child_pointing_to_the_root():
    def bad(arrays):
        lo, _ = local(arrays, 3)
        arrays[f"{TREES}.right"][lo] = 0

    assert tree_error(bad).path == f"{TREE}.right[0]"


def test_leaf_with_one_child():
    def bad(arrays):
        lo, hi = local(arrays, 3)
        leaf = lo + int(np.flatnonzero(arrays[f"{TREES}.left"][lo:hi] == -1)[0])
        arrays[f"{TREES}.right"][leaf] = 1

    error = tree_error(bad)
    assert error.path.startswith(f"{TREE}.right[")


@pytest.mark.parametrize("order", ["ordered", "permuted"])
def test_node_with_two_parents(order):
    def bad(arrays):
        if order == "permuted":
            permuted(arrays, 3)
        lo, hi = local(arrays, 3)
        left = arrays[f"{TREES}.left"][lo:hi]
        inner = np.flatnonzero(left != -1)
        left[inner[-1]] = left[inner[-2]]  # two splits share a child; a node is orphaned

    error = tree_error(bad)
    assert error.path.startswith(f"{TREE}.left[") and "not a tree" in str(error)


def test_split_whose_two_children_are_one_node():
    def bad(arrays):
        lo, hi = local(arrays, 3)
        left, right = arrays[f"{TREES}.left"][lo:hi], arrays[f"{TREES}.right"][lo:hi]
        right[0] = left[0]

    error = tree_error(bad)
    assert error.path == f"{TREE}.right[0]" and "entered twice" in str(error)


def _fill(left, right, feature, feature_dtype):
    """_core.fill_tree_nodes on one hand-made tree: the defect tuple, or None. int8 features
    take the path that reads the columns in place (the types amber writes), int32 the one
    that widens them first."""
    from amber import _core
    from amber.sklearn._tree_arrays import _record_fields, node_dtype

    n = len(left)
    records = np.zeros(n, dtype=node_dtype())
    ints = lambda v: np.asarray(v, dtype=np.int32)  # noqa: E731
    return _core.fill_tree_nodes(
        records.view(np.uint8).reshape(n, records.dtype.itemsize), _record_fields(),
        np.array([0, n], dtype=np.int64), ints(left), ints(right),
        np.asarray(feature, dtype=feature_dtype), np.zeros(n), np.zeros(n), ints([1] * n),
        np.ones(n), np.zeros(n, dtype=np.uint8), 4, np.array([5], dtype=np.int64),
        np.empty(1, dtype=np.int64),
    )  # fmt: skip


@pytest.mark.parametrize("feature_dtype", [np.int8, np.int32])
def test_native_fill_refuses_one_node_entered_as_both_children(feature_dtype):
    # 0 -> (1, 1): node order is scikit-learn's, node 2 is never entered, node 1 twice.
    assert _fill([1, -1, -1], [1, -1, -1], [0, -2, -2], feature_dtype)[:3] == (0, "right", 0)
    assert _fill([1, -1, -1], [2, -1, -1], [0, -2, -2], feature_dtype) is None
    assert _fill([1, -1, -1], [2, -1, -1], [4, -2, -2], feature_dtype)[:3] == (0, "feature", 0)
    # two splits share a left child while the node count still fits a tree (6 never entered)
    left, right = [1, 3, 3, -1, -1, -1, -1], [2, 4, 5, -1, -1, -1, -1]
    shared = _fill(left, right, [0, 0, 0, -2, -2, -2, -2], feature_dtype)
    assert shared[:3] == (0, "left", 2) and "entered twice" in shared[3]


def test_split_turned_leaf_leaves_its_children_unreachable():
    """Nodes still in scikit-learn's order, none entered twice, two entered by nobody."""
    orphans = []

    def bad(arrays):
        lo, hi = local(arrays, 3)
        left, right = arrays[f"{TREES}.left"][lo:hi], arrays[f"{TREES}.right"][lo:hi]
        feature = arrays[f"{TREES}.feature"][lo:hi]
        leaf = left == -1
        split = next(i for i in np.flatnonzero(~leaf) if leaf[left[i]] and leaf[right[i]])
        orphans.append(min(left[split], right[split]))
        left[split] = right[split] = -1
        feature[split] = -2

    error = tree_error(bad)
    assert error.path == f"{TREE}.left[{orphans[0]}]" and "not reachable" in str(error)


def test_cycle_away_from_the_root():
    """Every node keeps one parent, but four of them only reach each other: the walk from the
    root never meets them, and the error names the first of them in that tree."""

    def bad(arrays):
        lo, hi = local(arrays, 3)
        left, right = arrays[f"{TREES}.left"][lo:hi], arrays[f"{TREES}.right"][lo:hi]
        feature = arrays[f"{TREES}.feature"][lo:hi]
        leaf = left == -1
        c, d = [i for i in np.flatnonzero(~leaf) if leaf[left[i]] and leaf[right[i]]][:2]
        a, b, e, f = left[c], right[c], left[d], right[d]
        # a -> (b, e) and b -> (a, f); c and d become leaves
        left[a], right[a], left[b], right[b] = b, e, a, f
        left[c] = right[c] = left[d] = right[d] = -1
        feature[a] = feature[b] = 0
        feature[c] = feature[d] = -2

    error = tree_error(bad)
    assert "cycle" in str(error) and error.path.startswith(f"{TREE}.left[")


def test_feature_out_of_range_and_leaf_feature():
    def bad(arrays):
        lo, _ = local(arrays, 3)
        arrays[f"{TREES}.feature"][lo] = 4

    error = tree_error(bad)
    assert error.path == f"{TREE}.feature[0]" and "[0, 4)" in str(error)

    def leaf(arrays):
        lo, hi = local(arrays, 3)
        j = int(np.flatnonzero(arrays[f"{TREES}.left"][lo:hi] == -1)[0])
        arrays[f"{TREES}.feature"][lo + j] = 1

    assert tree_error(leaf).path.startswith(f"{TREE}.feature[")


@pytest.mark.parametrize("order", ["ordered", "permuted"])
def test_max_depth_below_the_real_depth(order):
    def bad(arrays):
        if order == "permuted":
            permuted(arrays, 3)
        arrays[f"{TREES}.max_depth"][3] = 1

    error = tree_error(bad)
    assert error.path == f"{TREES.replace('.trees', '.fitted.trees')}.max_depth[3]"


def test_value_shape_and_offsets():
    def shape(arrays):
        arrays[f"{TREES}.value"] = arrays[f"{TREES}.value"][:, :, :2].copy()

    assert "value" in tree_error(shape, amber.GraphError).path

    def offsets(arrays):
        arrays[f"{TREES}.node_offsets"][2] = arrays[f"{TREES}.node_offsets"][1]

    assert "node_offsets" in tree_error(offsets, amber.GraphError).path


# ---------------------------------------------------------------------------------------------
# hist_gradient_boosting/1 predictors.

FRAME = pd.DataFrame(
    {"a": X[:, 0], "c": pd.Categorical(np.array(list("abcd"))[np.arange(120) % 4])}
)
HGB = HistGradientBoostingClassifier(max_iter=5, categorical_features="from_dtype").fit(FRAME, Y)
HGB_PARTS = parts(amber.dumps(HGB))
PRED = "predictors"


def hgb_error(mutate):
    graph, meta = HGB_PARTS[0], HGB_PARTS[1]
    arrays = {k: v.copy() for k, v in HGB_PARTS[2].items()}
    mutate(arrays)
    with pytest.raises(amber.InvalidStateError) as info:
        amber.loads(rebuild(graph, meta, arrays))
    return info.value


def test_hgb_file_loads_with_the_same_outputs():
    back = amber.loads(rebuild(*HGB_PARTS))
    assert np.array_equal(back.predict_proba(FRAME), HGB.predict_proba(FRAME))


def test_hgb_child_feature_and_bitset_out_of_range():
    def child(arrays):
        arrays[f"{PRED}.left"][0] = 10**6

    assert hgb_error(child).path == "_predictors[0][0].nodes.left[0]"

    def feature(arrays):
        arrays[f"{PRED}.feature_idx"][0] = 7

    assert hgb_error(feature).path == "_predictors[0][0].nodes.feature_idx[0]"

    def bitset(arrays):
        categorical = (arrays[f"{PRED}.is_categorical"] != 0) & (arrays[f"{PRED}.is_leaf"] == 0)
        arrays[f"{PRED}.bitset_idx"][int(np.flatnonzero(categorical)[0])] = 10**6

    assert ".nodes.bitset_idx[" in hgb_error(bitset).path


def test_hgb_categorical_split_on_a_numeric_feature():
    def numeric(arrays):
        split = (arrays[f"{PRED}.is_leaf"] == 0) & (arrays[f"{PRED}.feature_idx"] == 0)
        arrays[f"{PRED}.is_categorical"][int(np.flatnonzero(split)[0])] = 1

    error = hgb_error(numeric)
    assert ".nodes.is_categorical[" in error.path
    assert "numeric feature 0" in str(error)


def hgb_refused_by_both(tmp_path, mutate) -> str:
    """The path both readers name for the HGB file after `mutate(arrays)`."""
    graph, meta = HGB_PARTS[0], HGB_PARTS[1]
    arrays = {k: v.copy() for k, v in HGB_PARTS[2].items()}
    mutate(arrays)
    path = tmp_path / "bad.amber"
    path.write_bytes(rebuild(graph, meta, arrays))
    with pytest.raises(amber.InvalidStateError) as loaded:
        amber.load(path)
    with pytest.raises(amber.AmberError) as native:
        amber.Runtime(path)
    assert loaded.value.path in str(native.value)
    return loaded.value.path


def test_hgb_runtime_refuses_what_the_loader_refuses(tmp_path):
    def cycle(arrays):
        arrays[f"{PRED}.right"][0] = 0  # node 0 becomes its own child

    assert hgb_refused_by_both(tmp_path, cycle) == "_predictors[0][0].nodes.right[0]"


def _fill_predictor(left, right, is_leaf, feature, categorical=None, bitset=None, n_bitsets=1):
    """_core.fill_predictor_nodes on one hand-made predictor over two features, feature 1
    categorical, columns in the types amber writes (read in place by the one-pass path)."""
    from amber import _core
    from amber.sklearn.hist_gradient_boosting import NODE_COLUMNS, _predictor_fields

    n = len(left)
    given = {"left": left, "right": right, "is_leaf": is_leaf, "feature_idx": feature,
             "is_categorical": categorical or [0] * n, "bitset_idx": bitset or [0] * n}  # fmt: skip
    columns = [np.asarray(given.get(name, [0] * n), dtype=dtype)
               for name, dtype in NODE_COLUMNS.items()]  # fmt: skip
    dtype, fields = _predictor_fields()
    records = np.zeros(n, dtype=dtype)
    return _core.fill_predictor_nodes(
        records.view(np.uint8).reshape(n, dtype.itemsize), fields, np.array([0, n]),
        np.array([0, n_bitsets]), columns, np.array([0, 1]), np.array([0, 1], dtype=np.uint8),
    )  # fmt: skip


def test_native_predictor_fill_refuses_what_the_one_pass_could_miss():
    ok = dict(left=[1, 0, 0], right=[2, 0, 0], is_leaf=[0, 1, 1], feature=[0, 0, 0])
    assert _fill_predictor(**ok) is None
    # one node entered as both children; node 2 entered by nobody
    twice = _fill_predictor(**{**ok, "right": [1, 0, 0]})
    assert twice[:3] == (0, "right", 0) and "entered twice" in twice[3]
    # two splits share a left child while the node count still fits a tree (6 never entered)
    shared = _fill_predictor([1, 3, 3, 0, 0, 0, 0], [2, 4, 5, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 1],
                             [0] * 7)  # fmt: skip
    assert shared[:3] == (0, "left", 2) and "entered twice" in shared[3]
    # a split turned leaf: nodes 3 and 4 are in order but unreachable
    orphans = _fill_predictor([1, 3, 0, 0, 0], [2, 4, 0, 0, 0], [0, 1, 1, 1, 1], [0] * 5)
    assert orphans[:3] == (0, "left", 3) and "not reachable" in orphans[3]
    # a categorical split on numeric feature 0, with a bitset that exists
    numeric = _fill_predictor(**ok, categorical=[1, 0, 0])
    assert numeric[:3] == (0, "is_categorical", 0)
    assert _fill_predictor(**{**ok, "feature": [1, 0, 0]}, categorical=[1, 0, 0]) is None
    assert _fill_predictor(**{**ok, "feature": [1, 0, 0]}, categorical=[1, 0, 0],
                           bitset=[1, 0, 0])[:3] == (0, "bitset_idx", 0)  # fmt: skip


def _shared_left_child(arrays):
    lo, hi = local(arrays, 3)
    left = arrays[f"{TREES}.left"][lo:hi]
    inner = np.flatnonzero(left != -1)
    left[inner[-1]] = left[inner[-2]]


def _one_child_twice(arrays):
    lo, _ = local(arrays, 3)
    arrays[f"{TREES}.right"][lo] = arrays[f"{TREES}.left"][lo]


def _split_turned_leaf(arrays):
    lo, hi = local(arrays, 3)
    left, right = arrays[f"{TREES}.left"][lo:hi], arrays[f"{TREES}.right"][lo:hi]
    leaf = left == -1
    split = next(i for i in np.flatnonzero(~leaf) if leaf[left[i]] and leaf[right[i]])
    left[split] = right[split] = -1
    arrays[f"{TREES}.feature"][lo + split] = -2


def _right_child_out_of_order(arrays):
    """Node 0's right child swapped with a node inside its left subtree: children still come
    after their parents, but the nodes are no longer in depth-first order."""
    lo, hi = local(arrays, 3)
    right = arrays[f"{TREES}.right"][lo:hi]
    right[0] = right[0] - 1 if right[0] > 2 else right[0] + 1


def _root_turned_leaf(arrays):
    """Every other node of the tree still in order after the root, none of them reachable."""
    lo, _ = local(arrays, 3)
    arrays[f"{TREES}.left"][lo] = arrays[f"{TREES}.right"][lo] = -1
    arrays[f"{TREES}.feature"][lo] = -2


def _split_feature_out_of_range(arrays):
    lo, _ = local(arrays, 3)
    arrays[f"{TREES}.feature"][lo] = X.shape[1]


def _leaf_with_a_feature(arrays):
    lo, hi = local(arrays, 3)
    leaf = int(np.flatnonzero(arrays[f"{TREES}.left"][lo:hi] == -1)[0])
    arrays[f"{TREES}.feature"][lo + leaf] = 0


@pytest.mark.parametrize(
    "mutate",
    [_shared_left_child, _one_child_twice, _split_turned_leaf, _right_child_out_of_order,
     _root_turned_leaf, _split_feature_out_of_range, _leaf_with_a_feature],
)  # fmt: skip
def test_native_runtime_refuses_what_the_loader_refuses(tmp_path, mutate):
    """The runtime's one-pass reader hands every tree it does not accept to the general check,
    so it names the same node as the loader."""
    path = tmp_path / "bad.amber"
    path.write_bytes(forest_file(mutate))
    with pytest.raises(amber.InvalidStateError) as loaded:
        amber.load(path)
    with pytest.raises(amber.AmberError) as native:
        amber.Runtime(path)
    assert loaded.value.path in str(native.value)


def test_native_runtime_reads_nodes_in_another_order(tmp_path):
    path = tmp_path / "permuted.amber"
    path.write_bytes(forest_file(lambda arrays: permuted(arrays, 3)))
    proba = amber.Runtime(path).predict_proba(X)
    assert np.array_equal(proba, FOREST.predict_proba(X))


@pytest.mark.parametrize(
    "dtypes",
    [
        {"left": "int64", "right": "uint16", "feature_idx": "int16", "is_leaf": "int32"},
        {"missing_go_to_left": "int32", "is_categorical": "uint64", "bitset_idx": "int8"},
    ],
    ids=["children-and-features", "flags-and-bitsets"],
)
def test_hgb_predictor_columns_of_any_integer_dtype_give_the_same_outputs(tmp_path, dtypes):
    """Both readers widen whatever integer dtype a column has, the native one a predictor's rows
    at a time."""
    graph, meta = HGB_PARTS[0], HGB_PARTS[1]
    arrays = {k: v.copy() for k, v in HGB_PARTS[2].items()}
    for name, dtype in dtypes.items():
        arrays[f"{PRED}.{name}"] = arrays[f"{PRED}.{name}"].astype(dtype)
    path = tmp_path / "dtypes.amber"
    path.write_bytes(rebuild(graph, meta, arrays))
    expected = HGB.predict_proba(FRAME)
    assert np.array_equal(amber.load(path).predict_proba(FRAME), expected)
    assert np.array_equal(amber.Runtime(path).predict_proba(FRAME), expected)


def test_hgb_runtime_names_a_bad_node_in_a_later_predictor(tmp_path):
    t, k = 4, HGB.n_trees_per_iteration_

    def late_cycle(arrays):
        root = int(arrays[f"{PRED}.node_offsets"][t])
        arrays[f"{PRED}.right"][root] = 0  # predictor t's root becomes its own child

    assert k == 3
    path = hgb_refused_by_both(tmp_path, late_cycle)
    assert path == f"_predictors[{t // k}][{t % k}].nodes.right[0]"


# ---------------------------------------------------------------------------------------------
# Gradient boosting's init estimator and stage width: scikit-learn's compiled stage loop adds
# K trees per stage to the columns of rows the init estimator sized, without bounds checks.

GB_X = np.random.RandomState(3).rand(90, 4)
GB_Y = (GB_X[:, 0] * 3).astype(int)  # three classes: K = 3


def gb_error(mutate, error=amber.InvalidStateError):
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0)
    graph, meta, arrays = parts(amber.dumps(model.fit(GB_X, GB_Y)))
    mutate(graph["fitted"], arrays)
    with pytest.raises(error) as info:
        amber.loads(rebuild(graph, meta, arrays))
    return info.value


def test_gb_init_prior_must_hold_one_value_per_class():
    def short_prior(fitted, arrays):
        node = fitted["init"]["fitted"]["class_prior"]
        arrays[next(n for n in arrays if n == "init_.prior")] = np.array([0.5, 0.5])
        assert node["$"] == "ndarray"

    error = gb_error(short_prior)
    assert error.path == "fitted.init.fitted.class_prior"
    assert "shape (3,)" in str(error)

    def not_an_array(fitted, arrays):
        fitted["init"]["fitted"]["class_prior"] = False

    assert "float array of shape (3,)" in str(gb_error(not_an_array))


def test_gb_init_with_other_classes_or_stage_width_is_refused():
    def two_classes(fitted, arrays):
        prior = next(n for n in arrays if n == "init_.prior")
        classes = next(n for n in arrays if n.endswith("init_.classes_"))
        arrays[prior], arrays[classes] = np.array([0.4, 0.6]), np.array([0, 1])

    assert "has 2 classes, the booster 3" in str(gb_error(two_classes))

    def width(fitted, arrays):
        fitted["n_trees_per_iteration"] = 2

    error = gb_error(width)
    assert error.path == "fitted.n_trees_per_iteration"

    def junk_init(fitted, arrays):
        fitted["init"] = "one"

    assert "'zero' or an estimator" in str(gb_error(junk_init))
