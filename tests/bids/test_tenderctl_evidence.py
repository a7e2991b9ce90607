"""tools/tenderctl.py checks a receipt against the audit log offline: the entry's payload
hashes to a leaf, an RFC 9162 inclusion proof takes that leaf to the receipt's checkpoint
root, the entry records what the receipt acknowledges, and the checkpoint note is signed by
the log's key. The evidence is the audit API's real answers, for real submitted bids; the
tool runs as a separate process, as a supplier runs it."""

import base64
import copy
import json
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from accounts.services.tokens import create_api_token
from audit import keys as audit_keys
from audit import merkle
from audit.notes import public_key_pem
from bids.crypto import sign_receipt
from bids.receipts import receipt_public_pem
from bids.services.submission import submit_bid, withdraw_bid
from tests.bids.support import TOOL_PATH, make_bid, make_withdrawal, tool

PRICES = {"1": "2750000.00"}


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TOOL_PATH), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(path, obj):
    path.write_text(json.dumps(obj, indent=2))
    return path


def submit(tender, user, signer, bidder):
    made = make_bid(tender, signer, bidder, PRICES)
    return submit_bid(
        tender=tender,
        actor=user,
        statement=made.statement,
        signature=made.signature,
        sealed=made.sealed,
    )


def evidence_for(client, receipt: dict) -> dict:
    """What `tenderctl.py evidence` saves, assembled by the tool's own code from the audit
    API's answers through Django's test client."""

    def get(path):
        response = client.get(path)
        assert response.status_code == 200, response.content
        return response.json()

    return tool.collect_evidence(get, receipt["receipt"], "http://testserver")


@pytest.fixture
def key_files(tmp_path, db):
    audit_keys.signing_key()  # makes the checkpoint key (and its .pub.pem) if missing
    receipt_key = tmp_path / "receipt.pub.pem"
    receipt_key.write_bytes(receipt_public_pem())
    return {
        "receipt": receipt_key,
        "checkpoint": audit_keys.public_key_path(settings.AUDIT_CHECKPOINT_KEY),
    }


@pytest.fixture
def bid_a(cast, tendering, signer_a):
    return submit(tendering, cast.supplier_a, signer_a, cast.supplier_org_a.bin)


@pytest.fixture
def files(tmp_path, client, cast, bid_a, key_files):
    """Receipt and evidence of supplier A's bid (fetched by A's member: before the opening the
    entry is withheld from anyone else), and a verify-receipt runner for them."""
    client.force_login(cast.supplier_a)
    receipt = write(tmp_path / "receipt.json", bid_a.receipt)
    evidence = write(tmp_path / "evidence.json", evidence_for(client, bid_a.receipt))

    def verify(*, receipt=receipt, evidence=evidence, checkpoint_key=key_files["checkpoint"]):
        args = ["verify-receipt", receipt, "--public-key", key_files["receipt"]]
        args += ["--evidence", evidence, "--checkpoint-key", checkpoint_key]
        return run(*args)

    return type("Files", (), {"receipt": receipt, "evidence": evidence, "verify": verify})


def edited(tmp_path, path, change, name="edited.json"):
    doc = json.loads(path.read_text())
    change(doc)
    return write(tmp_path / name, doc)


def failed(done, *words):
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("FAIL: "), done.stderr
    for word in words:
        assert word in done.stderr
    return done


# ---- all good ----


def test_a_receipt_and_its_evidence_verify_offline(files, bid_a):
    done = files.verify()
    assert done.returncode == 0, done.stderr
    oks = [line for line in done.stdout.splitlines() if line.startswith("OK: ")]
    assert oks[0].startswith(f"OK: receipt for bid {bid_a.bid.public_id}")
    checkpoint = bid_a.receipt["receipt"]["checkpoint"]
    assert any(
        f"entry {bid_a.bid.log_index} is in the log of size {checkpoint['size']}" in line
        for line in oks
    )
    assert any("the entry records bids.bid.submitted" in line for line in oks)
    assert any("statement_sha256, sealed_sha256" in line for line in oks)
    assert any(f"signed by {settings.AUDIT_CHECKPOINT_KEY_NAME}" in line for line in oks)
    assert len(oks) == 8


def test_without_the_checkpoint_key_the_note_is_left_unchecked_and_said_so(files, key_files):
    done = run(
        "verify-receipt",
        files.receipt,
        "--public-key",
        key_files["receipt"],
        "--evidence",
        files.evidence,
    )
    assert done.returncode == 0, done.stderr
    assert "NOTE: checkpoint signature not checked" in done.stdout


def test_the_checkpoint_key_may_be_given_as_its_note_verifier_key(files, tmp_path):
    vkey = tmp_path / "checkpoint.vkey"
    vkey.write_text(audit_keys.verifier_key() + "\n")
    done = files.verify(checkpoint_key=vkey)
    assert done.returncode == 0, done.stderr


