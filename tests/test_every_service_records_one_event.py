"""No change of state without its event: every service writes exactly one audit entry.

The list below must name every public function of every `services` module; a new service
that is not added here (with the event it must write) fails `test_every_service_is_listed`.
"""

import datetime as dt
import importlib
import inspect
import pkgutil
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.choices import Role
from audit.models import Entry
from tests.bids import cases as bid_cases
from tests.factories import BlacklistEntryFactory, MembershipFactory, SupplierFactory, make_bin
from tests.pki import cases as pki_cases
from tests.procurement.factories import (
    FROZEN,
    BudgetLineFactory,
    PlanItemFactory,
    approved_item,
    draft_tender,
    procedure,
    ready_tender,
)

ROOT = Path(__file__).resolve().parents[1]
APPS = ("accounts", "suppliers", "procurement", "audit", "pki", "bids", "awards", "contracts")

# Reads: they change nothing, so they write nothing.
READS = {
    "accounts.services.tokens.authenticate_token",
    "suppliers.services.members.find_open_invitation",
    "audit.services.verification.run_verification",
    "audit.services.checkpoints.checkpoint_file",
    # Locks a budget line and reads its balances, for the services that then change it.
    "procurement.services.ledger.lock_budget_line",
    # The weights of a tender's scored criteria; a published protocol's content; an amount
    # checked before a service takes it.
    "awards.services.reviews.criterion_weights",
    "awards.services.results.results_content_from",
    "contracts.services.execution.checked_amount",
}
# A checkpoint signs the log itself; an event about it would need a checkpoint of its own.
EXEMPT = {"audit.services.checkpoints.issue_checkpoint"}
# Ledger moves are steps of other services (publishing reserves, cancelling releases, signing a
# contract obligates, a payment pays): the calling service records the one event for the whole
# change in the same transaction, and the moves refuse to run outside one.
EXEMPT |= {
    "procurement.services.ledger.reserve",
    "procurement.services.ledger.release",
    "procurement.services.ledger.obligate",
    "procurement.services.ledger.pay",
    "procurement.services.ledger.deobligate",
    "procurement.services.ledger.release_held",
}
# Drafting a contract is a step of the services that activate an award (the clock at the end of
# standstill, a single-source decision); their event names the contracts drafted.
EXEMPT |= {"contracts.services.awarding.draft_contract"}


def _new_supplier_details():
    return {
        "bin": make_bin(),
        "legal_name": "Fresh Supplier LLP",
        "region": "astana",
        "address": "Astana, Turan 1",
        "contact_email": "fresh@example.kz",
    }


def _invite(c):
    from suppliers.services.members import invite_member

    return invite_member(
        organisation=c.supplier_org_a,
        email="new@example.kz",
        role=Role.SUPPLIER_STAFF,
        actor=c.supplier_a,
    )


def _accept(c):
    from suppliers.services.members import accept_invitation

    _invitation, raw = _invite(c)
    before = Entry.objects.count()
    accept_invitation(
        raw_token=raw,
        actor=None,
        new_user={"full_name": "New Staff", "password": "a-long-passphrase-9"},
    )
    return before


def _revoke_invitation(c):
    from suppliers.services.members import revoke_invitation

    invitation, _raw = _invite(c)
    before = Entry.objects.count()
    revoke_invitation(invitation=invitation, actor=c.supplier_a)
    return before


def _revoke_token(c):
    from accounts.services.tokens import create_api_token, revoke_api_token

    token, _raw = create_api_token(user=c.supplier_a, name="t", actor=c.supplier_a)
    before = Entry.objects.count()
    revoke_api_token(token=token, actor=c.supplier_a)
    return before


def _published(c):
    from procurement.services.tenders import publish_tender

    with time_machine.travel(FROZEN, tick=False):  # a year the holiday calendar covers
        return publish_tender(tender=ready_tender(c), actor=c.buyer)


def _lot_cancelled(c):
    lot = _published(c).lots.get()
    before = Entry.objects.count()
    _call(
        "procurement.services.amendments.cancel_lot",
        lot=lot,
        reason="budget_cut",
        text="Funds withdrawn",
        actor=c.buyer,
    )
    return before


