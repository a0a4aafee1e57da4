"""Mutation fuzzing of amber.load on real models' files, beyond the committed hypothesis test.

Fits small models of many families, dumps each with amber's default tier, then, run after
run, changes one or two values of a file (a graph value, or an element of an array), writes
the file again with the container writer and loads it. A load must give the object or raise an
amber.AmberError: any other exception is a finding, and so is a crash. A loaded model's
methods then run on a few rows: scikit-learn may raise there, but must not crash.

Crashes from a heap overflow surface loads later, when the damaged block is freed: run under
glibc's checks, keep the files, and replay them under valgrind to find the write. Cap the
address space: a count the loader trusts can ask for gigabytes (a MemoryError is a finding).

    ulimit -v 6000000
    MALLOC_CHECK_=3 PYTHONPATH=python python fuzz/mutate_models.py --seed 1 --runs 2000 \
        --save build/mutations
    PYTHONMALLOC=malloc valgrind -q python fuzz/mutate_models.py --replay build/mutations

`--shapes` is exhaustive instead of random: every array of every model's file in turn becomes
a variant one row or column shorter or longer, empty, flattened or of its dtype's other width,
or gets an extreme first or last element (-1, the integer maximum, NaN, -inf), and each file
loads and runs in a forked child, so that a crash is a finding, not the end of the sweep.
`--scalars` does the same for every integer of the graph, set to 0, -1, 2^31, 2^63-1 and
True in turn. Both run in make test (tests/python/test_mutation_sweeps.py, about 45 s and
60 s on two cores):

    PYTHONPATH=python python fuzz/mutate_models.py --shapes --save build/shapes
    PYTHONPATH=python python fuzz/mutate_models.py --scalars --save build/scalars

It found a params object replaced by a node loading as defaults (3c34ed4), a gradient
boosting init that made scikit-learn's predict_stages write past its rows (0754800), an
n_outputs of 2^31 that the tree loader sized a list by (6b019b8), libsvm models whose short
arrays crashed predict, a brute force neighbors search over fewer rows than it was told,
which divided by zero (--shapes, 000c3a5), a k-means thread count of 2^31 that made libgomp
abort the process (9588513) and a KD tree leaf size of 0 that divided by zero (b80a3ec).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import faulthandler
import gc
import os
import random
import resource
import signal
import sys
import traceback
import warnings
from pathlib import Path

# --shapes forks a child per file: an OpenMP pool started in the parent deadlocks the child's
# first parallel region (libgomp is not fork-safe). One thread starts no pool.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))
from amber_testing import graph_places, parts, rebuild, replace_at  # noqa: E402

import amber  # noqa: E402

#: What a mutation writes over a graph value.
VALUES = [
    None, True, False, 0, 1, -1, 2, 3, 7, 2**31, -(2**31), 2**63 - 1, -(2**63), 2**64 - 1, 0.5,
    -1e300, 1e300, "", "$", "nan", "inf", "ndarray", "object", "sklearn.tree._tree:Tree",
    {"$": "ref", "id": 0}, {"$": "ndarray", "array": 0}, {"$": "ndarray", "array": 1}, [], {},
    [1, 2],
]  # fmt: skip
#: What a mutation writes over an array element (cast to the array's dtype).
ELEMENTS = [-1, 0, 1, 2, 3, 10**9, -(10**9), 2**31 - 1, 255, 65535, np.nan, np.inf]
METHODS = ("predict", "predict_proba", "transform", "decision_function", "score_samples")


def training_data() -> tuple:
    """X, y, a regression target, X with a categorical column, and a mixed DataFrame."""
    rng = np.random.RandomState(0)
    X = rng.rand(120, 4)
    y = (X[:, 0] > 0.5).astype(int) + (X[:, 1] > 0.5)
    yr = X @ [1.0, 2.0, 0.0, -1.0]
    cat = np.c_[X[:, :3], rng.randint(0, 4, 120)]
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": rng.choice(["x", "y", "z"], 120)})
    return X, y, yr, cat, frame


def rows_for(name: str) -> object:
    """The rows a model of `name` runs its methods on."""
    X, _, _, cat, frame = training_data()
    special = {"hgb": cat[:5], "columns": frame.iloc[:5], "precomputed_svc": X[:5] @ X.T}
    return special.get(name, X[:5])


def models() -> dict:
    """{name: fitted model}."""
    from sklearn import (
        calibration,
        cluster,
        compose,
        decomposition,
        dummy,
        ensemble,
        impute,
        kernel_approximation,
        linear_model,
        manifold,
        mixture,
        naive_bayes,
        neighbors,
        neural_network,
        pipeline,
        preprocessing,
        semi_supervised,
        svm,
        tree,
    )

    X, y, yr, cat, frame = training_data()
    pre = preprocessing
    fitted = {
        "hgb": ensemble.HistGradientBoostingClassifier(max_iter=5, categorical_features=[3]).fit(
            cat, y
        ),
        "hgb_nan": ensemble.HistGradientBoostingRegressor(max_iter=5).fit(
            np.where(X > 0.9, np.nan, X), yr
        ),
        "gb": ensemble.GradientBoostingClassifier(n_estimators=5, max_depth=2, random_state=0).fit(
            X, y
        ),
        "gbr": ensemble.GradientBoostingRegressor(n_estimators=5, loss="huber", random_state=0).fit(
            X, yr
        ),
        "forest": ensemble.RandomForestClassifier(4, max_depth=4, random_state=0).fit(X, y),
        "iforest": ensemble.IsolationForest(n_estimators=5, random_state=0).fit(X),
        "ada": ensemble.AdaBoostClassifier(n_estimators=4, random_state=0).fit(X, y),
        "bagging": ensemble.BaggingClassifier(n_estimators=3, random_state=0).fit(X, y),
        "tree": tree.DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y),
        "knn": neighbors.KNeighborsClassifier(3, algorithm="kd_tree").fit(X, y),
        "ball": neighbors.KNeighborsClassifier(3, algorithm="ball_tree").fit(X, y),
        "birch": cluster.Birch(n_clusters=3).fit(X),
        "columns": pipeline.make_pipeline(
            compose.ColumnTransformer(
                [
                    ("oh", pre.OneHotEncoder(sparse_output=False), ["c"]),
                    ("sc", pre.StandardScaler(), ["a", "b"]),
                ]
            ),
            linear_model.LogisticRegression(),
        ).fit(frame, y),  # fmt: skip
        "kbins": pre.KBinsDiscretizer(3, random_state=0).fit(X),
        "spline": pre.SplineTransformer().fit(X),
        "quantile": pre.QuantileTransformer(n_quantiles=20).fit(X),
        "sparse": linear_model.LogisticRegression().fit(sp.csr_matrix(X), y),
        "calibrated": calibration.CalibratedClassifierCV(
            linear_model.LogisticRegression(), cv=3
        ).fit(X, y),
        "voting": ensemble.VotingClassifier(
            [("lr", linear_model.LogisticRegression()), ("nb", naive_bayes.GaussianNB())],
            voting="soft",
        ).fit(X, y),
        "svc": svm.SVC(probability=True, random_state=0).fit(X, y),
        "linear_svc": svm.LinearSVC().fit(X, y),
        "mlp": neural_network.MLPClassifier((5,), max_iter=50, random_state=0).fit(X, y),
        "pca": decomposition.PCA(2).fit(X),
        "imputers": pipeline.make_union(
            impute.SimpleImputer(), impute.KNNImputer(n_neighbors=2)
        ).fit(np.where(X > 0.9, np.nan, X)),
        "dummy": dummy.DummyClassifier(strategy="prior").fit(X, y),
        # Generic-tier models whose methods run compiled code over their fitted arrays.
        "nu_svc": svm.NuSVC(random_state=0).fit(X, y),
        "svr": svm.SVR().fit(X, yr),
        "one_class_svm": svm.OneClassSVM().fit(X),
        "sparse_svc": svm.SVC(random_state=0).fit(sp.csr_matrix(X), y),
        "precomputed_svc": svm.SVC(kernel="precomputed").fit(X @ X.T, y),
        "kmeans": cluster.KMeans(3, n_init=1, random_state=0).fit(X),
        "minibatch_kmeans": cluster.MiniBatchKMeans(3, n_init=1, random_state=0).fit(X),
        "bisecting_kmeans": cluster.BisectingKMeans(3, random_state=0).fit(X),
        "lof": neighbors.LocalOutlierFactor(5, novelty=True).fit(X),
        "brute": neighbors.KNeighborsRegressor(3, algorithm="brute").fit(X, yr),
        "radius": neighbors.RadiusNeighborsClassifier(0.5, outlier_label=0).fit(X, y),
        "density": neighbors.KernelDensity().fit(X),
        "lda": decomposition.LatentDirichletAllocation(2, max_iter=5, random_state=0).fit(X),
        "nmf": decomposition.NMF(2, max_iter=50, random_state=0).fit(X),
        "gmm": mixture.GaussianMixture(2, random_state=0).fit(X),
        "isomap": manifold.Isomap(n_neighbors=5, n_components=2).fit(X),
        "kernel_pca": decomposition.KernelPCA(2, kernel="rbf").fit(X),
        "nearest_centroid": neighbors.NearestCentroid().fit(X, y),
        "label_spreading": semi_supervised.LabelSpreading().fit(X, y),
        "nystroem": kernel_approximation.Nystroem(n_components=10, random_state=0).fit(X),
    }
    return fitted


def mutate(r: random.Random, graph, arrays) -> object:
    """One or two changes; returns the graph (the root itself may be replaced)."""
    for _ in range(r.choice([1, 1, 2])):
        if r.random() < 0.5:
            places = list(graph_places(graph))
            graph = replace_at(graph, r.choice(places), copy.deepcopy(r.choice(VALUES)))
            continue
        name = r.choice(sorted(arrays))
        array = arrays[name]
        if array.dtype.kind in "iufb" and array.size:
            with np.errstate(all="ignore"):
                new = np.asarray(r.choice(ELEMENTS)).astype(array.dtype, casting="unsafe")
            array.flat[r.randrange(array.size)] = new
    return graph


def exercise(model, rows) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in METHODS:
            fn = getattr(model, method, None)
            if fn is not None:
                with contextlib.suppress(Exception):  # scikit-learn may refuse a wrong value
                    fn(rows)


def looks_fine(data: bytes) -> bool:
    """Whether inspect() and get_untrusted_types(), which build nothing, gave a result or an
    AmberError (the traceback of anything else is printed)."""
    for look in (
        lambda: repr(amber.inspect(data=data)),
        lambda: amber.get_untrusted_types(data=data),
    ):  # noqa: E501
        try:
            look()
        except amber.AmberError:
            pass
        except Exception:  # noqa: BLE001 (the finding this looks for)
            traceback.print_exc()
            return False
    return True


def fuzz(seed: int, runs: int, names: list[str], save: Path | None) -> int:
    fitted = models()
    names = names or sorted(fitted)
    inputs = {name: rows_for(name) for name in names}
    base = {name: parts(amber.dumps(fitted[name])) for name in names}
    r = random.Random(seed)
    findings, counts = 0, {"loaded": 0, "refused": 0}
    for run in range(runs):
        name = r.choice(names)
        graph, meta, arrays = copy.deepcopy(base[name])
        graph = mutate(r, graph, arrays)
        try:
            data = rebuild(graph, meta, arrays)
        except amber.AmberError:
            continue
        if save is not None:
            (save / f"{run:05d}-{name}.amber").write_bytes(data)
        if not looks_fine(data):
            findings += 1
            print(f"FINDING run {run} ({name}): inspect or get_untrusted_types", flush=True)
        try:
            model = amber.loads(data)
        except amber.AmberError:
            counts["refused"] += 1
            continue
        except Exception:  # noqa: BLE001 (the finding this looks for)
            findings += 1
            print(f"FINDING run {run} ({name}): not an AmberError", flush=True)
            traceback.print_exc()
            continue
        counts["loaded"] += 1
        exercise(model, inputs[name])
    print(f"seed {seed}: {runs} runs, {counts}, {findings} findings", flush=True)
    return findings


def reshaped(array: np.ndarray) -> dict:
    """{variant: array}: the array one row or column shorter or longer, empty, flattened, of
    the other width of its kind, or with its first or last element set to an extreme (-1 or
    the maximum of an integer, NaN or -inf). A loader that checks values but not shapes
    hands compiled code arrays shorter than its loops; one that checks neither, indices
    past them."""
    out = {}
    if array.ndim >= 1:
        out["drop_row"], out["empty"] = array[:-1], array[:0]
        if len(array):
            out["extra_row"] = np.concatenate([array, array[-1:]])
    if array.ndim >= 2:
        out["drop_col"], out["flat"] = array[:, :-1], array.reshape(-1)
        if array.shape[1]:
            out["extra_col"] = np.concatenate([array, array[:, -1:]], axis=1)
    other = {"i4": "i8", "i8": "i4", "f8": "f4", "f4": "f8"}.get(array.dtype.str[1:])
    if other is not None:
        out["dtype"] = array.astype(other)
    # One element off its range, at each end: the index arrays compiled code trusts.
    kind = array.dtype.kind
    extremes = (
        (-1, np.iinfo(array.dtype).max) if kind == "i"
        else (np.iinfo(array.dtype).max,) if kind == "u"
        else (np.nan, -np.inf) if kind == "f"
        else ()
    )  # fmt: skip
    for k, value in enumerate(extremes if array.size else ()):
        for at, position in (("first", 0), ("last", array.size - 1)):
            changed = array.copy()
            changed.flat[position] = value
            out[f"{at}_{k}"] = changed
    return {key: np.ascontiguousarray(value) for key, value in out.items()}


def run_forked(data: bytes, rows) -> str | None:
    """Loads and exercises `data` in a forked child; what went wrong, or None. A crash kills
    the child, not the sweep; so do 4 GiB of address space and a minute's run."""
    pid = os.fork()
    if pid == 0:
        code = 0
        faulthandler.disable()  # the parent reports the signal; no dump per crash
        try:
            resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
            signal.alarm(60)  # a hang is a finding too: SIGALRM ends the child
            exercise(amber.loads(data), rows)
        except amber.AmberError:
            code = _REFUSED
        except BaseException:  # noqa: BLE001 (the finding this looks for)
            traceback.print_exc()
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    if os.WEXITSTATUS(status) == _REFUSED:
        return "refused"
    if os.WEXITSTATUS(status):
        return "load raised something other than an AmberError"
    return None


