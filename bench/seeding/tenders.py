"""Budget lines, plan items, tenders with lots, commissions, versions and opening keys, their
bids, and for the tenders past opening the opening protocol, awards, contracts and ledger."""

import datetime as dt
import hashlib
from decimal import Decimal
from types import SimpleNamespace as NS

from django.conf import settings

from audit.actions import Action
from audit.canonical import canonical_bytes, iso_utc
from bench.seeding.bidbuild import BidJob
from bench.seeding.plan import AWARDED, OPENED, PUBLISHED
from bench.seeding.registers import commission_private_key
from bids.crypto import new_opening_key, open_share
from bids.models import Bid, KeyShare, OpeningKey, OpeningProtocol, UsedNonce
from bids.services.opening import _protocol
from procurement.models import (
    BudgetEntry,
    BudgetLine,
    CommissionMember,
    Lot,
    PlanItem,
    Procedure,
    Tender,
    TenderCounter,
    TenderVersion,
)  # fmt: skip
from procurement.versions import _base, content_and_hash

CENT = Decimal("0.01")
TENDER = "procurement.tender"


class TenderWriter:
    def __init__(self, tables, log, registers, rnd, now, year):
        self.tables, self.log, self.reg, self.rnd, self.now = tables, log, registers, rnd, now
        self.year = year
        self.procedures = {p.code: p for p in Procedure.objects.all()}
        self.lines: dict[tuple[int, int], NS] = {}

    # --- budget -----------------------------------------------------------------------------
    def budget(self, plans) -> None:
        """Three lines per agency, approved for what its lots need and a quarter more."""
        need: dict[tuple[int, int], Decimal] = {}
        for plan in plans:
            for lot in plan.lots:
                key = (plan.agency, lot.line)
                need[key] = need.get(key, Decimal(0)) + lot.amount
        for a, agency in enumerate(self.reg.agencies):
            for k in range(3):
                approved = (need.get((a, k), Decimal(0)) * Decimal("1.25")).quantize(
                    Decimal("1000000")
                ) + Decimal("1000000.00")
                code = f"{k + 1:03d}"
                pk = self.tables.add(
                    BudgetLine, agency_id=agency.id, fiscal_year=self.year, programme_code=code,
                    subprogramme_code="", specifics_code="", name=f"Programme {code}",
                    approved_amount=approved, currency="KZT",
                    created_at=self.now - dt.timedelta(days=360),
                )  # fmt: skip
                self.lines[(a, k)] = NS(id=pk, code=code)
                self.log.record(
                    Action.BUDGET_LINE_CREATED, subject=("procurement.budgetline", pk),
                    actor=agency.buyer,
                    data={"agency": agency.id, "fiscal_year": self.year, "code": code,
                          "approved_amount": approved, "currency": "KZT"},
                )  # fmt: skip

    def entry(self, kind, line, amount, reference, actor, note, at) -> None:
        self.tables.add(
            BudgetEntry, line_id=line, kind=kind, amount=amount, reference_type=reference[0],
            reference_id=str(reference[1]), note=note, created_at=at, actor_id=actor,
        )  # fmt: skip

    # --- one tender up to publication --------------------------------------------------------
    def tender(self, plan) -> NS:
        agency = self.reg.agencies[plan.agency]
        procedure = self.procedures[plan.procedure]
        title = f"{plan.lots[0].subject[0]} ({agency.name[:40]})"
        t = NS(
            id=self.tables.new_id(Tender),
            number=plan.number,
            plan=plan,
            agency=agency,
            procedure=procedure,
            title=title,
            version_hash="",
            opening_key=None,
            lots=[],
            ocid=f"{settings.OCDS_OCID_PREFIX}-{plan.number}",
        )
        buyer = agency.buyer
        self.log.record(
            Action.TENDER_CREATED, subject=(TENDER, t.id), actor=buyer,
            data={"number": t.number, "agency": agency.id, "title": title,
                  "procedure": procedure.code},
        )  # fmt: skip
        for lot in plan.lots:
            t.lots.append(self.lot(t, lot, buyer))
        return t

    def lot(self, t, lot, buyer) -> NS:
        plan = t.plan
        line = self.lines[(plan.agency, lot.line)]
        item = self.tables.add(
            PlanItem, agency_id=t.agency.id, budget_line_id=line.id, fiscal_year=self.year,
            subject=lot.subject[0], nomenclature_code=lot.subject[1], quantity=Decimal("1.000"),
            unit=lot.subject[2], planned_amount=lot.amount, currency="KZT",
            procedure_id=t.procedure.id, planned_month=plan.created.month, status="approved",
            cancel_reason="", created_by_id=buyer, created_at=plan.created - dt.timedelta(days=30),
            approved_at=plan.created - dt.timedelta(days=29), cancelled_at=None,
        )  # fmt: skip
        for action in (Action.PLAN_ITEM_ADDED, Action.PLAN_ITEM_APPROVED):
            self.log.record(
                action, subject=("procurement.planitem", item), actor=buyer,
                data={"budget_line": line.id, "planned_amount": lot.amount},
            )  # fmt: skip
        pk = self.tables.new_id(Lot)
        self.log.record(
            Action.LOT_ADDED, subject=("procurement.lot", pk), actor=buyer,
            data={"tender": t.number, "number": lot.number, "title": lot.subject[0],
                  "amount": lot.amount, "budget_line": line.id, "plan_items": [item]},
        )  # fmt: skip
        return NS(id=pk, number=lot.number, title=lot.subject[0], amount=lot.amount,
                  budget_line=line, item=item, status="active")  # fmt: skip

    def prepare(self, t) -> None:
        """The opening key and version 1, as publish_tender makes them (bids need both)."""
        plan, agency = t.plan, t.agency
        emails = {agency.emails[u]: u for u in [agency.buyer, *agency.members]}
        if t.procedure.sealed_bids:
            bundle = new_opening_key(2, agency.public_keys, tender=t.number)
            t.opening_key = NS(
                id=self.tables.new_id(OpeningKey),
                public_key=bundle.public_key,
                key_id=bundle.key_id,
                bundle=bundle,
                emails=emails,
            )
        tender = NS(
            number=t.number,
            ocid=t.ocid,
            agency=NS(bin=agency.bin),
            title=t.title,
            description="",
            procedure=t.procedure,
            currency="KZT",
            enquiry_end=plan.enquiry_end,
            submission_deadline=plan.deadline,
            opening_threshold=2,
            opening_key=t.opening_key,
        )
        t.version, t.version_hash = content_and_hash(_base(tender, 1, None, t.lots, []))

    def publish(self, t) -> None:
        """The reservation and the event of publish_tender."""
        plan, agency = t.plan, t.agency
        lots = sorted(t.lots, key=lambda lot: (lot.budget_line.id, lot.id))
        for lot in lots:
            self.entry("reserve", lot.budget_line.id, lot.amount, (TENDER, t.id), agency.buyer,
                       f"{t.number} lot {lot.number}", plan.published)  # fmt: skip
        self.log.record(
            Action.TENDER_PUBLISHED, subject=(TENDER, t.id), actor=agency.buyer,
            data={
                "number": t.number, "ocid": t.ocid, "enquiry_end": plan.enquiry_end,
                "submission_deadline": plan.deadline,
                "lots": [{"number": lot.number, "amount": lot.amount} for lot in lots],
                "version": 1, "version_sha256": t.version_hash,
                "opening_key_id": t.opening_key.key_id if t.opening_key else None,
                "opening_public_key": t.opening_key.public_key.hex() if t.opening_key else None,
            },
        )  # fmt: skip

    def bid_jobs(self, t) -> list[BidJob]:
        jobs, plan = [], t.plan
        t.prices, t.signed = {}, {}
        start = plan.enquiry_end
        end = min(plan.deadline, self.now) - dt.timedelta(minutes=1)
        for n, supplier in enumerate(plan.bidders):
            prices = {
                str(lot.number): str(
                    (lot.amount * Decimal(self.rnd.uniform(0.7, 0.99))).quantize(CENT)
                )
                for lot in t.lots
            }
            span = max(60, int((end - start).total_seconds()))
            signed = (start + dt.timedelta(seconds=self.rnd.randrange(span))).replace(microsecond=0)
            t.prices[n], t.signed[n] = prices, signed
            jobs.append(BidJob(
                (t.id, n), t.number, t.version_hash, t.opening_key.public_key,
                self.reg.suppliers[supplier].bin, supplier, prices, signed,
            ))  # fmt: skip
        return jobs

    # --- writing a tender and everything that hangs on it --------------------------------------
    def write(self, t, built: list[tuple]) -> None:
        plan, agency = t.plan, t.agency
        status, timer = plan.status, None
        closed = plan.deadline if status in (*OPENED, "opening", "unsuccessful") else None
        bids = self.bids(t, built) if built else []
        awards = self.awards_plan(t, bids) if status in AWARDED else []
        if status == "standstill":
            timer = min(a.standstill_end for a in awards)
        elif status == "contracting":
            timer = min(a.sign_deadline for a in awards)
        cancelled = plan.published + dt.timedelta(days=1) if status == "cancelled" else None
        completed = plan.deadline + dt.timedelta(days=20) if status == "complete" else None
        next_check = {
            "enquiries": plan.enquiry_end, "tendering": plan.deadline, "standstill": timer,
            "contracting": timer,
        }.get(status)  # fmt: skip
        published = status in PUBLISHED
        self.tables.add(
            Tender, id=t.id, number=t.number, agency_id=agency.id, title=t.title, description="",
            procedure_id=t.procedure.id, currency="KZT", status=status,
            enquiry_end=plan.enquiry_end, submission_deadline=plan.deadline,
            opening_threshold=2, published_at=plan.published,
            cancel_reason="no_demand" if cancelled else "",
            cancel_text="The need no longer exists." if cancelled else "",
            cancelled_at=cancelled, closed_at=closed, version_number=1 if published else 0,
            version_hash=t.version_hash, contract_terms="", timer_at=timer,
            completed_at=completed, next_check=next_check, created_by_id=agency.buyer,
            created_at=plan.created,
        )  # fmt: skip
        lot_status = {"cancelled": "cancelled", "unsuccessful": "unsuccessful"}.get(status)
        for lot in t.lots:
            self.tables.add(
                Lot, id=lot.id, tender_id=t.id, number=lot.number, title=lot.title,
                amount=lot.amount, budget_line_id=lot.budget_line.id,
                status=lot_status or "active",
            )  # fmt: skip
            self.tables.add(Lot.plan_items.through, lot_id=lot.id, planitem_id=lot.item)
        self.commission(t)
        if plan.enquiry_end:
            self.log.record(
                Action.TENDER_SCHEDULED, subject=(TENDER, t.id), actor=agency.buyer,
                data={"enquiry_end": plan.enquiry_end, "submission_deadline": plan.deadline},
            )  # fmt: skip
        if not published:
            return
        self.version_and_key(t)
        self.publish(t)
        self.timeline(t, bids, awards)

    def commission(self, t) -> None:
        agency = t.agency
        for user, role in [(agency.buyer, "chair")] + [(m, "member") for m in agency.members]:
            self.tables.add(CommissionMember, tender_id=t.id, user_id=user, role=role)
        self.log.record(
            Action.COMMISSION_APPOINTED, subject=(TENDER, t.id), actor=agency.buyer,
            data={"chair": agency.buyer, "members": agency.members, "threshold": 2},
        )  # fmt: skip

    def version_and_key(self, t) -> None:
        plan = t.plan
        self.tables.add(
            TenderVersion, tender_id=t.id, number=1, content=t.version,
            sha256=t.version_hash, reason="", changes=[], deadline_moved=False,
            invalidates_bids=False, created_by_id=t.agency.buyer, created_at=plan.published,
        )  # fmt: skip
        key = t.opening_key
        if key is None:
            return
        self.tables.add(
            OpeningKey, id=key.id, tender_id=t.id, public_key=key.public_key, key_id=key.key_id,
            threshold=2, created_at=plan.published,
        )  # fmt: skip
        opened = plan.status in OPENED
        posted_by = {t.agency.buyer, t.agency.members[0]} if opened else set()
        for email, user in sorted(key.emails.items()):
            sealed = key.bundle.sealed_shares[email]
            share = None
            if user in posted_by:  # what the member's own machine does with its key
                share = open_share(sealed, commission_private_key(email), t.number, email)
            self.tables.add(
                KeyShare, opening_key_id=key.id, member_id=user,
                commission_key_id=t.agency.key_ids[user], sealed_share=sealed,
                share_sha256=key.bundle.share_hashes[email], posted_share=share,
                posted_at=plan.deadline + dt.timedelta(minutes=30) if share else None,
            )  # fmt: skip

    def bids(self, t, built) -> list[NS]:
        plan, rows = t.plan, []
        opened = plan.status in OPENED
        for (_key, n), statement, signature, sealed, plaintext, nonce in built:
            supplier = self.reg.suppliers[plan.bidders[n]]
            job_prices = t.prices[n]
            public_id = f"B-{self.rnd.getrandbits(80):020x}"
            received = t.signed[n] + dt.timedelta(seconds=2)
            rows.append(NS(
                id=self.tables.new_id(Bid), public_id=public_id, supplier=supplier,
                statement=statement, signature=signature, sealed=sealed, plaintext=plaintext,
                nonce=nonce, prices=job_prices, received_at=received, signed_at=t.signed[n],
                lots=sorted(job_prices), status="valid" if opened else "submitted",
            ))  # fmt: skip
        rows.sort(key=lambda b: (b.received_at, b.id))
        return rows

    def awards_plan(self, t, bids) -> list[NS]:
        plan, awards = t.plan, []
        results = self.now - dt.timedelta(days=self.rnd.uniform(1, 2))
        for lot in t.lots:
            best = min(bids, key=lambda b: Decimal(b.prices[str(lot.number)]))
            price = Decimal(best.prices[str(lot.number)])
            if plan.status == "standstill":
                end = self.now + dt.timedelta(hours=self.rnd.uniform(12, 120))
                sign_by = end + dt.timedelta(days=5)
            else:
                end = plan.deadline + dt.timedelta(days=10)
                sign_by = (
                    self.now + dt.timedelta(hours=self.rnd.uniform(12, 96))
                    if plan.status == "contracting" else end + dt.timedelta(days=5)
                )  # fmt: skip
            awards.append(
                NS(
                    lot=lot,
                    bid=best,
                    price=price,
                    standstill_end=end,
                    sign_deadline=sign_by.replace(microsecond=0),
                    results=results,
                )
            )
        return awards

    # --- what happened after publication -------------------------------------------------------
    def timeline(self, t, bids, awards) -> None:
        plan, status = t.plan, t.plan.status
        if status == "cancelled":
            self.end(
                t,
                Action.TENDER_CANCELLED,
                plan.published + dt.timedelta(days=1),
                t.agency.buyer,
                {"reason": "no_demand", "text": "The need no longer exists."},
            )
            return  # fmt: skip
        if status == "enquiries":
            return
        self.log.record(Action.TENDER_TENDERING_STARTED, subject=(TENDER, t.id),
                        data={"enquiry_end": plan.enquiry_end})  # fmt: skip
        for bid in bids:
            self.submitted(t, bid)
        if status == "tendering":
            return
        if status == "unsuccessful":
            self.end(t, Action.TENDER_FAILED, plan.deadline, None, {"bids": 0, "min_bids": 1})
            return
        self.log.record(Action.TENDER_CLOSED, subject=(TENDER, t.id),
                        data={"bids": len(bids), "deadline": plan.deadline})  # fmt: skip
        if status == "opening":
            return
        self.opening(t, bids)
        if not awards:
            return
        self.log.record(
            Action.RESULTS_PUBLISHED, subject=(TENDER, t.id), actor=t.agency.buyer,
            data={"awards": [{"lot": a.lot.number, "bid": a.bid.public_id, "price": a.price}
                             for a in awards]},
        )  # fmt: skip
        for award in awards:
            self.award(t, award)

    def end(self, t, action, at, actor, data) -> None:
        """One release per budget line, in line order, as release_held makes them."""
        released: dict[int, Decimal] = {}
        for lot in t.lots:
            line = lot.budget_line.id
            released[line] = released.get(line, Decimal("0.00")) + lot.amount
        for line in sorted(released):
            self.entry("release", line, released[line], (TENDER, t.id), actor,
                       f"{t.number} ended", at)  # fmt: skip
        self.log.record(action, subject=(TENDER, t.id), actor=actor,
                        data={**data, "released": {str(k): v for k, v in released.items()}})  # fmt: skip

    def submitted(self, t, bid) -> None:
        statement_sha = hashlib.sha256(bid.statement).hexdigest()
        sealed_sha = hashlib.sha256(bid.sealed).hexdigest()
        seq = self.log.record(
            Action.BID_SUBMITTED, subject=("bids.bid", bid.id), actor=bid.supplier.user,
            data={
                "bid": bid.public_id, "tender": t.number, "lots": bid.lots,
                "bidder": bid.supplier.bin, "tender_version": t.version_hash,
                "statement_sha256": statement_sha, "sealed_sha256": sealed_sha,
                "size": len(bid.sealed), "certificate": bid.supplier.fingerprint,
                "received_at": bid.received_at,
            },
        )  # fmt: skip
        opened = bid.status == "valid"
        self.tables.add(
            Bid, id=bid.id, public_id=bid.public_id, tender_id=t.id, supplier_id=bid.supplier.id,
            submitted_by_id=bid.supplier.user, certificate_id=bid.supplier.certificate,
            statement=bid.statement, statement_sha256=statement_sha, signature=bid.signature,
            sealed=bid.sealed, sealed_sha256=sealed_sha, lots=bid.lots,
            tender_version=t.version_hash, opening_key_id=t.opening_key.key_id,
            signed_at=bid.signed_at, received_at=bid.received_at, supersedes_id=None,
            status=bid.status,
            status_changed_at=t.plan.deadline + dt.timedelta(hours=1) if opened else None,
            log_index=seq, opened_content=bid.plaintext if opened else None,
            prices=bid.prices if opened else None, invalid_reason="",
        )  # fmt: skip
        self.tables.add(UsedNonce, value=bid.nonce, used_at=bid.received_at)

    def opening(self, t, bids) -> None:
        opened_at = t.plan.deadline + dt.timedelta(hours=1)
        agency = t.agency
        keys = {u: hashlib.sha256(agency.public_keys[agency.emails[u]]).hexdigest()[:16]
                for u in (agency.buyer, agency.members[0])}  # fmt: skip
        seats = [NS(commission_key=NS(key_id=keys[u])) for u in sorted(keys)]
        view = [NS(public_id=b.public_id, supplier=NS(bin=b.supplier.bin, legal_name=b.supplier.name),
                   received_at=b.received_at, lots=b.lots, prices=b.prices, status=b.status,
                   invalid_reason="") for b in bids]  # fmt: skip
        tender = NS(number=t.number, version_hash=t.version_hash)
        data = canonical_bytes(_protocol(tender, t.opening_key, seats, view, opened_at))
        sha = hashlib.sha256(data).hexdigest()
        seq = self.log.record(
            Action.BIDS_OPENED, subject=(TENDER, t.id),
            data={"protocol_sha256": sha, "bids": len(bids), "valid": len(bids), "invalid": 0,
                  "shares": [s.commission_key.key_id for s in seats]},
        )  # fmt: skip
        self.tables.add(OpeningProtocol, tender_id=t.id, content=data, sha256=sha,
                        opened_at=opened_at, log_index=seq)  # fmt: skip

    def award(self, t, a) -> None:
        from awards.models import Award
        from contracts.documents import contract_document
        from contracts.models import Contract

        status = t.plan.status
        pk = self.tables.add(
            Award, tender_id=t.id, lot_id=a.lot.id, bid_id=a.bid.id, supplier_id=a.bid.supplier.id,
            protocol_id=None, rank=1, price=a.price, currency="KZT",
            status="pending" if status == "standstill" else "active",
            standstill_end=a.standstill_end, created_at=a.results,
            activated_at=None if status == "standstill" else a.standstill_end, ended_at=None,
            end_reason="", justification="", blacklist_proposed_at=None,
        )  # fmt: skip
        if status == "standstill":
            return
        supplier = a.bid.supplier
        self.log.record(Action.AWARD_TIMERS_RUN, subject=("awards.award", pk),
                        data={"activated": [a.lot.number]})  # fmt: skip
        number = f"C-{t.number[2:]}-{a.lot.number}-1"
        award = NS(supplier=NS(bin=supplier.bin, legal_name=supplier.name), bid_id=a.bid.id,
                   bid=NS(public_id=a.bid.public_id), protocol_id=None)  # fmt: skip
        tender = NS(number=t.number, ocid=t.ocid, version_hash=t.version_hash, currency="KZT",
                    agency=NS(bin=t.agency.bin, legal_name=t.agency.name))  # fmt: skip
        content = contract_document(number=number, tender=tender, lot=a.lot, award=award,
                                    price=a.price, terms="", sign_deadline=a.sign_deadline)  # fmt: skip
        signed = a.sign_deadline - dt.timedelta(days=2) if status == "complete" else None
        paid = status == "complete" and self.rnd.random() < 0.5
        contract = self.tables.add(
            Contract, number=number, award_id=pk, tender_id=t.id, lot_id=a.lot.id,
            agency_id=t.agency.id, supplier_id=supplier.id, original_price=a.price, price=a.price,
            currency="KZT", terms="", content=content, sha256=hashlib.sha256(content).hexdigest(),
            status=("completed" if paid else "active") if signed else "pending",
            sign_deadline=a.sign_deadline, buyer_signature=None, buyer_certificate_id=None,
            buyer_signed_by_id=t.agency.buyer if signed else None, buyer_signed_at=signed,
            supplier_signature=None, supplier_certificate_id=None,
            supplier_signed_by_id=supplier.user if signed else None, supplier_signed_at=signed,
            signed_at=signed, created_at=a.standstill_end,
            ended_at=signed + dt.timedelta(days=10) if paid else None, end_reason="",
        )  # fmt: skip
        if signed:
            self.signed(t, a, contract, number, signed, paid)

    def signed(self, t, a, contract, number, signed, paid) -> None:
        """The ledger moves and events of contracts/services/signing.py and execution.py."""
        from contracts.models import Payment

        line, buyer = a.lot.budget_line.id, t.agency.buyer
        self.entry("obligate", line, a.price, (TENDER, t.id), buyer, number, signed)
        savings = a.lot.amount - a.price
        if savings > 0:
            self.entry("release", line, savings, (TENDER, t.id), buyer, f"{number} savings", signed)
        self.log.record(
            Action.CONTRACT_SIGNED, subject=("contracts.contract", contract), actor=buyer,
            data={"number": number, "price": a.price, "obligated": a.price, "savings": savings},
        )  # fmt: skip
        if not paid:
            return
        at, order = signed + dt.timedelta(days=10), f"PO-{contract:07d}"
        payment = self.tables.add(
            Payment, contract_id=contract, number=1, amount=a.price, reference=order,
            status="paid", paid_by_id=buyer, paid_at=at,
        )  # fmt: skip
        self.entry("pay", line, a.price, ("contracts.contract", contract), buyer, number, at)
        self.log.record(
            Action.PAYMENT_RECORDED, subject=("contracts.payment", payment), actor=buyer,
            data={"contract": number, "payment": 1, "amount": a.price, "reference": order},
        )  # fmt: skip

    def counter(self, plans) -> None:
        TenderCounter.objects.update_or_create(year=self.year, defaults={"last": len(plans)})


def iso(value) -> str:
    return iso_utc(value)
