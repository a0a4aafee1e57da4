"""Saving and loading the reference workloads: amber vs pickle, joblib and skops.

Every format saves the same fitted object to a file in build/bench (a save under 5 s is
timed again, median of three, or of fifteen under 0.1 s, so that first-call imports are not
counted and one slow write on a shared disk does not decide a ratio); load time is the median
of `--repeat` loads in this process, the formats taking turns so that a noisy neighbour hits
them alike, in a new order each round (page cache warm); first load time and peak memory (the
growth of the maximum RSS from the load's start, the imports' own peak reset) are medians over
three fresh processes that only load the file.
Ratios are against pickle protocol 5.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle  # bench only: the baseline
import random
import statistics
import subprocess
import sys
import time

import joblib
import skops.io as sio
from workloads import WORKLOADS, load_workload

import amber

FOLDER = os.path.join("build", "bench", "files")


def _pickle_dump(model, path):
    with open(path, "wb") as f:
        pickle.dump(model, f, protocol=5)


def _pickle_load(path):
    with open(path, "rb") as f:
        return pickle.load(f)


FORMATS = {
    "pickle p5": (_pickle_dump, _pickle_load),
    "joblib": (lambda m, p: joblib.dump(m, p), joblib.load),
    "joblib zlib-3": (lambda m, p: joblib.dump(m, p, compress=("zlib", 3)), joblib.load),
    "joblib lzma-3": (lambda m, p: joblib.dump(m, p, compress=("lzma", 3)), joblib.load),
    "skops": (
        lambda m, p: sio.dump(m, p),
        lambda p: sio.load(p, trusted=sio.get_untrusted_types(file=p)),
    ),
    "amber (default: zstd-7, 3 under 16 KiB)": (lambda m, p: amber.dump(m, p), amber.load),
    "amber max (zstd-19)": (lambda m, p: amber.dump(m, p, compression="max"), amber.load),
    "amber none (uncompressed)": (lambda m, p: amber.dump(m, p, compression="none"), amber.load),
    # The default file, loaded without re-running its validation samples (the bench's files
    # carry none, so this separates the cost of the check from the load itself).
    "amber verify=skip": (lambda m, p: amber.dump(m, p), lambda p: amber.load(p, verify="skip")),
}


def median_seconds(fn, repeat):
    times = []
    for _ in range(repeat):
        gc.collect()  # the previous format's garbage is not charged to this one
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_load(fmt: str, path: str, runs: int = 3) -> tuple[float, float, float]:
    """Peak-RSS growth (MiB), time (s) and file-backed RSS growth (MiB) of the first load in a
    fresh interpreter that imports everything (scikit-learn's estimator modules, amber's
    decoders), then loads the file: medians over `runs` interpreters. The time is what a
    process that starts and loads a model waits, on a heap no earlier load has shaped.

    File-backed pages (RssFile, read after the load: they stay) are the code the load ran for
    the first time and the mapped file's pages: the page cache holds one copy of them for
    every process, unlike the private memory the rest of the peak is.

    Read from /proc/self/status (VmHWM): ru_maxrss survives exec on Linux, so a child of this
    big process would report the parent's peak.
    """
    code = (
        "import sys, time; sys.path.insert(0, 'bench');"
        "import dump_load as d;"
        # amber's decoders import on first use, as pickle's classes did with workloads.py:
        # import them first, so that the number is the load, not the imports
        "import amber._dispatch;"
        "d.reset_peak(); before = d.status_kib('VmRSS'); files = d.status_kib('RssFile');"
        "start = time.perf_counter();"
        f"m = d.FORMATS[{fmt!r}][1]({path!r});"
        "elapsed = time.perf_counter() - start;"
        "print((d.status_kib('VmHWM') - before) / 1024, elapsed,"
        " (d.status_kib('RssFile') - files) / 1024)"
    )
    peaks, times, file_pages = [], [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        peak, elapsed, files = out.stdout.strip().splitlines()[-1].split()
        peaks.append(float(peak))
        times.append(float(elapsed))
        file_pages.append(float(files))
    return statistics.median(peaks), statistics.median(times), statistics.median(file_pages)


def reset_peak() -> None:
    """Sets VmHWM to the current VmRSS (Linux 4.0+): the imports' own peak, often above the
    resident size at the load's start, would otherwise hide part of the load's growth."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def measure(workload: str, repeat: int):
    model, _ = load_workload(workload)
    paths, saves = {}, {}
    for fmt, (dump, load) in FORMATS.items():
        path = os.path.join(FOLDER, f"{workload}-{fmt.split()[0]}-{abs(hash(fmt))}.bin")
        saves[fmt] = median_seconds(lambda: dump(model, path), 1)  # noqa: B023
        # The first save paid imports and first calls; a forest's 1-2 s saves also varied
        # 0.8-2.4 s from one process to the next on this machine: time them again too.
        if saves[fmt] < 5.0:
            # A millisecond save is mostly fsync and rename, whose time varies with the disk's
            # state: more repeats for a steadier median.
            again = 3 if saves[fmt] > 0.1 else 15
            saves[fmt] = median_seconds(lambda: dump(model, path), again)  # noqa: B023
        load(path)  # warm the page cache
        paths[fmt] = path
    loads = {fmt: [] for fmt in FORMATS}
    # A load right after a big one runs on the memory that one gave back (glibc's heap, pages
    # to fault in again): a new order each round (seeded, so runs repeat) spreads that cost
    # over all formats instead of charging whichever follows skops.
    order = list(FORMATS)
    for r in range(repeat):
        random.Random(r).shuffle(order)
        for fmt in order:
            load = FORMATS[fmt][1]
            loads[fmt].append(median_seconds(lambda: load(paths[fmt]), 1))  # noqa: B023
    rows = {}
    for fmt, path in paths.items():
        size = os.path.getsize(path)
        peak, first, file_pages = fresh_load(fmt, path)
        rows[fmt] = (size, saves[fmt], statistics.median(loads[fmt]), peak, first, file_pages)
        os.remove(path)
    return rows


