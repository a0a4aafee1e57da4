"""Hostile files: every malformed node, bad index array or huge size gets a clear error
naming the node path; never a crash, never a partial object."""

import contextlib
import copy
import json
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from amber_testing import crafted, find_nodes, graph_places, parts, rebuild, replace_at
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KDTree, KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import amber

X = np.random.RandomState(0).rand(80, 4)
Y = (X[:, 0] > 0.5).astype(int) + (X[:, 1] > 0.5)


def load_error(data, error=amber.GraphError):
    with pytest.raises(error) as info:
        amber.loads(data)
    return info.value


# ---------------------------------------------------------------------------------------------
# Malformed nodes.


@pytest.mark.parametrize(
    ("graph", "path", "message"),
    [
        ({"$": "teleport"}, "<root>", "unknown node kind 'teleport'"),
        ([1, {"a": 1}], "[1]", "must have a '$' member"),
        ({"$": "tuple", "items": 5}, "<root>", "member 'items' must be an array"),
        ({"$": "tuple"}, "<root>", "no member 'items'"),
        ({"$": "tuple", "items": [], "extra": 1}, "<root>", "unknown member 'extra'"),
        ({"$": "dict", "items": {"k": {"$": "set", "items": {}}}}, "['k']", "'items' must be"),
        ({"$": "float", "v": "1.5"}, "<root>", '"nan", "inf" or "-inf"'),
        ({"$": "int", "v": "12a"}, "<root>", "not a decimal integer"),
        ({"$": "int", "v": "9" * 20000}, "<root>", "more than 10000"),
        ({"$": "scalar", "dtype": "int8", "v": 300}, "<root>", "does not fit int8"),
        ({"$": "scalar", "dtype": "object", "v": 1}, "<root>", "numeric dtype name"),
        ({"$": "dtype", "v": "os.system"}, "<root>", "invalid dtype string"),
        ({"$": "slice", "start": 1, "stop": 2}, "<root>", "no member 'step'"),
        ({"$": "ndarray", "array": 7}, "<root>", "array index 7 out of range"),
        ({"$": "ref", "id": 3}, "<root>", "no earlier node carries"),
        ([{"$": "tuple", "items": [], "id": 1}, {"$": "list", "items": [], "id": 1}], "[1]",
         "id 1 is used twice"),
        ({"$": "tuple", "id": 0, "items": [{"$": "ref", "id": 0}]}, "[0]", "no earlier node"),
        ({"$": "random_state", "keys": [1], "pos": 0, "has_gauss": 0, "cached_gaussian": 0.0},
         "<root>", "uint32 array of shape"),
        ({"$": "generator", "bit_generator": "Evil", "state": {}}, "<root>", "unknown bit gen"),
        ({"$": "sparse", "format": "lil", "container": "matrix"}, "<root>", "unknown sparse"),
        ({"$": "partial", "func": 3, "args": [], "keywords": {"$": "dict", "items": {}}},
         "<root>", "not callable"),
        ({"$": "estimator", "class": "sklearn.svm._classes:SVC", "schema": "svm/99",
          "params": {}, "fitted": None}, "<root>", "no adapter"),
    ],
)  # fmt: skip
def test_malformed_nodes_name_their_path(graph, path, message):
    error = load_error(crafted(graph))
    assert error.path == path
    assert message in str(error)


@pytest.mark.parametrize("bad_id", [[1], {"a": 1}, "x", 1.5])
def test_inspect_shows_nodes_whose_id_is_not_an_integer(bad_id):
    data = crafted({"$": "list", "items": [{"$": "dict", "id": bad_id, "items": {}},
                                           {"$": "ref", "id": bad_id}]})  # fmt: skip
    assert "same object as ?" in repr(amber.inspect(data=data))
    load_error(data)


def test_non_finite_number_literal_is_refused():
    data = rebuild([1.0], {"graph_version": 1, "versions": {}}, {})
    patched = data.replace(b"[1.0]", b"[1e999]")
    with pytest.raises(amber.AmberError):
        amber.loads(patched)


@pytest.mark.parametrize("version", [None, 2, "1"])
def test_unknown_graph_version(version):
    meta = {"versions": {}} if version is None else {"graph_version": version, "versions": {}}
    error = load_error(rebuild([1], meta, {}))
    assert "graph version" in str(error)


