import datetime as dt
import io
import json
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from audit.models import Entry
from bids.models import Bid, KeyShare, OpeningProtocol
from pki.models import SigningCertificate
from procurement.models import BudgetLine, Lot, PlanItem, Procedure, Tender
from suppliers.models import Membership, Organisation

# The quick tenders' enquiries and bidding last this long each (the command's default is 5).
QUICK = ("--quick-seconds", "2")
EVERY_STATUS = {
    "draft",
    "enquiries",
    "tendering",
    "opening",
    "evaluation",
    "unsuccessful",
    "cancelled",
}

HOLDING = ("enquiries", "tendering", "opening", "evaluation")


def _counts():
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "lines": BudgetLine.objects.count(),
        "items": PlanItem.objects.count(),
        "procedures": Procedure.objects.count(),
        "tenders": Tender.objects.count(),
        "statuses": sorted(Tender.objects.values_list("number", "status", "version_number")),
        "certificates": SigningCertificate.objects.count(),
        "bids": sorted(Bid.objects.values_list("public_id", "status")),
        "shares_posted": KeyShare.objects.filter(posted_at__isnull=False).count(),
        "protocols": OpeningProtocol.objects.count(),
        "events": Entry.objects.count(),
    }


def test_demo_creates_one_login_per_role_through_audited_services_and_prints_them(db):
    out = io.StringIO()
    call_command("demo", *QUICK, stdout=out)
    printed = out.getvalue()
    roles = set(Membership.objects.values_list("role", flat=True))
    assert set(Role.values) <= roles
    assert User.objects.filter(is_staff=True).exists()
    for email in User.objects.values_list("email", flat=True):
        assert email in printed
    assert "demo-pass-2026" in printed
    assert User.objects.get(email="supplier@demo.kz").check_password("demo-pass-2026")
    # Every change went through a service, so the log holds an event for each.
    assert (
        Entry.objects.filter(action="suppliers.organisation.registered").count()
        == Organisation.objects.count()
    )
    assert Organisation.objects.blacklisted_at(timezone.now()).count() == 1
    assert PlanItem.objects.filter(status="approved").count() >= 3
    for tender in Tender.objects.all():
        assert f"{tender.number:15} {tender.status:13} {tender.title}" in printed


def test_demo_leaves_a_tender_in_every_status_a_visitor_sees_through_the_clock(db):
    call_command("demo", *QUICK, stdout=io.StringIO())
    assert set(Tender.objects.values_list("status", flat=True)) == EVERY_STATUS
    amended = Tender.objects.get(status="enquiries")
    assert amended.version_number == 2
    assert Entry.objects.filter(action="procurement.tender.amended").count() == 1
    tendering = Tender.objects.get(status="tendering")
    assert tendering.submission_deadline > timezone.now() + dt.timedelta(days=9)
    assert tendering.bids.filter(status="submitted").count() == 1
    opening = Tender.objects.get(status="opening")
    assert opening.bids.filter(status="submitted").exists()
    assert not KeyShare.objects.filter(
        opening_key__tender=opening, posted_at__isnull=False
    ).exists()
    failed = Tender.objects.get(status="unsuccessful")
    assert not failed.bids.exists()
    assert failed.lots.get().status == "unsuccessful"
    assert Entry.objects.filter(action="procurement.tender.failed").count() == 1
    # Published tenders hold their lots' money; the cancelled and the failed one released it.
    line = BudgetLine.objects.with_balances().get(pk=amended.lots.get().budget_line_id)
    held = Lot.objects.filter(budget_line=line, tender__status__in=HOLDING).aggregate(
        total=Sum("amount")
    )
    assert line.reserved == held["total"]
    assert failed.lots.get().budget_line_id == line.pk
    # One was opened: its protocol lists the valid bids with their prices.
    opened = Tender.objects.get(status="evaluation")
    bids = opened.bids.order_by("received_at")
    assert [bid.status for bid in bids] == ["valid", "valid"]
    protocol = json.loads(bytes(OpeningProtocol.objects.get(tender=opened).content))
    assert [(row["bid"], row["status"], row["prices"]) for row in protocol["bids"]] == [
        (bid.public_id, "valid", bid.prices) for bid in bids
    ]
    assert all(row["prices"]["1"] for row in protocol["bids"])
    assert Entry.objects.filter(action="bids.bid.submitted").count() == Bid.objects.count()


def test_running_the_demo_twice_changes_nothing(db):
    call_command("demo", *QUICK, stdout=io.StringIO())
    first = _counts()
    call_command("demo", *QUICK, stdout=io.StringIO())
    assert _counts() == first


def test_the_demo_publishes_the_platforms_public_keys_and_the_commission_keys(settings):
    from bids.demo import publish_platform_keys
    from bids.receipts import receipt_public_pem

    publish_platform_keys()
    keys = settings.DEMO_DIR / "keys"
    assert (keys / "receipt-ed25519.pub.pem").read_bytes() == receipt_public_pem()
    assert (keys / "checkpoint-ed25519.pub.pem").read_bytes().startswith(b"-----BEGIN PUBLIC KEY")
    assert publish_platform_keys() == []  # a second run rewrites nothing


def test_full_cycle_runs_one_tender_from_plan_to_payment_and_the_log_verifies(db):
    from audit.services.verification import run_verification
    from awards.models import BidReview, Complaint, ResultsProtocol
    from contracts.demo import TITLE
    from contracts.models import Contract, Payment

    out = io.StringIO()
    call_command("demo", *QUICK, "--full-cycle", stdout=out)
    tender = Tender.objects.get(title=TITLE)
    assert tender.number in out.getvalue()
    assert tender.status == "complete"
    assert tender.lots.count() == 2
    assert tender.bids.filter(status="valid").count() == 3
    assert sorted(BidReview.objects.filter(tender=tender).values_list("status", flat=True)) == [
        "disqualified",
        "qualified",
        "qualified",
    ]
    assert Complaint.objects.get(tender=tender).status == "dismissed"
    assert ResultsProtocol.objects.filter(tender=tender).count() == 1
    contracts = Contract.objects.filter(tender=tender)
    assert sorted(contracts.values_list("status", flat=True)) == ["active", "active"]
    assert all(c.buyer_signed_at and c.supplier_signed_at for c in contracts)
    payment = Payment.objects.get(contract__tender=tender)
    # The line: 12,000,000 approved; the contracts obligate 8,650,000 + 1,350,000 and half of
    # the first is paid; nothing stays reserved.
    line = BudgetLine.objects.with_balances().get(name__startswith="Medicines for diabetes")
    assert line.reserved == 0
    assert line.paid == payment.amount == Decimal("4325000.00")
    assert line.obligated == Decimal("10000000.00") - payment.amount
    assert line.available == Decimal("2000000.00")
    assert run_verification().ok

    again = io.StringIO()
    events = Entry.objects.count()
    call_command("demo", *QUICK, "--full-cycle", stdout=again)
    assert Entry.objects.count() == events
