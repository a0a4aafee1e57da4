"""Opening a 1 GiB file of arrays: amber (mmap, zero copy) vs np.load(mmap_mode="r") vs pickle.

Each number is the median of repeated opens that return every array; the file is in the page
cache for all three. RSS growth shows what was copied into the process.
"""

from __future__ import annotations

import os
import pickle
import resource
import statistics
import time

import numpy as np

import amber.container

FOLDER = os.environ.get("AMBER_BENCH_DIR", "build/bench")
ARRAYS = 16
ELEMENTS = (64 << 20) // 8  # 16 x 64 MiB of float64 = 1 GiB


def median_seconds(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_files():
    arrays = {f"array{i}": np.arange(ELEMENTS, dtype=np.float64) + i for i in range(ARRAYS)}
    os.makedirs(FOLDER, exist_ok=True)
    paths = {
        "amber": os.path.join(FOLDER, "open-py.amber"),
        "npy": os.path.join(FOLDER, "open-py.npy"),
        "pickle": os.path.join(FOLDER, "open-py.pkl"),
    }
    amber.container.write(paths["amber"], arrays, compression="none")
    np.save(paths["npy"], np.stack(list(arrays.values())))
    with open(paths["pickle"], "wb") as f:
        pickle.dump(arrays, f, protocol=5)
    return paths


def open_amber(path):
    with amber.container.open(path) as c:
        return [c.array(i) for i in range(len(c))]


def open_pickle(path):
    with open(path, "rb") as f:
        return pickle.load(f)


def main():
    paths = make_files()
    rows = []
    for label, fn, path, repeat in (
        ("amber.container.open + all arrays", open_amber, paths["amber"], 200),
        ('np.load(mmap_mode="r")', lambda p: np.load(p, mmap_mode="r"), paths["npy"], 200),
        ("pickle.load (protocol 5)", open_pickle, paths["pickle"], 3),
    ):
        fn(path)  # warm the page cache
        before = rss_mib()
        seconds = median_seconds(lambda fn=fn, path=path: fn(path), repeat)
        rows.append((label, seconds, rss_mib() - before))
    base = rows[0][1]
    lines = [
        "## Opening a 1 GiB file of 16 float64 arrays\n",
        "Command: `python bench/container_open.py` (page cache warm).\n",
        "| method | median time | vs amber | peak RSS growth MiB |",
        "|---|---|---|---|",
    ]
    for label, seconds, growth in rows:
        lines.append(f"| {label} | {seconds * 1e6:.0f} µs | {seconds / base:.0f}x | {growth:.0f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    with open("bench/results/container_open.md", "w") as f:
        f.write(report)
    for path in paths.values():
        os.remove(path)


if __name__ == "__main__":
    main()