def _amended(c):
    tender = _published(c)
    before = Entry.objects.count()
    with time_machine.travel(FROZEN, tick=False):
        _call(
            "procurement.services.amendments.amend_tender",
            tender=tender,
            actor=c.buyer,
            reason="Clarified delivery",
            title="Insulin, clarified",
        )
    return before


def _at_instant(c, field, service):
    """A published tender whose `field` instant has come; returns the count before the event."""
    tender = _published(c)
    before = Entry.objects.count()
    with time_machine.travel(getattr(tender, field), tick=False):
        if field == "submission_deadline":
            Tender = type(tender)
            Tender.objects.filter(pk=tender.pk).update(status="tendering")
        _call(f"procurement.services.deadlines.{service}", tender=tender)
    return before


def _asked(c):
    from procurement.services.questions import ask_question

    tender = _published(c)
    with time_machine.travel(FROZEN, tick=False):
        return ask_question(tender=tender, text="Is a generic accepted?", actor=c.supplier_a)


def _ask_count(c):
    from procurement.services.questions import ask_question

    tender = _published(c)
    before = Entry.objects.count()
    with time_machine.travel(FROZEN, tick=False):
        ask_question(tender=tender, text="Is a generic accepted?", actor=c.supplier_a)
    return before


def _answered(c):
    from procurement.services.questions import answer_question

    question = _asked(c)
    before = Entry.objects.count()
    with time_machine.travel(FROZEN, tick=False):
        answer_question(question=question, text="Yes.", actor=c.buyer)
    return before


def _call(path, **kwargs):
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(**kwargs)


