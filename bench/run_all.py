"""Runs every benchmark of bench/ in turn; each writes its table to bench/results/<name>.md.

`make bench` runs this after installing requirements-bench.txt. The machine may be shared:
each benchmark compares the alternatives side by side in one run and reports ratios.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCHMARKS = ["container_open.py", "container_codecs.py", "dump_load.py", "runtime.py"]


def main() -> int:
    here = Path(__file__).resolve().parent
    failed = []
    for name in BENCHMARKS:
        print(f"== bench/{name}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(here / name)], cwd=here.parent)
        print(f"== bench/{name}: exit {code} in {time.perf_counter() - start:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
