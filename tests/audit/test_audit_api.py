import pytest

from audit import merkle
from audit.services.checkpoints import issue_checkpoint


@pytest.fixture
def signed_log(grow_log):
    grow_log(6)
    first = issue_checkpoint()
    grow_log(11)
    second = issue_checkpoint()
    return first, second


def test_entries_come_page_by_page_in_order(client, signed_log):
    page = client.get("/api/v1/audit/entries?limit=10").json()
    assert [e["seq"] for e in page["entries"]] == list(range(10))
    assert page["next_after"] == 9
    rest = client.get("/api/v1/audit/entries?after=9&limit=10").json()
    assert [e["seq"] for e in rest["entries"]] == list(range(10, 17))
    assert rest["next_after"] is None


def test_every_inclusion_proof_verifies_against_the_signed_root(client, signed_log):
    _first, second = signed_log
    for index in range(second.tree_size):
        body = client.get(
            f"/api/v1/audit/proofs/inclusion?index={index}&size={second.tree_size}"
        ).json()
        proof = [bytes.fromhex(h) for h in body["proof"]]
        assert body["root_hash"] == bytes(second.root_hash).hex()
        assert merkle.verify_inclusion(
            bytes.fromhex(body["leaf_hash"]),
            index,
            second.tree_size,
            proof,
            bytes(second.root_hash),
        )


def test_consistency_proof_between_checkpoints_verifies(client, signed_log):
    first, second = signed_log
    body = client.get(
        f"/api/v1/audit/proofs/consistency?first={first.tree_size}&second={second.tree_size}"
    ).json()
    proof = [bytes.fromhex(h) for h in body["proof"]]
    assert merkle.verify_consistency(
        first.tree_size, second.tree_size, bytes(first.root_hash), bytes(second.root_hash), proof
    )


def test_an_entry_comes_with_its_proof_against_the_latest_checkpoint(client, signed_log):
    _first, second = signed_log
    body = client.get("/api/v1/audit/entries/3").json()
    assert body["checkpoint"]["tree_size"] == second.tree_size
    proof = [bytes.fromhex(h) for h in body["inclusion_proof"]]
    assert merkle.verify_inclusion(
        bytes.fromhex(body["leaf_hash"]), 3, second.tree_size, proof, bytes(second.root_hash)
    )


def test_proofs_beyond_the_latest_checkpoint_are_refused_in_the_error_shape(
    client, signed_log, grow_log
):
    grow_log(1)
    response = client.get("/api/v1/audit/proofs/inclusion?index=0&size=18")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "beyond_checkpoint" and "17" in error["fields"]["size"][0]


@pytest.mark.parametrize(
    "query",
    ["index=5&size=5", "index=-1&size=5", "index=a&size=5", "first=0&second=4", "first=5&second=4"],
)
def test_malformed_proof_requests_answer_422_in_the_error_shape(client, signed_log, query):
    path = "inclusion" if "index" in query else "consistency"
    response = client.get(f"/api/v1/audit/proofs/{path}?{query}")
    assert response.status_code == 422
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_latest_checkpoint_and_key_are_public(client, signed_log):
    latest = client.get("/api/v1/audit/checkpoints/latest").json()
    assert latest["tree_size"] == 17 and latest["note"].startswith(
        "tenders.example.kz/audit-log\n17\n"
    )
    key = client.get("/api/v1/audit/key").json()
    assert key["verifier_key"].startswith(key["name"] + "+")
