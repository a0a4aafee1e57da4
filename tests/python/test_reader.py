"""amber._core.Reader (src/bindings/bind_reader.cpp, to_numpy.cpp): views, copies, lifetimes."""

import contextlib
import gc
import json
import math

import numpy as np
import pytest
from conftest import NUMERIC_DTYPES, assert_same, header_fields, sample

from amber import _core, container, errors


def write(path, arrays, compress=True, strings=(), **kwargs):
    writer = _core.Writer()
    for name, array in arrays.items():
        writer.add_array(array, name=name, compress=compress, **kwargs)
    for name, (values, shape) in dict(strings).items():
        writer.add_string_array(values, shape, name=name, compress=compress)
    writer.set_metadata_json('{"who":"test"}')
    writer.set_graph_json('[1,{"a":null}]')
    return writer.write(path)


@pytest.fixture
def raw_path(tmp_path, sample_arrays):
    path = tmp_path / "raw.amber"
    write(path, sample_arrays, compress=False)
    return path


@pytest.fixture
def zstd_path(tmp_path, sample_arrays):
    path = tmp_path / "zstd.amber"
    write(path, sample_arrays, compress=True, chunk=1024)
    return path


def test_format_version_and_properties(raw_path):
    reader = _core.Reader.open(raw_path)
    assert _core.FORMAT_VERSION == (2, 1)
    assert reader.format_version == _core.FORMAT_VERSION
    assert reader.file_size == raw_path.stat().st_size
    assert reader.array_count == 3
    assert reader.signature_json == ""
    manifest = json.loads(reader.manifest_json)
    assert manifest["metadata"] == {"who": "test"}
    assert manifest["graph"] == [1, {"a": None}]
    assert [a["name"] for a in manifest["arrays"]] == ["f64", "i32", "flags"]


def test_digest_is_the_footer_digest_and_recomputes(raw_path):
    reader = _core.Reader.open(raw_path)
    assert len(reader.digest) == 64
    assert int(reader.digest, 16) >= 0
    assert reader.compute_digest() == reader.digest
    reader.verify()
    reader.verify(threads=1)


def test_open_accepts_str_and_pathlike(raw_path):
    assert _core.Reader.open(str(raw_path)).digest == _core.Reader.open(raw_path).digest


def test_array_info_raw(raw_path, sample_arrays):
    reader = _core.Reader.open(raw_path)
    info = reader.array_info(0)
    assert info["name"] == "f64"
    assert info["dtype"] == "float64"
    assert info["shape"] == (50, 7)
    assert info["codec"] == "raw"
    assert info["filter"] == "none"
    assert info["offset"] == 0
    assert info["length"] == info["decoded_length"] == 50 * 7 * 8
    assert info["frames"] == 0
    assert len(info["xxh3"]) == 16
    second = reader.array_info(1)
    assert second["offset"] == 2816  # align64(2800)
    assert reader.array_info(2)["dtype"] == "bool"


def test_array_info_zstd(zstd_path):
    info = _core.Reader.open(zstd_path).array_info(1)
    assert info["codec"] == "zstd"
    assert info["level"] == 7  # the default
    assert info["chunk"] == 1024
    assert info["decoded_length"] == 4000
    assert info["frames"] == math.ceil(4000 / 1024)
    assert info["filter"] in ("none", "shuffle")


@pytest.mark.parametrize("index", [3, 100, -1])
def test_index_out_of_range(raw_path, index):
    reader = _core.Reader.open(raw_path)
    with pytest.raises(IndexError):
        reader.array(index)
    with pytest.raises(IndexError):
        reader.array_info(index)
    with pytest.raises(IndexError):
        reader.arrays([0, index])


def test_raw_arrays_are_read_only_views(raw_path, sample_arrays):
    reader = _core.Reader.open(raw_path)
    array = reader.array(0)
    assert_same(array, sample_arrays["f64"])
    assert array.flags.writeable is False
    assert array.ctypes.data % 64 == 0
    with pytest.raises(ValueError):
        array[0, 0] = 1.0
    with pytest.raises(ValueError):
        array.setflags(write=True)


def _flip_first_element(path, array_offset):
    """Inverts the first 4 bytes of the array at `array_offset` in the data section, in place
    (outside the format's contract, section 8)."""
    at = header_fields(path.read_bytes())["data_offset"] + array_offset
    with path.open("r+b") as f:
        f.seek(at)
        original = f.read(4)
        f.seek(at)
        f.write(bytes(b ^ 0xFF for b in original))


def test_raw_arrays_alias_the_mapped_file(tmp_path):
    path = tmp_path / "big.amber"  # over 1 MiB: mapped, not read at open
    container.write(path, [np.arange(300_000, dtype=np.int32)], compression="none")
    array = _core.Reader.open(path).array(0)
    first = int(array[0])
    _flip_first_element(path, 0)
    assert int(array[0]) != first  # the array is the file's memory, not a copy