def test_a_withdrawal_receipt_verifies_against_its_own_entry(
    cast, tendering, signer_a, bid_a, client, key_files, tmp_path
):
    statement, signature = make_withdrawal(
        tendering, signer_a, cast.supplier_org_a.bin, bid_a.bid.public_id
    )
    withdrawn = withdraw_bid(
        bid=bid_a.bid, actor=cast.supplier_a, statement=statement, signature=signature
    )
    receipt = write(tmp_path / "withdrawal.json", withdrawn.receipt)
    client.force_login(cast.supplier_a)  # the bidder: before the opening the entry is theirs
    evidence = write(tmp_path / "w-evidence.json", evidence_for(client, withdrawn.receipt))
    done = run(
        "verify-receipt",
        receipt,
        "--public-key",
        key_files["receipt"],
        "--evidence",
        evidence,
        "--checkpoint-key",
        key_files["checkpoint"],
    )
    assert done.returncode == 0, done.stderr
    assert "OK: the entry records bids.bid.withdrawn" in done.stdout

    # The submission's evidence does not pass for the withdrawal receipt.
    done = run(
        "verify-receipt",
        receipt,
        "--public-key",
        key_files["receipt"],
        "--evidence",
        write(tmp_path / "a-evidence.json", evidence_for(client, bid_a.receipt)),
    )
    failed(done, "inclusion proof is for entry")


# ---- tampering ----


def _flip_payload_byte(doc):
    payload = bytearray(base64.b64decode(doc["entry"]["payload"]))
    at = payload.index(b'"sealed_sha256":"') + len(b'"sealed_sha256":"')
    payload[at] ^= 0x01
    doc["entry"]["payload"] = base64.b64encode(bytes(payload)).decode()
    return bytes(payload)


def test_a_flipped_payload_byte_fails_the_leaf_hash(files, tmp_path):
    evidence = edited(tmp_path, files.evidence, _flip_payload_byte)
    failed(files.verify(evidence=evidence), "does not hash to the leaf_hash")


def test_a_flipped_payload_byte_with_matching_leaf_hashes_fails_the_proof(files, tmp_path):
    def change(doc):
        leaf = merkle.leaf_hash(_flip_payload_byte(doc)).hex()
        doc["entry"]["leaf_hash"] = doc["inclusion_proof"]["leaf_hash"] = leaf

    evidence = edited(tmp_path, files.evidence, change)
    failed(files.verify(evidence=evidence), "inclusion proof does not lead")


def test_a_flipped_proof_hash_fails(files, tmp_path, cast, tendering, signer_b, client):
    # A second bid and its checkpoint make sure the first bid's proof is not empty.
    submit(tendering, cast.supplier_b, signer_b, cast.supplier_org_b.bin)
    evidence = evidence_for(client, json.loads(files.receipt.read_text()))
    proof = evidence["inclusion_proof"]["proof"]
    assert proof, "the tender's own events come first, so the bid's proof has nodes to flip"
    proof[-1] = f"{int(proof[-1][0], 16) ^ 1:x}{proof[-1][1:]}"
    failed(files.verify(evidence=write(tmp_path / "e.json", evidence)), "inclusion proof")


def test_a_checkpoint_with_another_root_fails(files, tmp_path):
    def change(doc):
        doc["checkpoint"]["root_hash"] = "00" * 32

    evidence = edited(tmp_path, files.evidence, change)
    failed(files.verify(evidence=evidence), "checkpoint's root hash")


def test_a_wrong_checkpoint_key_fails(files, tmp_path):
    other = tmp_path / "other.pub.pem"
    other.write_bytes(public_key_pem(Ed25519PrivateKey.generate()))
    failed(files.verify(checkpoint_key=other), "no signature by the checkpoint key given")


def test_a_note_of_another_checkpoint_fails(
    files, tmp_path, cast, tendering, signer_b, client, bid_a
):
    bid_b = submit(tendering, cast.supplier_b, signer_b, cast.supplier_org_b.bin)
    other = evidence_for(client, bid_b.receipt)["checkpoint"]
    assert other["tree_size"] != bid_a.receipt["receipt"]["checkpoint"]["size"]

    def change(doc):
        doc["checkpoint"]["note"] = other["note"]  # really signed, but for another size

    evidence = edited(tmp_path, files.evidence, change)
    failed(files.verify(evidence=evidence), "the signed checkpoint is for size")


def test_an_edited_receipt_fails_its_signature_before_any_evidence(files, tmp_path):
    def change(doc):
        digest = doc["receipt"]["statement_sha256"]
        doc["receipt"]["statement_sha256"] = ("0" if digest[0] != "0" else "1") + digest[1:]

    receipt = edited(tmp_path, files.receipt, change, name="receipt-edited.json")
    done = failed(files.verify(receipt=receipt), "signature does not match")
    assert "OK:" not in done.stdout


def test_evidence_for_another_bid_fails(files, tmp_path, cast, tendering, signer_b, client):
    bid_b = submit(tendering, cast.supplier_b, signer_b, cast.supplier_org_b.bin)
    client.force_login(cast.supplier_b)
    evidence = write(tmp_path / "b-evidence.json", evidence_for(client, bid_b.receipt))
    failed(files.verify(evidence=evidence), "inclusion proof is for entry")


