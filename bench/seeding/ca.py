"""The bench CA: a tests.pki.ca.TestCA whose keys are kept in a folder, so that the server
(PKI_TRUST_ROOTS / PKI_INTERMEDIATES) and later scenarios use the same one."""

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bench import pools

PEM = serialization.Encoding.PEM


def _key_pem(key) -> bytes:
    return key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def create_ca(folder: Path):
    from tests.pki.ca import TestCA, pem

    folder.mkdir(parents=True, exist_ok=True)
    ca = TestCA("Bench")
    (folder / "root.pem").write_bytes(pem(ca.root))
    (folder / "intermediate.pem").write_bytes(pem(ca.intermediate))
    (folder / "root.key").write_bytes(_key_pem(ca.root_key))
    (folder / "intermediate.key").write_bytes(_key_pem(ca.key))
    return ca


def load_ca(folder: Path):
    from tests.pki.ca import TestCA

    ca = TestCA.__new__(TestCA)
    ca.root = x509.load_pem_x509_certificate((folder / "root.pem").read_bytes())
    ca.intermediate = x509.load_pem_x509_certificate((folder / "intermediate.pem").read_bytes())
    ca.root_key = serialization.load_pem_private_key((folder / "root.key").read_bytes(), None)
    ca.key = serialization.load_pem_private_key((folder / "intermediate.key").read_bytes(), None)
    return ca


_CA = {}


def _issue(bin: str):
    key, certificate = _CA["ca"].issue(bin)
    return bin, _key_pem(key), certificate.public_bytes(serialization.Encoding.DER)


def issue_all(ca, numbers: list[str], *, processes: int) -> dict[str, tuple[bytes, bytes]]:
    """{bin: (key PEM, certificate DER)}, issued in a pool of forked processes."""
    from django.db import connections

    connections.close_all()  # forked workers must not share this process's socket
    _CA["ca"] = ca
    with pools.forked(processes) as pool:
        issued = pool.map(_issue, numbers, chunksize=200)
    _CA.clear()
    return {bin: (key, der) for bin, key, der in issued}
