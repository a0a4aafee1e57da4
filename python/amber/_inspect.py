"""amber.inspect: the object tree of a file as text (types, shapes, sizes, untrusted names).

It reads the manifest only: nothing is imported, built or decompressed.
"""

from __future__ import annotations

from typing import Any

from amber import _trust
from amber.errors import GraphError

_BRANCH, _LAST, _PIPE, _SPACE = "├── ", "└── ", "│   ", "    "
_SCALAR_KINDS = ("int", "float", "complex", "scalar", "dtype", "slice")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Inspection:
    """What an .amber file holds, without loading it; `repr()` is the tree view."""

    def __init__(
        self, manifest: dict, digest: str, file_size: int, trusted: frozenset = frozenset()
    ):
        self.graph = manifest["graph"]
        self.metadata = manifest["metadata"]
        self.arrays = manifest["arrays"]
        self.digest = digest
        self.file_size = file_size
        names, _ = _trust.collect_names(self.graph)
        self.untrusted = _trust.untrusted(names, trusted)
        self.max_items = 8

    def __repr__(self) -> str:
        return "\n".join([*self._header(), *_Renderer(self).lines(self.graph)])

    __str__ = __repr__

    def _header(self) -> list[str]:
        meta = self.metadata if isinstance(self.metadata, dict) else {}
        versions = meta.get("versions") if isinstance(meta.get("versions"), dict) else {}
        written = ", ".join(f"{k} {v}" for k, v in versions.items() if v)
        stored = sum(entry.get("length", 0) for entry in self.arrays)
        lines = [
            f"amber file: {_size(self.file_size)}, {len(self.arrays)} arrays "
            f"({_size(stored)} stored), digest {self.digest[:16]}",
            f"graph version {meta.get('graph_version')!r}, created {meta.get('created')}",
        ]
        if written:
            lines.append(f"written with {written}")
        lines.extend(_provenance_lines(meta))
        if self.untrusted:
            lines.append(f"UNTRUSTED: {', '.join(self.untrusted)}")
        return lines


def _provenance_lines(meta: dict) -> list[str]:
    """Platform, input schema, user metadata and validation samples, one line each."""
    lines = []
    platform = meta.get("platform")
    if isinstance(platform, dict):
        lines.append(f"platform {platform.get('system')} {platform.get('machine')}")
    schema = meta.get("input_schema")
    if isinstance(schema, dict):
        names = schema.get("feature_names")
        shown = f": {_short(names, 80)}" if names else ""
        lines.append(f"input: {schema.get('n_features')} features{shown}")
        if schema.get("categories"):
            lines.append(f"categories: {_short(schema['categories'], 80)}")
    user = meta.get("user")
    if isinstance(user, dict):
        for key, value in user.items():
            lines.append(f"{key}: {_short(value, 80)}")
    validation = meta.get("validation")
    if isinstance(validation, dict):
        methods = ", ".join(map(str, validation.get("methods", [])))
        lines.append(f"validation: {validation.get('rows')} rows for {methods}")
    return lines