def test_array_of_the_wrong_kind_for_its_node():
    floats = np.zeros(3)
    assert "uint8" in str(load_error(crafted({"$": "bytes", "array": 0}, [floats])))
    assert "cannot carry" in str(
        load_error(crafted({"$": "ndarray", "array": 0, "dtype": "str"}, [floats]))
    )
    strings = np.array(["a"], dtype=object)
    assert "string array" in str(load_error(crafted({"$": "ndarray", "array": 0}, [strings])))
    order = {"$": "ndarray", "array": 0, "order": "F"}
    assert "'order'" in str(load_error(crafted(order, [floats])))


# ---------------------------------------------------------------------------------------------
# Huge declared sizes.


def test_huge_declared_sizes_are_refused_before_allocation():
    huge = {"$": "ndarray", "dtype": "object", "shape": [2**40, 2**40], "items": [1]}
    assert "holds" in str(load_error(crafted(huge)))
    overflow = {"$": "ndarray", "dtype": "object", "shape": [2**63], "items": []}
    assert "invalid dimension" in str(load_error(crafted(overflow)))
    wide = {"$": "ndarray", "array": 0, "dtype": "str", "width": 2**30}
    assert "width" in str(load_error(crafted(wide, [np.array(["a"] * 10, dtype=object)])))
    record = {"$": "ndarray", "dtype": "record", "shape": [1], "fields": {"a": 1},
              "offsets": [0], "itemsize": 2**40}  # fmt: skip
    load_error(crafted(record))
    matrix = {"$": "sparse", "format": "csr", "container": "matrix", "shape": [2**62, 3],
              "data": {"$": "ndarray", "array": 0}, "indices": {"$": "ndarray", "array": 1},
              "indptr": {"$": "ndarray", "array": 2}}  # fmt: skip
    arrays = [np.ones(1), np.zeros(1, np.int32), np.array([0, 1], np.int32)]
    assert "indptr has 2 entries" in str(
        load_error(crafted(matrix, arrays), amber.InvalidStateError)
    )


# Counts in a family's `fitted` that size allocations: each is checked against stored arrays
# first. A regression would allocate gigabytes, so the load runs in a child whose address
# space is capped: it then fails with MemoryError, not the machine.
_CAPPED_LOAD = """
import resource, sys
import amber
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
try:
    amber.loads(sys.stdin.buffer.read())
except amber.AmberError as error:
    print(type(error).__name__, error.path)
"""


def capped_load_error(data: bytes) -> str:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _CAPPED_LOAD], input=data,
                         capture_output=True, check=False)  # fmt: skip
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    return out.stdout.decode().strip()


@pytest.mark.parametrize("which", ["tree", "forest", "isolation_forest"])
def test_a_huge_output_count_is_checked_against_the_stored_values(which):
    from sklearn.ensemble import IsolationForest, RandomForestRegressor
    from sklearn.tree import DecisionTreeRegressor

    model = {
        "tree": DecisionTreeRegressor(max_depth=2),
        "forest": RandomForestRegressor(2, max_depth=2, random_state=0),
        "isolation_forest": IsolationForest(n_estimators=2, random_state=0),
    }[which]
    graph, meta, arrays = parts(amber.dumps(model.fit(X, X[:, 0])))
    owner = graph["fitted"]["estimators"] if which == "isolation_forest" else graph["fitted"]
    owner["n_outputs"] = 2**31
    assert capped_load_error(rebuild(graph, meta, arrays)).endswith("trees.value")


def test_a_huge_feature_count_is_checked_against_the_bin_mapper():
    graph, meta, arrays = parts(amber.dumps(HistGradientBoostingClassifier(max_iter=2).fit(X, Y)))
    graph["fitted"]["n_features_in"] = 2**31
    error = capped_load_error(rebuild(graph, meta, arrays))
    assert error == "InvalidStateError fitted.bin_mapper.threshold_offsets"


