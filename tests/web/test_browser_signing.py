"""Signing and sealing in the browser (issue 8), in headless Chromium against a live server:
commission members make their opening keys in the page, a supplier bids with a demo PKCS#12
file and keeps the receipt, the members hand in their shares from the page, and the opening
protocol lists the bid. Then the refusals the page tells apart before anything is sent (a
wrong password, an expired or unregistered certificate, a tender amended since the form was
opened) and the server's (the deadline); replacing and withdrawing a bid; and pages without
JavaScript or without what signing needs.

Set BROWSER_BID_SCREENSHOT=docs/img/browser-bid.png to refresh the README's screenshot.
"""

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone

from bids.crypto import verify_receipt
from bids.models import Bid, BidStatus, CommissionKey, KeyShare
from bids.receipts import receipt_key
from pki import demo_ca
from procurement.models import Tender
from tests.bids.support import register, tendering_tender
from tests.web.test_browser_tenders import log_in, off_the_browser_thread

pytestmark = pytest.mark.browser

SLOW = 30_000  # ms: certificate validation and PBKDF2 run on a shared machine
PASSPHRASE = "a long backup passphrase"


def demo_key_file(organisation, member) -> Path:
    """The demo CA's PKCS#12 file (password "demo") for the supplier, its certificate
    registered, the CA trusted and its CRLs cached, as `manage.py demo` leaves them."""
    path = demo_ca.ensure_demo_pki([organisation])[0]
    key, certificate, _ = pkcs12.load_key_and_certificates(path.read_bytes(), b"demo")
    register(organisation, member, key, certificate)
    return path


def expired_key_file(organisation, folder: Path) -> Path:
    """A PKCS#12 file from the same demo CA whose certificate expired yesterday."""
    ca_key, ca_certificate = demo_ca.intermediate()
    key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(x509.NameOID.COMMON_NAME, organisation.legal_name),
                    x509.NameAttribute(x509.NameOID.SERIAL_NUMBER, f"BIN{organisation.bin}"),
                ]
            )
        )
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400))
        .not_valid_after(now - dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"expired",
        key,
        certificate,
        [ca_certificate],
        serialization.BestAvailableEncryption(b"demo"),
    )
    path = folder / "expired.p12"
    path.write_bytes(p12)
    return path


def bid_form(page):
    return page.locator("form[data-signing=bid]")


def fill_bid(page, key_file: Path, password: str, price: str, *, document: Path | None = None):
    form = bid_form(page)
    form.get_by_label("Price for lot 1").fill(price)
    if document is not None:
        form.get_by_label("Documents (sealed with the bid)").set_input_files(document)
    form.get_by_label("Requirement").fill("R-1")
    form.get_by_label("Answer", exact=True).fill("Delivery within 30 days")
    form.get_by_label("Key file (PKCS#12: .p12 or .pfx)").set_input_files(key_file)
    form.get_by_label("Password of the key file").fill(password)
    form.get_by_role("button", name="Sign, seal and submit the bid").click()
    return form.get_by_role("status")


def make_opening_key(browser, live_server, user):
    """A member makes their opening key in the page; the context (their browser) is kept."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-GB", timezone_id="Asia/Almaty")
    context.set_default_timeout(SLOW)
    page = context.new_page()
    log_in(page, live_server, user.email)
    page.goto(f"{live_server.url}/opening-key/")
    form = page.locator("form[data-signing=opening-key]")
    form.get_by_label("Passphrase for the backup file").fill(PASSPHRASE)
    form.get_by_label("The same passphrase again").fill(PASSPHRASE)
    with page.expect_download() as download:
        form.get_by_role("button", name="Make the key, download its backup and register it").click()
    expect(form.get_by_role("status")).to_contain_text("is registered and kept in this browser")
    backup = Path(download.value.path()).read_text()
    assert backup.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    return page


def close_bidding(tender) -> None:
    """The deadline passes on the live server's real clock, and the clock closes bidding."""
    from procurement.clock import tick

    past = timezone.now() - dt.timedelta(seconds=1)
    Tender.objects.filter(pk=tender.pk).update(submission_deadline=past, next_check=past)
    tick()