class _Renderer:
    """Turns graph nodes into the lines of a tree drawing."""

    def __init__(self, inspection: Inspection):
        self.arrays = inspection.arrays
        self.untrusted = set(inspection.untrusted)
        self.max_items = inspection.max_items
        self.ids: dict[int, str] = {}

    def lines(self, graph: Any) -> list[str]:
        out: list[str] = []
        self._draw(graph, "", "", "", True, out, root=True)
        return out

    def _draw(self, node, label, path, prefix, last, out, root=False) -> None:
        summary, children = self._describe(node, path)
        head = f"{label}: {summary}" if label else summary
        out.append(head if root else f"{prefix}{_LAST if last else _BRANCH}{head}")
        inner = prefix if root else prefix + (_SPACE if last else _PIPE)
        many = len(children) > self.max_items + 2 and not _is_object(node)
        shown = children[: self.max_items] if many else children
        for i, (child_label, child, child_path) in enumerate(shown):
            is_last = i == len(shown) - 1 and len(shown) == len(children)
            self._draw(child, child_label, child_path, inner, is_last, out)
        if len(shown) < len(children):
            out.append(f"{inner}{_LAST}... {len(children) - len(shown)} more")

    def _mark(self, name: Any) -> str:
        untrusted = isinstance(name, str) and name in self.untrusted  # a node may be no str
        return f"{name}  [UNTRUSTED]" if untrusted else str(name)

    def _describe(self, node: Any, path: str) -> tuple[str, list]:
        if isinstance(node, _Fields):
            prefix = f"{path}." if path else ""
            return f"{len(node)} fields", [(k, v, f"{prefix}{k}") for k, v in node.items()]
        if isinstance(node, list):
            return f"list[{len(node)}]", _items(node, path)
        if not isinstance(node, dict):
            return _short(node), []
        kind = node.get("$")
        if isinstance(node.get("id"), int) and kind != "ref":
            self.ids[node["id"]] = path or "<root>"
        describe = getattr(self, f"_kind_{kind}", None) if isinstance(kind, str) else None
        if describe is None:
            return f"<invalid node {_short(kind)}>", []
        return describe(node, path)

    def _kind_ref(self, node, path):
        ref = node.get("id")
        target = self.ids.get(ref, "?") if isinstance(ref, int) else "?"  # lists do not hash
        return f"-> same object as {target}", []

    def _kind_list(self, node, path):
        items = node.get("items") if isinstance(node.get("items"), list) else []
        return f"list[{len(items)}]", _items(items, path)

    def _kind_tuple(self, node, path):
        items = node.get("items") if isinstance(node.get("items"), list) else []
        return f"tuple[{len(items)}]", _items(items, path)

    def _kind_set(self, node, path):
        items = node.get("items") if isinstance(node.get("items"), list) else []
        return f"{node['$']}[{len(items)}]", _items(items, path)

    _kind_frozenset = _kind_set

    def _kind_dict(self, node, path):
        items = node.get("items")
        if isinstance(items, dict):
            return f"dict[{len(items)}]", [(repr(k), v, f"{path}[{k!r}]") for k, v in items.items()]
        pairs = node.get("pairs") if isinstance(node.get("pairs"), list) else []
        children = []
        for i, pair in enumerate(pairs):
            if isinstance(pair, list) and len(pair) == 2:
                key = self._describe(pair[0], f"{path}.keys()[{i}]")[0]
                children.append((key, pair[1], f"{path}[{key}]"))
            else:
                children.append((f"pair {i}", pair, path))
        return f"dict[{len(pairs)}]", children

    def _kind_int(self, node, path):
        return str(node.get("v"))[:40], []

    def _kind_float(self, node, path):
        return str(node.get("v")), []

    def _kind_complex(self, node, path):
        return f"complex({node.get('re')}, {node.get('im')})", []

    def _kind_scalar(self, node, path):
        return f"{node.get('dtype')} {_short(node.get('v'), 40)}", []

    def _kind_dtype(self, node, path):
        return f"dtype {node.get('v')}", []

    def _kind_slice(self, node, path):
        return f"slice({node.get('start')}, {node.get('stop')}, {node.get('step')})", []

    def _kind_bytes(self, node, path):
        return f"bytes {self._array(node.get('array'))}", []

    def _kind_ndarray(self, node, path):
        if "items" in node:
            items = node["items"] if isinstance(node["items"], list) else []
            return f"ndarray object {tuple(node.get('shape') or ())}", _items(items, path)
        kind = f" ({node['dtype']})" if "dtype" in node else ""
        fortran = node.get("order") == "F"
        text = self._array(node.get("array"), reverse=fortran)
        return f"ndarray {text}{kind}{' F-order' if fortran else ''}", []

    def _kind_sparse(self, node, path):
        fmt, container = node.get("format"), node.get("container")
        data = node.get("data") if isinstance(node.get("data"), dict) else {}
        return (
            f"{fmt}_{container} {tuple(node.get('shape') or ())} data {self._array(data.get('array'))}",  # noqa: E501
            [],
        )

    def _kind_random_state(self, node, path):
        return "RandomState (MT19937)", []

    def _kind_generator(self, node, path):
        return f"Generator ({node.get('bit_generator')})", []

    def _kind_type(self, node, path):
        return f"type {self._mark(node.get('name'))}", []

    def _kind_function(self, node, path):
        return f"function {self._mark(node.get('name'))}", []

    def _kind_partial(self, node, path):
        children = [(key, node.get(key), f"{path}.{key}") for key in ("func", "args", "keywords")]
        return "functools.partial", children

    def _kind_object(self, node, path):
        name = node.get("type")
        short = name.rsplit(":", 1)[-1] if isinstance(name, str) else "?"
        return f"{short}  ({self._mark(name)})", _object_children(node, path)

    def _kind_estimator(self, node, path):
        name = node.get("class")
        short = name.rsplit(":", 1)[-1] if isinstance(name, str) else "?"
        # params and fitted are plain JSON objects whose values are nodes (object-graph.md 2.1);
        # their keys continue the path as attributes do.
        children = []
        for key in ("params", "fitted"):
            value = node.get(key)
            fields = _Fields(value) if isinstance(value, dict) and "$" not in value else value
            children.append((key, fields, path))
        return f"{short}  ({self._mark(name)}, schema {node.get('schema')})", children

    def _array(self, index: Any, reverse: bool = False) -> str:
        if not isinstance(index, int) or not 0 <= index < len(self.arrays):
            return f"<bad array index {index!r}>"
        entry = self.arrays[index]
        shape = tuple(entry.get("shape", ()))[:: -1 if reverse else 1]
        size = _size(entry.get("decoded_length", 0))
        codec = entry.get("codec")
        stored = f", {codec} {_size(entry.get('length', 0))}" if codec != "raw" else ""
        return f"{entry.get('dtype')} {shape} {size}{stored}"


