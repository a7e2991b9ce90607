"""Fill an empty platform with demo data through the real services (so it is all audited).

Idempotent: whatever already exists is left alone, so a second run changes nothing.

The legal procedures keep a tender in each period for days, so the tenders a visitor should
find already bid on, opened or failed run under a demo-only procedure whose periods are
seconds: they are published together, the command sleeps through their enquiries and their
bidding (--quick-seconds each) and runs the clock as `manage.py clock` would.
"""

import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from accounts.services.users import bootstrap_operator, create_user_account
from bids.demo import (
    ensure_commission_keys,
    ensure_signing_certificate,
    open_demo_share,
    publish_platform_keys,
    submit_demo_bid,
)
from bids.services.opening import post_share
from contracts.demo import run_full_cycle
from pki.demo_ca import ensure_demo_pki
from procurement.choices import DayKind, TenderStatus
from procurement.clock import tick
from procurement.models import BudgetLine, PlanItem, Procedure, Tender
from procurement.periods import earliest_periods
from procurement.services.amendments import amend_tender
from procurement.services.budget import add_plan_item, approve_plan_item, create_budget_line
from procurement.services.tenders import (
    add_lot,
    cancel_tender,
    create_tender,
    publish_tender,
    set_commission,
    set_periods,
)
from suppliers.models import Membership, Organisation
from suppliers.services.blacklist import add_blacklist_entry
from suppliers.services.members import add_member
from suppliers.services.registration import register_organisation, register_supplier
from suppliers.services.verification import verify_organisation

DATA = Path(settings.BASE_DIR) / "fixtures" / "demo_registers.json"
PLANS = Path(settings.BASE_DIR) / "fixtures" / "demo_plans.json"

# Never in a migration: a procedure with periods in seconds has no place outside a demo.
DEMO_PROCEDURE = {
    "code": "demo_quick",
    "name": "Demo: quick tender (periods in seconds; demo data only)",
    "enquiry_days": 0,
    "submission_days": 0,
    "review_days": 0,
    "day_kind": DayKind.CALENDAR,
    "min_bids": 1,
    "sealed_bids": True,
    "amendment_days": 0,
    "standstill_days": 0,
    "complaint_window_days": 0,
    "allows_corrections": True,
    "domestic_discount": Decimal("2.00"),
    "signature_days": 5,
    "currency": "KZT",
}
# Past an instant the clock waits for, so a tick right after the sleep finds it due (and on
# PostgreSQL, whose clock judges deadlines, the database agrees).
SLACK_SECONDS = 0.25


def sleep_until(moment: dt.datetime) -> None:
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + SLACK_SECONDS)


