"""The Ministry of Finance's auditor in a real browser (headless Chromium through Playwright)
against a live server: from the navigation to the red-flag queue, a flag's page with what its
indicator means, a review refused without a note and then recorded, and the workspace's budget
table downloaded as CSV with the figures of the page. The browser setup is in conftest.py."""

import csv
import io
from decimal import Decimal

import pytest

from tests.procurement.factories import BudgetLineFactory, draft_tender, move
from tests.web.test_browser_tenders import log_in
from transparency.flags.findings import Finding
from transparency.models import RedFlag
from transparency.services.flags import compute_flags

pytestmark = pytest.mark.browser


def test_the_auditor_reviews_a_flag_and_downloads_the_budget_figures(live_server, page, cast):
    from playwright.sync_api import expect

    line = BudgetLineFactory(
        agency=cast.agency, fiscal_year=2025, programme_code="001", approved_amount=Decimal("5e6")
    )
    move("reserve", line, "1250000.00")
    tender = draft_tender(cast.agency)
    compute_flags(
        [
            Finding(
                "same_contact",
                f"{tender.number}:pair",
                f"Medservice Plus LLP and Steppe Construction JSC, competing for {tender.number}, "
                "share their phone.",
                {"shared": ["phone"]},
                tender.pk,
            )
        ]
    )
    flag = RedFlag.objects.get()

    log_in(page, live_server, cast.auditor.email)
    page.get_by_role("link", name="Auditor's workspace").click()
    page.get_by_role("link", name="Red-flag queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Red-flag queue")
    row = page.get_by_role("row").filter(has_text=tender.number)
    expect(row).to_contain_text("To review")
    row.get_by_role("link", name=f"Flag {flag.pk}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Red flag {flag.pk}: same_contact")
    expect(
        page.get_by_text("Competing bidders of one tender share an e-mail address")
    ).to_be_visible()
    expect(page.get_by_role("link", name=tender.number)).to_be_visible()

    # No note: refused, the reason under the note, nothing recorded.
    page.get_by_label("Escalated").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("#id_note_errors")).to_have_text(
        "Write what you found, for the next auditor."
    )
    assert RedFlag.objects.get().status == "open"

    page.get_by_label("Escalated").check()
    page.get_by_label("Note").fill("Same director at both companies; sent to the AFM.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("status")).to_have_text("Your review of the flag was recorded.")
    history = page.get_by_role("region", name="Review history")
    expect(history).to_contain_text("To review → Escalated")
    expect(history).to_contain_text("Same director at both companies; sent to the AFM.")
    assert RedFlag.objects.get().status == "escalated"

    page.get_by_role("link", name="Workspace", exact=True).click()
    page.get_by_label("Fiscal year").select_option("2025")
    page.get_by_role("button", name="Show").click()
    budget = page.get_by_role("region", name="Budget execution per agency")
    expect(budget.get_by_role("table")).to_contain_text("1,250,000.00")
    with page.expect_download() as download:
        budget.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "budget-agencies-2025.csv"
    with open(download.value.path(), encoding="utf-8-sig") as file:
        header, *rows = list(csv.reader(io.StringIO(file.read())))
    figures = dict(zip(header, rows[0], strict=True))
    assert figures["Agency"] == cast.agency.legal_name
    assert Decimal(figures["Approved"]) == Decimal("5000000.00")
    assert Decimal(figures["Reserved"]) == Decimal("1250000.00")
    assert Decimal(figures["Available"]) == Decimal("3750000.00")
