"""Tests of the `amber` command line tool (inspect, verify) on fixtures from amber_test_writer."""

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import xxhash
from conftest import reseal

DEFAULT_BUILD_DIR = Path(__file__).resolve().parents[2] / "build" / "cpp"
BUILD_DIR = Path(os.environ.get("AMBER_BUILD_DIR", DEFAULT_BUILD_DIR))
AMBER = BUILD_DIR / "src" / "cli" / "amber"
WRITER = BUILD_DIR / "tests" / "cpp" / "tools" / "amber_test_writer"

# What amber_test_writer puts in its fixture: name -> (dtype, shape, codec).
EXPECTED_ARRAYS = {
    "coef_": ("float64", [3, 4], "zstd"),
    "intercept_": ("float64", [3], "raw"),
    "classes_": ("string", [3], "zstd"),
    "mask": ("bool", [5], "raw"),
    "counts": ("int64", [10000], "zstd"),
    "scalar": ("uint16", [], "raw"),
    "empty": ("int32", [0], None),  # the writer may store an empty array either way
    "weights": ("float32", [64, 64], "zstd"),
    "labels_ünï": ("int8", [7], "raw"),
}
EXPECTED_METADATA = {
    "amber_version": "0.1.0",
    "created": "2024-01-01T00:00:00Z",
    "estimator": {
        "class": "sklearn.linear_model.LogisticRegression",
        "params": {"C": 1.0, "max_iter": 100},
    },
    "tags": ["fixture", "cli"],
    "note": "café",
}
EXIT_USAGE, EXIT_IO, EXIT_NOT_AMBER, EXIT_DAMAGED, EXIT_VERSION = 2, 3, 4, 5, 6


def _require_binaries():
    missing = [str(p) for p in (AMBER, WRITER) if not p.is_file()]
    if not missing:
        return
    message = f"amber binaries not built: {', '.join(missing)}"
    if "AMBER_BUILD_DIR" in os.environ:
        pytest.fail(message)  # the caller promised a build: its absence is a failure
    pytest.skip(message + " (build with `make build-cpp` or set AMBER_BUILD_DIR)")


