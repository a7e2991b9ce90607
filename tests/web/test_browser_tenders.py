"""Three tender stories in a real browser (headless Chromium through Playwright) against a live
server: a buyer amends a published tender, a commission member registers an opening key, and
the public reads an opened tender's protocol. The browser setup is in conftest.py."""

import base64
import datetime as dt
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.db import DEFAULT_DB_ALIAS, connections

from bids.models import CommissionKey
from bids.services.submission import submit_bid
from procurement.services.tenders import publish_tender
from tests.bids.ceremony import open_tender
from tests.bids.support import make_bid, register, trusted_world
from tests.factories import PASSWORD
from tests.procurement.factories import ready_tender

pytestmark = pytest.mark.browser

FORM_INSTANT = "%Y-%m-%dT%H:%M"  # how a datetime-local input holds its value


def log_in(page, live_server, email: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=email)).to_be_visible()


def field_errors(page, field_id: str):
    """The errors shown in the field's own block, next to its input."""
    return page.locator(".field", has=page.locator(f"#{field_id}")).locator(f"#{field_id}_errors")


def test_buyer_amends_a_published_tender_and_cannot_pull_its_deadline_in(live_server, page, cast):
    from playwright.sync_api import expect

    # The live server runs on the real clock, so the tender is published on it too.
    tender = publish_tender(tender=ready_tender(cast), actor=cast.buyer)
    log_in(page, live_server, cast.buyer.email)
    page.goto(f"{live_server.url}{tender.get_absolute_url()}")

    amend = page.locator("form", has=page.get_by_role("button", name="Amend", exact=True))
    amend.get_by_label("Reason for the amendment").fill("The insulin strength is clarified")
    amend.get_by_label("Title").fill("Insulin glargine 100 IU/ml for 2026")
    amend.get_by_role("button", name="Amend", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        "The tender was amended; interested suppliers were notified."
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Insulin glargine 100 IU/ml for 2026"
    )
    versions = page.get_by_role("region", name="Versions").get_by_role("table")
    in_force = versions.get_by_role("row").filter(has_text="in force")
    expect(in_force).to_have_count(1)
    expect(in_force.get_by_role("cell").first).to_have_text(re.compile(r"^\s*2\s+in force\s*$"))
    expect(in_force).to_contain_text("The insulin strength is clarified")
    expect(versions.get_by_role("row").filter(has_text="Publication")).not_to_contain_text(
        "in force"
    )

    deadline = amend.get_by_label("Submission deadline (Almaty time)")
    current = dt.datetime.strptime(deadline.input_value(), FORM_INSTANT)
    amend.get_by_label("Reason for the amendment").fill("Bids are due sooner")
    deadline.fill((current - dt.timedelta(hours=1)).strftime(FORM_INSTANT))
    amend.get_by_role("button", name="Amend", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        "Nothing was changed: see the problems marked below."
    )
    expect(field_errors(page, "id_amend_submission_deadline")).to_have_text(
        "An amendment can move the deadline out, not in: "
        f"it is {current:%d.%m.%Y %H:%M} (Almaty time) and suppliers plan on it."
    )
    expect(amend.get_by_label("Reason for the amendment")).to_have_value("Bids are due sooner")
    expect(versions.get_by_role("row").filter(has_text="in force")).to_contain_text(
        "The insulin strength is clarified"
    )
    expect(versions.get_by_role("row").filter(has_text="Bids are due sooner")).to_have_count(0)


def test_commission_member_registers_an_opening_key_after_a_malformed_one(live_server, page, cast):
    from playwright.sync_api import expect

    member = cast.commission[2]
    old = CommissionKey.objects.get(user=member, retired_at=None)
    raw = X25519PrivateKey.generate().public_key().public_bytes_raw()
    log_in(page, live_server, member.email)

    page.get_by_role("navigation").get_by_role("link", name="Opening key", exact=True).click()
    expect(page.get_by_role("heading", name="Your opening key")).to_be_visible()
    expect(page.get_by_text(old.key_id, exact=True)).to_be_visible()

    page.get_by_label("Public key (base64)").fill(base64.b64encode(b"not a key").decode())
    page.get_by_role("button", name="Register the key").click()
    expect(field_errors(page, "id_public_key")).to_contain_text("raw 32-byte X25519 public key")

    page.get_by_label("Public key (base64)").fill(base64.b64encode(raw).decode())
    page.get_by_role("button", name="Register the key").click()

    expect(page.get_by_role("status")).to_contain_text("is registered")
    new = CommissionKey.objects.get(user=member, retired_at=None)
    assert bytes(new.public_key) == raw
    expect(page.get_by_role("status")).to_have_text(
        f"Opening key {new.key_id} is registered; tenders published from now on use it."
    )
    expect(page.locator("dd", has_text=new.key_id)).to_be_visible()
    expect(page.get_by_text(old.key_id)).to_have_count(0)
    expect(page.locator("#id_public_key_errors")).to_have_count(0)


def off_the_browser_thread(work):
    """Run `work()` in a worker thread on this thread's database connection.

    Playwright's sync API keeps an asyncio loop running in this thread, and certificate
    validation (pki/validation.py) runs its own with asyncio.run(), which refuses to nest. The
    worker borrows this thread's connection as the live server's thread does: SQLite's
    in-memory test database is one connection."""
    shared = connections[DEFAULT_DB_ALIAS]
    shared.inc_thread_sharing()

    def run():
        connections[DEFAULT_DB_ALIAS] = shared
        return work()

    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run).result()
    finally:
        shared.dec_thread_sharing()


def submit(tender, user, signer, organisation, price: str) -> None:
    made = make_bid(tender, signer, organisation.bin, {"1": price})
    submit_bid(
        tender=tender,
        actor=user,
        statement=made.statement,
        signature=made.signature,
        sealed=made.sealed,
    )


def opened_tender_with_two_bids(cast):
    """tests/bids/conftest.py's fixtures do not reach this folder; trusted_world is their
    counterpart for tests elsewhere, and supplier B's certificate comes from the same CA."""
    with trusted_world(cast) as world:
        key, certificate = world.ca.issue(cast.supplier_org_b.bin, kind="rsa")
        signer_b = register(cast.supplier_org_b, cast.supplier_b, key, certificate)
        submit(world.tender, cast.supplier_a, world.signer, cast.supplier_org_a, "2750000.00")
        submit(world.tender, cast.supplier_b, signer_b, cast.supplier_org_b, "2600000.00")
        open_tender(cast, world.tender)
        return world.tender


def test_the_public_reads_the_opening_protocol_and_checks_its_hash(live_server, page, cast):
    from playwright.sync_api import expect

    tender = off_the_browser_thread(lambda: opened_tender_with_two_bids(cast))

    page.goto(f"{live_server.url}{tender.get_absolute_url()}")

    protocol = page.get_by_role("table", name="Opening protocol")
    expect(protocol.locator("tbody").get_by_role("row")).to_have_count(2)
    for organisation, price in (
        (cast.supplier_org_a, "2750000.00"),
        (cast.supplier_org_b, "2600000.00"),
    ):
        row = protocol.get_by_role("row").filter(has_text=organisation.legal_name)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(organisation.bin)
        expect(row).to_contain_text(f"lot 1: {price} KZT")
        expect(row).to_contain_text("Opened: valid")

    link = page.get_by_role("link", name="The opening protocol (JSON, its exact bytes)")
    shown = page.locator("p", has=link).locator(".mono").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", shown)
    with page.expect_download() as download:
        link.click()
    content = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(content).hexdigest() == shown
