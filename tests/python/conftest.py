"""Shared helpers of the Python tests: sample arrays of every dtype and file surgery."""

import hashlib
import os
import struct
import sys
from importlib.metadata import version


def _numpy_without_avx512() -> str:
    """NumPy's names of its AVX-512 dispatch targets (renamed in 2.4).

    On a CPU with AVX-512, NumPy computes exp, log, log1p, expm1, power and more with its own
    SIMD kernels, which differ from the C library's by 1 ULP on a few percent of values. The
    runtime uses the C library, as NumPy does everywhere else, so the bit-for-bit parity tests
    compare against that NumPy; test_runtime_numpy_simd.py measures the AVX-512 case
    (docs/schema/README.md, "Numerical parity").
    """
    major, minor = (int(part) for part in version("numpy").split(".")[:2])
    if (major, minor) >= (2, 4):
        return "X86_V4 AVX512_ICL AVX512_SPR"
    return "AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL"


if "numpy" in sys.modules and "NPY_DISABLE_CPU_FEATURES" not in os.environ:
    raise RuntimeError("NumPy was imported before tests/python/conftest.py could set "
                       "NPY_DISABLE_CPU_FEATURES; set it in the environment")  # fmt: skip
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", _numpy_without_avx512())

import numpy as np  # noqa: E402 (after the dispatch choice above)
import pytest  # noqa: E402
import xxhash  # noqa: E402

NUMERIC_DTYPES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
]  # fmt: skip

# magic, major, minor, flags, manifest_length, data_offset, data_length, manifest_xxh3, reserved,
# header_xxh3 (docs/format.md section 1.1)
HEADER = struct.Struct("<8sHHIQQQQ8sQ")


def sample(dtype, shape, seed=0):
    """Elements of `dtype` that compress: random bits (NaN payloads included) in the first
    quarter, then that quarter's first 64 bytes repeated. Bools are 0 or 1."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    count = int(np.prod(shape, dtype=np.int64))
    if dtype == np.bool_:
        return np.asarray((np.arange(count) % 7 == 0).reshape(shape) ^ (rng.random(shape) < 0.1))
    raw = rng.integers(0, 256, size=count * dtype.itemsize, dtype=np.uint8)
    head = len(raw) // 4
    raw[head:] = np.resize(raw[:64], len(raw) - head)
    return raw.view(dtype).reshape(shape)


def assert_same(actual, expected):
    """Same dtype, shape and bytes (so NaN payloads and -0.0 count)."""
    expected = np.asarray(expected)
    assert actual.dtype == expected.dtype.newbyteorder("=")
    assert actual.shape == expected.shape
    assert actual.tobytes() == expected.astype(actual.dtype).tobytes()


def header_fields(data):
    """The header as a dict (docs/format.md section 1.1)."""
    magic, major, minor, flags, manifest_length, data_offset, data_length, manifest_xxh3, _, _ = (
        HEADER.unpack_from(data, 0)
    )
    return {
        "magic": magic,
        "major": major,
        "minor": minor,
        "flags": flags,
        "manifest_length": manifest_length,
        "data_offset": data_offset,
        "data_length": data_length,
        "manifest_xxh3": manifest_xxh3,
    }


def reseal(data: bytearray, digest: bool = True) -> bytearray:
    """Recomputes what a hand edit of `data` broke: the manifest's checksum and the header's,
    then (unless `digest` is False) the content digest and the footer's checksum, so that the
    edit reaches the reader's later checks."""
    fields = header_fields(data)
    stored = bytes(data[64 : 64 + fields["manifest_length"]])
    if (fields["major"], fields["minor"]) >= (2, 1):  # format 2.0 has zeros there
        struct.pack_into("<Q", data, 40, xxhash.xxh3_64_intdigest(stored))
    struct.pack_into("<Q", data, 56, xxhash.xxh3_64_intdigest(bytes(data[:56])))
    if digest:
        footer = len(data) - 64
        content_end = fields["data_offset"] + fields["data_length"]
        data[footer + 16 : footer + 48] = hashlib.sha256(bytes(data[:content_end])).digest()
        footer_xxh3 = xxhash.xxh3_64_intdigest(bytes(data[footer : footer + 56]))
        struct.pack_into("<Q", data, footer + 56, footer_xxh3)
    return data


@pytest.fixture
def sample_arrays():
    return {
        "f64": sample("float64", (50, 7), seed=1),
        "i32": sample("int32", (1000,), seed=2),
        "flags": sample("bool", (30, 40), seed=3),
    }
