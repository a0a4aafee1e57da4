"""The exhaustive sweeps of fuzz/mutate_models.py over 45 fitted models' files: every array
reshaped or given an extreme element (--shapes), and every integer of the graph set to 0,
-1, 2^31, 2^63-1 or True (--scalars), in turn. Each file loads and runs, or is refused with
an AmberError; none crashes the process. The sweeps fork a child per file, so a crash fails
the test instead of ending the suite."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "fuzz" / "mutate_models.py"


@pytest.mark.parametrize(("flag", "summary", "least"), [
    ("--shapes", "array_variants", 3000),
    ("--scalars", "scalar_variants", 4000),
])  # fmt: skip
def test_no_swept_file_crashes_a_load_or_a_method(flag, summary, least):
    out = subprocess.run([sys.executable, "-W", "ignore", str(SCRIPT), flag],
                         capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    found = re.search(rf"{summary}: (\d+) files \((\d+) refused\), (\d+) findings", out.stdout)
    assert found, out.stdout[-2000:] + out.stderr[-2000:]
    files, refused, findings = map(int, found.groups())
    assert findings == 0 and out.returncode == 0, out.stdout[-4000:]
    # A sweep means something only if files both load and get refused.
    assert files > least and 0 < refused < files
