"""amber.container: the user-facing write/open/read_bytes API over amber._core."""

import gc
import io
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from conftest import NUMERIC_DTYPES, assert_same, sample
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import amber
from amber import container, errors


def test_package_exports():
    assert amber.__version__ == "0.1.0"
    assert amber.container is container
    assert amber.errors is errors
    assert container.FORMAT_VERSION == (2, 1)


def test_no_pickle_anywhere():
    import amber.container  # noqa: F401

    for name in ("pickle", "joblib", "cloudpickle"):
        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith("amber"):
                assert name not in vars(module)
    source_dir = os.path.dirname(amber.__file__)
    for file in os.listdir(source_dir):
        if file.endswith(".py"):
            with open(os.path.join(source_dir, file), encoding="utf-8") as f:
                text = f.read()
            assert "import pickle" not in text and "joblib" not in text


@pytest.mark.parametrize("compression", ["default", "none", None, "zstd", 1, 3, 19, "max"])
def test_round_trip_every_dtype(tmp_path, compression):
    arrays = {d: sample(d, (200, 3), seed=i) for i, d in enumerate(NUMERIC_DTYPES)}
    path = tmp_path / "all.amber"
    digest = container.write(path, arrays, compression=compression)
    with container.open(path) as c:
        assert c.digest == digest
        assert len(c) == len(arrays)
        for name, expected in arrays.items():
            assert_same(c.array(name, check_checksum=True), expected)
        for got, expected in zip(c.arrays(check_checksum=True), arrays.values(), strict=True):
            assert_same(got, expected)
        c.verify()
        infos = c.array_infos
    raw = compression in ("none", None)
    assert {i["codec"] for i in infos} == {"raw" if raw else "zstd"}
    if not raw:
        # Every array here is under 16 KiB: level 3 by default (see the test below).
        level = {"max": 19, "default": 3, "zstd": 3}.get(compression, compression)
        assert {i["level"] for i in infos} == {level}


def test_sequence_gives_unnamed_arrays(tmp_path):
    path = tmp_path / "s.amber"
    container.write(path, [np.arange(3), np.ones((2, 2))])
    c = container.open(path)
    assert [i["name"] for i in c.array_infos] == ["", ""]
    assert_same(c.array(1), np.ones((2, 2)))
    assert_same(c.array(-2), np.arange(3))
    with pytest.raises(IndexError):
        c.array(2)
    with pytest.raises(KeyError):
        c.array("missing")


def test_graph_and_metadata(tmp_path):
    graph = {"type": "object", "children": [1, 2.5, None, True, "é", {"nested": [[]]}]}
    metadata = {"amber": "0.1.0", "tags": ["a", "b"], "score": 0.93}
    path = tmp_path / "g.amber"
    container.write(path, {}, graph=graph, metadata=metadata)
    c = container.open(path)
    assert c.graph == graph
    assert c.metadata == metadata
    assert c.manifest["arrays"] == []
    assert container.open(path).format_version == (2, 1)


# A graph like a boosting model's: the same keys and names once per tree.
LONG_GRAPH = [
    {"kind": "object", "name": "sklearn.tree:DecisionTreeRegressor", "n": i} for i in range(300)
]


@pytest.mark.parametrize("compression", ["default", "max", 3])
def test_compressed_files_store_a_compressed_manifest(tmp_path, compression):
    path = tmp_path / "z.amber"
    container.write(path, {"x": np.arange(5)}, graph=LONG_GRAPH, compression=compression)
    text = tmp_path / "t.amber"
    container.write(text, {"x": np.arange(5)}, graph=LONG_GRAPH, compression="none")
    c = container.open(path)
    assert c.manifest_compressed
    assert c.graph == LONG_GRAPH
    assert c.metadata == container.open(text).metadata
    assert path.stat().st_size * 5 < text.stat().st_size
    assert_same(c.array("x"), np.arange(5))


def test_uncompressed_files_keep_a_text_manifest(tmp_path):
    path = tmp_path / "t.amber"
    container.write(path, {}, graph=LONG_GRAPH, compression="none")
    assert not container.open(path).manifest_compressed
    assert b'"sklearn.tree:DecisionTreeRegressor"' in path.read_bytes()