def test_a_small_file_is_read_at_open(raw_path):
    assert raw_path.stat().st_size < 1 << 20
    array = _core.Reader.open(raw_path).array(1)
    first = int(array[0])
    _flip_first_element(raw_path, 2816)
    assert int(array[0]) == first  # read at open: a change after open does not reach it


def test_arrays_outlive_the_reader(raw_path, zstd_path, sample_arrays):
    raw = _core.Reader.open(raw_path).array(0)
    decoded = _core.Reader.open(zstd_path).array(0)
    strings_reader = _core.Reader.open(zstd_path)
    listed = strings_reader.arrays([0, 1, 2])
    del strings_reader
    gc.collect()
    raw_path.unlink()  # the mapping stays valid without the directory entry
    assert raw.base is not None
    assert_same(raw, sample_arrays["f64"])
    assert_same(decoded, sample_arrays["f64"])
    for got, expected in zip(listed, sample_arrays.values(), strict=True):
        assert_same(got, expected)


def test_decoded_arrays_are_writeable_copies(zstd_path, sample_arrays):
    reader = _core.Reader.open(zstd_path)
    first = reader.array(0)
    assert first.flags.writeable
    first[:] = 0
    assert_same(reader.array(0), sample_arrays["f64"])


def test_arrays_in_parallel_match_one_by_one(zstd_path):
    reader = _core.Reader.open(zstd_path)
    order = [2, 0, 1, 0]
    for threads in (0, 1, 4):
        together = reader.arrays(order, check_checksum=True, threads=threads)
        assert len(together) == 4
        for index, got in zip(order, together, strict=True):
            assert_same(got, reader.array(index, check_checksum=True))
    assert reader.arrays([]) == []


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
@pytest.mark.parametrize("compress", [False, True])
def test_zero_d_and_empty_arrays(tmp_path, dtype, compress):
    arrays = {
        "scalar": sample(dtype, ()),
        "empty": sample(dtype, (0,)),
        "empty2d": sample(dtype, (3, 0)),
    }
    path = tmp_path / "shapes.amber"
    write(path, arrays, compress=compress)
    reader = _core.Reader.open(path)
    for index, expected in enumerate(arrays.values()):
        assert_same(reader.array(index, check_checksum=True), expected)
    reader.verify()


def test_string_arrays_come_back_as_object_arrays(tmp_path):
    values = ["", "a", "héllo", "日本語", "🙂", "x" * 300]
    path = tmp_path / "s.amber"
    strings = {"words": (values, (2, 3)), "none": ([], (0,)), "one": (["only"], ())}
    write(path, {}, compress=False, strings=strings)
    reader = _core.Reader.open(path)
    words = reader.array(0)
    assert words.dtype == object
    assert words.shape == (2, 3)
    assert words.ravel().tolist() == values
    assert all(type(s) is str for s in words.ravel())
    assert reader.array(1).shape == (0,)
    scalar = reader.array(2)
    assert scalar.shape == ()
    assert scalar[()] == "only"
    assert reader.array_info(0)["dtype"] == "string"


def test_from_bytes_copies_the_data(raw_path, sample_arrays):
    data = bytearray(raw_path.read_bytes())
    reader = _core.Reader.from_bytes(bytes(data))
    assert reader.digest == _core.Reader.open(raw_path).digest
    array = reader.array(0)
    del reader, data
    gc.collect()
    assert array.flags.writeable is False
    assert array.ctypes.data % 64 == 0
    assert_same(array, sample_arrays["f64"])


def test_limits_are_applied(raw_path):
    _core.Reader.open(raw_path, {"max_arrays": 3, "max_rank": 2})
    with pytest.raises(errors.LimitExceededError):
        _core.Reader.open(raw_path, {"max_arrays": 2})
    with pytest.raises(errors.LimitExceededError):
        _core.Reader.open(raw_path, {"max_rank": 1})


def test_every_flipped_byte_is_reported_never_crashes():
    writer = _core.Writer()
    writer.add_array(np.arange(300, dtype=np.int32) % 7, name="z", level=1)
    writer.add_string_array(["ab", "", "é"], (3,), name="s", compress=False)
    writer.add_array(np.arange(5.0), name="r", compress=False)
    writer.set_metadata_json('{"k":1}')
    data = writer.to_bytes()
    for position in range(len(data)):
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        with pytest.raises(errors.AmberError):
            reader = _core.Reader.from_bytes(bytes(damaged))
            for index in range(reader.array_count):
                with contextlib.suppress(errors.CorruptFileError):
                    reader.array(index)  # may succeed: no checksum asked for
            reader.verify()
