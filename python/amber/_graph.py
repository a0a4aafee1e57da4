"""The object graph's core: an Encoder (objects to nodes) and a Decoder (nodes to objects).

Both walk depth-first in member order and carry the node path for errors. The per-type work
lives in small modules (_builtins, _numpy, _scipy, sklearn._generic) that register functions
in the tables of amber._dispatch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from amber import _names
from amber._params import shallow_params
from amber.errors import CycleError, GraphError, UnsupportedObjectError

#: Types whose values are never shared or referenced by id.
ATOMS = (type(None), bool, int, float, str)
#: JSON literals that are always valid as they are (numbers need a range check).
_PLAIN = frozenset([str, bool, type(None)])


# ---------------------------------------------------------------------------------------------
# Paths: how a user would write the value's place (docs/object-graph.md section 4).


def attr_path(path: str, name: str) -> str:
    """`path.name`, or just `name` at the root."""
    return f"{path}.{name}" if path else name


def item_path(path: str, key: Any) -> str:
    """`path[key]` with the key as Python would print it."""
    if isinstance(key, tuple):
        return f"{path}[{', '.join(repr(k) for k in key)}]"
    return f"{path}[{key!r}]"


# ---------------------------------------------------------------------------------------------
# Encoder.


def _wrap_lists(node: Any, shared: dict[int, int]) -> Any:
    """Replaces each shared JSON array by `{"$": "list", "id": N, "items": [...]}`."""
    if type(node) is list:
        items = [_wrap_lists(item, shared) for item in node]
        node_id = shared.get(id(node))
        return items if node_id is None else {"$": "list", "id": node_id, "items": items}
    if type(node) is dict:
        return {key: _wrap_lists(value, shared) for key, value in node.items()}
    return node


class Encoder:
    """Turns an object into nodes, collecting arrays into the array table.

    `encode(value, path)` returns a node; `add_array(array, path)` returns an array index.
    Objects met twice become one node plus `ref` nodes; an object met inside itself is a
    CycleError.
    """

    def __init__(self, lookup: Callable[[type], Callable], tier: str = "auto"):
        self._lookup = lookup
        self.tier = tier
        self.arrays: list[tuple[str, np.ndarray]] = []
        self.packages: set[str] = set()
        self.context: dict[str, Any] = {}
        self._memo: dict[int, tuple[Any, Any]] = {}
        self._active: dict[int, str] = {}
        self._shared_lists: dict[int, int] = {}
        self._next_id = 0
        # get_params(deep=False) per estimator of this dump (by id; the object is kept so
        # that its id stays its own): the adapters and the metadata summary both need them,
        # and scikit-learn reads the constructor's signature on every call.
        self._params: dict[int, tuple[Any, dict]] = {}

    def encode(self, value: Any, path: str) -> Any:
        kind = type(value)
        if kind in ATOMS:
            return self._lookup(kind)(value, self, path)
        key = id(value)
        if key in self._memo:
            return self._ref(key)
        if key in self._active:
            raise CycleError(
                f"the object refers back to itself (first seen at {self._active[key] or '<root>'})"
                "; amber writes acyclic graphs only",
                path,
            )
        self._active[key] = path
        try:
            node = self._lookup(kind)(value, self, path)
        finally:
            del self._active[key]
        self._memo[key] = (value, node)
        return node

    def _ref(self, key: int) -> Any:
        node = self._memo[key][1]
        if type(node) is list:
            node_id = self._shared_lists.get(id(node))
            if node_id is None:
                node_id = self._shared_lists[id(node)] = self._take_id()
        elif isinstance(node, dict) and "$" in node:
            node_id = node.get("id")
            if node_id is None:
                node_id = node["id"] = self._take_id()
        else:
            # An immutable value written as a plain JSON form (a numpy str, say): repeat it.
            return node
        return {"$": "ref", "id": node_id}

    def finish(self, graph: Any) -> Any:
        """The graph with every shared list written as a `list` node carrying its id."""
        if not self._shared_lists:
            return graph
        return _wrap_lists(graph, self._shared_lists)

    def _take_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def add_array(self, array: np.ndarray, path: str) -> int:
        """Queues `array` for the array table under the name `path`; returns its index."""
        self.arrays.append((path or "<root>", array))
        return len(self.arrays) - 1

    def params_of(self, estimator: Any) -> dict:
        """`estimator.get_params(deep=False)`, called once per estimator in this dump; the
        caller must not change the dict."""
        key = id(estimator)
        found = self._params.get(key)
        if found is None or found[0] is not estimator:
            found = self._params[key] = (estimator, shallow_params(estimator))
        return found[1]

    def name_of(self, obj: Any, path: str) -> str:
        """The fully qualified name of a class or function (refused when not importable)."""
        return _names.qualified_name(obj, path)

    def note_package(self, name: str) -> None:
        """Records that a generic-tier object of this name's package is in the file."""
        self.packages.add(_names.top_package(name))