def test_huge_object_construction_of_value_types_is_refused():
    node = {"$": "object", "type": "numpy:ndarray", "init": [[2**40]]}
    assert "own node kinds" in str(load_error(crafted(node)))
    node = {"$": "object", "type": "builtins:bytearray", "init": [2**40]}
    assert "own node kinds" in str(load_error(crafted(node)))


# ---------------------------------------------------------------------------------------------
# Sparse index arrays.


def _sparse_file(mutate):
    graph, meta, arrays = parts(amber.dumps({"m": sp.csr_matrix(np.eye(4))}))
    mutate(arrays)
    return rebuild(graph, meta, arrays)


def test_sparse_column_index_out_of_range():
    def bad(arrays):
        arrays["['m'].indices"][2] = 4

    error = load_error(_sparse_file(bad), amber.InvalidStateError)
    assert error.path == "['m'].indices[2]" and "out of range [0, 4)" in str(error)


def test_sparse_indptr_decreasing():
    def bad(arrays):
        arrays["['m'].indptr"][2] = 0

    error = load_error(_sparse_file(bad), amber.InvalidStateError)
    assert "indptr" in error.path


@pytest.mark.parametrize("container", [[], {}, None, "tensor"])
def test_sparse_container_of_the_wrong_kind(container):
    graph, meta, arrays = parts(amber.dumps({"m": sp.csr_matrix(np.eye(4))}))
    graph["items"]["m"]["container"] = container  # a list did not hash: TypeError
    error = load_error(rebuild(graph, meta, arrays))
    assert error.path == "['m']" and "container" in str(error)


# ---------------------------------------------------------------------------------------------
# The params of portable estimators: both readers (open_node, and the tree families').

PORTABLE = make_pipeline(StandardScaler(), RandomForestClassifier(3, max_depth=3, random_state=0))
PORTABLE.fit(X, Y)


def _estimator_node(graph, class_suffix):
    return find_nodes(graph, lambda n: str(n.get("class", "")).endswith(class_suffix))[0]


@pytest.mark.parametrize("step", [("StandardScaler", "steps[0][1]"),
                                  ("RandomForestClassifier", "steps[1][1]")])  # fmt: skip
@pytest.mark.parametrize(
    "params",
    [{"$": "ndarray", "array": 0}, {"with mean": True}, {"": 1}, 5, None],
)
def test_params_that_are_no_parameters_are_refused(step, params):
    cls, path = step
    graph, meta, arrays = parts(amber.dumps(PORTABLE))
    _estimator_node(graph, cls)["params"] = params
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not dropped as another release's parameters
        error = load_error(rebuild(graph, meta, arrays))
    assert error.path == path
    assert "'params'" in str(error)


@pytest.mark.parametrize(
    "step",
    [
        ("StandardScaler", "steps[0][1]", "with_mean"),
        ("RandomForestClassifier", "steps[1][1]", "max_depth"),
    ],
)
def test_a_bad_parameter_is_named_as_the_estimators_attribute(step):
    cls, path, name = step
    graph, meta, arrays = parts(amber.dumps(PORTABLE))
    _estimator_node(graph, cls)["params"][name] = {"$": "teleport"}
    error = load_error(rebuild(graph, meta, arrays))
    assert error.path == f"{path}.{name}"


# ---------------------------------------------------------------------------------------------
# Tree node arrays (sklearn.tree._tree.Tree).

FOREST = make_pipeline(StandardScaler(), RandomForestClassifier(5, max_depth=5, random_state=0))
FOREST.fit(X, Y)
TREE = "steps[1][1].estimators_[3].tree_"


def forest_file(mutate):
    graph, meta, arrays = parts(amber.dumps(FOREST, tier="generic"))
    mutate(graph, arrays)
    return rebuild(graph, meta, arrays)


def tree_error(mutate):
    return load_error(forest_file(mutate), amber.InvalidStateError)


def test_the_forest_file_itself_loads():
    back = amber.loads(forest_file(lambda graph, arrays: None))
    assert np.array_equal(back.predict_proba(X), FOREST.predict_proba(X))


def test_child_out_of_range():
    def bad(graph, arrays):
        arrays[f"{TREE}.children_left"][0] = 10**6

    error = tree_error(bad)
    assert error.path == f"{TREE}.children_left[0]"
    assert "out of range" in str(error)


