"""What amber.load reads of the manifest: the graph and the names to audit in one native call
(Container.load_view) and single members (Container.member), against the whole manifest
parsed in Python."""

import json
import math
import struct

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import amber
from amber import _trust, container

KINDS = ["object", "type", "function", "estimator", "ndarray", "list", None, 7]
NAME_KEYS = ["type", "name", "class", "value"]

#: Any JSON value, with objects that look like named nodes of every kind (and of none).
leaves = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(max_size=12) | \
    st.floats(allow_nan=False, allow_infinity=False)  # fmt: skip
named = st.fixed_dictionaries(
    {"$": st.sampled_from(KINDS)},
    optional={key: st.text(max_size=8) | st.integers(-(2**63), 2**63 - 1) for key in NAME_KEYS},
)
values = st.recursive(
    leaves | named,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=5), children, max_size=4)
        | st.builds(
            lambda d, n: {**d, **n},
            st.dictionaries(st.text(max_size=3), children, max_size=2),
            named,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=100, deadline=None)
@given(graph=values, samples=values)
def test_names_of_the_validation_graph_are_audited_too(tmp_path_factory, graph, samples):
    metadata = {"graph_version": 1, "validation": {"graph": samples}}
    with opened(tmp_path_factory.mktemp("validation"), graph, metadata) as c:
        _, version, validation, names, types = c.load_view(True)
        assert version == 1 and same_json(validation, metadata["validation"])
        graph_names, graph_types = _trust.collect_names(graph)
        sample_names, sample_types = _trust.collect_names(samples)
        assert names == graph_names | sample_names and types == graph_types | sample_types
        assert c.load_view(False)[2:] == (None, graph_names, graph_types)


def opened(tmp_path, graph, metadata):
    path = tmp_path / "m.amber"
    container.write(path, [], graph=graph, metadata=metadata)
    return container.open(path)


@settings(max_examples=200, deadline=None)
@given(graph=values)
def test_native_names_are_the_python_audit(tmp_path_factory, graph):
    with opened(tmp_path_factory.mktemp("names"), graph, {}) as c:
        whole = json.loads(c._reader.manifest_json)
        view = c.load_view(False)
        assert same_json(view[0], whole["graph"])
        assert (view[3], view[4]) == _trust.collect_names(whole["graph"])


@settings(max_examples=100, deadline=None)
@given(graph=values, extra=values)
def test_a_member_is_what_the_whole_manifest_holds(tmp_path_factory, graph, extra):
    with opened(tmp_path_factory.mktemp("member"), graph, {"extra": extra, "n": 1}) as c:
        whole = json.loads(c._reader.manifest_json)
        for path in (("graph",), ("metadata",), ("metadata", "extra"), ("metadata", "n")):
            value = whole
            for key in path:
                value = value[key]
            assert same_json(c.member(*path), value), path
        assert c.member("metadata", "absent") is None
        assert c.member("metadata", "n", "deeper") is None  # 1 is not an object


def same_json(a, b) -> bool:
    """Equal, with floats compared bit for bit (so -0.0 and 0.0 differ) and int vs float kept."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    return a == b


def test_floats_come_back_bit_for_bit(tmp_path):
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2**63, size=20_000, dtype=np.int64).view(np.float64)
    floats = [float(x) for x in bits if math.isfinite(x)]
    floats += [0.0, -0.0, 1.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e16]
    floats += [-x for x in floats]
    with opened(tmp_path, floats, {}) as c:
        assert same_json(c.member("graph"), floats)


def test_load_parses_only_the_graph(tmp_path, monkeypatch):
    path = tmp_path / "s.amber"
    amber.dump({"a": np.arange(3)}, path)

    def whole(self):
        raise AssertionError("load parsed the whole manifest")

    monkeypatch.setattr(container.Container, "manifest", property(whole))
    assert amber.load(path)["a"].tolist() == [0, 1, 2]
    assert amber.get_untrusted_types(file=path) == []
