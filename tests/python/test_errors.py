"""Every libamber error kind reaches Python as its own class (src/bindings/bind_errors.cpp)."""

import os
import struct

import numpy as np
import pytest
from conftest import header_fields, reseal, sample

import amber
from amber import _core, container, errors

KIND_TO_CLASS = {
    "Io": errors.AmberIOError,
    "NotAmber": errors.NotAmberFileError,
    "Truncated": errors.TruncatedFileError,
    "Corrupt": errors.CorruptFileError,
    "ChecksumMismatch": errors.ChecksumMismatchError,
    "DigestMismatch": errors.DigestMismatchError,
    "InvalidManifest": errors.InvalidManifestError,
    "LimitExceeded": errors.LimitExceededError,
    "UnsupportedVersion": errors.UnsupportedVersionError,
    "InvalidArgument": errors.InvalidArgumentError,
    "InvalidGraph": errors.InvalidGraphError,
    "Unsupported": errors.UnsupportedError,
    "SignatureInvalid": errors.SignatureError,
}


def raw_file(tmp_path, arrays=None, metadata=None):
    path = tmp_path / "m.amber"
    arrays = arrays if arrays is not None else [np.arange(64, dtype=np.int64)]
    container.write(path, arrays, metadata=metadata, compression="none")
    return path


def patch(path, offset, new_bytes):
    data = bytearray(path.read_bytes())
    data[offset : offset + len(new_bytes)] = new_bytes
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("kind", "cls"), sorted(KIND_TO_CLASS.items()))
def test_each_kind_raises_its_class_with_the_message(kind, cls):
    with pytest.raises(cls) as info:
        _core._raise_error(kind, f"array 3 'coef_': {kind} happened")
    assert type(info.value) is cls
    assert str(info.value) == f"array 3 'coef_': {kind} happened"


def test_every_class_is_an_amber_error():
    for cls in KIND_TO_CLASS.values():
        assert issubclass(cls, errors.AmberError)


@pytest.mark.parametrize(
    "cls",
    [
        errors.TruncatedFileError,
        errors.ChecksumMismatchError,
        errors.DigestMismatchError,
        errors.InvalidManifestError,
    ],
)
def test_corruption_kinds_are_corrupt_file_errors(cls):
    assert issubclass(cls, errors.CorruptFileError)


def test_io_and_argument_errors_are_builtin_errors_too():
    assert issubclass(errors.AmberIOError, OSError)
    assert issubclass(errors.InvalidArgumentError, ValueError)
    assert not issubclass(errors.LimitExceededError, errors.CorruptFileError)
    assert not issubclass(errors.NotAmberFileError, errors.CorruptFileError)


def test_missing_file_is_an_io_error(tmp_path):
    with pytest.raises(errors.AmberIOError) as info:
        _core.Reader.open(tmp_path / "absent.amber")
    assert isinstance(info.value, OSError)


def test_random_bytes_are_not_amber(tmp_path):
    path = tmp_path / "random.bin"
    path.write_bytes(b"\x00not amber" + os.urandom(500))
    with pytest.raises(errors.NotAmberFileError):
        _core.Reader.open(path)


@pytest.mark.parametrize("keep", [10, 127, -1, -64])
def test_truncated_file(tmp_path, keep):
    data = raw_file(tmp_path).read_bytes()
    with pytest.raises(errors.TruncatedFileError):
        _core.Reader.from_bytes(data[:keep])


def test_flipped_array_byte_is_a_checksum_mismatch(tmp_path):
    path = raw_file(tmp_path)
    data_offset = header_fields(path.read_bytes())["data_offset"]
    patch(path, data_offset + 8, b"\xff")
    reader = _core.Reader.open(path)
    assert reader.array(0)[1] != 1  # the raw view shows the damage without a check
    with pytest.raises(errors.ChecksumMismatchError):
        reader.array(0, check_checksum=True)
    with pytest.raises(errors.ChecksumMismatchError):
        reader.verify()


