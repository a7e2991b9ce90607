"""Signing the results protocol and a contract in the page (issue 8), in headless Chromium
against a live server: the chair reads what the protocol decides, signs it with their PKCS#12
file in the browser and the results are published; the winning supplier and then the buyer sign
the contract from its page and it comes into force. On the way, the page's own refusals (a wrong
password, an expired certificate, a certificate of another organisation), the server's (the
protocol changed since the page was opened), a browser without WebCrypto and a page without
JavaScript, where the signature upload is all there is. The key file and its password never
leave the page: only the signature is posted."""

import base64
import datetime as dt
import hashlib
from contextlib import ExitStack
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.utils import timezone

from awards.models import ResultsProtocol
from awards.services.reviews import review_bid
from contracts.models import Contract
from pki.cms import verify_detached_cms
from procurement.models import Tender
from tests.awards.world import (
    award_world,
    awarded,
    contract_for,
    end_standstill,
    fails,
    review_all,
)
from tests.bids.support import Signer
from tests.web.test_browser_tenders import log_in, off_the_browser_thread

pytestmark = pytest.mark.browser

SLOW = 30_000  # ms: certificate validation on a shared machine
PASSWORD = "key-file-password"


def key_file(signer: Signer, path: Path) -> Path:
    """The signer's PKCS#12 file, as a certification authority hands it out (AES, PBES2)."""
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer",
            signer.key,
            signer.certificate,
            list(signer.chain) or None,
            BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    return path


def expired_key_file(world, organisation, path: Path) -> Path:
    """A certificate for the right BIN that expired yesterday."""
    now = timezone.now()
    key, certificate = world.ca.issue(
        organisation.bin, start=now - dt.timedelta(days=400), end=now - dt.timedelta(days=1)
    )
    return key_file(Signer(key, certificate, (world.ca.intermediate,)), path)


def sign_in_page(page, p12: Path, password: str):
    form = page.locator("form[data-signing=document]")
    form.get_by_label("Key file (PKCS#12: .p12 or .pfx)").set_input_files(p12)
    form.get_by_label("Password of the key file").fill(password)
    form.get_by_role("button", name="Sign in this browser").click()
    return form.get_by_role("status")


def summary(page):
    return page.locator("[data-document-summary]")


def posts_of(page) -> list:
    """Every POST the page makes from now on, with its body."""
    posts = []
    page.on(
        "request",
        lambda r: posts.append((r.url, r.post_data_buffer or b"")) if r.method == "POST" else None,
    )
    return posts


def assert_only_signatures_left(posts, p12_files, password: str, expected_url: str) -> None:
    files = [Path(p).read_bytes() for p in p12_files]
    secrets = [password.encode(), *files, *(base64.b64encode(f)[:64] for f in files)]
    assert posts, "nothing was posted"
    for url, body in posts:
        assert url.endswith(expected_url), url
        assert not any(secret in body for secret in secrets)


def test_the_chair_reads_the_protocol_signs_it_in_the_page_and_publishes_the_results(
    live_server, browser, page, cast, tmp_path
):
    from playwright.sync_api import expect

    page.set_default_timeout(SLOW)
    stack = ExitStack()
    world = off_the_browser_thread(lambda: stack.enter_context(award_world(cast)))
    try:
        tender = world.tender
        off_the_browser_thread(lambda: review_all(world, cast))
        chair = key_file(world.chair, tmp_path / "chair.p12")
        supplier = key_file(world.signers["a"], tmp_path / "supplier-a.p12")
        expired = off_the_browser_thread(
            lambda: expired_key_file(world, cast.agency, tmp_path / "expired.p12")
        )
        evaluation = f"{live_server.url}/tenders/{tender.number}/evaluation/"

        # Without JavaScript the signature upload is all the chair is offered.
        no_js = browser.new_context(java_script_enabled=False)
        plain = no_js.new_page()
        log_in(plain, live_server, cast.buyer.email)
        plain.goto(evaluation)
        expect(plain.get_by_label("Signature file (.p7s)")).to_be_visible()
        expect(plain.get_by_role("button", name="Publish the results")).to_be_visible()
        expect(plain.get_by_role("region", name="Sign in this browser")).to_have_count(0)
        expect(plain.locator("[data-document-signing]")).to_be_hidden()
        no_js.close()

        log_in(page, live_server, cast.buyer.email)
        posts = posts_of(page)
        page.goto(evaluation)
        shown = summary(page)
        expect(shown).to_contain_text(
            f"You sign the results protocol of {tender.number}, revision 1"
        )
        expect(shown).to_contain_text(
            f"proposed winner {world.org_c.legal_name}, BIN {world.org_c.bin}, at 2700000.00 KZT"
        )
        expect(shown).to_contain_text(
            f"proposed winner {cast.supplier_org_a.legal_name}, BIN {cast.supplier_org_a.bin}, "
            "at 800000.00 KZT"
        )
        expect(shown).to_contain_text("Bids disqualified: 0 of 3.")

        status = sign_in_page(page, chair, "not the password")
        expect(status).to_have_text(
            "The password does not open this key file. Type it again; it is case-sensitive."
        )
        status = sign_in_page(page, expired, PASSWORD)
        expect(status).to_contain_text("The certificate in this key file expired on")
        expect(status).to_contain_text("Nothing was signed.")
        status = sign_in_page(page, supplier, PASSWORD)
        expect(status).to_have_text(
            f"The certificate in this key file is for BIN {cast.supplier_org_a.bin} (Supplier "
            f"LLP), not for {cast.agency.legal_name} (BIN {cast.agency.bin}), for which you sign "
            "here. Nothing was signed. Choose your organisation's key file."
        )
        assert posts == []

        # A member changes a decision after the chair opened the page: the platform refuses.
        off_the_browser_thread(
            lambda: review_bid(
                bid=world.bids["c"],
                actor=cast.commission[0],
                decisions=fails(tender, 1, "The licence attached expired in 2024"),
            )
        )
        status = sign_in_page(page, chair, PASSWORD)
        expect(status).to_have_text(
            "The protocol changed since you opened this page: a decision on a bid was changed. "
            "Nothing was signed or published. Reload the page, read the protocol again and sign "
            "it."
        )
        assert not ResultsProtocol.objects.exists()

        page.reload()
        expect(summary(page)).to_contain_text("Bids disqualified: 1 of 3.")
        expect(summary(page)).to_contain_text(
            f"proposed winner {cast.supplier_org_b.legal_name}, BIN {cast.supplier_org_b.bin}, "
            "at 2800000.00 KZT"
        )
        sign_in_page(page, chair, PASSWORD)
        expect(page).to_have_url(f"{live_server.url}/tenders/{tender.number}/results/")
        expect(page.get_by_role("region", name="Results protocol, revision 1")).to_contain_text(
            "Signed by the commission's chair"
        )
        assert Tender.objects.get(pk=tender.pk).status == "standstill"
        protocol = ResultsProtocol.objects.get()
        signed = verify_detached_cms(
            bytes(protocol.signature), bytes(protocol.content), at=timezone.now()
        )
        chair_der = world.chair.certificate.public_bytes(serialization.Encoding.DER)
        assert signed.certificate_der == chair_der
        assert protocol.certificate.fingerprint_sha256 == hashlib.sha256(chair_der).hexdigest()
        assert_only_signatures_left(
            posts, [chair, supplier, expired], PASSWORD, f"/api/v1/tenders/{tender.number}/results"
        )
    finally:
        off_the_browser_thread(stack.close)


