"""The .amber container from Python: write arrays, a graph and metadata; open and read them.

A thin layer over amber._core: libamber produces and checks every byte. Arrays read from a
file come back as numpy arrays that keep the file's memory alive on their own; raw
(uncompressed) arrays are read-only views of the memory-mapped file (of its bytes read into
memory, for a file under 1 MiB: _core.Reader.open decides).
"""

from __future__ import annotations

import json
import operator
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from amber import _core
from amber.errors import InvalidArgumentError

__all__ = ["FORMAT_VERSION", "Container", "open", "read_bytes", "write"]

#: The format version this build writes and reads, as (major, minor).
FORMAT_VERSION: tuple[int, int] = tuple(_core.FORMAT_VERSION)

#: Below this many decoded bytes a load decodes every array on its own thread first; above,
#: helper threads decode while the objects are built (StreamedArrays). Timed after
#: gc.collect(), as a first load runs: the 80 KiB of the bench's column pipeline load fastest on
#: one thread (1815 us a load, 1848 on two), the 353 KiB of its HistGradientBoosting streamed
#: (1193 us, against 1312 decoded whole on two threads first and 1427 on one).
_PARALLEL_BYTES = 1 << 18
#: Models are saved once and loaded many times: level 7 decodes a third faster than level 3
#: (fewer, longer matches) and still saves faster than zlib-3 (docs/format.md §7).
_DEFAULT_LEVEL = 7
#: ... except for arrays under 16 KiB, where level 7 spends its time setting up its search
#: tables: the 27 arrays (73 KiB) of the bench's column pipeline compress in 1.65 ms at level
#: 7 and 0.58 ms at level 3, 1.6% bigger, and load in the same time.
_SMALL_ARRAY_BYTES, _SMALL_ARRAY_LEVEL = 16 << 10, 3
_STRONG_LEVEL = 10
_SMALL_CHUNK, _LARGE_CHUNK = 1 << 20, 4 << 20
_MAX_LEVEL = 19
_NUMERIC_DTYPES = frozenset(
    np.dtype(name)
    for name in (
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64", "complex64", "complex128",
    )
)  # fmt: skip


def _codec(compression: Any) -> tuple[bool, int, int]:
    """Maps the `compression` argument of write() to (compress, zstd level, zstd level of the
    arrays under _SMALL_ARRAY_BYTES)."""
    if compression is None or compression == "none":
        return False, _DEFAULT_LEVEL, _DEFAULT_LEVEL
    if isinstance(compression, str) and compression in ("default", "zstd"):
        return True, _DEFAULT_LEVEL, _SMALL_ARRAY_LEVEL
    if isinstance(compression, str) and compression == "max":
        return True, _MAX_LEVEL, _MAX_LEVEL
    is_int = isinstance(compression, int | np.integer) and not isinstance(compression, bool)
    if is_int and 1 <= compression <= _MAX_LEVEL:
        return True, int(compression), int(compression)
    raise InvalidArgumentError(
        "write(): compression must be 'default', 'none', None, 'zstd', 'max' or a zstd level "
        f"1..{_MAX_LEVEL}, not {compression!r}"
    )


def _named(arrays: Any) -> list[tuple[str, Any]]:
    """The arrays as (name, value) pairs; unnamed arrays get the empty name."""
    if isinstance(arrays, Mapping):
        for name in arrays:
            if not isinstance(name, str):
                raise InvalidArgumentError(f"write(): array names must be str, not {name!r}")
        return list(arrays.items())
    if isinstance(arrays, np.ndarray | str | bytes):
        raise InvalidArgumentError(
            "write(): `arrays` must be a sequence or a mapping of arrays, not a single value"
        )
    return [("", value) for value in arrays]


def _label(index: int, name: str) -> str:
    return f"array {index} {name!r}" if name else f"array {index}"


def _strings(array: np.ndarray, label: str) -> list[str]:
    """The elements of a str or object array, in C order; non-str elements are refused."""
    strings = array.ravel().tolist()
    if array.dtype.kind == "O":
        for value in strings:
            if not isinstance(value, str):
                raise InvalidArgumentError(
                    f"write(): {label}: object arrays must hold only str, "
                    f"found {type(value).__name__}"
                )
    return strings


def _canonical(array: np.ndarray, label: str) -> np.ndarray:
    """The array as C-contiguous little-endian data of a dtype the format stores."""
    if array.dtype.newbyteorder("=") not in _NUMERIC_DTYPES:
        raise InvalidArgumentError(f"write(): {label}: unsupported dtype {array.dtype}")
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)
    return array


