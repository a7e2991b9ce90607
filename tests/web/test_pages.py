"""The HTML pages: what each visitor is offered, the error pages, the register search, the
supplier registration form's errors, and the language switch."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from audit.actions import Action
from audit.models import Entry
from suppliers.models import Membership, Organisation
from suppliers.services.members import invite_member
from tests.conftest import ROLES, cast_member
from tests.factories import PASSWORD, SupplierFactory, make_bin

AUDIT_LINK = 'href="/audit/"'
ADMIN_LINK = 'href="/admin/"'


def visitor(cast, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(cast_member(cast, role))
    return client


def errors_of_field(html: str, field_id: str) -> str:
    """The text of the error list rendered next to one field (empty if there is none)."""
    match = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_errors"[^>]*>(.*?)</ul>', html, re.S
    )
    return match.group(1) if match else ""


# --- the start page and navigation ----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_home_offers_only_the_links_the_visitor_may_use(cast, role):
    html = visitor(cast, role).get(reverse("home")).content.decode()

    may_audit = role in ("auditor", "operator")
    assert (AUDIT_LINK in html) is may_audit
    assert ("Audit log" in html) is may_audit
    assert (ADMIN_LINK in html) is (role == "operator")
    assert ("Administration" in html) is (role == "operator")
    assert ("Log out" in html) is (role != "anonymous")
    assert (f'href="{reverse("accounts:tokens")}"' in html) is (role != "anonymous")
    assert (f'href="{reverse("accounts:login")}"' in html) is (role == "anonymous")


@pytest.mark.parametrize(
    ("role", "organisation"),
    [
        ("agency_admin", "agency"),
        ("buyer", "agency"),
        ("other_buyer", "other_agency"),
        ("supplier_a", "supplier_org_a"),
        ("shady", "shady_org"),
        ("auditor", "audit_body"),
    ],
)
def test_home_links_to_the_staff_page_of_the_visitors_own_organisation(cast, role, organisation):
    html = visitor(cast, role).get(reverse("home")).content.decode()
    own = getattr(cast, organisation)

    assert reverse("suppliers:members", args=[own.bin]) in html
    others = Organisation.objects.exclude(pk=own.pk)
    assert not [o for o in others if reverse("suppliers:members", args=[o.bin]) in html]


def test_home_offers_no_staff_page_to_someone_without_an_organisation(cast):
    html = visitor(cast, "outsider").get(reverse("home")).content.decode()

    assert "/members/" not in html


def test_supplier_sees_no_audit_log_link(cast):
    html = visitor(cast, "supplier_a").get(reverse("home")).content.decode()

    assert "Audit log" not in html
    assert "Read and verify the audit log" not in html


# --- error pages ------------------------------------------------------------------------------


def test_unknown_address_uses_our_404_page(db, client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'href="/"' in html  # our base layout, not Django's bare page


def test_refusal_uses_our_403_page_with_the_reason(cast):
    response = visitor(cast, "outsider").get(reverse("suppliers:members", args=[cast.agency.bin]))

    assert response.status_code == 403
    html = response.content.decode()
    assert "You are not allowed" in html
    assert "Only members of City Hospital No. 7 can see its staff." in html


def test_anonymous_visitor_is_sent_to_log_in_for_a_staff_page(cast, client):
    url = reverse("suppliers:members", args=[cast.agency.bin])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


# --- logging in -------------------------------------------------------------------------------


def test_login_with_email_and_password_goes_home(cast, client):
    response = client.post(
        reverse("accounts:login"), {"username": "supplier.a@example.kz", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == cast.supplier_a


def test_login_with_a_wrong_password_explains(cast, client):
    response = client.post(
        reverse("accounts:login"), {"username": "supplier.a@example.kz", "password": "nope"}
    )

    assert response.status_code == 200
    assert "That email and password do not match an account" in response.content.decode()


def test_login_accepts_the_email_in_any_case(cast, client):
    # Every service stores emails in lower case, and email addresses are case-insensitive in
    # practice; people type "Supplier.A@Example.kz" and must not be told the account is unknown.
    response = client.post(
        reverse("accounts:login"), {"username": "Supplier.A@Example.KZ", "password": PASSWORD}
    )

    assert response.status_code == 302


# --- the supplier register ------------------------------------------------------------------


def listed_names(html: str) -> set[str]:
    return set(re.findall(r'<td><a href="/registers/organisations/\d+/">([^<]+)</a></td>', html))


def test_register_search_by_name(cast, client):
    html = client.get(reverse("suppliers:supplier-list"), {"q": "medservice"}).content.decode()

    assert listed_names(html) == {"Medservice Plus LLP"}
    assert "1 supplier found." in html


def test_register_search_by_bin_prefix(cast, client):
    target = SupplierFactory(legal_name="Prefix Match LLP", bin=make_bin(987654))
    prefix = target.bin[:9]
    expected = {
        o.legal_name for o in Organisation.objects.suppliers().listed() if o.bin.startswith(prefix)
    }

    html = client.get(reverse("suppliers:supplier-list"), {"q": prefix}).content.decode()

    assert "Prefix Match LLP" in expected
    assert listed_names(html) == expected


def test_register_search_by_region(cast, client):
    SupplierFactory(legal_name="Caspian Offshore LLP", region="mangystau")

    html = client.get(reverse("suppliers:supplier-list"), {"region": "mangystau"}).content.decode()

    assert listed_names(html) == {"Caspian Offshore LLP"}


def test_register_filter_blacklisted_now(cast, client):
    html = client.get(reverse("suppliers:supplier-list"), {"blacklisted": "yes"}).content.decode()

    assert listed_names(html) == {"Shady Deals Trading LLP"}
    assert 'data-testid="blacklisted"' in html
    assert "Blacklisted until" in html


def test_register_filter_not_blacklisted(cast, client):
    html = client.get(reverse("suppliers:supplier-list"), {"blacklisted": "no"}).content.decode()

    assert listed_names(html) == {"Medservice Plus LLP", "Steppe Construction JSC"}
    assert 'data-testid="blacklisted"' not in html


def test_register_ignores_an_unknown_region_and_says_so(cast, client):
    html = client.get(reverse("suppliers:supplier-list"), {"region": "atlantis"}).content.decode()

    assert "Select a valid choice" in html


def test_agency_register_lists_agencies_only(cast, client):
    html = client.get(reverse("suppliers:agency-list")).content.decode()

    assert listed_names(html) == {"City Hospital No. 7", "Karaganda Education Department"}


def test_blacklist_register_and_detail_page_show_the_entry(cast, client):
    entry = cast.shady_org.blacklist_entries.get()

    register = client.get(reverse("suppliers:blacklist")).content.decode()
    detail = client.get(cast.shady_org.get_absolute_url()).content.decode()

    assert "Shady Deals Trading LLP" in register
    assert entry.decision_reference in register
    assert entry.decision_reference in detail
    assert "in force" in detail


# --- registering a supplier through the form ------------------------------------------------


def registration(**overrides) -> dict:
    return {
        "bin": make_bin(),
        "legal_name": "Aral Pharma LLP",
        "region": "almaty_city",
        "address": "Almaty, Abay Avenue 10",
        "contact_email": "office@aralpharma.kz",
        "account-full_name": "Aigerim Nurlanovna",
        "account-email": "founder@aralpharma.kz",
        "account-password": "violet-harbour-lantern-42",
        **overrides,
    }


def test_registration_form_shows_the_check_digit_error_next_to_the_bin(db, client):
    response = client.post(reverse("suppliers:supplier-register"), registration(bin="940140000386"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "should be 5, not 6" in errors_of_field(html, "id_bin")
    assert not errors_of_field(html, "id_legal_name")
    assert not Organisation.objects.exists()
    assert not User.objects.exists()
    assert not Entry.objects.exists()


def test_registration_form_shows_a_taken_bin_next_to_the_bin(cast, client):
    response = client.post(
        reverse("suppliers:supplier-register"), registration(bin=cast.supplier_org_a.bin)
    )

    assert response.status_code == 200
    assert "already" in errors_of_field(response.content.decode(), "id_bin")
    assert not User.objects.filter(email="founder@aralpharma.kz").exists()


def test_registration_form_shows_a_weak_password_next_to_the_password(db, client):
    response = client.post(
        reverse("suppliers:supplier-register"), registration(**{"account-password": "12345678"})
    )

    assert response.status_code == 200
    assert "too common" in errors_of_field(response.content.decode(), "id_account-password")
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_registration_form_registers_logs_in_and_opens_the_staff_page(db, client):
    data = registration()

    response = client.post(reverse("suppliers:supplier-register"), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("suppliers:members", args=[data["bin"]])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "awaits verification" in page.content.decode()
    assert Entry.objects.get().action == Action.ORGANISATION_REGISTERED


def test_logged_in_user_registers_without_the_account_fields(cast):
    client = visitor(cast, "outsider")
    page = client.get(reverse("suppliers:supplier-register")).content.decode()
    assert "account-password" not in page

    data = {k: v for k, v in registration().items() if not k.startswith("account-")}
    response = client.post(reverse("suppliers:supplier-register"), data)

    assert response.status_code == 302
    assert Organisation.objects.get(bin=data["bin"]).memberships.get().user == cast.outsider


# --- invitation links ----------------------------------------------------------------------------


@pytest.fixture
def invitation_link(cast):
    _invitation, raw = invite_member(
        organisation=cast.agency,
        email="new.buyer@example.kz",
        role=Role.BUYER,
        actor=cast.agency_admin,
    )
    return reverse("suppliers:invitation-accept", args=[raw])


def test_invitation_link_lets_a_newcomer_sign_up_and_join(cast, client, invitation_link):
    page = client.get(invitation_link)
    assert page.status_code == 200
    assert "Join City Hospital No. 7 as Buyer" in page.content.decode()

    response = client.post(
        invitation_link, {"full_name": "Dana Serikovna", "password": "violet-harbour-lantern-42"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.context["user"].email == "new.buyer@example.kz"
    assert reverse("suppliers:members", args=[cast.agency.bin]) in home.content.decode()


def test_invitation_link_tells_another_account_it_is_not_theirs(cast, invitation_link):
    response = visitor(cast, "outsider").post(invitation_link)

    assert response.status_code == 200
    assert "This invitation is for new.buyer@example.kz" in response.content.decode()
    assert not Membership.objects.filter(user=cast.outsider).exists()


def test_expired_invitation_link_is_gone(cast, client, invitation_link):
    with time_machine.travel(
        timezone.now() + dt.timedelta(days=settings.INVITATION_VALID_DAYS, seconds=1), tick=False
    ):
        response = client.get(invitation_link)

    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_unknown_invitation_link_is_gone(db, client):
    response = client.get(reverse("suppliers:invitation-accept", args=["made-up"]))

    assert response.status_code == 410
    assert "not valid" in response.content.decode()


# --- language ---------------------------------------------------------------------------------


def test_language_switch_sets_russian(db, client):
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert '<html lang="ru">' in client.get("/").content.decode()


def test_language_switch_ignores_an_unknown_language(db, client):
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
