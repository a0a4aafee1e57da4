"""amber.dump/load of Python values: scalars, containers, names, sharing, refusals, the API."""

import functools
import io
import json
import math
import struct

import numpy as np
import pytest
from amber_custom import Rebuilt, Slotted, double
from amber_testing import assert_same, parts
from hypothesis import given, settings
from hypothesis import strategies as st

import amber
from amber import container

FLOATS = [0.0, -0.0, 1.0, 0.1, 1e-300, 5e-324, 1.7976931348623157e308, -2.5, 1e16, 123456.789]
INTS = [0, -1, 2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**63) - 1, 10**300]


def roundtrip(value, **kwargs):
    return amber.loads(amber.dumps(value), **kwargs)


def graph_of(value):
    return container.read_bytes(amber.dumps(value)).graph


@pytest.mark.parametrize("value", [None, True, False, "", "héllo \x00 ✓", *INTS, *FLOATS])
def test_scalars_roundtrip_exactly(value):
    back = roundtrip(value)
    assert_same(value, back)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_are_float_nodes(value):
    assert graph_of(value)["$"] == "float"
    back = roundtrip(value)
    assert type(back) is float and (math.isnan(back) if math.isnan(value) else back == value)


def test_int_literal_range_and_int_nodes():
    assert graph_of(2**64 - 1) == 2**64 - 1
    assert graph_of(-(2**63)) == -(2**63)
    assert graph_of(2**64) == {"$": "int", "v": str(2**64)}
    big = -(10**9999) + 7
    assert roundtrip(big) == big


def test_too_big_int_is_refused():
    with pytest.raises(amber.UnsupportedObjectError, match="10000 digits"):
        amber.dumps(10**10001)


def test_floats_are_written_shortest_and_read_back_bitwise():
    values = FLOATS + [struct.unpack("<d", struct.pack("<Q", bits))[0] for bits in (1, 2**52 - 1)]
    back = roundtrip(values)
    assert [struct.pack("<d", v) for v in back] == [struct.pack("<d", v) for v in values]
    assert graph_of(0.1) == 0.1 and json.dumps(graph_of(1e16)) == "1e+16"


def test_complex_roundtrip():
    assert_same(1.5 - 2j, roundtrip(1.5 - 2j))
    back = roundtrip(complex(math.inf, math.nan))
    assert back.real == math.inf and math.isnan(back.imag)


def test_containers_roundtrip_with_types_and_order():
    value = {
        "list": [1, [2, [3]], ()],
        "tuple": (1, "a", (None,)),
        "set": {3, 1, 2},
        "frozenset": frozenset({"b", "a"}),
        "bytes": b"\x00\xffabc",
        "slice": slice(1, None, -2),
        "z": "last key",
        "a": "order kept",
    }
    back = roundtrip(value)
    assert_same(value, back)
    assert list(back) == list(value)


def test_dict_with_non_string_keys():
    value = {1: "int", (1, 2): "tuple", None: "none", 2.5: "float", "s": "str", False: "bool"}
    node = graph_of(value)
    assert "pairs" in node
    back = roundtrip(value)
    assert_same(value, back)
    assert [type(k) for k in back] == [type(k) for k in value]


def test_sets_are_written_in_a_stable_order():
    first = container.read_bytes(amber.dumps({"b", "a", "c"})).graph
    assert first == {"$": "set", "items": ["a", "b", "c"]}


def test_shared_objects_stay_shared():
    inner = [1, 2]
    shared_dict = {"x": inner}
    array = np.arange(3.0)
    value = {"a": inner, "b": inner, "c": shared_dict, "d": [shared_dict, array, array]}
    back = roundtrip(value)
    assert back["a"] is back["b"] is back["c"]["x"]
    assert back["c"] is back["d"][0]
    assert back["d"][1] is back["d"][2]
    graph = graph_of(value)
    assert graph["items"]["a"]["$"] == "list" and "id" in graph["items"]["a"]
    assert graph["items"]["b"] == {"$": "ref", "id": graph["items"]["a"]["id"]}


