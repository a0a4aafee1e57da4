"""Loading across scikit-learn releases: files dumped under 1.3 ... 1.8 load and verify under the
installed release, and files of the installed release load and verify under each of them.

Each old release runs in its own virtual environment (scripts/compat_venvs.py, built once and
cached outside the clone); the same amber package directory, with its CPython 3.11 _core
extension, is put on its PYTHONPATH. tests/compat/make_fixtures.py fits one model per portable
class there and dumps it with validation samples; the fixtures are cached too, keyed on the
release, the fixture script and amber's Python sources. Translations: docs/schema/*.md,
"Across versions".
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import sklearn
import sklearn.base

import amber
from amber.errors import UnsupportedError, VersionMismatchError

ROOT = Path(__file__).resolve().parents[2]
COMPAT = ROOT / "tests" / "compat"


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


venvs = _module("compat_venvs", ROOT / "scripts" / "compat_venvs.py")
make_fixtures = _module("make_fixtures", COMPAT / "make_fixtures.py")
load_fixtures = _module("load_fixtures", COMPAT / "load_fixtures.py")

RELEASES = list(venvs.PINS)
PORTABLE = list(make_fixtures.MODELS)
GENERIC = list(make_fixtures.GENERIC)
# ---------------------------------------------------------------------------------------------
# The amber package as the old environments see it, and the cached fixtures.


def _amber_dir() -> Path:
    return Path(amber.__file__).absolute().parent  # not resolved: the package may be a view


def _sources_hash() -> str:
    """amber's Python sources: fixtures are made again when any of them changes."""
    digest = hashlib.sha256()
    for path in sorted(_amber_dir().rglob("*.py")):
        digest.update(str(path.relative_to(_amber_dir())).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def package_view(tmp_path_factory) -> Path:
    """A folder holding only `amber` (a link to the imported package) for PYTHONPATH."""
    view = tmp_path_factory.mktemp("amber-view")
    (view / "amber").symlink_to(_amber_dir(), target_is_directory=True)
    return view


def _run(python: Path, script: Path, args: list[str], view: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PYTHONPATH=str(view), PYTHONNOUSERSITE="1", PYTHONHASHSEED="0")
    return subprocess.run(
        [str(python), str(script), *args], env=env, cwd=view, capture_output=True, text=True
    )


def _fixture_key(release: str) -> str:
    digest = hashlib.sha256(json.dumps(venvs.requirements(release)).encode())
    digest.update((COMPAT / "make_fixtures.py").read_bytes())
    digest.update(_sources_hash().encode())
    return digest.hexdigest()[:16]


def _fixtures(release: str, view: Path) -> Path:
    """The folder of `release`'s fixtures, made in its environment unless cached."""
    root = venvs.cache_root() / "fixtures"
    folder = root / f"{release}-{_fixture_key(release)}"
    with venvs.locked(f"fixtures-{release}"):
        if (folder / "index.json").exists():
            return folder
        python = venvs.ensure(release)
        for stale in root.glob(f"{release}-*"):  # earlier keys (and broken runs) of this release
            shutil.rmtree(stale, ignore_errors=True)
        partial = folder.with_name(folder.name + ".partial")
        made = _run(python, COMPAT / "make_fixtures.py", [str(partial)], view)
        if made.returncode != 0:
            pytest.fail(f"make_fixtures.py under scikit-learn {release} failed:\n{made.stderr}")
        partial.rename(folder)
    return folder


@pytest.fixture(scope="session")
def fixtures(package_view):
    made: dict[str, Path] = {}

    def get(release: str) -> Path:
        if release not in made:
            made[release] = _fixtures(release, package_view)
        return made[release]

    return get


def _index(folder: Path) -> dict:
    return json.loads((folder / "index.json").read_text())


# ---------------------------------------------------------------------------------------------
# Old files under the installed release.


def _expected_warnings(caught: list) -> list[str]:
    """Warnings of a load other than scikit-learn's own notice that a class is deprecated."""
    return [
        str(w.message)
        for w in caught
        if not (issubclass(w.category, FutureWarning) and str(w.message).startswith("Class "))
    ]


@pytest.mark.parametrize("name", PORTABLE)
@pytest.mark.parametrize("release", RELEASES)
def test_old_file_loads_and_verifies(fixtures, release, name):
    folder = fixtures(release)
    index = _index(folder)
    assert index["versions"]["sklearn"].startswith(release + ".")
    assert name in index["models"], f"{name} was not dumped under {release}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = amber.load(folder / f"{name}.amber", verify="raise")
    # Every translation is silent: no parameter dropped, no deprecated value passed on.
    assert _expected_warnings(caught) == []
    assert f"{type(model).__module__}:{type(model).__qualname__}" == index["models"][name]["class"]
    with np.load(folder / f"{name}.npz") as stored:
        methods = sorted(key[4:] for key in stored.files if key.startswith("out_"))
        assert methods == index["models"][name]["methods"] and methods
        assert load_fixtures.compare(model, stored) == []
    metadata = amber.inspect(folder / f"{name}.amber").metadata
    assert sorted(metadata["validation"]["methods"]) == methods


#: Old files the native runtime cannot run although it runs the same model's current file:
#: scikit-learn up to 1.4 recorded no n_features_in for a dummy, whose input width then is
#: unknown (a booster's init dummy takes the booster's).
NATIVE_NEEDS_WIDTH = {(r, n) for r in ("1.3", "1.4") for n in ("DummyClassifier", "DummyRegressor")}


def _native(path: Path) -> tuple:
    """What the native runtime makes of a file: ("unsupported",) or its verify report."""
    try:
        runtime = amber.Runtime(path)
    except UnsupportedError:
        return ("unsupported",)
    report = runtime.verify()
    return (report.present, sorted(report.checked), report.skipped, report.ok)


@pytest.mark.parametrize("name", PORTABLE)
@pytest.mark.parametrize("release", RELEASES)
def test_old_file_runs_natively_as_a_current_one(fixtures, current_files, release, name):
    """The schema does not depend on the writing release: an old file's validation samples
    re-run natively, and match, wherever a current file of the same model's do."""
    old = _native(fixtures(release) / f"{name}.amber")
    now = _native(current_files / f"{name}.amber")
    if (release, name) in NATIVE_NEEDS_WIDTH:
        assert old == ("unsupported",) and now != old
        return
    assert old == now
    assert old == ("unsupported",) or old[0] and old[3], old


@pytest.mark.parametrize("release", RELEASES)
def test_old_file_parameters_are_valid_here(fixtures, release):
    """Translated parameters are values the installed release accepts (a refit would work)."""
    folder = fixtures(release)
    for name in PORTABLE:
        model = amber.load(folder / f"{name}.amber", verify="skip")
        for estimator in _estimators(model):
            with warnings.catch_warnings():
                warnings.simplefilter("error", FutureWarning)
                try:
                    estimator._validate_params()
                except FutureWarning as exc:
                    if not str(exc).startswith("Class "):
                        raise AssertionError(f"{name}: {exc}") from exc


#: Deterministic fits: a refit under the installed release, with the translated parameters,
#: learns the old release's state (a translation keeps what a parameter meant, e.g.
#: KBinsDiscretizer's quantile_method); the state compared, by class.
REFIT = {
    "PolynomialFeatures": lambda m: m.powers_,
    "SplineTransformer": lambda m: np.stack([s.t for s in m.bsplines_]),
    "KBinsDiscretizer": lambda m: np.concatenate(m.bin_edges_),
}


@pytest.mark.parametrize("name", REFIT)
@pytest.mark.parametrize("release", RELEASES)
def test_old_file_parameters_refit_the_same(fixtures, release, name):
    model = amber.load(fixtures(release) / f"{name}.amber", verify="skip")
    _, kind, _ = make_fixtures.MODELS[name]
    refit = sklearn.base.clone(model).fit(*make_fixtures.fit_arguments(kind, make_fixtures.data()))
    np.testing.assert_allclose(REFIT[name](refit), REFIT[name](model), rtol=1e-12, atol=0)


def _estimators(model) -> list:
    found = [model] if hasattr(model, "_parameter_constraints") else []
    for value in model.get_params(deep=True).values():
        if hasattr(value, "_parameter_constraints") and not isinstance(value, type):
            found.append(value)
    return found


@pytest.mark.parametrize("release", RELEASES)
def test_generic_state_needs_the_writing_release(fixtures, release):
    folder = fixtures(release)
    written = _index(folder)["versions"]["sklearn"]
    path = folder / "PCA.amber"
    with pytest.raises(VersionMismatchError) as refused:
        amber.load(path)
    assert f"sklearn {written} (file) vs {sklearn.__version__} (installed)" in str(refused.value)
    with pytest.warns(UserWarning, match=f"sklearn {written} \\(file\\) vs"):
        model = amber.load(path, allow_version_mismatch=True, verify="warn")
    assert type(model).__name__ == "PCA"


# ---------------------------------------------------------------------------------------------
# Files of the installed release under an older one.


@pytest.fixture(scope="session")
def current_files(tmp_path_factory) -> Path:
    """The fixtures dumped by the installed release."""
    folder = tmp_path_factory.mktemp("current-fixtures")
    assert make_fixtures.main([str(folder)]) == 0
    return folder


@pytest.fixture(scope="session")
def read_under(current_files, package_view):
    """release -> {model name: "ok" or the error} for the installed release's files loaded
    there; each release reads them once."""
    folder = current_files
    reports: dict[str, dict] = {}

    def get(release: str) -> dict:
        if release not in reports:
            ran = _run(venvs.ensure(release), COMPAT / "load_fixtures.py", [str(folder)],
                       package_view)  # fmt: skip
            assert ran.returncode == 0, ran.stderr
            report = json.loads(ran.stdout)
            assert report["versions"]["sklearn"].startswith(release + ".")
            reports[release] = report["results"]
        return reports[release]

    return get


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("name", PORTABLE)
def test_current_file_loads_and_verifies_under_older_release(read_under, release, name):
    assert read_under(release)[name] == "ok"


@pytest.mark.parametrize("release", RELEASES)
def test_current_generic_state_refused_by_older_release(read_under, release):
    result = read_under(release)["PCA"]
    assert result.startswith("VersionMismatchError")
    installed = venvs.PINS[release]["scikit-learn"]
    assert f"sklearn {sklearn.__version__} (file) vs {installed}" in result


def test_string_categories_refused_by_1_3(tmp_path, package_view):
    """1.3 bins category values as they are, integers below 255: a HistGradientBoosting model
    whose categories are strings (1.4 on) has no form there and is refused by name."""
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier

    frame = pd.DataFrame({"x": np.arange(40.0), "colour": pd.Categorical(["red", "blue"] * 20)})
    model = HistGradientBoostingClassifier(max_iter=3, categorical_features="from_dtype")
    model.fit(frame, np.arange(40) % 2)
    amber.dump(model, tmp_path / "strings.amber", validation=frame[:5])
    np.savez(tmp_path / "strings.npz")
    (tmp_path / "index.json").write_text(json.dumps({"models": {"strings": {}}}))
    ran = _run(venvs.ensure("1.3"), COMPAT / "load_fixtures.py", [str(tmp_path)], package_view)
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)["results"]["strings"]
    assert result.startswith(
        "UnsupportedObjectError: fitted.categories[1]: scikit-learn 1.3 takes only integer "
        "categories in [0, 254]"
    ), result
