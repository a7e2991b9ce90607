"""The platform's own red flags and the auditors' queue: competing bids that share contact
details (and arrive seconds apart), a contract price raised by amendments, a purchase split
under a ceiling; flags found again stay one flag; reviews are the auditors' and audited."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Entry
from awards.results import results_bytes
from awards.services.results import publish_results
from awards.services.reviews import review_bid
from contracts.models import Contract
from contracts.services.execution import amend_contract
from contracts.services.signing import sign_contract
from procurement.clock import tick
from procurement.models import Lot, Tender
from procurement.services.tenders import publish_tender
from tests.awards.world import (
    PRICES,
    add_checklist,
    award_world,
    bid,
    draft_with_lots,
    meets_all,
    sign,
    signer_for,
    to_tendering,
    trusted_ca,
)
from tests.procurement.factories import approved_item, draft_tender, procedure
from transparency.flags.native import (
    competing_bid_findings,
    price_raised_findings,
    split_purchase_findings,
)
from transparency.models import RedFlag
from transparency.services.flags import compute_flags, review_flag

pytestmark = pytest.mark.django_db


def _share_phone(cast):
    for org in (cast.supplier_org_a, cast.supplier_org_b):
        org.contact_phone = "+7 (701) 555-01-02"
        org.save(update_fields=["contact_phone"])


def test_bidders_sharing_a_phone_are_flagged_after_the_opening_only(cast):
    _share_phone(cast)
    with award_world(cast) as world:
        findings = competing_bid_findings()
    kinds = sorted({f.indicator for f in findings})
    assert kinds == ["bids_seconds_apart", "same_contact"]
    same = next(f for f in findings if f.indicator == "same_contact")
    assert same.figures["shared"] == ["phone"]
    assert same.tender_id == world.tender.pk
    assert cast.supplier_org_a.legal_name in same.explanation


def test_no_competing_bid_flag_before_the_opening(cast):
    _share_phone(cast)

    with trusted_ca() as ca:
        tender = draft_with_lots(cast)
        add_checklist(tender, cast.buyer)
        tender = to_tendering(publish_tender(tender=tender, actor=cast.buyer))
        for key, org, user in (
            ("a", cast.supplier_org_a, cast.supplier_a),
            ("b", cast.supplier_org_b, cast.supplier_b),
        ):
            bid(tender, signer_for(ca, org, user), org, user, PRICES[key])
    assert competing_bid_findings() == []


def test_the_queue_keeps_one_flag_per_finding_and_records_changes_only(cast):
    _share_phone(cast)
    with award_world(cast):
        before = Entry.objects.count()
        first = compute_flags()
        assert first["raised"] == 2
        assert Entry.objects.count() == before + 1
        assert Entry.objects.last().action == "transparency.redflag.computed"
        again = compute_flags()
        assert again == {"raised": 0, "no_longer_firing": 0, "firing": 2}
        assert Entry.objects.count() == before + 1
        cast.supplier_org_b.contact_phone = "+7 700 000 00 00"
        cast.supplier_org_b.save(update_fields=["contact_phone"])
        gone = compute_flags()
    assert gone["no_longer_firing"] == 2
    assert not RedFlag.objects.filter(still_fires=True).exists()
    assert RedFlag.objects.count() == 2


def test_auditors_review_flags_with_a_note_and_others_may_not(cast):
    _share_phone(cast)
    with award_world(cast):
        compute_flags()
    flag = RedFlag.objects.get(indicator="same_contact")
    with pytest.raises(PermissionDenied):
        review_flag(flag=flag, actor=cast.buyer, decision="dismissed", note="fine")
    with pytest.raises(ValidationError, match="Write what you found"):
        review_flag(flag=flag, actor=cast.auditor, decision="escalated", note="  ")
    before = Entry.objects.count()
    flag = review_flag(
        flag=flag, actor=cast.auditor, decision="escalated", note="Same director; sent to the AFM"
    )
    assert flag.status == "escalated"
    entry = Entry.objects.get(seq=before)
    assert entry.action == "transparency.redflag.reviewed"
    assert entry.data["to"] == "escalated"
    with pytest.raises(ValidationError, match="cannot be marked that way"):
        review_flag(flag=flag, actor=cast.auditor, decision="escalated", note="again")


def test_a_contract_raised_by_amendments_past_the_threshold_is_flagged(cast, settings):
    settings.RED_FLAG_PRICE_RISE_PERCENT = "5"
    with award_world(cast) as world:
        tender = world.tender
        for b in world.bids.values():
            review_bid(bid=b, actor=cast.buyer, decisions=meets_all(tender))
        content = results_bytes(tender)
        publish_results(
            tender=tender,
            actor=cast.buyer,
            content_sha256=hashlib.sha256(content).hexdigest(),
            signature=sign(world.chair, content),
        )
        tender.refresh_from_db()
        with time_machine.travel(tender.timer_at, tick=False):
            tick()
        contract = Contract.objects.get(tender=tender, lot__number=2)
        signer = world.signers["a"]
        sign_contract(
            contract=contract,
            actor=cast.supplier_a,
            signature=sign(signer, bytes(contract.content)),
        )
        sign_contract(
            contract=contract,
            actor=cast.buyer,
            signature=sign(world.chair, bytes(contract.content)),
        )
        contract.refresh_from_db()
        amend_contract(
            contract=contract, actor=cast.buyer, new_price="832000.00", reason="Volume +4%"
        )
        assert price_raised_findings() == []
        amend_contract(
            contract=contract, actor=cast.buyer, new_price="840000.00", reason="Volume +5%"
        )
    [finding] = price_raised_findings()
    assert finding.figures["rise_percent"] == "5.00"
    assert finding.subject_key == contract.number


def _quotation(cast, amount: str, when: dt.datetime) -> Tender:
    tender = draft_tender(cast.agency, procedure=procedure("price_quotations"))
    item = approved_item(
        cast.agency, planned_amount=Decimal(amount), procedure=procedure("price_quotations")
    )
    lot = Lot.objects.create(
        tender=tender,
        number=1,
        title=item.subject,
        amount=item.planned_amount,
        budget_line=item.budget_line,
    )
    lot.plan_items.set([item])
    Tender.objects.filter(pk=tender.pk).update(status="enquiries", published_at=when)
    return tender


def test_two_quotations_of_one_class_in_a_month_over_the_ceiling_are_flagged(cast):
    ceiling = procedure("price_quotations").value_ceiling
    half = (ceiling / 2 + 1).quantize(Decimal("0.01"))
    now = timezone.now().replace(day=10)
    first = _quotation(cast, str(half), now)
    second = _quotation(cast, str(half), now + dt.timedelta(days=5))
    _quotation(cast, str(half), now + dt.timedelta(days=40))  # the next month: apart
    [finding] = split_purchase_findings()
    assert finding.figures["tenders"] == sorted([first.number, second.number])
    assert Decimal(finding.figures["total"]) > ceiling


def test_one_quotation_under_the_ceiling_is_not_a_split(cast):
    _quotation(cast, "1000.00", timezone.now())
    assert split_purchase_findings() == []


def test_the_clock_publishes_releases_and_computes_flags_when_asked(cast, settings):
    settings.CLOCK_JOBS = ["transparency.jobs.run"]
    settings.RED_FLAGS_MIN_INTERVAL_SECONDS = 0  # every tick of the world's set-up may compute
    _share_phone(cast)
    with award_world(cast):
        done = tick()
    job = done["transparency.jobs.run"]
    assert job["releases"] > 0
    assert job["flags"]["raised"] == 2


def test_the_clock_recomputes_flags_at_most_once_an_interval_and_never_drops_one(
    cast, settings, monkeypatch
):
    from transparency import jobs

    settings.CLOCK_JOBS = ["transparency.jobs.run"]
    settings.RED_FLAGS_MIN_INTERVAL_SECONDS = 300
    now = [1000.0]
    monkeypatch.setattr(jobs.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(jobs, "_flags", {"due": False, "last": None})
    computed = []
    monkeypatch.setattr(jobs, "compute_flags", lambda: computed.append(now[0]) or {})
    published = iter([3, 2, 0, 0])
    monkeypatch.setattr(jobs, "publish_pending", lambda: next(published))

    assert "flags" in jobs.run()  # the first release: computed at once
    now[0] += 60
    assert "flags" not in jobs.run()  # more releases within the interval: waits
    now[0] += 60
    assert "flags" not in jobs.run()  # nothing new, still within the interval
    now[0] += 200
    assert "flags" in jobs.run()  # the interval passed: the waiting data is computed
    assert computed == [1000.0, 1320.0]
