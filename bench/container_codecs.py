"""Codec comparison on arrays of real fitted models: amber zstd levels x shuffle vs zlib-3, lzma-3.

zlib-3 and lzma-3 are what joblib offers; they run through Python's zlib and lzma modules on
the same bytes. Every codec compresses each array separately, as joblib does. Times are the
median of `--repeat` runs on one thread (amber also at all cores), reported as ratios to zlib-3.
"""

from __future__ import annotations

import argparse
import lzma
import os
import statistics
import tempfile
import time
import zlib

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

from amber import _core

LEVELS = (1, 3, 7, 9, 19)


def model_arrays(n_estimators: int) -> dict[str, dict[str, np.ndarray]]:
    """Tree node columns of a fitted forest and boosting model, grouped by dtype."""
    X, y = make_classification(n_samples=50_000, n_features=20, n_informative=10, random_state=42)
    forest = RandomForestClassifier(n_estimators=n_estimators, max_depth=20, random_state=42)
    forest.fit(X, y)
    groups: dict[str, dict[str, np.ndarray]] = {"float64": {}, "int64": {}}
    nodes = [e.tree_.__getstate__()["nodes"] for e in forest.estimators_]
    values = [e.tree_.__getstate__()["values"] for e in forest.estimators_]
    nodes = np.concatenate(nodes)
    for field in ("threshold", "impurity", "weighted_n_node_samples"):
        groups["float64"][f"forest.{field}"] = np.ascontiguousarray(nodes[field])
    groups["float64"]["forest.value"] = np.concatenate(values).ravel()
    for field in ("left_child", "right_child", "feature", "n_node_samples"):
        groups["int64"][f"forest.{field}"] = np.ascontiguousarray(nodes[field]).astype(np.int64)
    hgb = HistGradientBoostingClassifier(max_iter=200, random_state=42).fit(X, y)
    predictor_nodes = np.concatenate([p[0].nodes for p in hgb._predictors])
    groups["float64"]["hgb.value"] = np.ascontiguousarray(predictor_nodes["value"])
    groups["float64"]["hgb.num_threshold"] = np.ascontiguousarray(predictor_nodes["num_threshold"])
    groups["int64"]["hgb.count"] = predictor_nodes["count"].astype(np.int64)
    return groups


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def amber_row(arrays, level, filter_, threads, folder, repeat):
    path = os.path.join(folder, f"bench-{level}-{filter_}.amber")

    def write():
        writer = _core.Writer(threads=threads)
        for name, array in arrays.items():
            writer.add_array(array, name=name, level=level, filter=filter_)
        writer.write(path)

    write_s = median_time(write, repeat)

    def read():
        reader = _core.Reader.open(path)
        reader.arrays(list(range(reader.array_count)), threads=threads)

    read_s = median_time(read, repeat)
    return os.path.getsize(path), write_s, read_s


def python_codec_row(arrays, compress, decompress, repeat):
    blobs = {}

    def write():
        for name, array in arrays.items():
            blobs[name] = compress(array.tobytes())

    write_s = median_time(write, repeat)

    def read():
        for name, array in arrays.items():
            np.frombuffer(decompress(blobs[name]), dtype=array.dtype)

    read_s = median_time(read, repeat)
    return sum(len(b) for b in blobs.values()), write_s, read_s


def table_for(group, arrays, repeat, folder):
    raw = sum(a.nbytes for a in arrays.values())
    rows = [
        ("zlib-3 (joblib)",)
        + python_codec_row(arrays, lambda b: zlib.compress(b, 3), zlib.decompress, repeat)
    ]
    rows.append(
        ("lzma-3 (joblib)",)
        + python_codec_row(arrays, lambda b: lzma.compress(b, preset=3), lzma.decompress, repeat)
    )
    for level in LEVELS:
        for filter_ in ("none", "shuffle"):
            label = f"amber zstd-{level}" + (" + shuffle" if filter_ == "shuffle" else "")
            rows.append((label,) + amber_row(arrays, level, filter_, 1, folder, repeat))
    cores = os.cpu_count()
    rows.append(
        (f"amber zstd-7 auto (default), {cores} threads",)
        + amber_row(arrays, 7, "auto", 0, folder, repeat)
    )
    base_size, base_write, base_read = rows[0][1:]
    lines = [
        f"\n### {group} arrays ({raw / 2**20:.1f} MiB raw, {len(arrays)} arrays)\n",
        "| codec | size MiB | ratio | size vs zlib-3 | write MB/s | read MB/s "
        "| write vs zlib-3 | read vs zlib-3 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, size, write_s, read_s in rows:
        lines.append(
            f"| {label} | {size / 2**20:.2f} | {raw / size:.2f} | {size / base_size:.2f} "
            f"| {raw / write_s / 1e6:.0f} | {raw / read_s / 1e6:.0f} "
            f"| {base_write / write_s:.2f}x | {base_read / read_s:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default="bench/results/container_codecs.md")
    args = parser.parse_args()
    groups = model_arrays(args.trees)
    header = (
        f"## Codecs on tree-model arrays (RandomForest {args.trees} trees, max_depth 20, "
        "50,000 x 20; HistGradientBoosting 200 iterations)\n\n"
        "Command: `python bench/container_codecs.py`. Speeds in MB/s of raw bytes; "
        "ratios > 1x are faster than zlib-3. One thread unless the row says otherwise."
    )
    with tempfile.TemporaryDirectory(dir="build") as folder:
        tables = [table_for(g, arrays, args.repeat, folder) for g, arrays in groups.items()]
    report = header + "\n" + "\n".join(tables) + "\n"
    print(report)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(report)


if __name__ == "__main__":
    main()