# ---------------------------------------------------------------------------------------------
# Decoder.


def kind_name(value: Any) -> str:
    """The JSON type of a value, for messages."""
    if isinstance(value, dict):
        return f"a {value.get('$')!r} node" if "$" in value else "an object without '$'"
    return {
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def check_members(node: dict, required: tuple, optional: tuple, path: str) -> None:
    """Refuses a node with a missing or an unknown member."""
    for key in required:
        if key not in node:
            raise GraphError(f"{node['$']!r} node has no member {key!r}", path)
    if len(node) == len(required) + ("$" in node) + ("id" in node):
        return  # every member is one of those just counted: none can be unknown
    for key in node:
        if key not in required and key not in optional and key != "$" and key != "id":
            raise GraphError(f"{node['$']!r} node has an unknown member {key!r}", path)


def member(node: dict, key: str, types: type | tuple, path: str, what: str) -> Any:
    """Member `key` of `node`, refused unless its JSON type is one of `types`."""
    value = node.get(key)
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in _tuple(types)):
        raise GraphError(f"member {key!r} must be {what}, not {kind_name(value)}", path)
    return value


def _tuple(types: type | tuple) -> tuple:
    return types if isinstance(types, tuple) else (types,)


_INT_MIN, _INT_MAX = -(2**63), 2**64


def _literal(node: Any) -> bool:
    """A JSON value that decodes to itself: text, a boolean, null, an in-range integer or a
    finite number."""
    kind = type(node)
    return (
        kind in _PLAIN
        or (kind is int and _INT_MIN <= node < _INT_MAX)
        or (kind is float and node - node == 0.0)
    )