def test_changed_manifest_is_a_checksum_mismatch_at_open(tmp_path):
    path = raw_file(tmp_path, metadata={"note": "aaaa"})
    patch(path, path.read_bytes().index(b"aaaa"), b"aaab")  # still valid JSON
    with pytest.raises(errors.ChecksumMismatchError, match="^manifest: checksum does not match"):
        _core.Reader.open(path)
    with pytest.raises(errors.ChecksumMismatchError, match="^manifest"):
        amber.load(path)


def test_resealed_manifest_is_still_a_digest_mismatch(tmp_path):
    path = raw_file(tmp_path, metadata={"note": "aaaa"})
    patch(path, path.read_bytes().index(b"aaaa"), b"aaab")
    path.write_bytes(reseal(bytearray(path.read_bytes()), digest=False))
    reader = _core.Reader.open(path)
    assert reader.compute_digest() != reader.digest
    with pytest.raises(errors.DigestMismatchError):
        reader.verify()


def test_duplicate_manifest_key_is_invalid_manifest(tmp_path):
    path = raw_file(tmp_path, metadata={"ka": 1, "kb": 2})
    at = path.read_bytes().index(b'"kb"')
    patch(path, at, b'"ka"')
    path.write_bytes(reseal(bytearray(path.read_bytes())))
    with pytest.raises(errors.InvalidManifestError, match="duplicate"):
        _core.Reader.open(path)


def test_damaged_header_is_corrupt(tmp_path):
    path = raw_file(tmp_path)
    patch(path, 48, b"\x01")  # a reserved byte: the header checksum no longer matches
    with pytest.raises(errors.CorruptFileError) as info:
        _core.Reader.open(path)
    assert type(info.value) is errors.CorruptFileError


def test_unknown_major_version(tmp_path):
    path = raw_file(tmp_path)
    patch(path, 8, struct.pack("<H", 3))  # checked before the header checksum
    with pytest.raises(errors.UnsupportedVersionError):
        _core.Reader.open(path)


def test_manifest_over_the_limit(tmp_path):
    path = raw_file(tmp_path)
    with pytest.raises(errors.LimitExceededError):
        _core.Reader.open(path, {"max_manifest_bytes": 10})
    with pytest.raises(errors.LimitExceededError):
        container.open(path, limits={"max_manifest_bytes": 10})


def test_unknown_limit_is_an_invalid_argument(tmp_path):
    path = raw_file(tmp_path)
    with pytest.raises(errors.InvalidArgumentError, match="max_bogus"):
        _core.Reader.open(path, {"max_bogus": 1})
    with pytest.raises(errors.InvalidArgumentError, match="max_rank"):
        _core.Reader.open(path, {"max_rank": 2**40})  # over uint32


def test_json_depth_limit_has_a_ceiling(tmp_path):
    # The checks after parsing recurse once per level: a cap past the ceiling could let a hostile
    # file overflow the stack instead of being refused.
    path = raw_file(tmp_path)
    container.open(path, limits={"max_json_depth": 4096}).close()  # the ceiling itself is allowed
    with pytest.raises(errors.InvalidArgumentError, match=r"max_json_depth is 4097.*4096"):
        container.open(path, limits={"max_json_depth": 4097})


@pytest.mark.parametrize(
    "kwargs", [{"level": 0}, {"level": 25}, {"level": -1}, {"filter": "bogus"}]
)
def test_invalid_writer_arguments(kwargs):
    writer = _core.Writer()
    with pytest.raises(errors.InvalidArgumentError):
        writer.add_array(sample("float64", (10,)), **kwargs)


def test_unknown_kind_name_is_an_invalid_argument():
    with pytest.raises(errors.InvalidArgumentError, match="unknown kind 'Nope'"):
        _core._raise_error("Nope", "x")


def test_unsupported_dtype_is_refused(tmp_path):
    with pytest.raises(TypeError):  # nanobind cannot import long double arrays at all
        _core.Writer().add_array(np.zeros(3, dtype=np.longdouble))
    with pytest.raises(errors.InvalidArgumentError, match="array 0 'wide'"):
        container.write(tmp_path / "x.amber", {"wide": np.zeros(3, dtype=np.longdouble)})
    with pytest.raises(errors.InvalidArgumentError, match="array 0 'when'"):
        container.write(
            tmp_path / "x.amber", {"when": np.zeros(2, dtype="datetime64[s]")}, compression="none"
        )