def test_a_supplier_bids_from_the_page_and_three_members_open_it(
    live_server, browser, page, cast, tmp_path
):
    from playwright.sync_api import expect

    page.set_default_timeout(SLOW)
    members = [cast.buyer, cast.commission[0], cast.commission[1]]
    member_pages = [make_opening_key(browser, live_server, user) for user in members]
    for user in members:
        assert CommissionKey.objects.filter(user=user, retired_at=None).count() == 1
    tender = off_the_browser_thread(lambda: tendering_tender(cast))
    key_file = off_the_browser_thread(lambda: demo_key_file(cast.supplier_org_a, cast.supplier_a))
    document = tmp_path / "spec.txt"
    document.write_text("Steel pipes, 57 mm, GOST 10704-91\n")

    log_in(page, live_server, cast.supplier_a.email)
    page.goto(f"{live_server.url}{tender.get_absolute_url()}")
    status = fill_bid(page, key_file, "not the password", "2 750 000")
    expect(status).to_have_text(
        "The password does not open this key file. Type it again; it is case-sensitive."
    )
    assert not Bid.objects.exists()

    status = fill_bid(page, key_file, "demo", "2 750 000", document=document)
    expect(status).to_contain_text("is received", timeout=SLOW)
    expect(status).to_contain_text("The receipt's signature is the platform's")
    bid = Bid.objects.get()
    expect(status).to_contain_text(f"Bid {bid.public_id} is received")
    assert bid.lots == ["1"] and bid.supplier == cast.supplier_org_a
    if os.environ.get("BROWSER_BID_SCREENSHOT"):
        page.locator("section", has=page.get_by_role("heading", name="Bids")).screenshot(
            path=os.environ["BROWSER_BID_SCREENSHOT"]
        )
    with page.expect_download() as download:
        status.get_by_role("link", name="Download the receipt (JSON)").click()
    receipt = json.loads(Path(download.value.path()).read_text())
    body = verify_receipt(receipt, receipt_key().public_key())
    assert body["bid"] == bid.public_id
    assert body["statement_sha256"] == bid.statement_sha256
    assert body["sealed_sha256"] == bid.sealed_sha256

    off_the_browser_thread(lambda: close_bidding(tender))
    for n, member_page in enumerate(member_pages, start=1):
        member_page.goto(f"{live_server.url}{tender.get_absolute_url()}")
        form = member_page.locator("form[data-signing=share]")
        form.get_by_role("button", name="Open my share in this browser and hand it in").click()
        expect(form.get_by_role("status")).to_have_text(
            re.compile(rf"Your key share is in: {n} of the 2 needed\.")
        )
        member_page.context.close()
    assert KeyShare.objects.filter(opening_key__tender=tender, posted_at__isnull=False).count() == 3

    from bids.services.opening import open_bids

    off_the_browser_thread(lambda: open_bids(tender=Tender.objects.get(pk=tender.pk)))
    page.goto(f"{live_server.url}{tender.get_absolute_url()}")
    protocol = page.get_by_role("table", name="Opening protocol")
    row = protocol.get_by_role("row").filter(has_text=cast.supplier_org_a.legal_name)
    expect(row).to_contain_text(bid.public_id)
    expect(row).to_contain_text("lot 1: 2750000.00 KZT")
    expect(row).to_contain_text("Opened: valid")


def test_the_page_refuses_an_expired_and_an_unregistered_certificate_before_sending(
    live_server, browser, page, cast, tmp_path
):
    from playwright.sync_api import expect

    page.set_default_timeout(SLOW)
    tender = off_the_browser_thread(lambda: tendering_tender(cast))
    expired = off_the_browser_thread(
        lambda: (
            demo_key_file(cast.supplier_org_a, cast.supplier_a),
            expired_key_file(cast.supplier_org_a, tmp_path),
        )
    )[1]
    unregistered = off_the_browser_thread(lambda: demo_ca.issue(cast.supplier_org_b.bin, "B"))
    log_in(page, live_server, cast.supplier_a.email)
    page.goto(f"{live_server.url}{tender.get_absolute_url()}")

    status = fill_bid(page, expired, "demo", "100.00")
    expect(status).to_contain_text("The certificate in this key file expired on")
    expect(status).to_contain_text("Nothing was sent.")

    status = fill_bid(page, unregistered, "demo", "100.00")
    expect(status).to_contain_text(
        f"The certificate in this key file is for BIN {cast.supplier_org_b.bin}, which is not "
        "a supplier you act for."
    )

    # In supplier B's hands its own file is the right one, but B never registered it.
    context = browser.new_context()
    context.set_default_timeout(SLOW)
    page_b = context.new_page()
    log_in(page_b, live_server, cast.supplier_b.email)
    page_b.goto(f"{live_server.url}{tender.get_absolute_url()}")
    status = fill_bid(page_b, unregistered, "demo", "100.00")
    expect(status).to_contain_text(f"is not registered for {cast.supplier_org_b.legal_name}")
    context.close()
    assert not Bid.objects.exists()


