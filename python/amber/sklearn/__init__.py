"""Estimator adapters of the portable tier: a registry by class name, consulted first.

A family module (`amber/sklearn/<family>.py`) registers, for each fully qualified class name
(`sklearn.ensemble._forest:RandomForestClassifier`), two functions:

- `to_node(estimator, encoder, path) -> dict`: an `estimator` node (docs/object-graph.md §2.1). Use
  `encoder.encode(value, path)` for nested values and `encoder.add_array(array, path)` for
  arrays of the array table; `path` is the estimator's node path (docs/object-graph.md §4).
- `from_node(node, decoder, path) -> estimator`: the estimator back. Use
  `decoder.decode(node, path)` and `decoder.array(index, path)`; raise
  amber.errors.GraphError naming the path on bad input.

`amber.dump(..., tier="generic")` skips the registry and writes every object in the generic tier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Adapter", "adapter_for", "register", "registered", "unregister"]


@dataclass(frozen=True)
class Adapter:
    """The two functions of a portable-tier family for one estimator class."""

    to_node: Callable[[Any, Any, str], dict]
    from_node: Callable[[dict, Any, str], Any]


_ADAPTERS: dict[str, Adapter] = {}


def register(class_name: str, to_node: Callable, from_node: Callable) -> None:
    """Registers the adapter of the estimator class `class_name` (`module:qualname`)."""
    if not isinstance(class_name, str) or ":" not in class_name:
        raise ValueError(f"register(): class_name must be 'module:qualname', not {class_name!r}")
    _ADAPTERS[class_name] = Adapter(to_node, from_node)


def unregister(class_name: str) -> None:
    """Removes the adapter of `class_name`, if any."""
    _ADAPTERS.pop(class_name, None)


def adapter_for(class_name: str) -> Adapter | None:
    """The adapter registered for `class_name`, or None (the generic tier then applies)."""
    return _ADAPTERS.get(class_name)


def registered() -> list[str]:
    """The class names that have an adapter, sorted."""
    return sorted(_ADAPTERS)