# service -> (what to do with the cast, the action it must record). A callable returning an
# int does its own set-up and returns the entry count to compare against.
CASES = {
    "accounts.services.tokens.create_api_token": (
        lambda c: _call(
            "accounts.services.tokens.create_api_token",
            user=c.supplier_a,
            name="cli",
            actor=c.supplier_a,
        ),
        "accounts.apitoken.created",
    ),
    "accounts.services.tokens.revoke_api_token": (_revoke_token, "accounts.apitoken.revoked"),
    "accounts.services.users.create_user_account": (
        lambda c: _call(
            "accounts.services.users.create_user_account",
            email="x@example.kz",
            full_name="X",
            password=None,
            actor=c.operator,
        ),
        "accounts.user.registered",
    ),
    "accounts.services.users.update_user_account": (
        lambda c: _call(
            "accounts.services.users.update_user_account",
            user=c.outsider,
            changes={"is_active": False},
            actor=c.operator,
        ),
        "accounts.user.updated",
    ),
    "accounts.services.users.bootstrap_operator": (
        lambda c: _call(
            "accounts.services.users.bootstrap_operator",
            email="root@example.kz",
            full_name="Root",
            password="a-long-passphrase-9",
        ),
        "accounts.user.registered",
    ),
    "suppliers.services.registration.register_supplier": (
        lambda c: _call(
            "suppliers.services.registration.register_supplier",
            details=_new_supplier_details(),
            actor=c.outsider,
        ),
        "suppliers.organisation.registered",
    ),
    "suppliers.services.registration.register_organisation": (
        lambda c: _call(
            "suppliers.services.registration.register_organisation",
            kind="agency",
            details={**_new_supplier_details(), "budget_admin_code": "226"},
            actor=c.operator,
        ),
        "suppliers.organisation.registered",
    ),
    "suppliers.services.registration.update_organisation": (
        lambda c: _call(
            "suppliers.services.registration.update_organisation",
            organisation=c.supplier_org_a,
            changes={"address": "New 1"},
            actor=c.supplier_a,
        ),
        "suppliers.organisation.updated",
    ),
    "suppliers.services.verification.verify_organisation": (
        lambda c: _call(
            "suppliers.services.verification.verify_organisation",
            organisation=SupplierFactory(status="pending"),
            actor=c.operator,
        ),
        "suppliers.organisation.verified",
    ),
    "suppliers.services.verification.suspend_organisation": (
        lambda c: _call(
            "suppliers.services.verification.suspend_organisation",
            organisation=c.supplier_org_b,
            actor=c.operator,
            reason="Court order",
        ),
        "suppliers.organisation.suspended",
    ),
    "suppliers.services.verification.reinstate_organisation": (
        lambda c: _call(
            "suppliers.services.verification.reinstate_organisation",
            organisation=SupplierFactory(status="suspended"),
            actor=c.operator,
            reason="Lifted",
        ),
        "suppliers.organisation.reinstated",
    ),
    "suppliers.services.members.add_member": (
        lambda c: _call(
            "suppliers.services.members.add_member",
            organisation=c.supplier_org_a,
            user=c.outsider,
            role=Role.SUPPLIER_STAFF,
            actor=c.supplier_a,
        ),
        "suppliers.membership.added",
    ),
    "suppliers.services.members.invite_member": (_invite, "suppliers.invitation.sent"),
    "suppliers.services.members.accept_invitation": (_accept, "suppliers.invitation.accepted"),
    "suppliers.services.members.revoke_invitation": (
        _revoke_invitation,
        "suppliers.invitation.revoked",
    ),
    "suppliers.services.members.deactivate_membership": (
        lambda c: _call(
            "suppliers.services.members.deactivate_membership",
            membership=MembershipFactory(organisation=c.supplier_org_a, role=Role.SUPPLIER_STAFF),
            actor=c.supplier_a,
        ),
        "suppliers.membership.deactivated",
    ),
    "suppliers.services.blacklist.add_blacklist_entry": (
        lambda c: _call(
            "suppliers.services.blacklist.add_blacklist_entry",
            organisation=c.supplier_org_b,
            actor=c.operator,
            basis="contract_breach",
            decision_reference="No. 1",
            decided_by="Court",
            starts_at=timezone.now(),
        ),
        "suppliers.blacklistentry.added",
    ),
    "suppliers.services.blacklist.end_blacklist_entry": (
        lambda c: _call(
            "suppliers.services.blacklist.end_blacklist_entry",
            entry=BlacklistEntryFactory(starts_at=timezone.now() - dt.timedelta(days=3)),
            reason="Court set the decision aside",
            actor=c.operator,
        ),
        "suppliers.blacklistentry.ended",
    ),
    "procurement.services.budget.create_budget_line": (
        lambda c: _call(
            "procurement.services.budget.create_budget_line",
            agency=c.agency,
            fiscal_year=2025,
            programme_code="001",
            subprogramme_code="015",
            name="Medicines",
            approved_amount=Decimal("5000000.00"),
            actor=c.buyer,
        ),
        "procurement.budgetline.created",
    ),
    "procurement.services.budget.change_approved_amount": (
        lambda c: _call(
            "procurement.services.budget.change_approved_amount",
            line=BudgetLineFactory(agency=c.agency),
            approved_amount=Decimal("7500000.00"),
            reason="Budget clarification order No. 12",
            actor=c.buyer,
        ),
        "procurement.budgetline.amended",
    ),
    "procurement.services.budget.add_plan_item": (
        lambda c: _call(
            "procurement.services.budget.add_plan_item",
            agency=c.agency,
            budget_line=BudgetLineFactory(agency=c.agency),
            fiscal_year=2025,
            subject="Insulin",
            nomenclature_code="212013.900.000032",
            quantity=Decimal("100"),
            unit="pack",
            planned_amount=Decimal("250000.00"),
            procedure=procedure("open_tender"),
            planned_month=4,
            actor=c.buyer,
        ),
        "procurement.planitem.added",
    ),
    "procurement.services.budget.approve_plan_item": (
        lambda c: _call(
            "procurement.services.budget.approve_plan_item",
            item=PlanItemFactory(budget_line=BudgetLineFactory(agency=c.agency)),
            actor=c.buyer,
        ),
        "procurement.planitem.approved",
    ),
    "procurement.services.budget.cancel_plan_item": (
        lambda c: _call(
            "procurement.services.budget.cancel_plan_item",
            item=PlanItemFactory(budget_line=BudgetLineFactory(agency=c.agency)),
            reason="Bought centrally instead",
            actor=c.buyer,
        ),
        "procurement.planitem.cancelled",
    ),
    "procurement.services.tenders.create_tender": (
        lambda c: _call(
            "procurement.services.tenders.create_tender",
            agency=c.agency,
            title="Insulin",
            procedure=procedure("open_tender"),
            actor=c.buyer,
        ),
        "procurement.tender.created",
    ),
    "procurement.services.tenders.add_lot": (
        lambda c: _call(
            "procurement.services.tenders.add_lot",
            tender=draft_tender(c.agency),
            plan_items=[approved_item(c.agency)],
            actor=c.buyer,
        ),
        "procurement.lot.added",
    ),
    "procurement.services.tenders.set_commission": (
        lambda c: _call(
            "procurement.services.tenders.set_commission",
            tender=draft_tender(c.agency),
            chair=c.buyer,
            members=c.commission,
            threshold=3,
            actor=c.buyer,
        ),
        "procurement.commission.appointed",
    ),
    "procurement.services.tenders.set_periods": (
        lambda c: _call(
            "procurement.services.tenders.set_periods",
            tender=draft_tender(c.agency),
            enquiry_end=timezone.now() + dt.timedelta(days=20),
            submission_deadline=timezone.now() + dt.timedelta(days=30),
            actor=c.buyer,
        ),
        "procurement.tender.scheduled",
    ),
    "procurement.services.tenders.publish_tender": (_published, "procurement.tender.published"),
    "procurement.services.tenders.cancel_tender": (
        lambda c: _call(
            "procurement.services.tenders.cancel_tender",
            tender=draft_tender(c.agency),
            reason="no_demand",
            text="Bought centrally",
            actor=c.buyer,
        ),
        "procurement.tender.cancelled",
    ),
    "procurement.services.deadlines.start_tendering": (
        lambda c: _at_instant(c, "enquiry_end", "start_tendering"),
        "procurement.tender.tendering_started",
    ),
    "procurement.services.deadlines.pass_submission_deadline": (
        lambda c: _at_instant(c, "submission_deadline", "pass_submission_deadline"),
        "procurement.tender.failed",
    ),
    "procurement.services.questions.ask_question": (
        _ask_count,
        "procurement.question.asked",
    ),
    "procurement.services.questions.answer_question": (
        _answered,
        "procurement.question.answered",
    ),
    "procurement.services.documents.attach_document": (
        lambda c: _call(
            "procurement.services.documents.attach_document",
            tender=draft_tender(c.agency),
            uploaded_file=SimpleUploadedFile("terms.pdf", b"%PDF-1.7\n"),
            title="Terms of reference",
            actor=c.buyer,
        ),
        "procurement.document.attached",
    ),
    "procurement.services.amendments.amend_tender": (
        lambda c: _amended(c),
        "procurement.tender.amended",
    ),
    "procurement.services.amendments.cancel_lot": (
        lambda c: _lot_cancelled(c),
        "procurement.lot.cancelled",
    ),
    "audit.services.verification.verify_and_record": (
        lambda c: _call("audit.services.verification.verify_and_record", actor=c.auditor),
        "audit.log.verified",
    ),
    "pki.services.certificates.register_certificate": (
        pki_cases.registered_certificate,
        "pki.certificate.registered",
    ),
    "pki.services.crls.refresh_crls": (pki_cases.refreshed_crls, "pki.crl.refreshed"),
    "bids.services.keys.register_commission_key": (
        bid_cases.registered_key,
        "bids.commissionkey.registered",
    ),
    "bids.services.submission.submit_bid": (bid_cases.submitted, "bids.bid.submitted"),
    "bids.services.submission.withdraw_bid": (bid_cases.withdrawn, "bids.bid.withdrawn"),
    "bids.services.opening.post_share": (bid_cases.share_posted, "bids.keyshare.posted"),
    "bids.services.opening.open_bids": (bid_cases.opened, "bids.tender.opened"),
}