def test_defaults_are_null_graph_and_empty_metadata(tmp_path):
    path = tmp_path / "d.amber"
    container.write(path, [])
    c = container.open(path)
    assert c.graph is None
    assert c.metadata == {}
    assert len(c) == 0
    assert c.arrays() == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"metadata": [1, 2]}, "metadata must be a dict"),
        ({"metadata": {"x": float("nan")}}, "metadata is not JSON"),
        ({"graph": {"f": object()}}, "graph is not JSON"),
        ({"compression": 0}, "compression"),
        ({"compression": 20}, "compression"),
        ({"compression": True}, "compression"),
        ({"compression": "lzma"}, "compression"),
    ],
)
def test_invalid_arguments(tmp_path, kwargs, match):
    with pytest.raises(errors.InvalidArgumentError, match=match):
        container.write(tmp_path / "x.amber", [np.zeros(2)], **kwargs)
    assert os.listdir(tmp_path) == []


def test_object_array_with_non_str_names_the_array(tmp_path):
    bad = np.array(["ok", 3], dtype=object)
    with pytest.raises(errors.InvalidArgumentError, match="array 1 'labels'"):
        container.write(tmp_path / "x.amber", {"a": np.zeros(1), "labels": bad})


def test_string_arrays(tmp_path):
    arrays = {
        "unicode": np.array([["", "abc"], ["ñandú", "🙂"]]),
        "objects": np.array(["x", "", "日本", "a\x00b"], dtype=object),
        "scalar": np.array("alone"),
        "empty": np.array([], dtype=str),
        "empty2d": np.empty((2, 0), dtype=object),
    }
    path = tmp_path / "s.amber"
    container.write(path, arrays, compression="none")
    c = container.open(path)
    for name, expected in arrays.items():
        got = c.array(name, check_checksum=True)
        assert got.dtype == object
        assert got.shape == expected.shape
        assert got.tolist() == expected.tolist()
    c.verify()


def test_big_endian_and_non_contiguous_inputs(tmp_path):
    big = np.arange(12, dtype=">f8").reshape(3, 4)
    strided = np.arange(100, dtype=np.int16).reshape(10, 10)[::3, ::-2]
    fortran = np.asfortranarray(np.arange(6, dtype=">u4").reshape(2, 3))
    path = tmp_path / "e.amber"
    container.write(path, [big, strided, fortran], compression="none")
    c = container.open(path)
    got = c.arrays()
    assert got[0].dtype == np.dtype("<f8")
    np.testing.assert_array_equal(got[0], big)
    assert_same(got[1], strided.copy())
    assert got[2].dtype == np.dtype("<u4")
    np.testing.assert_array_equal(got[2], fortran)
    assert got[2].flags.c_contiguous


def test_raw_arrays_are_read_only_and_outlive_the_container(tmp_path):
    expected = sample("float64", (50, 4))
    path = tmp_path / "r.amber"
    container.write(path, {"w": expected}, compression="none")
    c = container.open(path)
    array = c.array("w")
    assert array.flags.writeable is False
    assert array.base is not None
    del c
    gc.collect()
    assert_same(array, expected)


def test_decoded_arrays_are_writeable(tmp_path):
    path = tmp_path / "z.amber"
    container.write(path, {"w": np.arange(10.0)})
    array = container.open(path).array("w")
    assert array.flags.writeable
    array += 1
    np.testing.assert_array_equal(container.open(path).array("w"), np.arange(10.0))


def test_close_and_context_manager(tmp_path):
    path = tmp_path / "c.amber"
    container.write(path, {"a": np.arange(4)}, compression="none")
    with container.open(path) as c:
        kept = c.array("a")
    with pytest.raises(errors.InvalidArgumentError, match="closed"):
        c.array("a")
    with pytest.raises(errors.InvalidArgumentError):
        len(c)
    assert "closed" in repr(c)
    gc.collect()
    assert kept.tolist() == [0, 1, 2, 3]


def test_file_objects_and_read_bytes(tmp_path):
    buffer = io.BytesIO()
    digest = container.write(buffer, {"a": np.arange(7)}, metadata={"k": "v"})
    data = buffer.getvalue()
    c = container.read_bytes(data)
    assert c.digest == digest
    assert c.metadata == {"k": "v"}
    assert_same(c.array("a"), np.arange(7))
    path = tmp_path / "p.amber"
    assert container.write(path, {"a": np.arange(7)}, metadata={"k": "v"}) == digest
    assert path.read_bytes() == data
    assert container.read_bytes(bytearray(data)).digest == digest