def amber(*args, stdout=subprocess.PIPE):
    """Runs the amber CLI and returns the finished process (text decoded as UTF-8)."""
    return subprocess.run(
        [str(AMBER), *map(str, args)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=60,
        check=False,
    )


def write_fixture(path, *mode):
    result = subprocess.run(
        [str(WRITER), *mode, str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory):
    """The standard fixture and its content digest, as the writer reported it."""
    _require_binaries()
    path = tmp_path_factory.mktemp("cli") / "model.amber"
    digest = write_fixture(path)
    assert len(digest) == 64
    return path, digest


@pytest.fixture
def model(fixture_file, tmp_path):
    """A private copy of the fixture that a test may damage."""
    copy = tmp_path / "model.amber"
    shutil.copyfile(fixture_file[0], copy)
    return copy


@pytest.fixture(scope="module")
def report(fixture_file):
    result = amber("inspect", fixture_file[0], "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def array_entry(report, name):
    return next(a for a in report["arrays"] if a["name"] == name)


def patch(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def flip_byte(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ 0x5A]))


def assert_fails(result, code, path, *needles):
    """The command failed with `code` and one line on stderr: "amber CMD: PATH: message"."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr  # one clear message
    command = result.args[1]
    assert lines[0].startswith(f"amber {command}: {path}: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]


# --- inspect ---------------------------------------------------------------------------


def test_inspect_shows_header_and_every_array(fixture_file):
    path, digest = fixture_file
    result = amber("inspect", path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert digest in out
    assert re.search(r"^format +2\.1$", out, re.MULTILINE), out
    assert f"{path.stat().st_size} bytes" in out
    for name, (dtype, shape, codec) in EXPECTED_ARRAYS.items():
        shape_text = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
        row = next((line for line in out.splitlines() if f" {name} " in line), None)
        assert row is not None, f"no table row for {name}:\n{out}"
        assert dtype in row.split()
        assert shape_text in row
        assert codec is None or codec in row
    assert "zstd-19" in out  # the level of `counts`
    assert "zstd-3+shuffle" in out  # `coef_` was forced to shuffle
    assert "KiB" in out  # sizes for people


def test_inspect_table_is_aligned(fixture_file):
    lines = amber("inspect", fixture_file[0]).stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:3] == ["#", "name", "dtype"])
    table = lines[header : header + 1 + len(EXPECTED_ARRAYS)]
    dtype_column = {line.index(" " + line.split()[2] + " ") for line in table}
    assert len(dtype_column) == 1, "\n".join(table)


def test_inspect_prints_metadata_and_graph_summary(fixture_file):
    out = amber("inspect", fixture_file[0]).stdout
    assert '"class": "sklearn.linear_model.LogisticRegression"' in out
    assert '"note": "café"' in out
    assert '"tags": ["fixture", "cli"]' in out
    graph_line = next(line for line in out.splitlines() if line.startswith("graph"))
    assert "object of 3 members" in graph_line
    assert '"state"' not in out  # only with --graph


def test_inspect_a_compressed_manifest(tmp_path):
    _require_binaries()
    from amber import container

    path = tmp_path / "packed.amber"
    graph = [{"name": "sklearn.tree:DecisionTreeRegressor", "n": i} for i in range(300)]
    container.write(path, {"x": list(range(8))}, graph=graph, compression="max")
    text = amber("inspect", path).stdout
    report = json.loads(amber("inspect", path, "--json").stdout)
    assert report["manifest_codec"] == "zstd"
    assert report["format"] == {"major": 2, "minor": 1}
    assert report["manifest_json_length"] > 4 * report["manifest_length"]
    assert re.search(r"^manifest .*, zstd of .* of JSON$", text, re.MULTILINE), text
    assert amber("verify", path).returncode == 0


def test_a_format_2_0_file_reads_without_a_manifest_checksum(fixture_file, tmp_path):
    data = bytearray(fixture_file[0].read_bytes())
    data[10:12] = b"\x00\x00"  # minor 0: bytes 40..56 of the header are reserved, zero
    data[40:48] = bytes(8)
    old = tmp_path / "format-2.0.amber"
    old.write_bytes(reseal(data))
    report = json.loads(amber("inspect", old, "--json").stdout)
    assert report["format"] == {"major": 2, "minor": 0}
    assert report["manifest_xxh3"] is None
    assert amber("verify", old).returncode == 0


def test_inspect_graph_flag_prints_the_graph(fixture_file):
    out = amber("inspect", fixture_file[0], "--graph").stdout
    assert '"state": {' in out
    assert '"coef_": {' in out


def test_inspect_json_counts_and_sizes(fixture_file, report):
    path, digest = fixture_file
    assert report["file"] == str(path)
    assert report["file_size"] == path.stat().st_size
    assert report["format"] == {"major": 2, "minor": 1}
    assert report["manifest_codec"] == "raw"  # the fixture's writer keeps the manifest as text
    assert report["manifest_json_length"] == report["manifest_length"]
    stored = path.read_bytes()[64 : 64 + report["manifest_length"]]
    assert report["manifest_xxh3"] == xxhash.xxh3_64_hexdigest(stored)
    assert report["content_digest"] == digest
    assert report["signature_length"] == 0
    assert report["data_offset"] % 64 == 0
    assert report["data_offset"] >= 64 + report["manifest_length"]
    arrays = report["arrays"]
    assert report["summary"]["arrays"] == len(arrays) == len(EXPECTED_ARRAYS)
    assert report["summary"]["stored_bytes"] == sum(a["length"] for a in arrays)
    assert report["summary"]["decoded_bytes"] == sum(a["decoded_length"] for a in arrays)
    assert [a["index"] for a in arrays] == list(range(len(arrays)))
    assert report["metadata"] == EXPECTED_METADATA
    assert report["graph_summary"] == {"kind": "object", "size": 3, "values": 10, "depth": 3}
    assert "graph" not in report


def test_inspect_json_array_entries(report):
    for name, (dtype, shape, codec) in EXPECTED_ARRAYS.items():
        entry = array_entry(report, name)
        assert (entry["dtype"], entry["shape"]) == (dtype, shape)
        assert entry["codec"] == (codec or entry["codec"])
        assert entry["offset"] % 64 == 0
        assert len(entry["xxh3"]) == 16
    counts = array_entry(report, "counts")
    assert counts["decoded_length"] == 80000
    assert counts["length"] < counts["decoded_length"]
    assert (counts["level"], counts["filter"], counts["chunk"]) == (19, "none", 16384)
    assert counts["frame_count"] == 5
    assert array_entry(report, "coef_")["filter"] == "shuffle"
    assert array_entry(report, "intercept_")["length"] == 24
    assert "filter" not in array_entry(report, "intercept_")


def test_inspect_json_graph_flag(fixture_file):
    result = amber("inspect", "--json", "--graph", fixture_file[0])
    graph = json.loads(result.stdout)["graph"]
    assert graph["class"] == "sklearn.linear_model.LogisticRegression"
    assert graph["state"]["classes_"] == {"array": 2}


def test_inspect_file_without_arrays(tmp_path):
    _require_binaries()
    path = tmp_path / "empty.amber"
    digest = write_fixture(path, "--empty")
    result = amber("inspect", path)
    assert result.returncode == 0, result.stderr
    assert not any(line.split()[:2] == ["#", "name"] for line in result.stdout.splitlines())
    data = json.loads(amber("inspect", path, "--json").stdout)
    assert data["arrays"] == [] and data["summary"]["arrays"] == 0
    assert data["data_length"] == 0
    assert amber("verify", path).stdout == f"OK {digest} {path}\n"


def test_inspect_escapes_terminal_control_characters(tmp_path):
    _require_binaries()
    path = tmp_path / "evil.amber"
    write_fixture(path, "--control-chars")
    for args in ([], ["--json"]):
        result = amber("inspect", path, *args)
        assert result.returncode == 0, result.stderr
        for control in ("\x1b", "\x07", "\x7f", "\x9b"):
            assert control not in result.stdout, (args, result.stdout)
    data = json.loads(amber("inspect", path, "--json").stdout)
    assert data["arrays"][0]["name"] == "evil\x1b[2J\x07\x9bname"  # JSON keeps the values
    assert data["metadata"]["csi"] == "\x9b31m"


def test_inspect_does_not_check_array_bytes(model, report):
    """inspect reads the structure only: a damaged array still shows (verify finds it)."""
    entry = array_entry(report, "intercept_")
    flip_byte(model, report["data_offset"] + entry["offset"] + 3)
    assert amber("inspect", model).returncode == 0
    assert amber("verify", model).returncode == EXIT_DAMAGED


def test_inspect_uses_the_exit_codes_of_verify(model, tmp_path):
    missing = tmp_path / "missing.amber"
    assert_fails(amber("inspect", missing), EXIT_IO, missing)
    patch(model, 8, (3).to_bytes(2, "little"))
    assert_fails(amber("inspect", model), EXIT_VERSION, model)
    noise = tmp_path / "noise.bin"
    noise.write_bytes(b"\x00" * 4096)
    assert_fails(amber("inspect", noise), EXIT_NOT_AMBER, noise)


# --- verify ----------------------------------------------------------------------------


def test_verify_whole_file(fixture_file):
    path, digest = fixture_file
    result = amber("verify", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"OK {digest} {path}\n"
    assert result.stderr == ""


@pytest.mark.parametrize("threads", ["0", "1", "3"])
def test_verify_threads(fixture_file, threads):
    result = amber("verify", "--threads", threads, fixture_file[0])
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["intercept_", "coef_", "counts", "classes_", "mask"])
def test_verify_names_a_damaged_array(model, report, name):
    entry = array_entry(report, name)
    flip_byte(model, report["data_offset"] + entry["offset"] + entry["length"] // 2)
    assert_fails(amber("verify", model), EXIT_DAMAGED, model, f"'{name}'")


def test_verify_damaged_padding(model, report):
    entry = array_entry(report, "intercept_")  # 24 bytes, then 40 bytes of zero padding
    patch(model, report["data_offset"] + entry["offset"] + entry["length"] + 5, b"\x01")
    assert_fails(amber("verify", model), EXIT_DAMAGED, model)


def test_verify_damaged_manifest(model, report):
    text = model.read_bytes()
    at = text.index(b"LogisticRegression", 64)
    patch(model, at, b"l")  # still valid JSON: the manifest's checksum finds it
    assert_fails(amber("verify", model), EXIT_DAMAGED, model)


def test_verify_damaged_digest(model):
    flip_byte(model, model.stat().st_size - 64 + 20)  # inside content_digest
    assert_fails(amber("verify", model), EXIT_DAMAGED, model)


@pytest.mark.parametrize("keep", [0, 64, 127, 128, 1000, -100, -1])
def test_verify_truncated(model, keep):
    data = model.read_bytes()
    model.write_bytes(data[:keep])
    assert_fails(amber("verify", model), EXIT_DAMAGED, model)


def test_verify_extra_bytes(model):
    with open(model, "ab") as f:
        f.write(b"\x00")
    assert_fails(amber("verify", model), EXIT_DAMAGED, model)


@pytest.mark.parametrize("size", [128, 4096, 100_000])
def test_verify_random_bytes(tmp_path, size):
    _require_binaries()
    data = bytearray(random.Random(size).randbytes(size))
    data[0] = 0x7F  # never the amber magic
    path = tmp_path / "random.bin"
    path.write_bytes(bytes(data))
    assert_fails(amber("verify", path), EXIT_NOT_AMBER, path)


@pytest.mark.parametrize("major", [0, 3, 0xFFFF])
def test_verify_unknown_major_version(model, major):
    patch(model, 8, major.to_bytes(2, "little"))
    assert_fails(amber("verify", model), EXIT_VERSION, model)


def test_verify_io_errors(tmp_path):
    _require_binaries()
    missing = tmp_path / "does-not-exist.amber"
    assert_fails(amber("verify", missing), EXIT_IO, missing)
    assert_fails(amber("verify", tmp_path), EXIT_IO, tmp_path)  # a folder


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_verify_unreadable_file(model):
    model.chmod(0)
    assert_fails(amber("verify", model), EXIT_IO, model)


def test_verify_limits_are_overridable(fixture_file, report):
    path = fixture_file[0]
    small = str(report["manifest_length"] - 1)
    result = amber("verify", "--max-manifest-bytes", small, path)
    assert_fails(result, EXIT_DAMAGED, path)
    result = amber("verify", "--max-decoded-bytes", "1KiB", path)
    assert_fails(result, EXIT_DAMAGED, path)
    assert amber("verify", "--max-decoded-bytes", "1GiB", path).returncode == 0
    assert amber("inspect", "--max-manifest-bytes", small, path).returncode == EXIT_DAMAGED


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_write_error_on_stdout_is_reported(fixture_file):
    with open("/dev/full", "w") as full:
        result = amber("inspect", fixture_file[0], stdout=full)
    assert result.returncode == EXIT_IO
    assert "standard output" in result.stderr


# --- usage -----------------------------------------------------------------------------


def test_no_arguments_prints_help_and_exits_2():
    _require_binaries()
    result = amber()
    assert result.returncode == EXIT_USAGE
    assert "inspect" in result.stderr and "verify" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["verify"],
        ["inspect"],
        ["verify", "a.amber", "b.amber"],
        ["verify", "--threads", "-1", "a.amber"],
        ["verify", "--threads", "many", "a.amber"],
        ["verify", "--max-manifest-bytes", "lots", "a.amber"],
        ["inspect", "--no-such-flag", "a.amber"],
    ],
)
def test_usage_errors_exit_2(args):
    _require_binaries()
    result = amber(*args)
    assert result.returncode == EXIT_USAGE, (result.stdout, result.stderr)
    assert result.stderr != ""


def test_version():
    _require_binaries()
    result = amber("--version")
    assert result.returncode == 0
    assert "0.1.0" in result.stdout
    assert result.stdout.splitlines()[-1] == "file format 2.1 (reads 1.x and 2.x)"


@pytest.mark.parametrize("args", [["--help"], ["inspect", "--help"], ["verify", "--help"]])
def test_help_exits_0(args):
    _require_binaries()
    result = amber(*args)
    assert result.returncode == 0
    assert "Usage" in result.stdout or "usage" in result.stdout.lower()