# --- the award stage (issue 6): each case builds its world on a Monday of a year the holiday
# calendar covers, takes it to the step before the service, and returns the count before it.


def _award_stage(c, act, *, prepare=None, **world):
    from tests.awards.world import award_world, on_a_monday

    with on_a_monday() as clock, award_world(c, **world) as w:
        context = prepare(w, c, clock) if prepare else None
        before = Entry.objects.count()
        act(w, c, context)
        return before


def _reviewed(w, c, clock):
    from tests.awards.world import review_all

    review_all(w, c, disqualified=("c",))


def _in_standstill(w, c, clock):
    from tests.awards.world import awarded

    awarded(w, c, disqualified=("c",))


def _contracting(w, c, clock):
    from tests.awards.world import to_contracting

    return to_contracting(w, c, clock, disqualified=("c",))[1]


def _signed(w, c, clock):
    from tests.awards.world import signed

    return signed(w, c, _contracting(w, c, clock))


def _accepted(w, c, clock):
    from contracts.services.execution import accept_delivery

    contract = _signed(w, c, clock)
    accept_delivery(contract=contract, actor=c.buyer, amount="1000.00", description="Delivered")
    return contract


def _declined(w, c, clock):
    from contracts.services.awarding import decline_award

    contract = _contracting(w, c, clock)
    decline_award(contract=contract, actor=c.supplier_b, reason="No stock")
    return contract