def test_cycles_are_refused_with_the_path():
    value = {"a": [1, 2]}
    value["a"].append(value)
    with pytest.raises(amber.CycleError, match=r"\['a'\]\[2\]: .*refers back"):
        amber.dumps(value)


def test_self_referencing_object_is_refused():
    obj = Slotted(1, None)
    obj.b = [obj]
    with pytest.raises(amber.CycleError):
        amber.dumps(obj)


def test_functions_types_and_partials_by_name():
    value = [np.log1p, np.mean, float, np.float32, functools.partial(np.clip, a_min=0, a_max=1)]
    back = roundtrip(value)
    assert back[0] is np.log1p and back[1] is np.mean and back[2] is float
    assert back[3] is np.float32
    assert back[4].func is np.clip and back[4].keywords == {"a_min": 0, "a_max": 1}
    assert graph_of(np.log1p) == {"$": "function", "name": "numpy:log1p"}


def test_scipy_ufunc_has_a_name():
    import scipy.special

    assert graph_of(scipy.special.expit) == {"$": "function", "name": "scipy.special:expit"}
    assert roundtrip(scipy.special.expit) is scipy.special.expit


def test_lambda_is_refused_with_advice():
    with pytest.raises(amber.UnsupportedObjectError, match="lambda.*module") as info:
        amber.dumps({"f": lambda x: x})
    assert info.value.path == "['f']"


def test_closure_is_refused():
    def local(x):
        return x

    with pytest.raises(amber.UnsupportedObjectError, match="closure or local"):
        amber.dumps(local)


def test_main_function_is_refused():
    def f(x):
        return x

    f.__module__, f.__qualname__ = "__main__", "f"
    with pytest.raises(amber.UnsupportedObjectError, match="__main__.*importable module"):
        amber.dumps([f])


def test_bound_method_is_refused():
    with pytest.raises(amber.UnsupportedObjectError, match="bound method"):
        amber.dumps([1, 2].append)
    with pytest.raises(amber.UnsupportedObjectError, match="bound method"):
        amber.dumps(np.random.RandomState(0).rand)


def test_object_rebuilt_by_a_helper_function_is_refused():
    with pytest.raises(amber.UnsupportedObjectError, match="make_rebuilt"):
        amber.dumps(Rebuilt(3))


def test_slotted_object_roundtrip_when_trusted():
    data = amber.dumps(Slotted(1, [2]))
    assert amber.get_untrusted_types(data=data) == ["amber_custom:Slotted"]
    assert roundtrip(Slotted(1, [2]), trusted=["amber_custom:Slotted"]) == Slotted(1, [2])


def test_user_function_by_name():
    data = amber.dumps({"f": double})
    with pytest.raises(amber.UntrustedTypesError, match="amber_custom:double"):
        amber.loads(data)
    assert amber.loads(data, trusted=[double])["f"] is double


def test_dump_to_path_and_file_object(tmp_path):
    value = {"x": np.arange(5), "y": "text"}
    path = tmp_path / "v.amber"
    digest = amber.dump(value, path)
    assert len(digest) == 64 and container.open(path).digest == digest
    assert_same(value, amber.load(path))
    assert_same(value, amber.load(str(path)))
    buffer = io.BytesIO()
    amber.dump(value, buffer)
    buffer.seek(0)
    assert_same(value, amber.load(buffer))
    with open(path, "rb") as f:
        assert_same(value, amber.load(f))


def test_dumps_is_deterministic_but_for_the_time():
    value = {"s": {"z", "a"}, "arr": np.arange(10)}
    graphs = [container.read_bytes(amber.dumps(value)).manifest for _ in range(2)]
    for manifest in graphs:
        manifest["metadata"].pop("created")
    assert graphs[0] == graphs[1]


