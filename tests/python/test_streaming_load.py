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

    def spy(self, decoding):
        started.append(len(decoding))
        real(self, decoding)

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
    """Pending arrays are 0xFF bytes until a wait() copies the real ones in: a reader that
    reads past what it waited for builds garbage or fails."""

    def __init__(self, whole):
        self._whole, self._done = whole, {}

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

        return poisoned, wait

    def finish(self):
        pass


@pytest.mark.parametrize("name", sorted(MODELS))
def test_readers_read_only_the_rows_they_waited_for(name, monkeypatch, tmp_path):
    model = MODELS[name]()
    path = tmp_path / "m.amber"
    amber.dump(model, path)
    whole = amber.load(path)
    monkeypatch.setattr(
        container.Container,
        "arrays_streaming",
        lambda self, check_checksum=True: PoisonedUntilWaited(self.arrays(check_checksum)),
    )
    assert_same(amber.load(path), whole)


def test_a_hostile_tree_is_refused_with_its_path_while_streaming(streamed):
    from amber_testing import parts

    model = RandomForestClassifier(4, max_depth=4, random_state=0).fit(X, Y)
    graph, meta, arrays = parts(amber.dumps(model))
    offsets = arrays["trees.node_offsets"]
    arrays["trees.left"][offsets[2]] = 10**6  # tree 2's root points past its nodes
    buffer = io.BytesIO()
    container.write(buffer, arrays, graph=graph, metadata=meta)  # compressed: streamed
    with pytest.raises(amber.InvalidStateError, match=r"estimators_\[2\]\.tree_\.left\[0\]"):
        amber.loads(buffer.getvalue())
    assert streamed


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
    array, wait = streamed.pending(0)
    wait(8 * 1000)  # the first thousand elements are final from here on
    assert np.array_equal(array[:1000], whole[0][:1000])
    for i in range(len(whole)):
        assert np.array_equal(streamed[i], whole[i])
    streamed.finish()
    assert np.array_equal(array, whole[0])


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