def _correction_asked(w, c, clock):
    from awards.services.reviews import request_correction

    return request_correction(bid=w.bids["a"], actor=c.buyer, text="Attach the annex.")


def _complained(w, c, clock):
    from awards.services.complaints import file_complaint

    _in_standstill(w, c, clock)
    return file_complaint(
        tender=w.tender, actor=w.user_c, complainant=w.org_c, kind="results", text="Unfair"
    )


def _review(w, c, _ctx):
    from tests.awards.world import meets_all

    _call(
        "awards.services.reviews.review_bid",
        bid=w.bids["a"],
        actor=c.buyer,
        decisions=meets_all(w.tender),
    )


def _publish(w, c, _ctx):
    from tests.awards.world import publish

    publish(w, c)


def _file_complaint(w, c, _ctx):
    _call(
        "awards.services.complaints.file_complaint",
        tender=w.tender,
        actor=w.user_c,
        complainant=w.org_c,
        kind="results",
        text="Unfair",
    )


def _sign(w, c, contract):
    from tests.awards.world import sign

    _call(
        "contracts.services.signing.sign_contract",
        contract=contract,
        actor=c.supplier_b,
        signature=sign(w.signers["b"], bytes(contract.content)),
    )


def _single_source(c) -> int:
    from procurement.models import Tender
    from tests.awards.world import on_a_monday

    with on_a_monday():
        tender = ready_tender(c)
        Tender.objects.filter(pk=tender.pk).update(procedure=procedure("single_source"))
        before = Entry.objects.count()
        _call(
            "contracts.services.single_source.contract_directly",
            tender=Tender.objects.get(pk=tender.pk),
            actor=c.buyer,
            supplier=c.supplier_org_a,
            price="2500000.00",
            justification="The only holder of the patent.",
        )
        return before