class _Fields(dict):
    """An estimator node's params or fitted mapping: field names to nodes, not itself a node."""


def _is_object(node: Any) -> bool:
    """Objects show all their attributes; only sequences and mappings are cut short."""
    if isinstance(node, _Fields):
        return True
    return isinstance(node, dict) and node.get("$") in ("object", "estimator", "partial")


def _items(items: list, path: str) -> list:
    return [(f"[{i}]", item, f"{path}[{i}]") for i, item in enumerate(items)]


def _object_children(node: dict, path: str) -> list:
    children = []
    for key in ("new", "init"):
        if key in node:
            children.append((f"__{key}__", node[key], f"{path}.__{key}__"))
    state = node.get("state")
    if (
        isinstance(state, dict)
        and state.get("$") == "dict"
        and isinstance(state.get("items"), dict)
    ):
        prefix = f"{path}." if path else ""
        children += [(k, v, f"{prefix}{k}") for k, v in state["items"].items()]
    elif "state" in node:
        children.append(("state", state, path))
    for key in ("dictitems", "listitems"):
        if key in node:
            children.append((key, node[key], f"{path}.items()"))
    return children


def inspect(file: Any = None, *, data: bytes | None = None, trusted: Any = None) -> Inspection:
    """What the .amber `file` (a path or binary file object) or `data` (its bytes) holds.

    Returns an Inspection whose repr is the object tree: types with their fully qualified
    names (untrusted ones marked), array dtypes, shapes and sizes. Nothing is imported or built.
    """
    from amber import _api
    from amber.errors import InvalidArgumentError

    if (file is None) == (data is None):
        raise InvalidArgumentError("inspect(): give either file or data")
    extra = _trust.normalize_trusted(trusted, "inspect")
    opened = (
        _api.open_container(file, "inspect") if data is None else _api.open_bytes(data, "inspect")
    )
    with opened as c:
        try:
            manifest = c.manifest
        except ValueError as exc:  # e.g. an integer literal too long for Python's int()
            raise GraphError(f"the manifest cannot be read: {exc}", None) from exc
        _api.check_graph_version(manifest["metadata"].get("graph_version"))
        return Inspection(manifest, c.digest, c.file_size, extra)
