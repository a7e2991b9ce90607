"""C2SP signed notes and tlog checkpoints with Ed25519."""

import base64
import hashlib
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit.notes import (
    NoteError,
    checkpoint_body,
    key_id,
    load_private_key,
    load_public_key,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    public_key_pem,
    sign_note,
    verifier_key,
)

# The example of golang.org/x/mod/sumdb/note (Ed25519 is deterministic, so our signature
# must reproduce Go's byte for byte).
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2p"
    "ZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

NAME = "audit.example.org/log"
ROOT = hashlib.sha256(b"root").digest()
KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
BODY = checkpoint_body(NAME, 42, ROOT)


def go_private_key() -> Ed25519PrivateKey:
    material = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert material[0] == 1
    return Ed25519PrivateKey.from_private_bytes(material[1:])


def signature_line(name: str, key: Ed25519PrivateKey, body: str) -> str:
    return sign_note(body, name, key).split("\n\n")[-1]


def test_sign_note_reproduces_the_go_sumdb_note_example_byte_for_byte():
    key = go_private_key()
    assert verifier_key("PeterNeumann", key.public_key()) == GO_VKEY
    assert sign_note(GO_TEXT, "PeterNeumann", key) == GO_NOTE


def test_open_note_accepts_the_go_example_with_its_published_verifier_key():
    name, public_key = parse_verifier_key(GO_VKEY)
    assert name == "PeterNeumann"
    assert open_note(GO_NOTE, name, public_key) == GO_TEXT


def test_signed_checkpoint_round_trips():
    note = sign_note(BODY, NAME, KEY)
    assert note.startswith(BODY + "\n\u2014 " + NAME + " ")
    assert open_note(note, NAME, KEY.public_key()) == BODY
    assert parse_checkpoint(BODY) == (NAME, 42, ROOT)


def test_checkpoint_body_is_origin_size_and_padded_base64_root():
    assert checkpoint_body(NAME, 42, ROOT) == f"{NAME}\n42\n{base64.b64encode(ROOT).decode()}\n"
    assert BODY.splitlines()[2].endswith("=")


def test_signature_is_key_id_then_ed25519_over_the_utf8_body():
    blob = base64.b64decode(sign_note(BODY, NAME, KEY).rsplit(" ", 1)[1])
    assert blob[:4] == key_id(NAME, KEY.public_key())
    KEY.public_key().verify(blob[4:], BODY.encode())


def test_tampered_body_is_rejected():
    note = sign_note(BODY, NAME, KEY).replace("\n42\n", "\n43\n")
    with pytest.raises(NoteError, match="signature does not verify"):
        open_note(note, NAME, KEY.public_key())


def test_note_signed_by_another_key_with_the_same_name_is_rejected():
    note = sign_note(BODY, NAME, OTHER_KEY)
    with pytest.raises(NoteError, match=re.escape(f"note has no signature by {NAME}")):
        open_note(note, NAME, KEY.public_key())


def test_expecting_another_key_name_rejects_the_note():
    note = sign_note(BODY, NAME, KEY)
    with pytest.raises(NoteError, match=re.escape("note has no signature by other.example/log")):
        open_note(note, "other.example/log", KEY.public_key())


def test_signature_lines_of_other_keys_are_ignored_before_or_after_ours():
    ours = signature_line(NAME, KEY, BODY)
    witness = signature_line("witness.example/w1", OTHER_KEY, BODY)
    rotated = signature_line(NAME, OTHER_KEY, BODY)  # same name, different key ID
    for lines in ([witness, ours], [ours, witness], [rotated, witness, ours]):
        assert open_note(BODY + "\n" + "".join(lines), NAME, KEY.public_key()) == BODY