def test_read_bytes_checks_like_open():
    with pytest.raises(errors.NotAmberFileError):
        container.read_bytes(b"\x00" * 256)
    with pytest.raises(errors.TruncatedFileError):
        container.read_bytes(b"")


def test_missing_folder_leaves_nothing(tmp_path):
    target = tmp_path / "nope" / "m.amber"
    with pytest.raises(errors.AmberIOError):
        container.write(target, [np.zeros(3)])
    assert os.listdir(tmp_path) == []


def test_replace_keeps_the_old_file_readable_by_its_container(tmp_path):
    path = tmp_path / "m.amber"
    old = np.arange(1000, dtype=np.int64)
    new = -np.arange(2000, dtype=np.int64)
    old_digest = container.write(path, {"v": old}, compression="none")
    old_container = container.open(path)
    old_view = old_container.array("v")
    new_digest = container.write(path, {"v": new}, compression="none")
    assert new_digest != old_digest
    assert os.listdir(tmp_path) == ["m.amber"]
    assert_same(old_view, old)
    assert_same(old_container.array("v", check_checksum=True), old)
    assert old_container.digest == old_digest
    old_container.verify()
    assert_same(container.open(path).array("v"), new)


def test_concurrent_reads_from_python_threads(tmp_path):
    arrays = {f"a{i}": sample("float32", (20_000,), seed=i) for i in range(6)}
    path = tmp_path / "t.amber"
    container.write(path, arrays, compression=1, threads=2)
    c = container.open(path)

    def read_all(_):
        return c.arrays(check_checksum=True, threads=2)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(read_all, range(8)))
    for result in results:
        for got, expected in zip(result, arrays.values(), strict=True):
            assert_same(got, expected)
    c.verify(threads=2)


@settings(max_examples=40, deadline=None)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from(NUMERIC_DTYPES).map(np.dtype),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
    ),
    compression=st.sampled_from(["none", "default", 1, 19]),
    big_endian=st.booleans(),
)
def test_round_trip_property(array, compression, big_endian):
    if big_endian:
        array = array.astype(array.dtype.newbyteorder(">"))
    out = io.BytesIO()
    container.write(out, [array], compression=compression)
    got = container.read_bytes(out.getvalue()).array(0, check_checksum=True)
    assert got.shape == array.shape
    assert got.dtype == array.dtype.newbyteorder("=")
    assert got.tobytes() == array.astype(got.dtype).tobytes()


@pytest.mark.parametrize(
    ("compression", "chunk"), [("default", 1 << 20), (9, 1 << 20), (10, 4 << 20), ("max", 4 << 20)]
)
def test_fast_levels_write_small_frames_strong_levels_large_ones(compression, chunk):
    """1 MiB frames let a streamed load start sooner; strong levels keep 4 MiB for the ratio."""
    data = np.arange(1_500_000, dtype=np.float64) % 1000  # 12 MB: several frames either way
    buffer = io.BytesIO()
    amber.container.write(buffer, {"x": data}, compression=compression)
    opened = amber.container.read_bytes(buffer.getvalue())
    info = opened.array_infos[0]
    assert (info["codec"], info["chunk"]) == ("zstd", chunk)
    assert info["frames"] == -(-data.nbytes // chunk)
    assert np.array_equal(opened.array(0), data)


@pytest.mark.parametrize(
    ("compression", "small", "large"),
    [("default", 3, 7), ("zstd", 3, 7), (7, 7, 7), (5, 5, 5), ("max", 19, 19)],
)
def test_the_default_compresses_small_arrays_at_level_3(compression, small, large):
    """Level 7 costs small arrays the setup of its search tables; a chosen level is kept."""
    below = np.arange(2047, dtype=np.float64) % 10  # one element under 16 KiB
    at = np.arange(2048, dtype=np.float64) % 10
    buffer = io.BytesIO()
    amber.container.write(buffer, {"below": below, "at": at}, compression=compression)
    opened = amber.container.read_bytes(buffer.getvalue())
    assert [info["level"] for info in opened.array_infos] == [small, large]
    assert np.array_equal(opened.array(0), below) and np.array_equal(opened.array(1), at)
