"""tools/tenderctl.py against the real server over HTTP: a supplier bids from a PKCS#12 file
and verifies the receipt, replaces and withdraws bids, and the commission opens the tender by
posting shares decrypted on their own side. The tool is run as a separate process."""

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.utils import timezone

from accounts.services.tokens import create_api_token
from bids.models import Bid, OpeningProtocol
from bids.receipts import receipt_public_pem
from procurement.clock import tick
from procurement.models import Tender
from tests.bids.support import TOOL_PATH
from tests.procurement.factories import commission_private_key

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args, expect_ok=True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, str(TOOL_PATH), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if expect_ok:
        assert done.returncode == 0, done.stderr
    return done


def token(user) -> str:
    return create_api_token(user=user, name="cli", actor=user)[1]


@pytest.fixture
def live(live_server, settings):
    settings.PLATFORM_ORIGIN = live_server.url
    return live_server.url


@pytest.fixture
def p12_a(tmp_path, signer_a, bid_ca):
    path = tmp_path / "supplier-a.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"supplier-a",
            signer_a.key,
            signer_a.certificate,
            [bid_ca.intermediate],
            serialization.BestAvailableEncryption(b"demo"),
        )
    )
    return path


def member_key_file(tmp_path, user):
    key = X25519PrivateKey.from_private_bytes(commission_private_key(user))
    path = tmp_path / f"{user.email}.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def test_a_supplier_bids_replaces_and_the_commission_opens_with_the_cli(
    cast, live, tendering, p12_a, tmp_path
):
    supplier = token(cast.supplier_a)
    base = ["--server", live, "--token", supplier, "--tender", tendering.number]
    first = json.loads(
        run("bid", *base, "--p12", p12_a, "--password", "demo", "--lot", "1=2800000.00").stdout
    )
    receipt = tmp_path / "receipt.json"
    receipt.write_text(json.dumps(first))
    key = tmp_path / "receipt.pub.pem"
    key.write_bytes(receipt_public_pem())
    assert "OK: receipt for bid" in run("verify-receipt", receipt, "--public-key", key).stdout

    second = json.loads(
        run(
            "bid",
            *base,
            "--p12",
            p12_a,
            "--password",
            "demo",
            "--lot",
            "1=2750000.00",
            "--supersedes",
            first["bid"],
        ).stdout
    )
    assert Bid.objects.get(public_id=first["bid"]).status == "superseded"

    wrong = run(
        "bid", *base, "--p12", p12_a, "--password", "nope", "--lot", "1=1.00", expect_ok=False
    )
    assert wrong.returncode != 0
    assert "password" in wrong.stderr.lower()

    deadline = tendering.submission_deadline
    with time_machine.travel(deadline + dt.timedelta(seconds=1), tick=False):
        tick()
    assert Tender.objects.get(pk=tendering.pk).status == "opening"
    # The server judges the deadline by the real clock: let it have passed there too.
    Tender.objects.filter(pk=tendering.pk).update(
        submission_deadline=timezone.now() - dt.timedelta(seconds=1)
    )
    for user in (cast.buyer, cast.commission[0]):
        run(
            "open-share",
            "--server",
            live,
            "--token",
            token(user),
            "--tender",
            tendering.number,
            "--key",
            member_key_file(tmp_path, user),
            "--member",
            user.email,
        )
    tick()
    protocol = json.loads(bytes(OpeningProtocol.objects.get(tender=tendering).content))
    rows = {row["bid"]: row for row in protocol["bids"]}
    assert rows[second["bid"]]["prices"] == {"1": "2750000.00"}
    assert rows[first["bid"]]["status"] == "superseded"
    assert live == settings.PLATFORM_ORIGIN


def test_a_late_bid_gets_the_servers_reason(cast, live, tendering, p12_a):
    Tender.objects.filter(pk=tendering.pk).update(status="opening")
    done = run(
        "bid",
        "--server",
        live,
        "--token",
        token(cast.supplier_a),
        "--tender",
        tendering.number,
        "--p12",
        p12_a,
        "--password",
        "demo",
        "--lot",
        "1=1.00",
        expect_ok=False,
    )
    assert done.returncode != 0
    assert "tender_not_open" in done.stderr or "only while it is in tendering" in done.stderr


def test_a_bid_larger_than_a_json_body_may_be_goes_up_as_a_file_part(
    cast, live, tendering, p12_a, tmp_path
):
    """Django refuses request bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB); a bid with a
    3 MB document is sent as multipart by the tool and accepted."""
    document = tmp_path / "drawings.pdf"
    document.write_bytes(b"%PDF-1.7\n" + os.urandom(3 * 1024 * 1024))
    supplier = token(cast.supplier_a)
    base = ["--server", live, "--token", supplier, "--tender", tendering.number]
    answer = json.loads(
        run(
            "bid",
            *base,
            "--p12",
            p12_a,
            "--password",
            "demo",
            "--lot",
            "1=2800000.00",
            "--document",
            document,
        ).stdout
    )
    bid = Bid.objects.get(public_id=answer["bid"])
    assert len(bytes(bid.sealed)) > 3 * 1024 * 1024
    assert bid.status == "submitted"