def test_a_line_claiming_our_key_id_with_a_foreign_signature_rejects_the_note():
    kid = key_id(NAME, KEY.public_key())
    forged = f"\u2014 {NAME} {base64.b64encode(kid + OTHER_KEY.sign(BODY.encode())).decode()}\n"
    ours = signature_line(NAME, KEY, BODY)
    with pytest.raises(NoteError, match="signature does not verify"):
        open_note(BODY + "\n" + forged, NAME, KEY.public_key())
    # Like Go's note.Open, the first line from our key decides.
    with pytest.raises(NoteError, match="signature does not verify"):
        open_note(BODY + "\n" + forged + ours, NAME, KEY.public_key())


def test_a_note_with_only_other_keys_signatures_is_rejected():
    note = BODY + "\n" + signature_line("witness.example/w1", OTHER_KEY, BODY)
    with pytest.raises(NoteError, match=re.escape(f"note has no signature by {NAME}")):
        open_note(note, NAME, KEY.public_key())


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n.replace("\n\n", "\n"),  # no blank line
        lambda n: n[:-1],  # signature line without its newline
        lambda n: n.split("\n\n")[0] + "\n\n",  # no signature lines
        lambda n: n.replace("\u2014 ", "-- "),  # not an em dash
        lambda n: n.replace("\u2014 ", "\u2014"),  # no space after the dash
        lambda n: n.replace(f"{NAME} ", f"{NAME}  "),  # empty base64 after a space
        lambda n: n[:-3] + "!=\n",  # not base64
        lambda n: n.replace("\n42\n", "\n42\r\n"),  # control character
        lambda n: n.replace("42", "4\t2"),
        lambda n: n + "\u2014 x AAAA\n",  # signature shorter than key ID + 1 byte
        lambda n: n + "\u2014 bad+name AAAAAAAA\n",  # '+' in a key name
        lambda n: n + "\u2014 bad\u00a0name AAAAAAAA\n",  # Unicode space in a key name
        lambda n: n + "\u2014 w AAAAAAAA\n" * 100,  # more than 100 signatures
        lambda n: n + "trailing text\n",
        lambda n: n.replace("42", "\ud800"),  # not encodable as UTF-8
        lambda n: n.encode(),
    ],
)
def test_malformed_notes_are_rejected(mangle):
    with pytest.raises(NoteError):
        open_note(mangle(sign_note(BODY, NAME, KEY)), NAME, KEY.public_key())


def test_malformed_note_errors_say_malformed():
    with pytest.raises(NoteError, match="malformed note"):
        open_note(BODY, NAME, KEY.public_key())


def test_key_id_is_the_first_four_bytes_of_sha256_of_name_newline_type_and_key():
    raw = KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    expected = hashlib.sha256(NAME.encode() + b"\n\x01" + raw).digest()[:4]
    assert key_id(NAME, KEY.public_key()) == expected
    key_b64 = base64.b64encode(b"\x01" + raw).decode()
    assert verifier_key(NAME, KEY.public_key()) == f"{NAME}+{expected.hex()}+{key_b64}"


def test_verifier_key_round_trips():
    name, public_key = parse_verifier_key(verifier_key(NAME, KEY.public_key()))
    assert name == NAME
    assert public_key_pem(public_key) == public_key_pem(KEY)