def test_child_pointing_to_the_root_or_a_leaf_with_one_child():
    def to_root(graph, arrays):
        arrays[f"{TREE}.children_left"][0] = 0

    assert tree_error(to_root).path == f"{TREE}.children_left[0]"

    def one_child(graph, arrays):
        right = arrays[f"{TREE}.children_right"]
        right[np.flatnonzero(right == -1)[0]] = 1

    assert "one child" in str(tree_error(one_child))


def test_cycle_in_the_nodes():
    def cycle(graph, arrays):
        left, _right = arrays[f"{TREE}.children_left"], arrays[f"{TREE}.children_right"]
        inner = np.flatnonzero(left != -1)
        node = int(inner[-1])
        # the last split points back to its own parent's other child: two parents
        left[node] = int(left[0])

    error = tree_error(cycle)
    assert "parents" in str(error) or "cycle" in str(error)


def test_unordered_cycle_detected_by_the_walk():
    """Children before parents and a cycle away from the root: found by the level walk."""
    from amber.sklearn._validate import check_children

    # 0 -> (1, 2); 3 -> (4, 5) and 4 -> (3, 6): every node has one parent, 3 and 4 a cycle
    left = np.array([1, -1, -1, 4, 3, -1, -1])
    right = np.array([2, -1, -1, 5, 6, -1, -1])
    with pytest.raises(amber.InvalidStateError, match="cycle"):
        check_children(left, right, left == -1, ("l", "r"))
    # 1 and 2 both point at 3 and 4: two parents
    left = np.array([1, 3, 3, -1, -1, -1, -1])
    right = np.array([2, 4, 4, -1, -1, -1, -1])
    with pytest.raises(amber.InvalidStateError, match="2 parents"):
        check_children(left, right, left == -1, ("l", "r"))


def test_feature_out_of_range():
    def bad(graph, arrays):
        arrays[f"{TREE}.feature"][0] = 4

    error = tree_error(bad)
    assert error.path == f"{TREE}.feature[0]" and "[0, 4)" in str(error)


def test_value_of_the_wrong_shape_or_dtype():
    def shape(graph, arrays):
        arrays[f"{TREE}.value"] = arrays[f"{TREE}.value"][:, :, :2].copy()

    assert tree_error(shape).path == f"{TREE}.value"

    def dtype(graph, arrays):
        arrays[f"{TREE}.children_left"] = arrays[f"{TREE}.children_left"].astype(np.float64)

    error = tree_error(dtype)
    assert error.path == f"{TREE}.children_left" and "kind" in str(error)


def test_max_depth_below_the_real_depth():
    def bad(graph, arrays):
        node = find_nodes(graph, lambda n: n.get("type") == "sklearn.tree._tree:Tree")[3]
        node["state"]["items"]["max_depth"] = 1

    error = tree_error(bad)
    assert error.path == f"{TREE}.max_depth" and "depth" in str(error)


def test_n_classes_and_n_features_must_agree():
    def classes(graph, arrays):
        node = find_nodes(graph, lambda n: n.get("type") == "sklearn.tree._tree:Tree")[3]
        node["state"]["items"]["n_outputs"] = 2

    assert tree_error(classes).path == f"{TREE}.n_classes"

    def features(graph, arrays):
        node = find_nodes(graph, lambda n: n.get("type") == "sklearn.tree._tree:Tree")[3]
        node["state"]["items"]["n_features"] = 9

    assert tree_error(features).path == f"{TREE}.n_features"


# ---------------------------------------------------------------------------------------------
# Neighbors trees.

KNN = KNeighborsClassifier(algorithm="kd_tree", leaf_size=5).fit(X, Y)


def knn_error(mutate):
    graph, meta, arrays = parts(amber.dumps(KNN, tier="generic"))
    mutate(graph, arrays)
    return load_error(rebuild(graph, meta, arrays), amber.InvalidStateError)


def test_kd_tree_index_out_of_range():
    def bad(graph, arrays):
        arrays["_tree.idx_array"][5] = 80

    error = knn_error(bad)
    assert error.path == "_tree.idx_array[5]"


