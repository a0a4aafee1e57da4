"""The runtime against scikit-learn running on NumPy's AVX-512 kernels.

conftest.py turns those kernels off, so that the bit-for-bit tests compare against NumPy
computing exp, log, log1p, expm1 and power with the C library, as the runtime does. Here a fresh
interpreter keeps them on, as a user's NumPy on such a CPU does: outputs then differ by a few
ULP, within the contract of docs/schema/README.md ("Numerical parity").
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from runtime_parity import ATOL, RTOL

SCRIPT = r"""
import json, math, os, sys, warnings
import numpy as np
x = np.linspace(-20, 20, 20001)
if np.array_equal(np.exp(x), np.array([math.exp(v) for v in x])):
    print(json.dumps(None))  # NumPy uses the C library here: nothing to measure
    sys.exit()
import amber
from sklearn.datasets import make_classification
from sklearn.ensemble import (AdaBoostClassifier, GradientBoostingClassifier,
                              HistGradientBoostingClassifier, IsolationForest)
from sklearn.preprocessing import PowerTransformer
X, y = make_classification(n_samples=600, n_features=8, n_informative=5, n_classes=3,
                           random_state=0)
models = {
    "adaboost": AdaBoostClassifier(n_estimators=20, random_state=0).fit(X, y),
    "gradient_boosting": GradientBoostingClassifier(n_estimators=20, random_state=0).fit(X, y),
    "hist_gradient_boosting": HistGradientBoostingClassifier(max_iter=20).fit(X, y),
    "isolation_forest": IsolationForest(n_estimators=30, random_state=0).fit(X),
    "yeo_johnson": PowerTransformer().fit(X),
}
out = {}
for name, est in models.items():
    path = os.path.join(sys.argv[1], name + ".amber")
    amber.dump(est, path)
    runtime = amber.Runtime(path)
    for method in ("predict_proba", "predict_log_proba", "score_samples", "transform"):
        if hasattr(est, method) and method in runtime.methods:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = getattr(est, method)(X)
            out[f"{name}.{method}"] = [getattr(runtime, method)(X).tolist(), expected.tolist()]
print(json.dumps(out))
"""


def test_outputs_within_the_contract_on_avx512_numpy(tmp_path):
    env = dict(os.environ)
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], env=env,
                         capture_output=True, text=True, check=True)  # fmt: skip
    results = json.loads(run.stdout.splitlines()[-1])
    if results is None:
        pytest.skip("NumPy computes exp with the C library here: the bit-for-bit tests cover it")
    differing = 0
    for where, (actual, expected) in results.items():
        actual, expected = np.asarray(actual), np.asarray(expected)
        ulps = np.abs(actual - expected) / np.spacing(np.maximum(abs(actual), abs(expected)))
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{where}: up to {ulps.max():.0f} ULP")  # fmt: skip
        differing += int(np.count_nonzero(actual != expected))
    # The kernels are on: some outputs differ (else this test measured the C library again).
    assert differing > 0