def test_metadata_is_recorded():
    data = amber.dumps([1], metadata={"team": "a", "n": 3})
    meta = container.read_bytes(data).metadata
    assert meta["graph_version"] == 1 and meta["user"] == {"team": "a", "n": 3}
    assert set(meta["versions"]) >= {"python", "sklearn", "numpy", "scipy", "amber"}
    assert meta["created"].endswith("+00:00")
    with pytest.raises(amber.InvalidArgumentError):
        amber.dumps([1], metadata=["not", "a", "dict"])


@pytest.mark.parametrize("compression", ["default", "none", None, "zstd", "max", 5])
def test_compression_choices(compression):
    value = {"a": np.linspace(0, 1, 1000), "b": [1, 2]}
    assert_same(value, amber.loads(amber.dumps(value, compression=compression)))


def test_raw_files_give_writable_arrays(tmp_path):
    path = tmp_path / "raw.amber"
    amber.dump({"a": np.arange(4.0)}, path, compression="none")
    back = amber.load(path)
    back["a"][0] = 9.0
    assert back["a"][0] == 9.0


def test_bad_arguments():
    with pytest.raises(amber.InvalidArgumentError, match="tier"):
        amber.dumps([1], tier="portable-only")
    with pytest.raises(amber.InvalidArgumentError):
        amber.load(12345)
    with pytest.raises(amber.InvalidArgumentError):
        amber.loads("not bytes")
    with pytest.raises(amber.InvalidArgumentError):
        amber.get_untrusted_types()


# A file's bytes passed where a path goes: a bytes path is possible, the content is likelier.
@pytest.mark.parametrize(
    ("call", "hint"),
    [
        (amber.load, "use amber.loads(data)"),
        (amber.get_untrusted_types, "use get_untrusted_types(data=...)"),
        (amber.inspect, "use inspect(data=...)"),
    ],
)
def test_a_files_bytes_as_its_path_say_where_they_go(call, hint):
    data = amber.dumps([1])
    for content in (data, bytearray(data), memoryview(data)):
        with pytest.raises(amber.InvalidArgumentError, match="must be a path") as info:
            call(content)
        assert hint in str(info.value)
        assert f"not {type(content).__name__};" in str(info.value)


def test_path_only_entry_points_name_what_they_got(tmp_path):
    from amber import signing

    path = tmp_path / "m.amber"
    amber.dump([1], path)
    for call, name in (
        (lambda: amber.Runtime(bytes(path)), r"^Runtime\(\): file must be a path .*, not bytes$"),
        (lambda: amber.Runtime(7), r"^Runtime\(\): file must be a path .*, not int$"),
        (lambda: signing.sign(bytes(path), "k"), r"^sign\(\): file must be a path .*, not bytes$"),
        (
            lambda: signing.verify_signature(path, "k", signature=3.5),
            r"^verify_signature\(\): signature must be a path .*, not float$",
        ),
    ):
        with pytest.raises(amber.InvalidArgumentError, match=name):
            call()


def test_inspect_shows_the_tree_without_building():
    data = amber.dumps({"arr": np.zeros((3, 4), dtype=np.float32), "f": np.log1p, "n": [1, 2]})
    text = repr(amber.inspect(data=data))
    assert "ndarray float32 (3, 4) 48 B" in text
    assert "function numpy:log1p" in text
    assert "UNTRUSTED" not in text
    assert "'n': list[2]" in text


def test_inspect_of_a_path(tmp_path):
    path = tmp_path / "x.amber"
    amber.dump({"a": 1}, path)
    view = amber.inspect(path)
    assert view.untrusted == [] and view.metadata["graph_version"] == 1
    assert str(view) == repr(view)


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.tuples(inner, inner)
            | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_json_like_value_roundtrips(value):
    assert_same(value, roundtrip(value))


def test_graph_is_plain_json_with_no_names_for_plain_data():
    data = amber.dumps({"a": [1, 2.5, None], "b": (True,)})
    assert amber.get_untrusted_types(data=data) == []
    graph, _, arrays = parts(data)
    assert arrays == {}
    assert graph == {
        "$": "dict",
        "items": {"a": [1, 2.5, None], "b": {"$": "tuple", "items": [True]}},
    }