def test_kd_tree_node_range_out_of_range():
    def bad(graph, arrays):
        arrays["_tree.node_data.idx_end"][2] = 500

    assert knn_error(bad).path == "_tree.node_data.idx_end[2]"


def test_kd_tree_node_count_must_match_levels():
    def bad(graph, arrays):
        node = find_nodes(graph, lambda n: n.get("type", "").endswith(":KDTree"))[0]
        node["state"]["items"]["n_levels"] = 9

    assert knn_error(bad).path == "_tree.n_nodes"


@pytest.mark.parametrize("leaf_size", [0, False, -3])
def test_kd_tree_leaf_size_below_one(leaf_size):
    # kernel_density died of SIGFPE on a leaf size of 0 (KernelDensity.score_samples).
    def bad(graph, arrays):
        node = find_nodes(graph, lambda n: n.get("type", "").endswith(":KDTree"))[0]
        node["state"]["items"]["leaf_size"] = leaf_size

    assert knn_error(bad).path == "_tree.leaf_size"


def test_standalone_kd_tree_roundtrip_and_bad_bounds():
    tree = KDTree(X, leaf_size=4)
    back = amber.loads(amber.dumps(tree))
    assert np.array_equal(back.query(X, k=3)[1], tree.query(X, k=3)[1])
    graph, meta, arrays = parts(amber.dumps(tree))
    arrays["node_bounds"] = arrays["node_bounds"][:, :3].copy()
    error = load_error(rebuild(graph, meta, arrays), amber.InvalidStateError)
    assert error.path == "node_bounds"


@pytest.mark.parametrize(
    ("array", "change", "path"),
    [
        ("_fit_X", lambda a: a[:0], "_fit_X"),  # SIGFPE in brute force search before the check
        ("_fit_X", lambda a: a[:-1], "_fit_X"),
        ("_fit_X", lambda a: np.ascontiguousarray(a[:, :-1]), "_fit_X"),
        ("_y", lambda a: a[:-1], "_y"),
    ],
)
def test_brute_force_training_rows_must_match_their_count(array, change, path):
    brute = KNeighborsClassifier(3, algorithm="brute").fit(X, Y)
    graph, meta, arrays = parts(amber.dumps(brute))
    arrays[array] = change(arrays[array])
    error = load_error(rebuild(graph, meta, arrays), amber.InvalidStateError)
    assert error.path == path and "n_samples_fit_" in str(error)


def test_brute_force_feature_count_must_be_an_integer():
    brute = KNeighborsClassifier(3, algorithm="brute").fit(X, Y)
    graph, meta, arrays = parts(amber.dumps(brute))
    graph["state"]["items"]["n_features_in_"] = {"$": "ndarray", "array": 0}  # found by a fuzz
    error = load_error(rebuild(graph, meta, arrays), amber.InvalidStateError)
    assert error.path == "n_features_in_"


@pytest.mark.parametrize("kind", ["KMeans", "MiniBatchKMeans", "BisectingKMeans"])
def test_a_stored_thread_count_is_capped_at_this_machines(kind):
    # 2^31 made libgomp abort the process in predict, allocating 900 GB for the threads.
    from sklearn import cluster
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    model = getattr(cluster, kind)(3, random_state=0).fit(X)
    graph, meta, arrays = parts(amber.dumps(model))
    graph["state"]["items"]["_n_threads"] = 2**31
    back = amber.loads(rebuild(graph, meta, arrays))
    assert back._n_threads == _openmp_effective_n_threads()
    np.testing.assert_array_equal(back.predict(X), model.predict(X))
    for bad in (0, -1, "many", True):
        graph["state"]["items"]["_n_threads"] = bad
        error = load_error(rebuild(graph, meta, arrays), amber.InvalidStateError)
        assert error.path == "_n_threads"


# ---------------------------------------------------------------------------------------------
# HistGradientBoosting predictors.

FRAME = pd.DataFrame({"a": X[:, 0], "c": pd.Categorical(np.array(list("abcd"))[np.arange(80) % 4])})
HGB = HistGradientBoostingClassifier(max_iter=5, categorical_features="from_dtype").fit(FRAME, Y)
PREDICTOR = "_predictors[2][1].nodes"