def _chunk(level: int) -> int:
    """Decoded bytes per zstd frame. A load that streams (big files) starts building objects
    once the first frame of every array is decoded, so fast levels use 1 MiB frames (the 500-
    tree bench forest: 3.6% bigger than with 4 MiB, loaded 5-10% faster); strong levels keep
    4 MiB, where the ratio is the point."""
    return _SMALL_CHUNK if level < _STRONG_LEVEL else _LARGE_CHUNK


def _add_array(writer: Any, index: int, name: str, value: Any, compress: bool, levels: tuple):
    array = np.asarray(value)
    label = _label(index, name)
    level = levels[1] if array.nbytes < _SMALL_ARRAY_BYTES else levels[0]
    chunk = _chunk(level)
    if array.dtype.kind in "UO":
        strings = _strings(array, label)
        writer.add_string_array(
            strings, array.shape, name=name, compress=compress, level=level, chunk=chunk
        )
    else:
        array = _canonical(array, label)
        writer.add_array(
            array, name=name, compress=compress, level=level, filter="auto", chunk=chunk
        )


def _json(value: Any, what: str) -> str:
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"write(): {what} is not JSON-serialisable: {exc}") from exc


def write(
    file: Any,
    arrays: Any,
    *,
    graph: Any = None,
    metadata: dict | None = None,
    compression: Any = "default",
    threads: int = 0,
) -> str:
    """Writes an .amber file and returns its content digest (hex SHA-256).

    `file` is a path (written atomically) or a writable binary file object. `arrays` is a
    sequence of arrays, or a mapping of name to array. `graph` is any JSON-serialisable value,
    `metadata` a JSON-serialisable dict. `compression` is "default" (zstd level 7, level 3 for
    arrays under 16 KiB, automatic shuffle), "none" or None (raw: zero-copy on read), "zstd"
    (the same as "default"), "max" (level 19), or a zstd level 1..19 for every array. `threads`
    bounds compression threads (0: all cores).
    """
    compress, level, small_level = _codec(compression)
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise InvalidArgumentError(f"write(): metadata must be a dict, not {type(metadata)}")
    # The manifest is compressed whenever the arrays are: "none" keeps a file whose manifest
    # any text tool can read.
    writer = _core.Writer(threads=threads, manifest_level=level if compress else 0)
    for index, (name, value) in enumerate(_named(arrays)):
        _add_array(writer, index, name, value, compress, (level, small_level))
    writer.set_graph_json(_json(graph, "graph"))
    writer.set_metadata_json(_json(metadata, "metadata"))
    if isinstance(file, str | bytes | os.PathLike):
        return writer.write(os.fsdecode(file))
    if not hasattr(file, "write"):
        raise InvalidArgumentError(f"write(): file must be a path or a binary file, not {file!r}")
    data = writer.to_bytes()
    file.write(data)
    return _core.Reader.from_bytes(data).digest


def open(path: str | os.PathLike, *, limits: dict | None = None) -> Container:
    """Opens the file at `path` (memory-mapped, or read if under 1 MiB) and validates its
    structure."""
    return Container(_core.Reader.open(os.fsdecode(path), limits))


def read_bytes(data: bytes, *, limits: dict | None = None) -> Container:
    """Validates a file held in memory; the bytes are copied, so `data` may change later."""
    return Container(_core.Reader.from_bytes(bytes(data), limits))


