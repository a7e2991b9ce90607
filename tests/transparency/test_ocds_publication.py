"""OCDS releases from the audit log: one immutable release per public event, valid against the
1.1.5 schema with the bid extension (closed codelists and date formats enforced), sealed bid
content absent until the opening; record packages, compiled releases and the exports."""

import hashlib
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import Client

from awards.results import results_bytes
from awards.services.results import publish_results
from awards.services.reviews import review_bid
from contracts.models import Contract
from contracts.services.execution import accept_delivery, record_payment
from contracts.services.signing import sign_contract
from procurement.clock import tick
from procurement.services.tenders import publish_tender
from tests.awards.world import (
    PRICES,
    add_checklist,
    bid,
    draft_with_lots,
    fails,
    meets_all,
    sign,
    signer_for,
    third_supplier,
    to_tendering,
    trusted_ca,
)
from tests.bids.ceremony import open_tender
from tests.transparency.ocds_schema import errors, need_shared
from transparency.models import Release
from transparency.services.publication import publish_ocds

pytestmark = pytest.mark.django_db


def releases_of(tender) -> list[dict]:
    return [json.loads(bytes(r.content)) for r in Release.objects.filter(tender=tender)]


def run_to_payment(cast):
    """Publish, bid, open, evaluate, award, sign, pay, publishing OCDS after each stage.
    Returns the tender and the releases published before the opening."""
    with trusted_ca() as ca:
        org_c, user_c = third_supplier(cast)
        people = {
            "a": (cast.supplier_org_a, cast.supplier_a),
            "b": (cast.supplier_org_b, cast.supplier_b),
            "c": (org_c, user_c),
        }
        signers = {k: signer_for(ca, *people[k]) for k in people}
        chair = signer_for(ca, cast.agency, cast.buyer)
        tender = draft_with_lots(cast)
        add_checklist(tender, cast.buyer)
        tender = to_tendering(publish_tender(tender=tender, actor=cast.buyer))
        bids = {k: bid(tender, signers[k], *people[k], PRICES[k]) for k in people}
        publish_ocds()
        sealed = releases_of(tender)
        open_tender(cast, tender)
        tender.refresh_from_db()
        review_bid(bid=bids["a"], actor=cast.buyer, decisions=meets_all(tender))
        review_bid(bid=bids["b"], actor=cast.buyer, decisions=meets_all(tender))
        review_bid(bid=bids["c"], actor=cast.buyer, decisions=fails(tender, 1, "No licence"))
        content = results_bytes(tender)
        publish_results(
            tender=tender,
            actor=cast.buyer,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=sign(chair, content),
        )
        tender.refresh_from_db()
        with time_machine.travel(tender.timer_at, tick=False):
            tick()
        for contract in Contract.objects.filter(tender=tender).select_related("supplier"):
            key = {cast.supplier_org_a.pk: "a", cast.supplier_org_b.pk: "b"}[contract.supplier_id]
            user = people[key][1]
            sign_contract(
                contract=contract, actor=user, signature=sign(signers[key], bytes(contract.content))
            )
            sign_contract(
                contract=contract, actor=cast.buyer, signature=sign(chair, bytes(contract.content))
            )
        contract = Contract.objects.get(tender=tender, lot__number=2)
        accept_delivery(
            contract=contract, actor=cast.buyer, amount="400000.00", description="Half delivered"
        )
        record_payment(contract=contract, actor=cast.buyer, amount="400000.00", reference="PO-1")
        publish_ocds()
        tender.refresh_from_db()
        return tender, sealed


@pytest.fixture
def paid(cast):
    need_shared()
    return run_to_payment(cast)


def test_before_opening_releases_carry_bid_counts_only(paid, cast):
    _tender, sealed = paid
    assert sealed, "publication, tendering and each bid made releases"
    assert {tuple(r["tag"]) for r in sealed} >= {("tender",), ("tenderUpdate",)}
    for release in sealed:
        assert errors(release, "release") == []
        assert "details" not in release.get("bids", {})
        assert release["bids"]["statistics"][0] == {"id": "bids", "measure": "bids", "value": 3}
        text = json.dumps(release)
        assert cast.supplier_org_a.bin not in text
        assert "2900000" not in text
        assert "numberOfTenderers" not in release["tender"]


