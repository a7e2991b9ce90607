import io

from django.core.management import call_command
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from audit.models import Entry
from procurement.models import BudgetLine, PlanItem, Tender
from suppliers.models import Membership, Organisation


def _counts():
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "lines": BudgetLine.objects.count(),
        "items": PlanItem.objects.count(),
        "tenders": Tender.objects.count(),
        "events": Entry.objects.count(),
    }


def test_demo_creates_one_login_per_role_through_audited_services_and_prints_them(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
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
    statuses = set(Tender.objects.values_list("status", flat=True))
    assert {"draft", "enquiries", "cancelled"} <= statuses
    published = Tender.objects.get(status="enquiries")
    line = BudgetLine.objects.with_balances().get(pk=published.lots.get().budget_line_id)
    assert line.reserved == published.lots.get().amount


def test_running_the_demo_twice_changes_nothing(db):
    call_command("demo", stdout=io.StringIO())
    first = _counts()
    call_command("demo", stdout=io.StringIO())
    assert _counts() == first
