import datetime as dt
import io
import json

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