def test_every_release_is_valid_and_names_parties_by_bin(paid, cast):
    tender, _sealed = paid
    releases = releases_of(tender)
    for release in releases:
        assert errors(release, "release") == [], release["tag"]
        assert release["ocid"] == tender.ocid
        assert release["ocid"].startswith("ocds-") and len(release["ocid"].split("-")[1]) == 6
        assert release["date"].endswith("Z")
    last = releases[-1]
    assert last["tag"] == ["implementation"]
    buyer = next(p for p in last["parties"] if "buyer" in p["roles"])
    assert buyer["identifier"] == {
        "scheme": "KZ-BIN",
        "id": cast.agency.bin,
        "legalName": cast.agency.legal_name,
    }
    assert last["tender"]["numberOfTenderers"] == 3
    statuses = sorted(d["status"] for d in last["bids"]["details"])
    assert statuses == ["disqualified", "valid", "valid", "valid", "valid"]
    awards = {a["title"]: a for a in last["awards"]}
    assert awards["Lot 1"]["value"] == {"amount": 2800000.0, "currency": "KZT"}
    assert awards["Lot 1"]["items"][0]["classification"]["scheme"] == "KZ-ENS-TRU"
    contract = next(c for c in last["contracts"] if c["title"].endswith("lot 2"))
    assert contract["status"] == "active"
    assert contract["implementation"]["transactions"][0]["value"]["amount"] == 400000.0


def test_one_release_per_public_event_and_publishing_again_adds_nothing(paid):
    tender, _sealed = paid
    count = Release.objects.filter(tender=tender).count()
    assert publish_ocds() == []
    assert Release.objects.filter(tender=tender).count() == count
    seqs = list(Release.objects.filter(tender=tender).values_list("entry_seq", flat=True))
    assert len(seqs) == len(set(seqs))


def test_releases_cannot_be_changed(paid):
    release = Release.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Release.objects.filter(pk=release.pk).update(content=b"{}")


def test_the_api_serves_valid_packages_records_and_compiled_releases(paid):
    tender, _sealed = paid
    client = Client()
    package = json.loads(b"".join(client.get("/api/v1/ocds/releases").streaming_content))
    assert errors(package, "release-package") == []
    assert len(package["releases"]) == Release.objects.count()

    record = client.get(f"/api/v1/ocds/records/{tender.ocid}").json()
    assert errors(record, "record-package") == []
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["status"] == "complete"

    lines = b"".join(client.get("/api/v1/ocds/compiled").streaming_content).splitlines()
    assert [json.loads(line)["ocid"] for line in lines] == [tender.ocid]
    assert client.get("/api/v1/ocds/records/ocds-nothere-T-1").status_code == 404


def test_release_package_by_date_range(paid):
    releases = list(Release.objects.order_by("entry_seq"))
    middle = releases[len(releases) // 2]
    client = Client()
    since = json.loads(
        b"".join(
            client.get(
                "/api/v1/ocds/releases", {"since": middle.date.isoformat()}
            ).streaming_content
        )
    )
    assert {r["id"] for r in since["releases"]} == {
        r.release_id for r in releases if r.date >= middle.date
    }


def test_the_export_command_writes_valid_files(paid, tmp_path):
    out = io.StringIO()
    call_command(
        "export_ocds",
        "--release-package",
        str(tmp_path / "releases.json"),
        "--record-package",
        str(tmp_path / "records.json"),
        "--compiled-jsonl",
        str(tmp_path / "compiled.jsonl"),
        stdout=out,
    )
    assert errors(json.loads((tmp_path / "releases.json").read_text()), "release-package") == []
    assert errors(json.loads((tmp_path / "records.json").read_text()), "record-package") == []
    for line in (tmp_path / "compiled.jsonl").read_text().splitlines():
        assert errors(json.loads(line), "release") == []


def test_a_batch_of_events_that_publish_nothing_does_not_stop_publication(cast):
    """Registrations and the like make no release; a batch of only those must not leave the
    tender events behind them unpublished (here three come first in the log)."""
    from audit.actions import Action
    from audit.recorder import record
    from transparency.jobs import run
    from transparency.services.publication import publish_pending

    with transaction.atomic():
        for _ in range(3):  # events that publish nothing, before the tender's
            record(Action.ORGANISATION_UPDATED, subject=cast.supplier_org_a, data={})
    tender = to_tendering(publish_tender(tender=draft_with_lots(cast), actor=cast.buyer))
    assert publish_ocds(limit=2) == []  # the first batch holds no tender event
    published = publish_pending(limit=2)
    assert published == Release.objects.filter(tender=tender).count() > 0
    assert run()["releases"] == 0  # nothing left for the clock