@pytest.mark.parametrize(
    "vkey",
    [
        GO_VKEY.replace("c74f20a3", "c74f20a4"),  # wrong hash
        GO_VKEY.replace("PeterNeumann", "PeterNeuman"),  # name not matching the hash
        GO_VKEY.replace("+ARpc", "+AhpC"),  # not type 0x01
        GO_VKEY[:-4],  # truncated key
        GO_VKEY.replace("c74f20a3", "c74f20a"),  # short hash field
        "PeterNeumann+c74f20a3",
        "PeterNeumann",
        "",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_bad_verifier_keys_are_rejected(vkey):
    with pytest.raises(ValueError):
        parse_verifier_key(vkey)


def _noncanonical_root_b64() -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    text = base64.b64encode(ROOT).decode()
    last = alphabet.index(text[42])
    return text[:42] + alphabet[last | 1] + "="  # same bytes, non-zero padding bits


def test_parse_checkpoint_accepts_extension_lines_and_size_zero():
    empty = checkpoint_body(NAME, 0, ROOT)
    assert parse_checkpoint(empty) == (NAME, 0, ROOT)
    assert parse_checkpoint(BODY + "extension line\nanother\n") == (NAME, 42, ROOT)


@pytest.mark.parametrize(
    "body",
    [
        BODY[:-1],  # no final newline
        f"{NAME}\n42\n",  # no root line
        BODY.replace(NAME, "", 1),  # empty origin
        BODY.replace("\n42\n", "\n042\n"),  # leading zero
        BODY.replace("\n42\n", "\n-1\n"),
        BODY.replace("\n42\n", "\n+42\n"),
        BODY.replace("\n42\n", "\n 42\n"),
        BODY.replace("\n42\n", "\n42.0\n"),
        BODY.replace("\n42\n", "\n\u0664\u0662\n"),  # Arabic-Indic digits
        BODY.replace("\n42\n", f"\n{2**64}\n"),
        BODY.replace("\n42\n", "\n\n"),
        BODY.replace(base64.b64encode(ROOT).decode(), base64.b64encode(ROOT[:31]).decode()),
        BODY.replace(base64.b64encode(ROOT).decode(), base64.b64encode(ROOT).decode()[:-1]),
        BODY.replace(
            base64.b64encode(ROOT).decode(), base64.urlsafe_b64encode(b"\xff" * 32).decode()
        ),
        BODY.replace(base64.b64encode(ROOT).decode(), _noncanonical_root_b64()),
        BODY.replace(base64.b64encode(ROOT).decode(), ROOT.hex()),
        BODY + "\n",  # empty extension line
        BODY + "ext\n\nmore\n",
        BODY.replace("\n", "\r\n"),
    ],
)
def test_parse_checkpoint_rejects_anything_not_strictly_formatted(body):
    with pytest.raises(NoteError):
        parse_checkpoint(body)


@pytest.mark.parametrize(
    "args",
    [("", 1, ROOT), ("a\nb", 1, ROOT), (NAME, -1, ROOT), (NAME, True, ROOT), (NAME, 1, ROOT[:31])],
)
def test_checkpoint_body_rejects_bad_fields(args):
    with pytest.raises(ValueError):
        checkpoint_body(*args)


def test_sign_note_refuses_text_that_would_not_parse_back():
    for body, name in [("no newline", NAME), ("", NAME), ("a\rb\n", NAME), (BODY, "bad name")]:
        with pytest.raises(ValueError):
            sign_note(body, name, KEY)


def test_keys_load_from_pem_files_and_vkey_strings(tmp_path):
    private_pem = KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "log.key").write_bytes(private_pem)
    (tmp_path / "log.pub").write_bytes(public_key_pem(KEY))
    vkey = verifier_key(NAME, KEY.public_key())
    (tmp_path / "log.vkey").write_text(vkey + "\n")

    loaded = load_private_key(tmp_path / "log.key")
    assert public_key_pem(loaded) == public_key_pem(KEY)
    expected = public_key_pem(KEY)
    for source in (
        tmp_path / "log.pub",
        str(tmp_path / "log.pub"),
        tmp_path / "log.vkey",
        public_key_pem(KEY),
        public_key_pem(KEY).decode(),
        vkey,
    ):
        assert public_key_pem(load_public_key(source)) == expected
    note = sign_note(BODY, NAME, loaded)
    assert open_note(note, NAME, load_public_key(tmp_path / "log.vkey")) == BODY


def test_key_loading_rejects_other_algorithms_and_encrypted_keys(tmp_path):
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_pub = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "ec.pub").write_bytes(ec_pub)
    (tmp_path / "ec.key").write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "enc.key").write_bytes(
        KEY.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(ValueError):
        load_public_key(tmp_path / "ec.pub")
    with pytest.raises(ValueError):
        load_private_key(tmp_path / "ec.key")
    with pytest.raises(ValueError):
        load_private_key(tmp_path / "enc.key")
    with pytest.raises(ValueError):
        load_public_key("not a key")
