"""Ed25519 signatures over an .amber file's content digest (docs/format.md section 1.3)."""

from __future__ import annotations

import os

from amber import _core
from amber._paths import path_of

__all__ = ["generate_keypair", "key_id", "sign", "verify_signature"]


def _pem(key: str | bytes | os.PathLike) -> str:
    """PEM text given as text or bytes, or read from a path."""
    if isinstance(key, bytes):
        key = key.decode("ascii")
    if isinstance(key, str) and key.lstrip().startswith("-----BEGIN"):
        return key
    with open(os.fspath(key), encoding="ascii") as f:
        return f.read()


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as PEM text: (private key, public key)."""
    return tuple(_core.generate_keypair())


def key_id(key: str | bytes | os.PathLike) -> str:
    """The key id (hex SHA-256 of the raw public key) of a PEM key, its text or path."""
    return _core.key_id(_pem(key))


def sign(file: str | os.PathLike, private_key, *, detached: bool = False) -> str:
    """Signs `file`; returns the key id.

    The file is verified first (a damaged file is never signed). The signature is embedded by
    rewriting the file's trailer atomically, replacing an older signature by the same key; with
    ``detached=True`` it goes to ``file + ".sig"`` instead and the file is left untouched.
    """
    path = path_of(file, "sign")
    return _core.sign_file(path, _pem(private_key), path + ".sig" if detached else None)


def verify_signature(file: str | os.PathLike, public_key, *, signature=None) -> str:
    """Checks the content digest and a signature by `public_key`; returns the digest.

    `signature` names a detached ``.sig`` file; by default the embedded block is used. Raises
    :class:`amber.errors.SignatureError` when the signature is missing, wrong or by another key.
    """
    sig_path = (
        path_of(signature, "verify_signature", name="signature") if signature is not None else None
    )
    return _core.verify_signature(path_of(file, "verify_signature"), _pem(public_key), sig_path)
