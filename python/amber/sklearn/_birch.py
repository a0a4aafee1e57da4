"""Birch without cycles: CF-tree nodes drop their leaf links, Birch keeps the leaf chain.

Birch's leaves form a doubly linked list (`prev_leaf_` / `next_leaf_`), a cycle the graph
cannot hold, and a chain as deep as the number of leaves. A `_CFNode` is written with the
two links set to None; its Birch writes the chain, from `dummy_leaf_` on, as the list
`$leaves` after its other attributes (so every entry is a ref) and relinks it on load.
"""

from __future__ import annotations

from typing import Any

from amber._graph import Encoder, attr_path
from amber.errors import UnsupportedObjectError
from amber.sklearn._generic import Special, encode_state
from amber.sklearn._validate import fail

BIRCH = "sklearn.cluster._birch:Birch"
CF_NODE = "sklearn.cluster._birch:_CFNode"
_LINKS = ("prev_leaf_", "next_leaf_")
_CHAIN = "$leaves"


def _chain(birch: Any, path: str) -> list:
    """The leaves from `dummy_leaf_` along `next_leaf_`, each linked back by `prev_leaf_`."""
    node, chain = vars(birch).get("dummy_leaf_"), []
    while node is not None:
        previous = chain[-1] if chain else None
        if getattr(node, "prev_leaf_", None) is not previous or len(chain) > 10**8:
            raise UnsupportedObjectError("Birch's leaf chain is not a linked list", path)
        chain.append(node)
        node = node.next_leaf_
    return chain


def encode_birch(birch: Any, enc: Encoder, path: str) -> dict:
    chain = _chain(birch, path)
    enc.context.setdefault("birch_leaves", set()).update(id(node) for node in chain)
    node = encode_state(birch.__getstate__(), enc, path)
    if chain:
        node["items"][_CHAIN] = enc.encode(chain, attr_path(path, _CHAIN))
    return node


def decode_birch(state: Any, path: str, cls: type) -> Any:
    if not isinstance(state, dict):
        raise fail("Birch state must be a dict", path)
    from sklearn.cluster._birch import _CFNode

    chain = state.pop(_CHAIN, [])
    if not isinstance(chain, list) or not all(type(node) is _CFNode for node in chain):
        raise fail("the leaf chain must be a list of _CFNode", attr_path(path, _CHAIN))
    if chain and state.get("dummy_leaf_") is not chain[0]:
        raise fail("the leaf chain must start at dummy_leaf_", attr_path(path, _CHAIN))
    for previous, node in zip([None, *chain], chain + [None], strict=False):
        if previous is not None:
            previous.next_leaf_ = node
        if node is not None:
            node.prev_leaf_ = previous
    birch = cls.__new__(cls)
    birch.__setstate__(state)
    return birch


def encode_cf_node(node: Any, enc: Encoder, path: str) -> dict:
    state = dict(vars(node))
    linked = any(state.get(link) is not None for link in _LINKS)
    if linked and id(node) not in enc.context.get("birch_leaves", ()):
        raise UnsupportedObjectError(
            "a linked Birch _CFNode can only be written with its Birch", path
        )
    for link in _LINKS:
        if link in state:
            state[link] = None  # relinked by the Birch; kept in place for the attribute order
    return encode_state(state, enc, path)


def decode_cf_node(state: Any, path: str, cls: type) -> Any:
    if not isinstance(state, dict) or not all(isinstance(key, str) for key in state):
        raise fail("_CFNode state must be a dict of attributes", path)
    if any(state.get(link) is not None for link in _LINKS):
        raise fail("a _CFNode's leaf links are written by its Birch, not by the node", path)
    node = cls.__new__(cls)
    node.__dict__.update(state)
    return node


SPECIALS = {
    BIRCH: Special(encode_birch, decode_birch),
    CF_NODE: Special(encode_cf_node, decode_cf_node),
}