def test_the_supplier_and_the_buyer_sign_the_contract_in_the_page_and_it_is_in_force(
    live_server, browser, page, cast, tmp_path
):
    from playwright.sync_api import expect

    page.set_default_timeout(SLOW)
    stack = ExitStack()
    world = off_the_browser_thread(lambda: stack.enter_context(award_world(cast)))
    try:

        def to_contracts():
            awarded(world, cast)
            end_standstill(world.tender)
            return contract_for(world.tender, 2)

        contract = off_the_browser_thread(to_contracts)
        assert contract.supplier == cast.supplier_org_a
        supplier = key_file(world.signers["a"], tmp_path / "supplier-a.p12")
        buyer = key_file(world.chair, tmp_path / "buyer.p12")
        url = f"{live_server.url}{contract.get_absolute_url()}"

        # A browser without WebCrypto is told so, and keeps the upload.
        bare = browser.new_context()
        bare.add_init_script(
            "Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined });"
        )
        lacking = bare.new_page()
        log_in(lacking, live_server, cast.supplier_a.email)
        lacking.goto(url)
        expect(lacking.get_by_text("This browser cannot sign here")).to_contain_text(
            "it lacks the Web Cryptography API"
        )
        expect(lacking.locator("form[data-signing=document]")).to_be_hidden()
        expect(lacking.get_by_role("button", name="Upload the signature")).to_be_visible()
        bare.close()

        log_in(page, live_server, cast.supplier_a.email)
        posts = posts_of(page)
        page.goto(url)
        shown = summary(page)
        expect(shown).to_contain_text(f"You sign contract {contract.number}")
        expect(shown).to_contain_text(f"Buyer: {cast.agency.legal_name}, BIN {cast.agency.bin}")
        expect(shown).to_contain_text(
            f"Supplier: {cast.supplier_org_a.legal_name}, BIN {cast.supplier_org_a.bin}"
        )
        expect(shown).to_contain_text("Price: 800000.00 KZT")

        status = sign_in_page(page, buyer, PASSWORD)
        expect(status).to_contain_text(
            f"is for BIN {cast.agency.bin} (Supplier LLP), not for "
            f"{cast.supplier_org_a.legal_name} (BIN {cast.supplier_org_a.bin})"
        )
        assert posts == []
        sign_in_page(page, supplier, PASSWORD)
        signatures = page.get_by_role("table", name="Signatures")
        expect(signatures.get_by_role("row").filter(has_text="Supplier")).to_contain_text(
            "signature (CMS, DER)"
        )
        expect(page.locator("form[data-signing=document]")).to_have_count(0)
        contract.refresh_from_db()
        assert contract.supplier_signed_at is not None and contract.status == "pending"
        assert_only_signatures_left(
            posts, [buyer, supplier], PASSWORD, f"/api/v1/contracts/{contract.number}/signatures"
        )
        page.get_by_role("button", name="Log out").click()

        log_in(page, live_server, cast.buyer.email)
        page.goto(url)
        expect(summary(page)).to_contain_text(f"You sign contract {contract.number}")
        sign_in_page(page, buyer, PASSWORD)
        expect(page.get_by_text("Signed, in force")).to_be_visible()
        expect(page.get_by_text("In force since")).to_be_visible()
        contract = Contract.objects.get(pk=contract.pk)
        assert contract.status == "active" and contract.signed_at is not None
        for party, signer in (("supplier", world.signers["a"]), ("buyer", world.chair)):
            signed = verify_detached_cms(
                bytes(getattr(contract, f"{party}_signature")),
                bytes(contract.content),
                at=timezone.now(),
            )
            assert signed.certificate_der == signer.certificate.public_bytes(
                serialization.Encoding.DER
            )
    finally:
        off_the_browser_thread(stack.close)