def table(workload: str, rows: dict) -> str:
    pickle, zlib = rows["pickle p5"], rows["joblib zlib-3"]
    lines = [
        f"\n### {workload}\n",
        "| format | size MiB | save s | load s | first load s | peak load MiB "
        "| of which file pages MiB | load vs pickle "
        "| first load vs pickle | size vs zlib-3 | save vs zlib-3 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for fmt, (size, save_s, load_s, peak, first, file_pages) in rows.items():
        lines.append(
            f"| {fmt} | {size / 2**20:.2f} | {save_s:.3f} | {load_s:.4f} | {first:.4f} "
            f"| {peak:.2f} | {file_pages:.2f} | {load_s / pickle[2]:.2f}x "
            f"| {first / pickle[4]:.2f}x "
            f"| {size / zlib[0]:.2f}x | {save_s / zlib[1]:.2f}x |"
        )
    return "\n".join(lines)


BIG = ("forest", "hist_gradient_boosting")


def targets(results: dict) -> str:
    """Each target of the issue, checked against this run's numbers."""
    lines = [
        "\n## Targets (this run)\n",
        "| workload | target | measured | met |",
        "|---|---|---|---|",
    ]

    def row(workload, target, ratio, limit, fmt="{:.2f}x"):
        met = "yes" if ratio <= limit else "no"
        lines.append(f"| {workload} | {target} | {fmt.format(ratio)} | {met} |")

    for workload, rows in results.items():
        pickle, zlib, lzma = rows["pickle p5"], rows["joblib zlib-3"], rows["joblib lzma-3"]
        default, best = rows[DEFAULT], rows[STRONG]
        limit = 1.0 if workload in BIG else 2.0
        row(workload, f"default load <= {limit:g}x pickle", default[2] / pickle[2], limit)
        row(workload, f"(also) first load in a fresh process <= {limit:g}x pickle's",
            default[4] / pickle[4], limit)  # fmt: skip
        row(workload, "default size <= zlib-3", default[0] / zlib[0], 1.0)
        row(workload, "default save time <= zlib-3", default[1] / zlib[1], 1.0)
        row(workload, "max size <= lzma-3", best[0] / lzma[0], 1.0)
        row(workload, "max load >= 5x faster than lzma-3", best[2] / lzma[2], 0.2)
        # Small models grow the heap by a few hundred KiB: the absolute numbers say more.
        peak_ratio = default[3] / pickle[3] if pickle[3] > 0 else float("inf")
        row(workload, "default peak load memory <= pickle", peak_ratio, 1.0,
            "{:.2f}x" + f" ({default[3]:.2f} vs {pickle[3]:.2f} MiB; without file pages "
            f"{default[3] - default[5]:.2f} vs {pickle[3] - pickle[5]:.2f})")  # fmt: skip
    return "\n".join(lines)


DEFAULT, STRONG = "amber (default: zstd-7, 3 under 16 KiB)", "amber max (zstd-19)"


def _environment() -> str:
    import platform

    import numpy
    import sklearn

    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (
        f"Machine: {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {cpu}; "
        f"load average {os.getloadavg()[0]:.1f} at the start. Python {platform.python_version()}, "
        f"scikit-learn {sklearn.__version__}, NumPy {numpy.__version__}, "
        f"joblib {joblib.__version__}, skops {_version('skops')}, "
        f"amber {amber.__version__}.\n"
    )


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default="bench/results/dump_load.md")
    args = parser.parse_args()
    os.makedirs(FOLDER, exist_ok=True)
    environment = _environment()
    results = {w: measure(w, args.repeat) for w in args.workloads}
    report = (
        "# Save and load: amber vs pickle, joblib and skops\n\n"
        f"Command: `python bench/dump_load.py {' '.join(sys.argv[1:])}`.\n"
        + environment
        + "\nSame process, page cache warm; save is the median of 3 saves (15 under 0.1 s) after a "
        "first one (the first one alone from 5 s); load is the median of the repeats; first "
        "load and peak load are the time and "
        "the max-RSS growth of a fresh process that loads the file once, counted from the "
        "load's start (VmHWM reset after the imports; medians of three processes); its file "
        "pages are the growth of RssFile (code run for the first time, a mapped file's pages: "
        "one copy in the page cache for all processes). Ratios: "
        "below 1x means "
        "smaller or faster than the reference (the machine is shared, so only ratios measured in "
        "the same run are meaningful).\n"
        + "\n".join(table(w, rows) for w, rows in results.items())
        + "\n"
        + targets(results)
        + "\n"
    )
    print(report)
    with open(args.out, "w") as f:
        f.write(report)


if __name__ == "__main__":
    main()
