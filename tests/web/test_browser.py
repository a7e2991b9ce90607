"""Two stories in a real browser (headless Chromium through Playwright) against a live server."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.choices import Role
from suppliers.models import Organisation
from tests.factories import (
    PASSWORD,
    BlacklistEntryFactory,
    SupplierFactory,
    make_bin,
    member,
)

pytestmark = pytest.mark.browser


def test_supplier_logs_in_finds_a_blacklisted_supplier_and_logs_out(live_server, page):
    from playwright.sync_api import expect

    honest = SupplierFactory(legal_name="Medservice Plus LLP")
    member(honest, Role.ADMIN, email="supplier.a@example.kz", full_name="Aidos Karimov")
    shady = SupplierFactory(legal_name="Shady Deals Trading LLP")
    ends_at = timezone.now() + dt.timedelta(days=200)
    entry = BlacklistEntryFactory(
        organisation=shady, decision_reference="Order No. 42 of 2025-05-05", ends_at=ends_at
    )
    until = timezone.localtime(ends_at, timezone.get_default_timezone()).strftime("%Y-%m-%d")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("supplier.a@example.kz")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="supplier.a@example.kz")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Suppliers", exact=True).click()
    page.get_by_label("Name or BIN").fill("Shady Deals")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text="Shady Deals Trading LLP")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("blacklisted")).to_have_text(f"Blacklisted until {until}")
    expect(page.get_by_role("row").filter(has_text="Medservice Plus LLP")).to_have_count(0)

    row.get_by_role("link", name="Shady Deals Trading LLP").click()
    expect(page).to_have_url(re.compile(rf"/registers/organisations/{shady.bin}/$"))
    entry_row = page.get_by_role("row").filter(has_text=entry.decision_reference)
    expect(entry_row).to_contain_text("in force")
    expect(page.get_by_test_id("blacklisted")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("link", name="supplier.a@example.kz")).to_have_count(0)


def test_visitor_registers_a_company_after_fixing_a_mistyped_bin(live_server, page):
    from playwright.sync_api import expect

    good = make_bin()
    wrong = good[:11] + str((int(good[11]) + 1) % 10)
    password = "violet-harbour-lantern-42"

    page.goto(f"{live_server.url}/registers/suppliers/register/")
    page.locator("#id_bin").fill(wrong)
    page.locator("#id_legal_name").fill("Aral Pharma LLP")
    page.locator("#id_region").select_option("almaty_city")
    page.locator("#id_address").fill("Almaty, Abay Avenue 10")
    page.locator("#id_contact_email").fill("office@aralpharma.kz")
    page.locator("#id_account-full_name").fill("Aigerim Nurlanovna")
    page.locator("#id_account-email").fill("founder@aralpharma.kz")
    page.locator("#id_account-password").fill(password)
    page.get_by_role("button", name="Register").click()

    bin_errors = page.locator("#id_bin_errors")
    expect(bin_errors).to_contain_text(f"should be {good[11]}, not {wrong[11]}")
    # The error sits in the BIN field's own block, just above its input.
    expect(
        page.locator(".field", has=page.locator("#id_bin")).locator("#id_bin_errors")
    ).to_have_count(1)
    assert not Organisation.objects.filter(bin__in=[good, wrong]).exists()

    page.locator("#id_bin").fill(good)
    page.locator("#id_account-password").fill(password)  # password inputs are never refilled
    page.get_by_role("button", name="Register").click()

    expect(page).to_have_url(re.compile(rf"/registers/organisations/{good}/members/$"))
    expect(page.get_by_role("heading", name="Staff of Aral Pharma LLP")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("awaits verification")
    expect(page.get_by_role("link", name="founder@aralpharma.kz")).to_be_visible()