class Command(BaseCommand):
    help = "Load demo organisations, one login per role and tenders in every status (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick-seconds",
            type=float,
            default=5.0,
            help="Length of the quick tenders' enquiries and of their bidding (default 5).",
        )
        parser.add_argument(
            "--full-cycle",
            action="store_true",
            help="Also run one open tender from plan to payment (contracts/demo.py).",
        )

    def handle(self, *args, **options):
        quick_seconds = options["quick_seconds"]
        if quick_seconds <= 0:
            raise CommandError("--quick-seconds must be more than zero.")
        data = json.loads(DATA.read_text())
        password = data["password"]
        operator = self._operator(data["operator"], password)
        self._bodies(data["bodies"], operator)
        self._suppliers(data, operator, password)
        self._people(data["people"], operator, password)
        # Like a national CA would: a certificate and a PKCS#12 file per supplier.
        # Agencies' staff sign results protocols and contracts: their agency gets one too.
        ensure_demo_pki(
            Organisation.objects.filter(kind__in=["supplier", "agency"]).order_by("bin")
        )
        # Commission members make their opening keys on their own machines; here, in DEMO_DIR.
        ensure_commission_keys()
        publish_platform_keys()
        plans = json.loads(PLANS.read_text())
        Procedure.objects.get_or_create(
            code=DEMO_PROCEDURE["code"],
            defaults={k: v for k, v in DEMO_PROCEDURE.items() if k != "code"},
        )
        self._plans(plans)
        for spec in plans["tenders"]:
            self._tender(spec)
        self._quick_tenders(plans["quick_tenders"], quick_seconds)
        full = run_full_cycle(quick_seconds, sleep_until) if options["full_cycle"] else None
        self._print_logins(data, password)
        self._print_tenders([*plans["tenders"], *plans["quick_tenders"]])
        if full is not None:
            self.stdout.write(f"  {full.number:15} {full.status:13} {full.title}")

    def _operator(self, spec, password) -> User:
        user = User.objects.filter(email=spec["email"]).first()
        return user or bootstrap_operator(
            email=spec["email"], full_name=spec["full_name"], password=password
        )

    def _bodies(self, bodies, operator):
        for spec in bodies:
            if Organisation.objects.filter(bin=spec["bin"]).exists():
                continue
            details = {k: v for k, v in spec.items() if k not in ("kind", "parent_ministry")}
            if spec.get("parent_ministry"):
                details["parent_ministry"] = Organisation.objects.get(bin=spec["parent_ministry"])
            register_organisation(kind=spec["kind"], details=details, actor=operator)

    def _suppliers(self, data, operator, password):
        founders = {p["organisation"]: p for p in data["people"] if p.get("registers")}
        for spec in data["suppliers"]:
            if Organisation.objects.filter(bin=spec["bin"]).exists():
                continue
            founder = founders[spec["bin"]]
            details = {k: v for k, v in spec.items() if k not in ("verified", "blacklist")}
            organisation, _user = register_supplier(
                details=details,
                actor=None,
                new_user={
                    "email": founder["email"],
                    "full_name": founder["full_name"],
                    "password": password,
                },
            )
            if spec["verified"]:
                verify_organisation(organisation=organisation, actor=operator, reason="Demo data")
            if spec.get("blacklist"):
                self._blacklist(organisation, spec["blacklist"], operator)

    def _blacklist(self, organisation, spec, operator):
        now = timezone.now().replace(microsecond=0)
        add_blacklist_entry(
            organisation=organisation,
            actor=operator,
            basis=spec["basis"],
            basis_details="",
            decision_reference=spec["decision_reference"],
            decided_by=spec["decided_by"],
            starts_at=now - dt.timedelta(days=spec["days_ago"]),
            ends_at=now + dt.timedelta(days=spec["days_left"]),
        )

    def _people(self, people, operator, password):
        for spec in people:
            user = User.objects.filter(email=spec["email"]).first() or create_user_account(
                email=spec["email"], full_name=spec["full_name"], password=password, actor=operator
            )
            organisation = Organisation.objects.get(bin=spec["organisation"])
            for role in spec["roles"]:
                held = Membership.objects.filter(
                    user=user, organisation=organisation, role=role, is_active=True
                )
                if not held.exists():
                    add_member(organisation=organisation, user=user, role=role, actor=operator)

    def _plans(self, plans):
        year = plans["fiscal_year"]
        for spec in plans["agencies"]:
            agency = Organisation.objects.get(bin=spec["bin"])
            buyer = User.objects.get(email=spec["buyer"])
            for line_spec in spec["lines"]:
                line = BudgetLine.objects.filter(
                    agency=agency,
                    fiscal_year=year,
                    programme_code=line_spec["programme_code"],
                    subprogramme_code=line_spec["subprogramme_code"],
                ).first() or create_budget_line(
                    agency=agency,
                    fiscal_year=year,
                    programme_code=line_spec["programme_code"],
                    subprogramme_code=line_spec["subprogramme_code"],
                    name=line_spec["name"],
                    approved_amount=Decimal(line_spec["approved_amount"]),
                    actor=buyer,
                )
                for item_spec in line_spec["items"]:
                    self._plan_item(agency, line, year, item_spec, buyer)

    def _plan_item(self, agency, line, year, spec, buyer):
        if PlanItem.objects.filter(budget_line=line, subject=spec["subject"]).exists():
            return
        item = add_plan_item(
            agency=agency,
            budget_line=line,
            fiscal_year=year,
            subject=spec["subject"],
            nomenclature_code=spec["nomenclature_code"],
            quantity=Decimal(spec["quantity"]),
            unit=spec["unit"],
            planned_amount=Decimal(spec["planned_amount"]),
            procedure=Procedure.objects.get(code=spec["procedure"]),
            planned_month=spec["planned_month"],
            actor=buyer,
        )
        if spec["approve"]:
            approve_plan_item(item=item, actor=buyer)

    def _existing(self, spec) -> Tender | None:
        return Tender.objects.filter(agency__bin=spec["agency"], title=spec["title"]).first()

    def _tender(self, spec):
        """A tender from the demo plan, taken as far as `then` says (draft, published, cancelled)
        and amended once when `amend` says so."""
        tender = self._existing(spec) or self._new_tender(spec)
        amend = spec.get("amend")
        if amend and tender.version_number == 1 and tender.status == TenderStatus.ENQUIRIES:
            amend_tender(
                tender=tender,
                actor=User.objects.get(email=spec["buyer"]),
                reason=amend["reason"],
                description=amend["description"],
            )

    def _draft(self, spec) -> Tender:
        """A draft with its lot and, when the spec names one, its commission."""
        agency = Organisation.objects.get(bin=spec["agency"])
        buyer = User.objects.get(email=spec["buyer"])
        procedure = Procedure.objects.get(code=spec["procedure"])
        tender = create_tender(agency=agency, title=spec["title"], procedure=procedure, actor=buyer)
        items = PlanItem.objects.filter(agency=agency, subject__in=spec["items"])
        add_lot(tender=tender, plan_items=list(items), actor=buyer)
        if spec["commission"]:
            commission = spec["commission"]
            set_commission(
                tender=tender,
                chair=User.objects.get(email=commission["chair"]),
                members=list(User.objects.filter(email__in=commission["members"])),
                threshold=commission["threshold"],
                actor=buyer,
            )
        return tender

    def _new_tender(self, spec) -> Tender:
        tender = self._draft(spec)
        buyer = User.objects.get(email=spec["buyer"])
        procedure = tender.procedure
        # A day of slack over the legal minimums, counted from now.
        enquiry_end, deadline = earliest_periods(procedure, timezone.now() + dt.timedelta(days=1))
        set_periods(
            tender=tender, enquiry_end=enquiry_end, submission_deadline=deadline, actor=buyer
        )
        if spec["then"] in ("publish", "publish_and_cancel"):
            tender = publish_tender(tender=tender, actor=buyer)
        if spec["then"] == "publish_and_cancel":
            cancel_tender(
                tender=tender,
                reason=spec["cancel"]["reason"],
                text=spec["cancel"]["text"],
                actor=buyer,
            )
        return tender

    def _quick_tenders(self, specs, seconds: float):
        """Quick tenders published together: enquiries end after `seconds`, bids come in, the
        deadline passes `seconds` later (or in `deadline_days`), and the members named in
        `open_with` hand in their key shares. Where each ends follows from its spec: still
        tendering, opening (bids, no shares), evaluation (opened) or unsuccessful (no bids)."""
        specs = [spec for spec in specs if self._existing(spec) is None]
        if not specs:
            return
        drafts = [self._draft(spec) for spec in specs]
        # Before the clock starts, so that the bidding seconds are spent on bids alone.
        for bid in (bid for spec in specs for bid in spec["bids"]):
            ensure_signing_certificate(
                Organisation.objects.get(bin=bid["supplier"]), User.objects.get(email=bid["by"])
            )
        start = timezone.now()
        enquiry_end = start + dt.timedelta(seconds=seconds)
        deadline = enquiry_end + dt.timedelta(seconds=seconds)
        tenders = [
            self._publish_quick(tender, spec, start, enquiry_end, deadline)
            for tender, spec in zip(drafts, specs, strict=True)
        ]
        sleep_until(enquiry_end)
        tick()
        for tender, spec in zip(tenders, specs, strict=True):
            self._bid_quick(tender, spec)
        sleep_until(deadline)
        tick()
        for tender, spec in zip(tenders, specs, strict=True):
            for member in User.objects.filter(email__in=spec["open_with"]).order_by("email"):
                post_share(tender=tender, actor=member, share=open_demo_share(tender, member))
        tick()

    def _bid_quick(self, tender, spec):
        for bid in spec["bids"]:
            submit_demo_bid(
                tender=tender,
                actor=User.objects.get(email=bid["by"]),
                supplier=Organisation.objects.get(bin=bid["supplier"]),
                prices=bid["prices"],
            )

    def _publish_quick(self, tender, spec, start, enquiry_end, deadline) -> Tender:
        buyer = User.objects.get(email=spec["buyer"])
        if spec["deadline_days"]:
            deadline = start + dt.timedelta(days=spec["deadline_days"])
        set_periods(
            tender=tender, enquiry_end=enquiry_end, submission_deadline=deadline, actor=buyer
        )
        return publish_tender(tender=tender, actor=buyer)

    def _print_logins(self, data, password):
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is loaded. Logins (password for all: {password}):")
        )
        self.stdout.write(f"  {'operator (admin site)':34} {data['operator']['email']}")
        for spec in data["people"]:
            organisation = Organisation.objects.get(bin=spec["organisation"])
            roles = ", ".join(spec["roles"])
            self.stdout.write(f"  {roles:34} {spec['email']:28} {organisation}")

    def _print_tenders(self, specs):
        self.stdout.write(self.style.SUCCESS("Demo tenders:"))
        for spec in specs:
            tender = self._existing(spec)
            if tender is not None:
                self.stdout.write(f"  {tender.number:15} {tender.status:13} {tender.title}")
