"""The award stage in a real browser (headless Chromium through Playwright) against a live
server: a commission member reviews the three opened bids, disqualifying one with its reason;
the chair downloads the results protocol, signs it with `tools/tenderctl.py sign` as the page
tells them, and uploads the signature file; the public reads the ranking and the reason and
checks the signed protocol's hash. The browser setup is in conftest.py."""

import hashlib
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

from awards.models import ResultsProtocol
from procurement.models import Tender
from tests.awards.world import award_world
from tests.web.test_browser_tenders import log_in, off_the_browser_thread

pytestmark = pytest.mark.browser

TOOL = Path(__file__).resolve().parents[2] / "tools" / "tenderctl.py"
P12_PASSWORD = "chair-p12-password"


def write_p12(signer, path: Path) -> None:
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"chair",
            signer.key,
            signer.certificate,
            list(signer.chain) or None,
            BestAvailableEncryption(P12_PASSWORD.encode()),
        )
    )


def tenderctl_sign(document: Path, p12: Path) -> Path:
    """What the chair runs on their computer (the page shows the command)."""
    subprocess.run(
        [sys.executable, str(TOOL), "sign", str(document), "--p12", str(p12)],
        check=True,
        capture_output=True,
        env={**os.environ, "TENDER_PASSWORD": P12_PASSWORD},
        timeout=60,
    )
    return document.with_name(document.name + ".p7s")


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()


def decide(page, bid: str, decisions: dict[str, tuple[str, str]]) -> None:
    """Each requirement's group (its legend) gets Met, or Not met with the reason."""
    from playwright.sync_api import expect

    section = page.locator(f"#bid-{bid}")
    for title, (choice, reason) in decisions.items():
        section.get_by_role("group", name=title).get_by_label(choice, exact=True).check()
        if reason:
            number = title.split(".", 1)[0]
            section.get_by_label(f"Why not met (requirement {number})").fill(reason)
    section.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_have_text(f"The decision on {bid} was recorded.")


LICENCE = "1. Licence for pharmaceutical activity"
EXPERIENCE = "2. Three years of experience"


def test_the_commission_reviews_the_chair_signs_and_the_public_reads_the_results(
    live_server, page, browser, cast, tmp_path
):
    from playwright.sync_api import expect

    stack = ExitStack()
    world = off_the_browser_thread(lambda: stack.enter_context(award_world(cast)))
    try:
        tender = world.tender
        bids = {k: b.public_id for k, b in world.bids.items()}

        # A commission member finds the evaluation from the tender page and decides each bid.
        log_in(page, live_server, cast.commission[0].email)
        page.goto(f"{live_server.url}{tender.get_absolute_url()}")
        page.get_by_role("link", name="Evaluation", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation")
        for key in ("a", "b"):
            decide(page, bids[key], {LICENCE: ("Met", ""), EXPERIENCE: ("Met", "")})
        decide(
            page,
            bids["c"],
            {LICENCE: ("Not met", "The licence attached expired in 2024"), EXPERIENCE: ("Met", "")},
        )
        grid = page.get_by_role("table", name="Evaluation grid")
        row_c = grid.get_by_role("row").filter(has_text=bids["c"])
        expect(row_c).to_contain_text("not met: The licence attached expired in 2024")
        expect(row_c).to_contain_text("Disqualified")
        expect(page.get_by_role("button", name="Publish the results")).to_have_count(0)
        log_out(page)

        # The chair downloads the protocol, signs it with the tool, uploads the signature.
        log_in(page, live_server, cast.buyer.email)
        page.goto(f"{live_server.url}/tenders/{tender.number}/evaluation/")
        draft = page.get_by_role("region", name="Draft results protocol (revision 1)")
        lot1 = draft.get_by_role("table", name="Lot 1:")
        expect(lot1.get_by_role("row").filter(has_text="proposed winner")).to_contain_text(
            cast.supplier_org_b.legal_name
        )
        expect(draft.locator("pre code")).to_contain_text(
            f"python tools/tenderctl.py sign results-{tender.number}-r1.json --p12"
        )
        with page.expect_download() as download:
            draft.get_by_role("link", name="The protocol to sign (JSON, its exact bytes)").click()
        document = tmp_path / download.value.suggested_filename
        download.value.save_as(document)
        assert document.name == f"results-{tender.number}-r1.json"
        p12 = tmp_path / "chair.p12"
        write_p12(world.chair, p12)
        signature = tenderctl_sign(document, p12)

        # A wrong file first: the page says why and nothing is published.
        draft.get_by_label("Signature file (.p7s)").set_input_files(str(document))
        draft.get_by_role("button", name="Publish the results").click()
        expect(page.get_by_role("status")).to_contain_text(
            "The signature is not a detached CMS signature the platform accepts"
        )
        expect(page.get_by_role("button", name="Publish the results")).to_be_visible()
        assert not ResultsProtocol.objects.exists()

        page.get_by_label("Signature file (.p7s)").set_input_files(str(signature))
        page.get_by_role("button", name="Publish the results").click()
        expect(page.get_by_role("status")).to_have_text(
            "The results are published; the standstill has begun."
        )
        assert Tender.objects.get(pk=tender.pk).status == "standstill"
        log_out(page)

        # The public reads the results and checks the signed bytes against the hash shown.
        page.goto(f"{live_server.url}/tenders/{tender.number}/results/")
        protocol = page.get_by_role("region", name="Results protocol, revision 1")
        disqualified = protocol.get_by_role("table", name="Disqualified bids")
        expect(disqualified).to_contain_text(world.org_c.legal_name)
        expect(disqualified).to_contain_text(
            "1. Licence for pharmaceutical activity: The licence attached expired in 2024"
        )
        lot2 = protocol.get_by_role("table", name="Lot 2:")
        expect(lot2.get_by_role("row").filter(has_text="proposed winner")).to_contain_text(
            cast.supplier_org_a.legal_name
        )
        with page.expect_download() as download:
            protocol.get_by_role("link", name="The signed protocol (JSON, its exact bytes)").click()
        content = Path(download.value.path()).read_bytes()
        assert content == document.read_bytes()
        shown = protocol.locator("p", has=page.get_by_text("SHA-256")).locator(".mono").last
        expect(shown).to_have_text(hashlib.sha256(content).hexdigest())
        awards = page.get_by_role("region", name="Awards")
        expect(awards.get_by_role("row").filter(has_text="Proposed, in standstill")).to_have_count(
            2
        )
    finally:
        off_the_browser_thread(stack.close)
