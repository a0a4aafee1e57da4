"""amber.dump/load of NumPy values: arrays of every kind, scalars, dtypes, random generators."""

import numpy as np
import pytest
from amber_testing import assert_same, parts
from conftest import NUMERIC_DTYPES, sample
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import amber
from amber import container


def roundtrip(value, **kwargs):
    return amber.loads(amber.dumps(value, **kwargs))


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 5), (2, 3, 4)])
def test_numeric_arrays_bit_for_bit(dtype, shape):
    array = sample(dtype, shape, seed=len(shape))
    back = roundtrip(array)
    assert_same(array, back)
    assert back.flags.writeable and back.flags.c_contiguous


def test_each_array_is_one_table_entry_named_by_its_path():
    value = {"coef": np.ones((2, 3)), "nested": [np.arange(3)]}
    graph, _, arrays = parts(amber.dumps(value))
    assert list(arrays) == ["['coef']", "['nested'][0]"]
    assert graph["items"]["coef"] == {"$": "ndarray", "array": 0}


@pytest.mark.parametrize("compression", ["default", "none"])
def test_fortran_order_is_kept_without_copy(compression):
    array = np.asfortranarray(sample("float64", (4, 3)))
    back = roundtrip(array, compression=compression)
    assert back.flags.f_contiguous and not back.flags.c_contiguous
    assert_same(array, back)
    node = container.read_bytes(amber.dumps(array)).graph
    assert node["order"] == "F"


def test_non_contiguous_and_big_endian_arrays_come_back_contiguous():
    strided = np.arange(20.0)[::3]
    assert np.array_equal(roundtrip(strided), strided)
    big = np.arange(5, dtype=">i4")
    back = roundtrip(big)
    assert back.dtype == np.dtype("<i4") and back.tolist() == big.tolist()


def test_str_arrays_keep_their_width():
    natural = np.array(["a", "bcd", "héllo"])
    wide = np.array(["a", "b"], dtype="<U10")
    empty = np.array([], dtype="<U3")
    for array in (natural, wide, empty):
        back = roundtrip(array)
        assert back.dtype == array.dtype and back.tolist() == array.tolist()


def test_object_arrays_of_strings_use_the_string_table():
    array = np.array(["x", "yy", "zzz"], dtype=object)
    graph, _, arrays = parts(amber.dumps(array))
    assert graph == {"$": "ndarray", "array": 0, "dtype": "object"}
    assert_same(array, roundtrip(array))


def test_mixed_object_arrays_hold_nodes():
    array = np.empty((2, 2), dtype=object)
    array[:] = [[1, "a"], [None, np.arange(3)]]
    back = roundtrip(array)
    assert_same(array, back)
    node = container.read_bytes(amber.dumps(array)).graph
    assert node["shape"] == [2, 2] and len(node["items"]) == 4


def test_object_array_of_lists_is_not_broadcast():
    array = np.empty(2, dtype=object)
    array[0], array[1] = [1, 2], [3]
    back = roundtrip(array)
    assert back.shape == (2,) and back[0] == [1, 2] and back[1] == [3]


def test_structured_arrays_go_field_by_field():
    dtype = np.dtype([("a", "<i8"), ("b", "<f8"), ("c", "u1")], align=True)
    array = np.zeros(4, dtype=dtype)
    array["a"], array["b"], array["c"] = [1, 2, 3, 4], [0.5, np.nan, -1, 2], [1, 0, 1, 0]
    back = roundtrip(array)
    assert back.dtype == dtype
    assert back.tobytes() == array.tobytes()
    graph, _, arrays = parts(amber.dumps(array))
    assert graph["dtype"] == "record" and sorted(arrays) == ["['a']", "['b']", "['c']"]


@pytest.mark.parametrize(
    "array",
    [np.array(["2020-01-01"], dtype="datetime64[D]"), np.array([b"ab"]), np.zeros(2, dtype="g")],
)
def test_unsupported_dtypes_are_refused(array):
    with pytest.raises(amber.UnsupportedObjectError, match="dtype"):
        amber.dumps({"x": array})


def test_scalars_keep_their_type():
    values = [np.float32(1.1), np.float16(-0.0), np.int8(-7), np.uint64(2**64 - 1), np.bool_(True),
              np.complex64(1 - 2j), np.float64(np.nan), np.int64(-(2**63))]  # fmt: skip
    back = roundtrip(values)
    assert_same(values, back)
    assert container.read_bytes(amber.dumps(np.float32(0.5))).graph == {
        "$": "scalar",
        "dtype": "float32",
        "v": 0.5,
    }


def test_dtypes_roundtrip():
    dtypes = [np.dtype("<f8"), np.dtype(">i2"), np.dtype("O"), np.dtype("<U7"), np.dtype("bool")]
    assert roundtrip(dtypes) == dtypes
    with pytest.raises(amber.UnsupportedObjectError, match="structured dtype"):
        amber.dumps(np.dtype([("a", "f8")]))


def test_random_state_continues_the_same_sequence():
    state = np.random.RandomState(42)
    state.rand(5)
    state.standard_normal()  # leaves a cached gaussian
    back = roundtrip(state)
    (name, keys, *rest), (back_name, back_keys, *back_rest) = state.get_state(), back.get_state()
    assert (name, rest) == (back_name, back_rest) and np.array_equal(keys, back_keys)
    assert np.array_equal(state.rand(10), back.rand(10))
    assert state.standard_normal() == back.standard_normal()


@pytest.mark.parametrize("name", ["PCG64", "MT19937", "Philox", "SFC64", "PCG64DXSM"])
def test_generators_continue_the_same_sequence(name):
    generator = np.random.Generator(getattr(np.random, name)(7))
    generator.random(3)
    back = roundtrip(generator)
    assert type(back.bit_generator).__name__ == name
    assert np.array_equal(generator.random(10), back.random(10))


def test_masked_arrays():
    array = np.ma.MaskedArray(np.array([1, "a", None], dtype=object), mask=[False, True, False])
    back = roundtrip(array)
    assert isinstance(back, np.ma.MaskedArray)
    assert back.mask.tolist() == [False, True, False] and back.data[0] == 1
    plain = np.ma.MaskedArray([1.0, 2.0])
    assert roundtrip(plain).mask is np.ma.nomask
    assert amber.get_untrusted_types(data=amber.dumps(array)) == []


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_ndarray_subclasses_other_than_masked_are_refused():
    with pytest.raises(amber.UnsupportedObjectError, match="matrix"):
        amber.dumps(np.matrix([[1, 2]]))


def test_memmap_is_written_as_an_array(tmp_path):
    mm = np.memmap(tmp_path / "m.bin", dtype="float32", mode="w+", shape=(3,))
    mm[:] = [1, 2, 3]
    back = roundtrip(mm)
    assert type(back) is np.ndarray and back.tolist() == [1, 2, 3]


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(hnp.scalar_dtypes().filter(lambda d: d.name in NUMERIC_DTYPES and d.isnative),
                  hnp.array_shapes(min_dims=0, max_dims=3, max_side=5)))  # fmt: skip
def test_any_numeric_array_roundtrips(array):
    assert_same(array, roundtrip(array))
