"""The trust policy: which fully qualified names a file may use, audited before any import.

A name is trusted when it is, as a whole string, in the default lists of amber._trusted
(docs/security.md) or in the caller's `trusted=[...]`. Nothing else is looked at: no
prefixes, no patterns, no import to see what a name is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from amber import _names
from amber._trusted import DEFAULT_TRUSTED

#: Node kinds that carry a fully qualified name, and the member that holds it.
NAMED_KINDS = {"object": "type", "type": "name", "function": "name", "estimator": "class"}
#: JSON values that are neither arrays nor objects (exact types: a subclass is still walked).
_SCALARS = frozenset([str, int, float, bool, type(None)])


def normalize_trusted(trusted: Any, caller: str) -> frozenset[str]:
    """The caller's extra trusted names; `trusted=True` (trust everything) does not exist."""
    if trusted is None:
        return frozenset()
    if isinstance(trusted, bool):
        raise TypeError(
            f"{caller}(): trusted=True is not supported: amber never trusts every name. Pass "
            "the list of names you trust, e.g. trusted=amber.get_untrusted_types(file=...) "
            "after reading it"
        )
    if isinstance(trusted, str | bytes) or not isinstance(trusted, Iterable):
        raise TypeError(f"{caller}(): trusted must be a list of names, not {trusted!r}")
    return frozenset(_trusted_name(item, caller) for item in trusted)


def _trusted_name(item: Any, caller: str) -> str:
    if isinstance(item, str):
        if not _names.is_valid_name(item):
            raise ValueError(
                f"{caller}(): {item!r} is not a fully qualified name 'module:qualname'"
            )
        return item
    if isinstance(item, type) or callable(item):
        return _names.qualified_name(item, "")
    raise TypeError(f"{caller}(): trusted names must be str, not {type(item).__name__}")


def collect_names(graph: Any) -> tuple[set[str], set[str]]:
    """Every name in the graph, and the names of `object` nodes (for version checks).

    Walks all JSON values, whatever the kinds around them, so no name escapes the audit.
    Names that are not strings are left to the decoder, which refuses them.
    """
    names: set[str] = set()
    object_types: set[str] = set()
    stack = [graph]
    pop, push = stack.pop, stack.append
    while stack:
        value = pop()
        if type(value) is list or (type(value) is not dict and isinstance(value, list)):
            for item in value:
                if type(item) not in _SCALARS:  # scalars hold no names: not worth a visit
                    push(item)
        elif isinstance(value, dict):
            kind = value.get("$")
            key = NAMED_KINDS.get(kind) if isinstance(kind, str) else None
            if key is not None:
                name = value.get(key)
                if isinstance(name, str):
                    names.add(name)
                    if kind == "object":
                        object_types.add(name)
            for item in value.values():
                if type(item) not in _SCALARS:
                    push(item)
    return names, object_types


def untrusted(names: Iterable[str], extra: frozenset[str] = frozenset()) -> list[str]:
    """The names that are neither trusted by default nor in `extra`, sorted."""
    return sorted([name for name in names if name not in DEFAULT_TRUSTED and name not in extra])