def test_an_amendment_since_the_form_was_opened_and_the_deadline_are_told_plainly(
    live_server, page, cast
):
    from playwright.sync_api import expect

    from procurement.services.amendments import amend_tender

    page.set_default_timeout(SLOW)
    tender = off_the_browser_thread(lambda: tendering_tender(cast))
    key_file = off_the_browser_thread(lambda: demo_key_file(cast.supplier_org_a, cast.supplier_a))
    log_in(page, live_server, cast.supplier_a.email)
    page.goto(f"{live_server.url}{tender.get_absolute_url()}")

    off_the_browser_thread(
        lambda: amend_tender(
            tender=tender, actor=cast.buyer, reason="Strength clarified", title="Insulin 100 IU/ml"
        )
    )
    status = fill_bid(page, key_file, "demo", "100.00")
    expect(status).to_have_text(
        "The tender was amended since you opened this form: version 2 is in force now. Nothing "
        "was sent. Reload the page, read the amendment and sign again."
    )

    page.reload()
    past = timezone.now() - dt.timedelta(seconds=1)
    Tender.objects.filter(pk=tender.pk).update(submission_deadline=past)
    status = fill_bid(page, key_file, "demo", "100.00")
    expect(status).to_contain_text(
        "The submission deadline has passed. The submission deadline was"
    )
    expect(status).to_contain_text("Nothing was stored.")
    assert not Bid.objects.exists()


def test_a_supplier_replaces_and_then_withdraws_a_bid_from_the_page(live_server, page, cast):
    from playwright.sync_api import expect

    page.set_default_timeout(SLOW)
    tender = off_the_browser_thread(lambda: tendering_tender(cast))
    key_file = off_the_browser_thread(lambda: demo_key_file(cast.supplier_org_a, cast.supplier_a))
    log_in(page, live_server, cast.supplier_a.email)
    page.goto(f"{live_server.url}{tender.get_absolute_url()}")
    expect(fill_bid(page, key_file, "demo", "2900000")).to_contain_text("is received")
    first = Bid.objects.get()

    page.reload()
    bid_form(page).get_by_label("This bid replaces").select_option(first.public_id)
    expect(fill_bid(page, key_file, "demo", "2800000.50")).to_contain_text("is received")
    second = Bid.objects.exclude(pk=first.pk).get()
    assert second.supersedes == first
    first.refresh_from_db()
    assert first.status == BidStatus.SUPERSEDED

    page.reload()
    withdraw = page.locator("form[data-signing=withdraw]")
    withdraw.get_by_label("Bid to withdraw").select_option(second.public_id)
    withdraw.get_by_label("Key file (PKCS#12: .p12 or .pfx)").set_input_files(key_file)
    withdraw.get_by_label("Password of the key file").fill("demo")
    withdraw.get_by_role("button", name="Sign and withdraw the bid").click()
    expect(withdraw.get_by_role("status")).to_contain_text(
        f"Bid {second.public_id} is withdrawn. Keep the withdrawal receipt:"
    )
    expect(withdraw.get_by_role("status")).to_contain_text(
        "The receipt's signature is the platform's"
    )
    second.refresh_from_db()
    assert second.status == BidStatus.WITHDRAWN


def test_without_javascript_the_page_says_so_and_keeps_the_command_line_way(
    live_server, browser, cast
):
    from playwright.sync_api import expect

    tender = off_the_browser_thread(lambda: tendering_tender(cast))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, cast.supplier_a.email)
    page.goto(f"{live_server.url}{tender.get_absolute_url()}")
    expect(page.get_by_text("Signing and sealing happen in your browser")).to_be_visible()
    expect(bid_form(page)).to_be_hidden()
    expect(page.get_by_role("heading", name="Lots")).to_be_visible()
    context.close()


def test_a_browser_without_x25519_is_told_what_it_lacks(live_server, browser, cast):
    from playwright.sync_api import expect

    tender = off_the_browser_thread(lambda: tendering_tender(cast))
    context = browser.new_context()
    context.add_init_script(
        "const generate = crypto.subtle.generateKey.bind(crypto.subtle);"
        "crypto.subtle.generateKey = (algorithm, ...rest) => algorithm.name === 'X25519'"
        " ? Promise.reject(new DOMException('no', 'NotSupportedError'))"
        " : generate(algorithm, ...rest);"
    )
    page = context.new_page()
    log_in(page, live_server, cast.supplier_a.email)
    page.goto(f"{live_server.url}{tender.get_absolute_url()}")
    expect(page.get_by_text("This browser cannot sign and seal here")).to_contain_text(
        "it lacks X25519 keys in the Web Cryptography API"
    )
    expect(bid_form(page)).to_be_hidden()
    context.close()
