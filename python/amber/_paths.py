"""The one check of a `file` argument that must be a path: a clear error for anything else."""

from __future__ import annotations

import os
from typing import Any

from amber.errors import InvalidArgumentError


def path_of(
    file: Any, caller: str, *, name: str = "file", or_also: str = "", content_hint: str = ""
) -> str:
    """`file` as a str path, else an error naming `caller`'s argument `name`, what it takes (a
    path, `or_also`) and what it got. Bytes are refused rather than taken for a bytes path:
    they are far more often a file's content, and `content_hint` says where that goes."""
    if isinstance(file, str | os.PathLike):
        path = os.fspath(file)
        if isinstance(path, str):
            return path
    message = f"{caller}(): {name} must be a path (str or os.PathLike){or_also}"
    message += f", not {type(file).__name__}"
    if isinstance(file, bytes | bytearray | memoryview) and content_hint:
        message += f"; to read a file's bytes, use {content_hint}"
    raise InvalidArgumentError(message)