_REFUSED = 5  # the child's exit status for a file the loader refused


def array_variants(graph, arrays):
    """(label, graph, arrays): each array in turn replaced by each of its `reshaped` forms."""
    for array_name, array in arrays.items():
        for variant, value in reshaped(array).items():
            yield f"{array_name} {variant}", graph, {**arrays, array_name: value}


#: What --scalars writes over each integer of a graph: the counts and sizes a loader trusts.
SCALARS = (0, -1, 2**31, 2**63 - 1, True)


def scalar_variants(graph, arrays):
    """(label, graph, arrays): each integer value of the graph in turn set to each of SCALARS."""
    places = [at for at in graph_places(graph) if _integer_at(graph, at)]
    for at in places:
        for value in SCALARS:
            yield (
                f"{'/'.join(map(str, at))}={value}",
                replace_at(copy.deepcopy(graph), at, value),
                arrays,
            )


def _integer_at(graph, at) -> bool:
    node = graph
    for key in at:
        node = node[key]
    return isinstance(node, int) and not isinstance(node, bool)


def sweep(names: list[str], save: Path | None, variants) -> int:
    """Every variant of every model's file, loaded and run in a forked child."""
    fitted = models()
    findings = cases = refused = 0
    for name in names or sorted(fitted):
        graph, meta, arrays = parts(amber.dumps(fitted[name]))
        for label, new_graph, new_arrays in variants(graph, arrays):
            try:
                data = rebuild(new_graph, meta, new_arrays)
            except amber.AmberError:
                continue
            cases += 1
            problem = run_forked(data, rows_for(name))
            if problem == "refused":
                refused += 1
            elif problem is not None:
                findings += 1
                print(f"FINDING {name}: {label}: {problem}", flush=True)
                if save is not None:
                    (save / f"{cases:05d}-{name}.amber").write_bytes(data)
    print(f"{variants.__name__}: {cases} files ({refused} refused), {findings} findings")
    return findings


