"""Every array of 45 fitted models' files, reshaped or given an extreme element in turn
(fuzz/mutate_models.py --shapes): each file loads and runs, or is refused with an
AmberError; none crashes the process. The
sweep forks a child per file, so a crash fails this test instead of ending the suite."""

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "fuzz" / "mutate_models.py"


def test_no_reshaped_array_crashes_a_load_or_a_method():
    out = subprocess.run([sys.executable, "-W", "ignore", str(SCRIPT), "--shapes"],
                         capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
    summary = re.search(r"shapes: (\d+) files \((\d+) refused\), (\d+) findings", out.stdout)
    assert summary, out.stdout[-2000:] + out.stderr[-2000:]
    files, refused, findings = map(int, summary.groups())
    assert findings == 0 and out.returncode == 0, out.stdout[-4000:]
    # The sweep means something only if files both load and get refused.
    assert files > 3000 and 0 < refused < files
