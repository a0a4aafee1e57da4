"""`amber keygen`, `amber sign` and `amber verify --key`: the CLI side of signatures."""

import shutil
import subprocess

import pytest
from test_cli import EXIT_DAMAGED, amber, fixture_file, write_fixture  # noqa: F401

EXIT_SIGNATURE = 8


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    for who in ("alice", "bob"):
        result = amber("keygen", folder / who)
        assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def model(fixture_file, tmp_path):  # noqa: F811 (the fixture of test_cli, copied per test)
    copy = tmp_path / "model.amber"
    shutil.copyfile(fixture_file[0], copy)
    return copy


def test_keygen_writes_pem_that_openssl_reads(keys):
    private = (keys / "alice.pem").read_text()
    public = (keys / "alice.pub.pem").read_text()
    assert private.startswith("-----BEGIN PRIVATE KEY-----")
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    if shutil.which("openssl"):
        text = subprocess.run(
            ["openssl", "pkey", "-in", keys / "alice.pem", "-noout", "-text"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "ED25519" in text


def test_sign_then_verify_with_the_key(model, keys, fixture_file):  # noqa: F811
    assert amber("sign", model, "--key", keys / "alice.pem").returncode == 0
    result = amber("verify", model, "--key", keys / "alice.pub.pem")
    assert result.returncode == 0, result.stderr
    assert f"OK {fixture_file[1]}" in result.stdout  # signing keeps the content digest
    assert "signed-by" in result.stdout


def test_unsigned_file_and_another_key_exit_with_the_signature_code(model, keys):
    result = amber("verify", model, "--key", keys / "alice.pub.pem")
    assert result.returncode == EXIT_SIGNATURE
    assert "not signed" in result.stderr
    amber("sign", model, "--key", keys / "alice.pem")
    result = amber("verify", model, "--key", keys / "bob.pub.pem")
    assert result.returncode == EXIT_SIGNATURE
    assert "no signature by key" in result.stderr


def test_detached_signature_leaves_the_file_untouched(model, keys):
    before = model.read_bytes()
    assert amber("sign", model, "--key", keys / "bob.pem", "--detached").returncode == 0
    assert model.read_bytes() == before
    sig = model.with_name(model.name + ".sig")
    ok = amber("verify", model, "--key", keys / "bob.pub.pem", "--signature", sig)
    assert ok.returncode == 0, ok.stderr
    wrong = amber("verify", model, "--key", keys / "alice.pub.pem", "--signature", sig)
    assert wrong.returncode == EXIT_SIGNATURE


def test_a_damaged_file_is_not_signed_and_a_tampered_one_fails(model, keys):
    amber("sign", model, "--key", keys / "alice.pem")
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0x01
    model.write_bytes(bytes(data))
    result = amber("verify", model, "--key", keys / "alice.pub.pem")
    assert result.returncode in (EXIT_DAMAGED, EXIT_SIGNATURE)
    refused = amber("sign", model, "--key", keys / "bob.pem")
    assert refused.returncode == EXIT_DAMAGED
    assert model.read_bytes() == bytes(data)  # a failed sign leaves the file as it was


def test_a_public_key_cannot_sign(model, keys):
    result = amber("sign", model, "--key", keys / "alice.pub.pem")
    assert result.returncode != 0
    assert "key" in result.stderr.lower()