def hgb_error(mutate):
    graph, meta, arrays = parts(amber.dumps(HGB, tier="generic"))
    mutate(arrays)
    return load_error(rebuild(graph, meta, arrays), amber.InvalidStateError)


def _split(arrays, categorical):
    leaf = arrays[f"{PREDICTOR}.is_leaf"]
    cat = arrays[f"{PREDICTOR}.is_categorical"]
    return int(np.flatnonzero((leaf == 0) & ((cat != 0) == categorical))[0])


def test_hgb_child_out_of_range():
    def bad(arrays):
        arrays[f"{PREDICTOR}.left"][0] = 999

    assert hgb_error(bad).path == f"{PREDICTOR}.left[0]"


def test_hgb_bitset_index_out_of_range():
    def bad(arrays):
        arrays[f"{PREDICTOR}.bitset_idx"][_split(arrays, True)] = 50

    error = hgb_error(bad)
    assert error.path.startswith(f"{PREDICTOR}.bitset_idx[")


def test_hgb_feature_out_of_range_and_categorical_on_numeric():
    def feature(arrays):
        arrays[f"{PREDICTOR}.feature_idx"][0] = 2

    assert hgb_error(feature).path == f"{PREDICTOR.replace('.nodes', '')}.nodes.feature_idx[0]"

    def categorical(arrays):
        node = _split(arrays, False)
        arrays[f"{PREDICTOR}.is_categorical"][node] = 1

    assert "numeric feature" in str(hgb_error(categorical))


def test_hgb_bitsets_shape():
    def bad(arrays):
        arrays["_predictors[2][1].raw_left_cat_bitsets"] = np.zeros((1, 3), np.uint32)

    assert hgb_error(bad).path == "_predictors[2][1].raw_left_cat_bitsets"


# ---------------------------------------------------------------------------------------------
# Random mutations: only amber errors, never another exception or a crash.

SMALL = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, Y)
SMALL_PARTS = parts(amber.dumps(SMALL, tier="generic"))
FOREST_PARTS = parts(amber.dumps(RandomForestClassifier(3, max_depth=3, random_state=0).fit(X, Y), tier="generic"))  # fmt: skip  # noqa: E501
PORTABLE_PARTS = parts(amber.dumps(PORTABLE))  # the default tier: family schemas
MUTATED = {"small": SMALL_PARTS, "forest": FOREST_PARTS, "portable": PORTABLE_PARTS}


JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1), st.floats(allow_nan=False, allow_infinity=False),  # noqa: E501
    st.sampled_from(["", "$", "object", "ndarray", "sklearn.tree._tree:Tree", "nan"]),
    st.just({"$": "ref", "id": 0}), st.just({"$": "ndarray", "array": 0}), st.just([]),
)  # fmt: skip


@settings(max_examples=180, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(sorted(MUTATED)), choice=st.integers(0, 10**6),
       value=JSON_VALUES, array_choice=st.integers(0, 10**6), scale=st.sampled_from([-1, 0, 2, 10**9]))  # fmt: skip  # noqa: E501
def test_random_mutations_raise_only_amber_errors(which, choice, value, array_choice, scale):
    graph, meta, arrays = copy.deepcopy(MUTATED[which])
    positions = list(graph_places(graph))
    graph = replace_at(graph, positions[choice % len(positions)], value)
    name = sorted(arrays)[array_choice % len(arrays)]
    if arrays[name].dtype.kind in "iuf" and arrays[name].size:
        with np.errstate(all="ignore"):
            new = np.asarray(scale).astype(arrays[name].dtype, casting="unsafe")
        arrays[name].flat[array_choice % arrays[name].size] = new
    try:
        data = rebuild(graph, meta, arrays)
    except amber.AmberError:
        return
    for look in (
        lambda: repr(amber.inspect(data=data)),
        lambda: amber.get_untrusted_types(data=data),
    ):
        with contextlib.suppress(amber.AmberError):  # what runs no code must not fail otherwise
            look()
    try:
        loaded = amber.loads(data)
    except amber.AmberError:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if hasattr(loaded, "predict"):
                loaded.predict(X)
        except Exception:  # a wrong value may fail in scikit-learn, but never crash
            pass
    json.dumps(meta)
