"""Our sealed bytes are RFC 9180's: known answers, not just round trips.

RFC 9180 publishes no vector for DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM, so:
1. a short reference implementation of the RFC (below, written from sections 4, 5 and 7)
   reproduces every value of Appendix A.1.1 (same KEM and KDF, AES-128-GCM);
2. cryptography's single-shot HPKE opens A.1.1's context as `enc || ciphertext` with empty
   aad, which pins the byte layout we rely on;
3. the same reference, switched to AES-256-GCM (aead_id 2, Nk 32), seals A.1.1's plaintext
   with A.1.1's ephemeral and recipient keys; that output is pinned as SEALED_AES256 (checked
   once against pyhpke 0.6.5, an independent implementation, when this test was written) and
   must open with bids.crypto, while bids.crypto's own output must open with the reference.
"""

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from bids.crypto.seal import open_sealed, seal

h = bytes.fromhex

# RFC 9180, Appendix A.1.1 (Base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM)
A11 = {
    "info": h("4f6465206f6e2061204772656369616e2055726e"),
    "ikmE": h("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234"),
    "pkEm": h("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431"),
    "skEm": h("52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736"),
    "ikmR": h("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037"),
    "pkRm": h("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d"),
    "skRm": h("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8"),
    "shared_secret": h("fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc"),
    "key_schedule_context": h(
        "00725611c9d98c07c03f60095cd32d400d8347d45ed67097bbad50fc56da742d07"
        "cb6cffde367bb0565ba28bb02c90744a20f5ef37f30523526106f637abb05449"
    ),
    "secret": h("12fff91991e93b48de37e7daddb52981084bd8aa64289c3788471d9a9712f397"),
    "key": h("4531685d41d65f03dc48f6b8302c05b0"),
    "base_nonce": h("56d890e5accaaf011cff4b7d"),
    "exporter_secret": h("45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8"),
    "pt": h("4265617574792069732074727574682c20747275746820626561757479"),
    "aad0": h("436f756e742d30"),
    "ct0": h(
        "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a"
    ),
}

SEALED_AES256 = h(
    "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431"
    "090b7dc225419f7da9e8b460becfbb96a26c7964d79b8010d397fa838589afa2"
    "54267701d76b93925614730ccd"
)

KEM_SUITE = b"KEM\x00\x20"
AES_128_GCM, AES_256_GCM = 1, 2


def hpke_suite(aead_id: int) -> bytes:
    return b"HPKE\x00\x20\x00\x01" + aead_id.to_bytes(2, "big")


def labeled_extract(suite: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    # HMAC with an empty key equals HMAC with HashLen zero bytes, RFC 5869's default salt.
    return hmac.new(salt, b"HPKE-v1" + suite + label + ikm, hashlib.sha256).digest()


def labeled_expand(suite: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    labeled = length.to_bytes(2, "big") + b"HPKE-v1" + suite + label + info
    return HKDFExpand(hashes.SHA256(), length, labeled).derive(prk)


def derive_key_pair(ikm: bytes) -> tuple[bytes, bytes]:
    prk = labeled_extract(KEM_SUITE, b"", b"dkp_prk", ikm)
    sk = labeled_expand(KEM_SUITE, prk, b"sk", b"", 32)
    return sk, X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw()


def kem_shared_secret(dh: bytes, enc: bytes, pk_r: bytes) -> bytes:
    prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE, prk, b"shared_secret", enc + pk_r, 32)


def key_schedule(aead_id: int, shared_secret: bytes, info: bytes) -> dict:
    suite = hpke_suite(aead_id)
    context = (
        b"\x00"
        + labeled_extract(suite, b"", b"psk_id_hash", b"")
        + labeled_extract(suite, b"", b"info_hash", info)
    )
    secret = labeled_extract(suite, shared_secret, b"secret", b"")
    key_size = 16 if aead_id == AES_128_GCM else 32
    return {
        "key_schedule_context": context,
        "secret": secret,
        "key": labeled_expand(suite, secret, b"key", context, key_size),
        "base_nonce": labeled_expand(suite, secret, b"base_nonce", context, 12),
        "exporter_secret": labeled_expand(suite, secret, b"exp", context, 32),
    }


def reference_seal(aead_id: int, sk_e: bytes, pk_r: bytes, info: bytes, pt: bytes) -> bytes:
    ephemeral = X25519PrivateKey.from_private_bytes(sk_e)
    enc = ephemeral.public_key().public_bytes_raw()
    dh = ephemeral.exchange(X25519PublicKey.from_public_bytes(pk_r))
    ks = key_schedule(aead_id, kem_shared_secret(dh, enc, pk_r), info)
    return enc + AESGCM(ks["key"]).encrypt(ks["base_nonce"], pt, b"")


def reference_open(aead_id: int, sk_r: bytes, info: bytes, sealed: bytes) -> bytes:
    enc, ct = sealed[:32], sealed[32:]
    recipient = X25519PrivateKey.from_private_bytes(sk_r)
    dh = recipient.exchange(X25519PublicKey.from_public_bytes(enc))
    pk_r = recipient.public_key().public_bytes_raw()
    ks = key_schedule(aead_id, kem_shared_secret(dh, enc, pk_r), info)
    return AESGCM(ks["key"]).decrypt(ks["base_nonce"], ct, b"")


def test_reference_reproduces_rfc9180_a11_key_pairs():
    assert derive_key_pair(A11["ikmE"]) == (A11["skEm"], A11["pkEm"])
    assert derive_key_pair(A11["ikmR"]) == (A11["skRm"], A11["pkRm"])


def test_reference_reproduces_rfc9180_a11_context_and_first_ciphertext():
    dh = X25519PrivateKey.from_private_bytes(A11["skEm"]).exchange(
        X25519PublicKey.from_public_bytes(A11["pkRm"])
    )
    shared = kem_shared_secret(dh, A11["pkEm"], A11["pkRm"])
    assert shared == A11["shared_secret"]
    ks = key_schedule(AES_128_GCM, shared, A11["info"])
    for name in ("key_schedule_context", "secret", "key", "base_nonce", "exporter_secret"):
        assert ks[name] == A11[name], name
    assert AESGCM(ks["key"]).encrypt(ks["base_nonce"], A11["pt"], A11["aad0"]) == A11["ct0"]


def test_cryptography_single_shot_is_enc_then_ciphertext_with_empty_aad():
    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)
    ct = AESGCM(A11["key"]).encrypt(A11["base_nonce"], A11["pt"], b"")
    recipient = X25519PrivateKey.from_private_bytes(A11["skRm"])
    assert suite.decrypt(A11["pkEm"] + ct, recipient, info=A11["info"]) == A11["pt"]


def test_reference_aes256_output_is_the_pinned_vector():
    sealed = reference_seal(AES_256_GCM, A11["skEm"], A11["pkRm"], A11["info"], A11["pt"])
    assert sealed == SEALED_AES256


def test_open_sealed_opens_the_pinned_aes256_vector():
    assert open_sealed(SEALED_AES256, A11["skRm"], A11["info"]) == A11["pt"]


def test_reference_opens_what_seal_makes():
    sealed = seal(b"price 1250000.00", A11["pkRm"], b"some info")
    assert len(sealed) == 32 + len(b"price 1250000.00") + 16
    assert reference_open(AES_256_GCM, A11["skRm"], b"some info", sealed) == b"price 1250000.00"
