"""amber._core.Writer (src/bindings/bind_writer.cpp): codecs, lifetimes, atomic writes."""

import gc
import os

import numpy as np
import pytest
from conftest import NUMERIC_DTYPES, assert_same, sample

from amber import _core, errors

CODECS = [
    {"compress": False},
    {"compress": True, "level": 1, "filter": "none"},
    {"compress": True, "level": 3, "filter": "shuffle"},
    {"compress": True, "level": 3, "filter": "auto"},
    {"compress": True, "level": 19, "filter": "auto"},
    {"compress": True, "level": 1, "filter": "shuffle", "chunk": 4096},
]


def codec_id(codec):
    return "-".join(f"{k}={v}" for k, v in codec.items())


def round_trip(array, **codec):
    writer = _core.Writer()
    assert writer.add_array(array, name="a", **codec) == 0
    reader = _core.Reader.from_bytes(writer.to_bytes())
    return reader, reader.array(0, check_checksum=True)


@pytest.mark.parametrize("codec", CODECS, ids=codec_id)
@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
def test_round_trip_is_byte_exact(dtype, codec):
    array = sample(dtype, (129, 7), seed=len(dtype))
    reader, got = round_trip(array, **codec)
    assert_same(got, array)
    info = reader.array_info(0)
    assert info["codec"] == ("zstd" if codec["compress"] else "raw")
    assert info["dtype"] == dtype
    if codec["compress"]:
        assert info["level"] == codec["level"]
        assert info["chunk"] == codec.get("chunk", 4 << 20)
        if np.dtype(dtype).itemsize == 1:
            assert info["filter"] == "none"  # shuffle is meaningless for one-byte items
        elif codec["filter"] != "auto":
            assert info["filter"] == codec["filter"]
    reader.verify()


def test_small_chunks_make_many_frames():
    array = np.arange(1000, dtype=np.float64)
    reader, got = round_trip(array, chunk=1024)
    assert reader.array_info(0)["frames"] == 8  # ceil(8000 / 1024)
    assert_same(got, array)


def test_compression_shrinks_regular_data():
    array = np.zeros(100_000, dtype=np.float64)
    reader, _ = round_trip(array, level=3)
    assert reader.array_info(0)["length"] < 2000


def test_add_array_returns_consecutive_indices():
    writer = _core.Writer()
    assert writer.add_array(np.zeros(3)) == 0
    assert writer.add_string_array(["a"], (1,)) == 1
    assert writer.add_array(np.ones(2, dtype=np.int8), compress=False) == 2


def test_writer_keeps_the_arrays_alive():
    writer = _core.Writer()
    writer.add_array(np.arange(10_000, dtype=np.int64) * 3, compress=False)
    writer.add_array(np.arange(10_000, dtype=np.int64) * 5)
    gc.collect()
    _ = [np.full(10_000, -1, dtype=np.int64) for _ in range(50)]  # reuse freed memory
    reader = _core.Reader.from_bytes(writer.to_bytes())
    assert_same(reader.array(0), np.arange(10_000, dtype=np.int64) * 3)
    assert_same(reader.array(1), np.arange(10_000, dtype=np.int64) * 5)


def test_non_contiguous_input_is_copied_by_the_binding():
    base = np.arange(60, dtype=np.int32).reshape(6, 10)
    reader, got = round_trip(base[::2, 1::3], compress=False)
    assert_same(got, base[::2, 1::3].copy())


def test_string_arrays_round_trip():
    values = ["", "ascii", "é", "中文", "🙂🙂", "nul\x00inside"]
    writer = _core.Writer()
    writer.add_string_array(values, (3, 2), name="s", compress=True, level=19)
    writer.add_string_array(values, (6,), compress=False)
    reader = _core.Reader.from_bytes(writer.to_bytes())
    assert reader.array(0).tolist() == [values[0:2], values[2:4], values[4:6]]
    assert reader.array(1).tolist() == values
    assert reader.array_info(0)["filter"] == "none"
    reader.verify()


def test_string_shape_must_match_the_count():
    with pytest.raises(errors.InvalidArgumentError, match="3 strings"):
        _core.Writer().add_string_array(["a", "b", "c"], (2, 2))


def test_graph_and_metadata_are_validated():
    writer = _core.Writer()
    with pytest.raises(errors.InvalidArgumentError, match="graph"):
        writer.set_graph_json("{not json")
    with pytest.raises(errors.InvalidArgumentError, match="duplicate"):
        writer.set_graph_json('{"a":1,"a":2}')
    with pytest.raises(errors.InvalidArgumentError, match="metadata"):
        writer.set_metadata_json("[1, 2]")  # metadata is an object


def test_to_bytes_is_deterministic_and_matches_write(tmp_path):
    def build():
        writer = _core.Writer(threads=2)
        writer.add_array(sample("float32", (300, 3)), name="w")
        writer.add_string_array(["x", "y"], (2,), name="labels")
        # Pieces bigger than the writer's 64 KiB gathering buffer go out on their own, between
        # small ones that are gathered: the file must not depend on which.
        writer.add_array(sample("float64", (10_000, 2)), name="big_raw", compress=False)
        writer.add_array(sample("int64", (3,)), name="small")
        writer.add_array(sample("float64", (40_000,)), name="big_zstd")
        writer.set_graph_json('{"k":[1,2.5,"s"]}')
        return writer

    path = tmp_path / "d.amber"
    digest = build().write(path)
    assert path.read_bytes() == build().to_bytes()
    assert _core.Reader.open(path).digest == digest


def test_writer_limits_refuse_what_a_reader_would(tmp_path):
    writer = _core.Writer(limits={"max_arrays": 1})
    writer.add_array(np.zeros(2))
    with pytest.raises(errors.InvalidArgumentError, match="max_arrays"):
        writer.add_array(np.zeros(2))
    assert _core.Reader.from_bytes(writer.to_bytes()).array_count == 1
    with pytest.raises(errors.InvalidArgumentError, match="nope"):
        _core.Writer(limits={"nope": 1})


def test_write_into_a_missing_folder_fails_and_leaves_nothing(tmp_path):
    writer = _core.Writer()
    writer.add_array(np.zeros(4))
    target = tmp_path / "missing" / "m.amber"
    with pytest.raises(errors.AmberIOError):
        writer.write(target)
    assert not target.parent.exists()
    assert os.listdir(tmp_path) == []


def test_write_replaces_a_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "m.amber"
    target.write_bytes(b"old content")
    writer = _core.Writer()
    writer.add_array(np.arange(5.0))
    writer.write(target)
    assert os.listdir(tmp_path) == ["m.amber"]
    assert_same(_core.Reader.open(target).array(0), np.arange(5.0))


def test_failed_rename_leaves_the_target_and_no_temporary(tmp_path):
    target = tmp_path / "m.amber"
    target.mkdir()  # renaming a file over a folder fails
    (target / "inside").write_bytes(b"kept")
    writer = _core.Writer()
    writer.add_array(np.zeros(3))
    with pytest.raises(errors.AmberIOError):
        writer.write(target)
    assert os.listdir(tmp_path) == ["m.amber"]
    assert (target / "inside").read_bytes() == b"kept"


def test_big_endian_input_is_refused_by_the_binding():
    # numpy exports no DLPack for non-native byte order; amber.container converts first.
    with pytest.raises(TypeError):
        _core.Writer().add_array(np.arange(4, dtype=">i4"), compress=False)


def test_chunk_must_suit_the_item_size():
    with pytest.raises(errors.InvalidArgumentError, match="chunk"):
        _core.Writer().add_array(np.zeros(1000, dtype=np.int16), chunk=1000)