class Container:
    """An open .amber file: its manifest, graph, metadata and arrays."""

    def __init__(self, reader: Any):
        self._reader = reader
        self._manifest: dict | None = None
        self._graph: Any = None

    def _open_reader(self) -> Any:
        if self._reader is None:
            raise InvalidArgumentError("the container is closed")
        return self._reader

    @property
    def format_version(self) -> tuple[int, int]:
        return tuple(self._open_reader().format_version)

    @property
    def manifest_compressed(self) -> bool:
        """Whether the file stores its manifest as a zstd frame (format 2.0, header flag 1)."""
        return self._open_reader().manifest_compressed

    @property
    def digest(self) -> str:
        """The content digest recorded in the footer (hex SHA-256)."""
        return self._open_reader().digest

    @property
    def file_size(self) -> int:
        return self._open_reader().file_size

    @property
    def manifest(self) -> dict:
        """The whole manifest (array table, graph, metadata), parsed."""
        if self._manifest is None:
            self._manifest = json.loads(self._open_reader().manifest_json)
        return self._manifest

    def member(self, *path: str) -> Any:
        """The manifest member at `path` (object keys) as Python objects; None when absent.
        Builds only that member, where `manifest` parses the array table and metadata too."""
        return self._open_reader().member(list(path))

    def load_view(self, with_validation: bool) -> tuple:
        """What a load reads of the manifest, in one native call: (graph,
        metadata.graph_version, metadata.validation, names, object types), None for what is
        absent. The names (amber._trust.collect_names, collected natively) include those of
        the validation graph when `with_validation`."""
        return self._open_reader().load_view(with_validation)

    @property
    def graph(self) -> Any:
        if self._graph is None:
            self._graph = self.member("graph")
        return self._graph

    @property
    def metadata(self) -> dict:
        return self.member("metadata")

    @property
    def array_infos(self) -> list[dict]:
        reader = self._open_reader()
        return [reader.array_info(i) for i in range(reader.array_count)]

    def _index(self, key: int | str) -> int:
        count = len(self)
        if isinstance(key, str):
            found = [i for i, info in enumerate(self.array_infos) if info["name"] == key]
            if not found:
                raise KeyError(key)
            if len(found) > 1:
                raise InvalidArgumentError(f"array(): {len(found)} arrays are named {key!r}")
            return found[0]
        index = operator.index(key)
        if not -count <= index < count:
            raise IndexError(f"array(): index {index} out of range for {count} arrays")
        return index % count

    def array(self, key: int | str, check_checksum: bool = False) -> np.ndarray:
        """One array by index or name; raw arrays are read-only views of the file."""
        return self._open_reader().array(self._index(key), check_checksum)

    def arrays(self, check_checksum: bool = False, threads: int = 0) -> list[np.ndarray]:
        """Every array, decoded in parallel on up to `threads` threads (0: all cores, or one
        for a small file)."""
        reader = self._open_reader()
        if threads == 0 and reader.decoded_bytes < _PARALLEL_BYTES:
            threads = 1
        return reader.arrays(list(range(reader.array_count)), check_checksum, threads)

    def arrays_streaming(self, check_checksum: bool = True) -> Sequence[np.ndarray]:
        """Every array, decoded in the background when the file is big enough for it to pay:
        indexing waits for that array; `pending(i)` gives it at once with a wait(nbytes)
        for readers that consume it front to back (see StreamedArrays)."""
        reader = self._open_reader()
        indices = list(range(reader.array_count))
        if reader.decoded_bytes < _PARALLEL_BYTES:
            return reader.arrays(indices, check_checksum, 1)
        decoding = reader.decode_streaming(indices, check_checksum)
        return StreamedArrays(decoding, reader.shared_arrays())

    def verify(self, threads: int = 0) -> None:
        """Checks padding, every checksum, string and bool array, and the content digest."""
        self._open_reader().verify(threads)

    def close(self) -> None:
        """Drops the reader; arrays already handed out stay valid."""
        self._reader = None

    def __len__(self) -> int:
        return self._open_reader().array_count

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._reader is None:
            return "<amber Container (closed)>"
        return f"<amber Container {len(self)} arrays, digest {self.digest[:16]}>"


class StreamedArrays(Sequence):
    """The arrays of a file being decoded by worker threads (amber._core.StreamingDecode).

    `arrays[i]` waits for array i; `pending(i)` returns it at once with a `wait(nbytes)` that
    blocks until its first nbytes are decoded (the waiting thread helps decode): the bytes
    past that point are not yet written. `finish()` waits for all and raises the first error.
    `shared`: the indices more than one node of the file names (see pending()).
    """

    def __init__(self, decoding: Any, shared: set[int] = frozenset()):
        self._decoding = decoding
        self._shared = shared
        self._done: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._decoding)

    def __getitem__(self, i: int) -> np.ndarray:
        array = self._done.get(i)
        if array is None:
            array = self._done[i] = self._decoding.array(i)
        return array

    def __setitem__(self, i: int, array: np.ndarray) -> None:
        self._done[i] = array

    def pending(self, i: int) -> tuple[np.ndarray, Callable | None, Callable | None]:
        """(array, wait, release): wait(nbytes) as above, or None when the array is whole;
        release(nbytes) gives back the memory of its first nbytes, which the caller has copied
        and reads no more (they read as zeros afterwards), or None when other nodes of the file
        name the same array or it is already whole in this object's hands."""
        if i in self._done:
            return self._done[i], None, None
        decoding = self._decoding
        release = None if i in self._shared else lambda nbytes: decoding.release(i, nbytes)
        return decoding.pending(i), lambda nbytes: decoding.wait(i, nbytes), release

    def finish(self) -> None:
        self._decoding.wait_all()