def test_a_receipt_naming_another_bid_at_the_same_entry_fails_the_entry_check(
    files, tmp_path, bid_a, key_files
):
    # Signed by a key of our own, so the signature and the proof hold and only the
    # comparison of the entry's data with the receipt can catch it.
    key = Ed25519PrivateKey.generate()
    body = copy.deepcopy(bid_a.receipt["receipt"])
    body["bid"] = "B-0000000000000000000a"
    receipt = write(tmp_path / "forged.json", sign_receipt(body, key))
    key_file = tmp_path / "forger.pub.pem"
    key_file.write_bytes(public_key_pem(key))
    done = run(
        "verify-receipt",
        receipt,
        "--public-key",
        key_file,
        "--evidence",
        files.evidence,
        "--checkpoint-key",
        key_files["checkpoint"],
    )
    failed(done, "the entry's bid is", "another entry")
    assert "OK: entry" in done.stdout  # the inclusion proof itself held


# ---- the command that fetches the evidence, against the real server ----


@pytest.mark.django_db(transaction=True)
def test_the_bidder_fetches_the_evidence_with_a_token_before_the_opening_and_it_verifies(
    live_server, settings, cast, tendering, signer_a, tmp_path
):
    settings.PLATFORM_ORIGIN = live_server.url
    accepted = submit(tendering, cast.supplier_a, signer_a, cast.supplier_org_a.bin)
    receipt = write(tmp_path / "receipt.json", accepted.receipt)
    evidence = tmp_path / "evidence.json"
    token = create_api_token(user=cast.supplier_a, name="cli", actor=cast.supplier_a)[1]
    done = run(
        "evidence",
        "--server",
        live_server.url,
        "--receipt",
        receipt,
        "--out",
        evidence,
        "--token",
        token,
    )
    assert done.returncode == 0, done.stderr
    saved = json.loads(evidence.read_text())
    assert saved["log_index"] == accepted.bid.log_index
    assert saved["inclusion_proof"]["index"] == accepted.bid.log_index
    assert saved["checkpoint"]["tree_size"] == accepted.receipt["receipt"]["checkpoint"]["size"]

    audit_keys.signing_key()
    receipt_key = tmp_path / "receipt.pub.pem"
    receipt_key.write_bytes(receipt_public_pem())
    done = run(
        "verify-receipt",
        receipt,
        "--public-key",
        receipt_key,
        "--evidence",
        evidence,
        "--checkpoint-key",
        audit_keys.public_key_path(settings.AUDIT_CHECKPOINT_KEY),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("OK: ") == 8


# ---- the tool's own RFC 9162 verifier against the server's ----


def test_the_tools_inclusion_check_agrees_with_audit_merkle():
    for size in range(1, 34):
        leaves = [merkle.leaf_hash(str(i).encode()) for i in range(size)]
        root = merkle.root_from_leaf_hashes(leaves)
        for index in range(size):
            proof = merkle.inclusion_proof_from_leaves(index, leaves)
            assert tool.verify_inclusion(leaves[index], index, size, proof, root)
            other = (index + 1) % size
            for leaf, i, n, path in [
                (leaves[other], index, size, proof),
                (leaves[index], other, size, proof),
                (leaves[index], index, size + 1, proof),
                (leaves[index], index, size, [*proof, root]),
                (leaves[index], index, size, proof[:-1]),
            ]:
                expected = merkle.verify_inclusion(leaf, i, n, path, root)
                assert tool.verify_inclusion(leaf, i, n, path, root) == expected


def test_before_the_opening_others_get_the_bid_entry_withheld_and_the_tool_says_so(
    client, cast, bid_a, key_files, tmp_path
):
    client.force_login(cast.supplier_b)
    seq = bid_a.bid.log_index
    entry = client.get(f"/api/v1/audit/entries/{seq}").json()
    assert entry["payload"] is None and entry["data"] is None
    assert "before the opening nobody learns who bid" in entry["withheld"]
    assert cast.supplier_org_a.bin not in json.dumps(entry)
    listed = client.get("/api/v1/audit/entries", {"after": seq - 1, "limit": 1}).json()
    assert listed["entries"][0]["withheld"] and listed["entries"][0]["leaf_hash"]
    receipt = write(tmp_path / "receipt.json", bid_a.receipt)
    evidence = write(tmp_path / "evidence.json", evidence_for(client, bid_a.receipt))
    done = run(
        "verify-receipt",
        receipt,
        "--public-key",
        key_files["receipt"],
        "--evidence",
        evidence,
        "--checkpoint-key",
        key_files["checkpoint"],
    )
    assert done.returncode == 1
    assert "withheld" in done.stderr and "--token" in done.stderr


def test_after_the_opening_everyone_reads_the_bid_entry(client, cast, bid_a):
    from tests.bids.ceremony import open_tender

    open_tender(cast, bid_a.bid.tender)
    entry = client.get(f"/api/v1/audit/entries/{bid_a.bid.log_index}").json()
    assert entry["withheld"] is None
    assert entry["data"]["bidder"] == cast.supplier_org_a.bin