AWARD_CASES = {
    "awards.services.requirements.add_requirement": (
        lambda c: _call(
            "awards.services.requirements.add_requirement",
            tender=ready_tender(c),
            actor=c.buyer,
            kind="document",
            title="Licence",
        ),
        "awards.requirement.added",
    ),
    "awards.services.requirements.set_contract_terms": (
        lambda c: _call(
            "awards.services.requirements.set_contract_terms",
            tender=ready_tender(c),
            actor=c.buyer,
            terms="Delivery within 30 days.",
        ),
        "procurement.tender.contract_terms_set",
    ),
    "awards.services.reviews.review_bid": (
        lambda c: _award_stage(c, _review),
        "awards.bidreview.decided",
    ),
    "awards.services.reviews.request_correction": (
        lambda c: _award_stage(c, lambda w, c, _x: _correction_asked(w, c, None)),
        "awards.bidreview.correction_requested",
    ),
    "awards.services.reviews.answer_correction": (
        lambda c: _award_stage(
            c,
            lambda w, c, _x: _call(
                "awards.services.reviews.answer_correction",
                bid=w.bids["a"],
                actor=c.supplier_a,
                text="Attached.",
            ),
            prepare=_correction_asked,
        ),
        "awards.bidreview.correction_answered",
    ),
    "awards.services.reviews.close_correction_windows": (
        lambda c: _award_stage(
            c,
            lambda w, c, review: _call(
                "awards.services.reviews.close_correction_windows",
                tender=w.tender,
                now=review.correction_deadline,
            ),
            prepare=_correction_asked,
        ),
        "awards.bidreview.correction_windows_closed",
    ),
    "awards.services.results.publish_results": (
        lambda c: _award_stage(c, _publish, prepare=_reviewed),
        "awards.resultsprotocol.published",
    ),
    "awards.services.complaints.file_complaint": (
        lambda c: _award_stage(c, _file_complaint, prepare=_in_standstill),
        "awards.complaint.filed",
    ),
    "awards.services.complaints.decide_complaint": (
        lambda c: _award_stage(
            c,
            lambda w, c, complaint: _call(
                "awards.services.complaints.decide_complaint",
                complaint=complaint,
                actor=c.reviewer,
                satisfied=False,
                decision="Unfounded",
            ),
            prepare=_complained,
        ),
        "awards.complaint.dismissed",
    ),
    "contracts.services.awarding.run_award_timers": (
        lambda c: _award_stage(
            c,
            lambda w, c, _x: _call(
                "contracts.services.awarding.run_award_timers",
                tender=w.tender,
                now=type(w.tender).objects.get(pk=w.tender.pk).timer_at,
            ),
            prepare=_in_standstill,
        ),
        "awards.award.timers_run",
    ),
    "contracts.services.awarding.decline_award": (
        lambda c: _award_stage(
            c,
            lambda w, c, contract: _call(
                "contracts.services.awarding.decline_award",
                contract=contract,
                actor=c.supplier_b,
                reason="No stock",
            ),
            prepare=_contracting,
        ),
        "contracts.contract.declined",
    ),
    "contracts.services.awarding.award_next_bidder": (
        lambda c: _award_stage(
            c,
            lambda w, c, contract: _call(
                "contracts.services.awarding.award_next_bidder",
                lot=contract.lot,
                actor=c.buyer,
                reason="B declined",
                propose_blacklist=True,
            ),
            prepare=_declined,
        ),
        "awards.award.moved_to_next",
    ),
    "contracts.services.signing.sign_contract": (
        lambda c: _award_stage(c, _sign, prepare=_contracting),
        "contracts.contract.signed",
    ),
    "contracts.services.execution.amend_contract": (
        lambda c: _award_stage(
            c,
            lambda w, c, contract: _call(
                "contracts.services.execution.amend_contract",
                contract=contract,
                actor=c.buyer,
                new_price="2900000.00",
                reason="Rates",
            ),
            prepare=_signed,
        ),
        "contracts.contract.amended",
    ),
    "contracts.services.execution.accept_delivery": (
        lambda c: _award_stage(
            c,
            lambda w, c, contract: _call(
                "contracts.services.execution.accept_delivery",
                contract=contract,
                actor=c.buyer,
                amount="1000.00",
                description="Delivered",
            ),
            prepare=_signed,
        ),
        "contracts.acceptance.recorded",
    ),
    "contracts.services.execution.record_payment": (
        lambda c: _award_stage(
            c,
            lambda w, c, contract: _call(
                "contracts.services.execution.record_payment",
                contract=contract,
                actor=c.buyer,
                amount="1000.00",
                reference="PO-1",
            ),
            prepare=_accepted,
        ),
        "contracts.payment.recorded",
    ),
    "contracts.services.execution.terminate_contract": (
        lambda c: _award_stage(
            c,
            lambda w, c, contract: _call(
                "contracts.services.execution.terminate_contract",
                contract=contract,
                actor=c.buyer,
                reason="Breach",
            ),
            prepare=_accepted,
        ),
        "contracts.contract.terminated",
    ),
    "contracts.services.single_source.contract_directly": (
        _single_source,
        "contracts.contract.single_source",
    ),
}
CASES.update(AWARD_CASES)


def _service_functions() -> set[str]:
    found = set()
    for app in APPS:
        package = ROOT / app / "services"
        if not package.is_dir():
            continue
        for info in pkgutil.iter_modules([str(package)]):
            module = importlib.import_module(f"{app}.services.{info.name}")
            for name, obj in inspect.getmembers(module, inspect.isfunction):
                if obj.__module__ == module.__name__ and not name.startswith("_"):
                    found.add(f"{module.__name__}.{name}")
    return found


def test_every_service_is_listed():
    assert _service_functions() == set(CASES) | READS | EXEMPT


@pytest.mark.parametrize("service", sorted(CASES))
def test_service_writes_exactly_one_event(cast, service):
    act, action = CASES[service]
    before = Entry.objects.count()
    result = act(cast)
    if isinstance(result, int):
        before = result
    new = list(Entry.objects.filter(seq__gte=before).order_by("seq"))
    assert [e.action for e in new] == [action]