class Decoder:
    """Turns nodes back into objects, with the arrays of the file already decoded.

    `decode(node, path)` returns the object; `array(index, path)` the array of the table;
    `resolve(name, path)` the object of a name the trust policy accepted.
    """

    def __init__(self, table: dict[str, Callable], arrays: list, allowed: frozenset[str]):
        self._table = table
        self._arrays = arrays
        self._allowed = allowed
        self._ids: dict[int, Any] = {}
        self._nodes: dict[int, tuple[dict, Any]] = {}  # id(node) -> (node, value), id'd nodes

    def decode(self, node: Any, path: str) -> Any:
        kind = type(node)
        if kind is dict:
            return self._decode_object(node, path)
        if kind is list:
            return self.decode_items(node, path)
        if kind is int and not _INT_MIN <= node < _INT_MAX:
            raise GraphError(f"integer literal {node} outside [-2^63, 2^64): use an int node", path)
        if kind is float and node - node != 0.0:
            raise GraphError("a number literal must be finite: use a float node", path)
        return node

    # The four below decode members of a node at `path`: a valid literal (most parameters)
    # comes back as it is, without building the member's path, which only errors need.

    def decode_attr(self, node: Any, path: str, name: str) -> Any:
        """decode(node, attr_path(path, name))."""
        if _literal(node):
            return node
        return self.decode(node, f"{path}.{name}" if path else name)

    def decode_item(self, node: Any, path: str, key: Any) -> Any:
        """decode(node, item_path(path, key))."""
        if _literal(node):
            return node
        return self.decode(node, item_path(path, key))

    def decode_attrs(self, members: dict, path: str) -> dict:
        """{name: decode_attr(node, path, name)} for the members of a JSON object."""
        return {name: self.decode_attr(node, path, name) for name, node in members.items()}

    def decode_items(self, items: list, path: str) -> list:
        """[decode_item(node, path, i) for each item]: the items of a JSON array."""
        return [self.decode_item(node, path, i) for i, node in enumerate(items)]

    def _decode_object(self, node: dict, path: str) -> Any:
        kind = node.get("$")
        decode_kind = self._table.get(kind) if isinstance(kind, str) else None
        if decode_kind is None:
            if "$" not in node:
                raise GraphError("a JSON object node must have a '$' member naming its kind", path)
            raise GraphError(f"unknown node kind {kind!r}", path)
        if "id" in node and kind != "ref":
            done = self._nodes.get(id(node))
            if done is not None and done[0] is node:  # an adapter reading a member again
                return done[1]
            value = decode_kind(node, self, path)
            self._remember(node["id"], value, path)
            self._nodes[id(node)] = (node, value)
            return value
        return decode_kind(node, self, path)

    def _remember(self, node_id: Any, value: Any, path: str) -> None:
        if type(node_id) is not int or node_id < 0:
            raise GraphError(f"member 'id' must be a non-negative integer, not {node_id!r}", path)
        if node_id in self._ids:
            raise GraphError(f"id {node_id} is used twice", path)
        self._ids[node_id] = value

    def ref(self, node_id: Any, path: str) -> Any:
        """The object of an earlier node that carried `"id": node_id`."""
        if type(node_id) is not int or node_id not in self._ids:
            raise GraphError(f"ref to id {node_id!r}, which no earlier node carries", path)
        return self._ids[node_id]

    def array(self, index: Any, path: str) -> np.ndarray:
        """Entry `index` of the array table, writable (read-only views are copied)."""
        if type(index) is not int or not 0 <= index < len(self._arrays):
            raise GraphError(
                f"array index {index!r} out of range for {len(self._arrays)} arrays", path
            )
        array = self._arrays[index]
        if not array.flags.writeable:
            array = array.copy()
            self._arrays[index] = array
        return array

    def view(self, node: Any, path: str) -> Any:
        """Like decode(), but a plain numeric array node gives the table's array itself,
        read-only when the file is mapped: for arrays that are copied into new buffers at once
        (tree columns), so that a raw file costs no extra copy."""
        if type(node) is dict and node.keys() == {"$", "array"} and node["$"] == "ndarray":
            index = node["array"]
            if type(index) is int and 0 <= index < len(self._arrays):
                array = self._arrays[index]
                if array.dtype != object:
                    return array
        return self.decode(node, path)

    def view_streamed(self, node: Any, path: str,
                      name: str) -> tuple[Any, Callable | None, Callable | None]:  # fmt: skip
        """Like view() of member `name` at `path`, with the array possibly still being
        decoded: the second item, wait(nbytes), blocks until its first nbytes are ready (None:
        the array is whole); the third, release(nbytes), gives back the memory of the first
        nbytes once read (None: keep it). For readers that consume a big array front to back
        while the rest is decoded (tree columns, span by span)."""
        if type(node) is dict and node.keys() == {"$", "array"} and node["$"] == "ndarray":
            index = node["array"]
            if type(index) is int and 0 <= index < len(self._arrays):
                pending = getattr(self._arrays, "pending", None)
                if pending is None:
                    array, wait, release = self._arrays[index], None, None
                else:
                    array, wait, release = pending(index)
                if array.dtype != object:
                    return array, wait, release
        return self.view(node, attr_path(path, name)), None, None

    def resolve(self, name: Any, path: str) -> Any:
        """The class or function named `name`; only names the trust audit accepted."""
        if not isinstance(name, str) or name not in self._allowed:
            raise GraphError(f"name {name!r} was not accepted by the trust audit", path)
        return _names.resolve(name, path)

    def unsupported(self, message: str, path: str) -> UnsupportedObjectError:
        return UnsupportedObjectError(message, path)
