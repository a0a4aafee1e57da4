"""Finding and running the `amber` executable for the CLI tests of `amber predict`.

The binary is, in order: $AMBER_CLI; $AMBER_BUILD_DIR/src/cli/amber (as test_cli.py finds it);
the `amber` on PATH (installed with the Python package); build/cpp/src/cli/amber.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

EXIT_OK, EXIT_USAGE, EXIT_IO, EXIT_INPUT = 0, 2, 3, 9


def amber_path() -> Path | None:
    if "AMBER_CLI" in os.environ:
        return Path(os.environ["AMBER_CLI"])
    if "AMBER_BUILD_DIR" in os.environ:
        return Path(os.environ["AMBER_BUILD_DIR"]) / "src" / "cli" / "amber"
    found = shutil.which("amber")
    if found:
        return Path(found)
    default = Path(__file__).resolve().parents[2] / "build" / "cpp" / "src" / "cli" / "amber"
    return default if default.is_file() else None


def require_amber() -> Path:
    path = amber_path()
    if path is not None and path.is_file():
        return path
    message = f"the amber executable is not built ({path})"
    if "AMBER_CLI" in os.environ or "AMBER_BUILD_DIR" in os.environ:
        pytest.fail(message)  # the caller promised a build: its absence is a failure
    pytest.skip(message + "; install the package or set AMBER_CLI")


def run_amber(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Runs the CLI; stdout stays bytes (it may be .npy), stderr is decoded."""
    result = subprocess.run(
        [str(require_amber()), *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )
    result.stderr = result.stderr.decode("utf-8", errors="backslashreplace")
    return result
