from audit.models import Entry, VerificationRun
from audit.services.checkpoints import issue_checkpoint
from suppliers.services.verification import suspend_organisation


def test_auditor_filters_the_log_by_action(client, cast, grow_log):
    grow_log(3)
    suspend_organisation(
        organisation=cast.supplier_org_b, actor=cast.operator, reason="Court order"
    )
    client.force_login(cast.auditor)
    page = client.get("/audit/", {"action": "suppliers.organisation.suspended"})
    assert page.status_code == 200
    rows = page.content.decode().count("suppliers.organisation.suspended</code>")
    assert rows == 1
    assert "suppliers.organisation.updated</code>" not in page.content.decode()


def test_auditor_filters_by_actor_email_and_subject(client, cast, grow_log):
    suspend_organisation(
        organisation=cast.supplier_org_b, actor=cast.operator, reason="Court order"
    )
    client.force_login(cast.auditor)
    page = client.get(
        "/audit/", {"actor": "operator@example.kz", "subject_id": str(cast.supplier_org_b.pk)}
    )
    assert "suppliers.organisation.suspended" in page.content.decode()
    assert (
        client.get("/audit/", {"actor": "nobody@example.kz"}).content.decode().count("<code>") == 0
    )


def test_entry_page_shows_hashes_and_a_verified_inclusion_proof(client, cast, grow_log):
    entries = grow_log(5)
    issue_checkpoint()
    client.force_login(cast.auditor)
    page = client.get(f"/audit/entries/{entries[2].seq}/").content.decode()
    assert bytes(entries[2].leaf_hash).hex() in page
    assert 'data-testid="proof-ok"' in page
    assert f"/api/v1/audit/proofs/inclusion?index={entries[2].seq}&amp;size=5" in page


def test_entry_page_says_when_no_checkpoint_covers_the_entry_yet(client, cast, grow_log):
    entries = grow_log(1)
    client.force_login(cast.auditor)
    page = client.get(f"/audit/entries/{entries[0].seq}/").content.decode()
    assert "No checkpoint covers this entry yet" in page


def test_verify_now_records_the_outcome_and_the_status_page_shows_it(client, cast, grow_log):
    grow_log(4)
    issue_checkpoint()
    client.force_login(cast.auditor)
    response = client.post("/audit/verify/")
    assert response.status_code == 302
    run = VerificationRun.objects.get()
    assert run.ok and run.requested_by == cast.auditor
    status = client.get("/audit/status/").content.decode()
    assert 'data-testid="verify-ok"' in status and "OK: 4 entries" in status
    assert Entry.objects.last().action == "audit.log.verified"


def test_verify_now_is_post_only_and_for_auditors(client, cast):
    client.force_login(cast.auditor)
    assert client.get("/audit/verify/").status_code == 405
    client.force_login(cast.supplier_a)
    assert client.post("/audit/verify/").status_code == 403
    assert VerificationRun.objects.count() == 0
