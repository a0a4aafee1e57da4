"""Loading big files while their arrays are still being decoded (container.StreamedArrays):
the same objects as a whole decode, the same errors for hostile trees, and damage found."""

import io
import os
import struct

import numpy as np
import pytest
from amber_testing import assert_same
from sklearn.ensemble import (
    BaggingRegressor,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    IsolationForest,
    RandomForestClassifier,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import amber
from amber import container

rng = np.random.RandomState(0)
X = rng.rand(400, 6)
Y = (X[:, 0] + 0.3 * rng.rand(400) > 0.6).astype(int) + (X[:, 1] > 0.5)
YR = X @ rng.rand(6) + 0.1 * rng.rand(400)

MODELS = {
    "forest": lambda: RandomForestClassifier(20, random_state=0).fit(X, Y),
    "extra_trees": lambda: ExtraTreesRegressor(10, random_state=0).fit(X, YR),
    "tree": lambda: DecisionTreeClassifier(random_state=0).fit(X, Y),
    "boosting": lambda: GradientBoostingClassifier(n_estimators=15, random_state=0).fit(X, Y),
    "hist_boosting": lambda: HistGradientBoostingClassifier(max_iter=15).fit(X, Y),
    "isolation": lambda: IsolationForest(n_estimators=15, random_state=0).fit(X),
    "bagging": lambda: BaggingRegressor(DecisionTreeRegressor(), 8, random_state=0).fit(X, YR),
}


@pytest.fixture
def streamed(monkeypatch):
    """Every load streams (the threshold is for speed only), and counts that it did."""
    started = []
    real = container.StreamedArrays.__init__

    def spy(self, decoding, *shared):
        started.append(len(decoding))
        real(self, decoding, *shared)

    monkeypatch.setattr(container, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(container.StreamedArrays, "__init__", spy)
    return started


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_streamed_load_gives_the_same_estimator(name, streamed, monkeypatch, tmp_path):
    model = MODELS[name]()
    path = tmp_path / "m.amber"
    amber.dump(model, path)
    back = amber.load(path)
    assert streamed, "the load did not stream"
    monkeypatch.setattr(container, "_PARALLEL_BYTES", 1 << 62)
    assert_same(amber.load(path), back)  # bit for bit what a whole decode builds
    assert len(streamed) == 1
    for method in ("predict", "predict_proba", "decision_function", "score_samples"):
        if hasattr(model, method):
            assert np.array_equal(getattr(back, method)(X), getattr(model, method)(X)), method


class PoisonedUntilWaited(container.StreamedArrays):
    """Pending arrays are 0xFF bytes until a wait() copies the real ones in, and again after a
    release() of them: a reader that reads past what it waited for, or what it released, builds
    garbage or fails."""

    def __init__(self, whole):
        self._whole, self._done, self.released = whole, {}, {}

    def __len__(self):
        return len(self._whole)

    def __getitem__(self, i):
        return self._done.get(i, self._whole[i])

    def pending(self, i):
        real = self._whole[i]
        poisoned = np.frombuffer(bytearray(b"\xff" * real.nbytes), real.dtype).reshape(real.shape)

        def wait(nbytes):
            n = min(nbytes, real.nbytes)
            poisoned.view(np.uint8).reshape(-1)[:n] = real.view(np.uint8).reshape(-1)[:n]

        def release(nbytes):
            poisoned.view(np.uint8).reshape(-1)[:nbytes] = 0xFF
            self.released[i] = max(self.released.get(i, 0), min(nbytes, real.nbytes))

        return poisoned, wait, release

    def finish(self):
        pass


@pytest.mark.parametrize("name", sorted(MODELS))
def test_readers_read_only_the_rows_they_waited_for_and_kept(name, monkeypatch, tmp_path):
    model = MODELS[name]()
    path = tmp_path / "m.amber"
    amber.dump(model, path)
    whole = amber.load(path)
    opened = []

    def poisoned(self, check_checksum=True):
        opened.append(PoisonedUntilWaited(self.arrays(check_checksum)))
        return opened[-1]

    monkeypatch.setattr(container.Container, "arrays_streaming", poisoned)
    assert_same(amber.load(path), whole)
    if name != "hist_boosting":  # tree columns are given back once the trees are built
        names = [a["name"] for a in container.open(path).manifest["arrays"]]
        released = {names[i].rsplit(".", 1)[-1] for i in opened[0].released}
        assert released == {"left", "right", "feature", "threshold", "impurity",
                            "n_node_samples", "weighted_n_node_samples", "missing_left",
                            "value"}  # fmt: skip


def test_columns_are_given_back_as_the_trees_are_built(streamed, monkeypatch, tmp_path):
    freed = []
    real = container.StreamedArrays.pending

    def counting(self, i):
        array, wait, release = real(self, i)
        if release is None:
            return array, wait, release
        return array, wait, lambda nbytes: freed.append(release(nbytes))

    monkeypatch.setattr(container.StreamedArrays, "pending", counting)
    model = RandomForestClassifier(60, random_state=0).fit(X, Y)  # columns of several pages
    path = tmp_path / "m.amber"
    amber.dump(model, path)
    back = amber.load(path)
    assert sum(freed) > 0
    assert np.array_equal(back.predict_proba(X), model.predict_proba(X))


def _trees_objects(node) -> list[dict]:
    """The `trees` column objects of a graph (dicts with node_offsets), in document order."""
    found = []
    if isinstance(node, dict):
        if "node_offsets" in node:
            found.append(node)
        for value in node.values():
            found += _trees_objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _trees_objects(value)
    return found


def test_columns_two_nodes_name_are_kept_for_both(streamed):
    """A file may name one array from two places (a crafted one, or a future writer): giving
    its memory back after the first reader would hand zeros to the second."""
    from amber_testing import parts
    from sklearn.ensemble import VotingClassifier

    forest = RandomForestClassifier(30, random_state=0)
    model = VotingClassifier([("a", forest), ("b", forest)], voting="soft").fit(X, Y)
    graph, meta, arrays = parts(amber.dumps(model))
    first, second = _trees_objects(graph)
    second.clear()
    second.update(first)  # the second forest's columns are the first one's arrays
    buffer = io.BytesIO()
    container.write(buffer, arrays, graph=graph, metadata=meta)
    shared = container.read_bytes(buffer.getvalue())._open_reader().shared_arrays()
    assert shared == {node["array"] for node in first.values()}
    back = amber.loads(buffer.getvalue())
    expected = model.estimators_[0].predict_proba(X)
    for estimator in back.estimators_:
        assert np.array_equal(estimator.predict_proba(X), expected)


def _manifest(data: bytes) -> tuple[dict, int]:
    """The manifest (the reader decodes it when stored compressed) and the data offset."""
    return container.read_bytes(data).manifest, struct.unpack_from("<Q", data, 24)[0]


def test_damaged_compressed_bytes_fail_the_load_naming_the_array(streamed):
    data = bytearray(amber.dumps(MODELS["forest"]()))
    manifest, data_offset = _manifest(bytes(data))
    index, entry = next(
        (i, a) for i, a in enumerate(manifest["arrays"]) if a["name"] == "trees.threshold"
    )
    assert entry["codec"] == "zstd"
    data[data_offset + entry["offset"] + entry["length"] // 2] ^= 0x40
    with pytest.raises(
        amber.errors.ChecksumMismatchError, match=f"array {index} 'trees.threshold'"
    ):
        amber.loads(bytes(data))


def test_streamed_arrays_match_a_whole_decode(tmp_path, monkeypatch):
    monkeypatch.setattr(container, "_PARALLEL_BYTES", 0)
    arrays = {
        "big": np.arange(2_000_000, dtype=np.float64) % 97,
        "ints": np.arange(500_000, dtype=np.int32) // 7,
        "names": np.array(["a", "bé", ""], dtype=object),
    }
    path = tmp_path / "a.amber"
    container.write(path, arrays)
    opened = container.open(path)
    whole = opened.arrays(check_checksum=True)
    streamed = opened.arrays_streaming()
    assert isinstance(streamed, container.StreamedArrays)
    array, wait, release = streamed.pending(0)
    wait(8 * 1000)  # the first thousand elements are final from here on
    assert np.array_equal(array[:1000], whole[0][:1000])
    for i in range(len(whole)):
        assert np.array_equal(streamed[i], whole[i])
    streamed.finish()
    assert np.array_equal(array, whole[0])
    assert release(8 * 1_000_000) > 0  # half of the 16 MB it holds
    assert np.array_equal(array[1_000_000:], whole[0][1_000_000:])
    assert not array[:500_000].any()  # what went back reads as zeros


def test_a_small_file_is_decoded_at_once():
    opened = container.read_bytes(amber.dumps(MODELS["tree"]()))
    assert isinstance(opened.arrays_streaming(), list)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_child_loads_too(tmp_path, monkeypatch):
    # The decode threads are started once per process: a child forked after the parent used
    # them (multiprocessing's default start method on Linux) must not wait for threads that
    # fork() did not copy (tests/cpp/parallel_test.cpp checks that it gets threads of its own).
    monkeypatch.setattr(container, "_PARALLEL_BYTES", 0)
    model = MODELS["forest"]()
    path = tmp_path / "forest.amber"
    amber.dump(model, path)
    expected = model.predict_proba(X)
    assert_same(amber.load(path).predict_proba(X), expected)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit status only
        code = 1  # also on any exception: the child must never return into pytest
        try:
            same = np.array_equal(amber.load(path).predict_proba(X), expected)
            code = 0 if same and len(container.open(path).arrays()) > 0 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