def replay(folder: Path) -> None:
    """Loads and runs every saved file in one process (for valgrind: nothing is fitted)."""
    for path in sorted(folder.glob("*.amber")):
        print("file", path, flush=True)
        try:
            model = amber.loads(path.read_bytes())
        except amber.AmberError:
            continue
        exercise(model, rows_for(path.stem.split("-", 1)[1]))
        del model
        gc.collect()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--models", nargs="*", default=[], help="names (default: all)")
    parser.add_argument("--save", type=Path, help="keep every mutated file here")
    parser.add_argument("--replay", type=Path, help="load the files saved in this folder")
    parser.add_argument(
        "--shapes", action="store_true", help="replace each array by reshaped variants, in turn"
    )
    parser.add_argument(
        "--scalars", action="store_true", help="set each integer of the graph to extremes, in turn"
    )
    args = parser.parse_args()
    faulthandler.enable()
    if args.replay:
        replay(args.replay)
        return 0
    if args.save:
        os.makedirs(args.save, exist_ok=True)
    if args.shapes or args.scalars:
        variants = array_variants if args.shapes else scalar_variants
        return 1 if sweep(args.models, args.save, variants) else 0
    return 1 if fuzz(args.seed, args.runs, args.models, args.save) else 0


if __name__ == "__main__":
    sys.exit(main())
