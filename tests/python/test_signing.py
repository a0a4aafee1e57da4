"""Ed25519 signatures: embedded and detached, wrong keys, and tampering with any byte."""

import numpy as np
import pytest

import amber.container
from amber import errors, signing


@pytest.fixture(scope="module")
def keys():
    return {"alice": signing.generate_keypair(), "bob": signing.generate_keypair()}


def small_file(path):
    arrays = {"coef": np.linspace(-1, 1, 40), "flags": np.array([True, False, True])}
    amber.container.write(path, arrays, metadata={"owner": "alice"})
    return path


def test_embedded_signature_verifies_and_keeps_the_digest(tmp_path, keys):
    path = small_file(tmp_path / "m.amber")
    digest = amber.container.open(path).digest
    private, public = keys["alice"]
    assert signing.sign(path, private) == signing.key_id(public)
    assert signing.verify_signature(path, public) == digest
    assert amber.container.open(path).digest == digest
    amber.container.open(path).verify()


def test_unsigned_file_and_other_key_are_refused(tmp_path, keys):
    path = small_file(tmp_path / "m.amber")
    with pytest.raises(errors.SignatureError, match="not signed"):
        signing.verify_signature(path, keys["alice"][1])
    signing.sign(path, keys["alice"][0])
    with pytest.raises(errors.SignatureError, match="no signature by key"):
        signing.verify_signature(path, keys["bob"][1])


def test_two_keys_can_sign_and_resigning_replaces(tmp_path, keys):
    path = small_file(tmp_path / "m.amber")
    signing.sign(path, keys["alice"][0])
    signing.sign(path, keys["bob"][0])
    signing.sign(path, keys["alice"][0])
    signing.verify_signature(path, keys["alice"][1])
    signing.verify_signature(path, keys["bob"][1])
    block = amber.container.open(path)._open_reader().signature_json
    assert block.count('"key_id"') == 2


def test_detached_signature(tmp_path, keys):
    path = small_file(tmp_path / "m.amber")
    before = path.read_bytes()
    signing.sign(path, keys["bob"][0], detached=True)
    assert path.read_bytes() == before
    sig = str(path) + ".sig"
    signing.verify_signature(path, keys["bob"][1], signature=sig)
    with pytest.raises(errors.SignatureError):
        signing.verify_signature(path, keys["alice"][1], signature=sig)
    other = small_file(tmp_path / "other.amber")
    amber.container.write(other, [np.zeros(3)])
    with pytest.raises(errors.SignatureError, match="another content digest"):
        signing.verify_signature(other, keys["bob"][1], signature=sig)


def test_a_key_that_is_not_ed25519_is_refused(tmp_path, keys):
    path = small_file(tmp_path / "m.amber")
    with pytest.raises(errors.InvalidArgumentError):
        signing.sign(path, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_a_damaged_file_is_never_signed(tmp_path, keys):
    path = small_file(tmp_path / "m.amber")
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # inside the data section, before the footer
    path.write_bytes(bytes(data))
    with pytest.raises(errors.AmberError):
        signing.sign(path, keys["alice"][0])


def test_tampering_with_any_byte_of_a_signed_file_is_detected(tmp_path, keys):
    path = small_file(tmp_path / "m.amber")
    private, public = keys["alice"]
    signing.sign(path, private)
    original = path.read_bytes()
    tampered = tmp_path / "t.amber"
    for offset in range(len(original)):
        data = bytearray(original)
        data[offset] ^= 0x01
        tampered.write_bytes(bytes(data))
        with pytest.raises(errors.AmberError):
            signing.verify_signature(tampered, public)
            amber.container.open(tampered).verify()
