"""Sealed means sealed: until the commission opens the tender, no price and no document of a bid
can be read anywhere the platform answers: not on any page or API route of the permission
matrix for any role of the cast, not in the admin, not in the audit log export, and not in
any column of the database. After opening the same checks do find the prices, so they can fail.
"""

import base64
import io
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from bids.models import Bid
from bids.services.submission import submit_bid
from tests.bids.ceremony import open_tender
from tests.bids.support import make_bid, tool
from tests.conftest import ROLES, cast_member
from tests.test_permission_matrix import MATRIX, QUERIES, TARGETS

PRICE_A, PRICE_B = "1234567.89", "2345678.91"
MARKER = b"SEALED-MARKER-7f3a"
GET_ROWS = sorted({(route, target) for route, method, target in MATRIX if method == "GET"}, key=str)


def _grouped(price: str) -> list[str]:
    """The ways a page might print the amount: 1234567,89, 1 234 567, 1,234,567, ..."""
    units, cents = price.split(".")
    groups = f"{int(units):,}"
    return [
        price,
        f"{units},{cents}",
        groups,
        groups.replace(",", " "),
        groups.replace(",", "\u00a0"),
        groups.replace(",", "\u202f"),
    ]


def _base64_of(marker: bytes) -> list[str]:
    """The part of base64(…marker…) that is the same wherever the marker sits (3 alignments)."""
    forms = []
    for offset in range(3):
        encoded = base64.b64encode(b"x" * offset + marker).decode()
        forms.append(encoded[4 if offset else 0 : -4])
    return forms


SEALED = [
    *_grouped(PRICE_A),
    *_grouped(PRICE_B),
    MARKER.decode(),
    *_base64_of(MARKER),
    MARKER.hex(),
]


def leaks(content: bytes) -> list[str]:
    return [form for form in SEALED if form.encode() in content]


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def sealed_bids(cast, tendering, signer_a, signer_b, tmp_path):
    """Two bids whose prices are distinctive and whose sealed document carries the marker."""
    document = tmp_path / f"{MARKER.decode()}.pdf"
    document.write_bytes(b"%PDF-1.7\n% technical offer " + MARKER + b"\n")
    made = []
    for user, signer, org, price in (
        (cast.supplier_a, signer_a, cast.supplier_org_a, PRICE_A),
        (cast.supplier_b, signer_b, cast.supplier_org_b, PRICE_B),
    ):
        bid = make_bid(
            tendering, signer, org.bin, {"1": price}, documents=[tool.document_entry(document)]
        )
        assert MARKER.decode() in json.dumps(bid.inner)  # sealed inside, in name and content
        made.append(
            submit_bid(
                tender=tendering,
                actor=user,
                statement=bid.statement,
                signature=bid.signature,
                sealed=bid.sealed,
            ).bid
        )
    return made


def aimed_urls(cast, route: str, target, tender, bids) -> list[str]:
    """The route's URL(s) built as the permission matrix builds them, but aimed at the tender
    and the bids under test wherever the route takes a tender number or a bid id."""
    if target is None:
        return [reverse(route)]
    for candidates in (
        [{"number": tender.number}],
        [{"public_id": bid.public_id} for bid in bids],
        [{"number": tender.number, "version": tender.version_number}],
    ):
        try:
            return [reverse(route, kwargs=kwargs) for kwargs in candidates]
        except NoReverseMatch:
            continue
    return [reverse(route, kwargs=TARGETS[target](cast))]


def visitor(cast, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(cast_member(cast, role))
    return client


def test_no_route_shows_a_price_or_document_to_any_role_before_opening(
    cast, tendering, sealed_bids
):
    a, b = sealed_bids
    urls = {
        (route, url)
        for route, target in GET_ROWS
        for url in aimed_urls(cast, route, target, tendering, sealed_bids)
    }
    served = {}
    for role in ROLES:
        client = visitor(cast, role)
        for route, url in sorted(urls):
            response = client.get(url, QUERIES.get(route))
            content = body(response)
            assert leaks(content) == [], f"{role} GET {url} ({response.status_code})"
            served[role, route, url] = (response.status_code, content)

    # The checks above read the pages that matter: the tender's, with the bids under test.
    detail = tendering.get_absolute_url()
    own_page = served["supplier_a", "procurement:tender-detail", detail]
    assert own_page[0] == 200 and a.sealed_sha256.encode() in own_page[1]
    assert b"2 bids received." in served["anonymous", "procurement:tender-detail", detail][1]
    receipt = reverse("bids:bid-receipt", args=[b.public_id])
    assert served["supplier_b", "bids:bid-receipt", receipt][0] == 200
    api_bids = reverse("api:list_tender_bids", args=[tendering.number])
    assert json.loads(served["anonymous", "api:list_tender_bids", api_bids][1])["received"] == 2

    open_tender(cast, tendering)

    page = Client().get(detail).content
    protocol = Client().get(reverse("bids:opening-protocol", args=[tendering.number]))
    assert protocol.status_code == 200
    for price in (PRICE_A, PRICE_B):
        assert price.encode() in page
        assert price.encode() in protocol.content
    assert leaks(page)


def test_the_admin_shows_no_price_or_document_before_opening(cast, tendering, sealed_bids):
    cast.operator.user_permissions.add(
        Permission.objects.get(content_type__app_label="bids", codename="view_bid")
    )
    client = visitor(cast, "operator")
    urls = [reverse("admin:bids_bid_changelist")] + [
        reverse("admin:bids_bid_change", args=[bid.pk]) for bid in sealed_bids
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaks(response.content) == [], url
        assert any(bid.sealed_sha256.encode() in response.content for bid in sealed_bids)

    open_tender(cast, tendering)
    opened = client.get(reverse("admin:bids_bid_change", args=[sealed_bids[0].pk])).content
    assert PRICE_A.encode() in opened
    assert leaks(opened) == [PRICE_A]  # the price, never the document


def test_the_admin_offers_no_way_to_change_a_bid(cast, sealed_bids):
    cast.operator.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="bids", codename__endswith="_bid")
    )
    client = visitor(cast, "operator")
    bid = sealed_bids[0]

    assert client.get(reverse("admin:bids_bid_add")).status_code == 403
    assert client.get(reverse("admin:bids_bid_delete", args=[bid.pk])).status_code == 403
    response = client.post(reverse("admin:bids_bid_change", args=[bid.pk]), {"status": "valid"})
    assert response.status_code == 403
    assert Bid.objects.get(pk=bid.pk).status == "submitted"


def test_the_audit_log_export_holds_no_price_or_document(cast, sealed_bids, tmp_path):
    folder = tmp_path / "export"
    out = io.StringIO()

    call_command("export_audit_log", str(folder), stdout=out)

    assert leaks(out.getvalue().encode()) == []
    files = sorted(Path(folder).rglob("*"))
    assert files
    payloads = b""
    for path in files:
        assert leaks(path.read_bytes()) == [], path.name
    for line in (folder / "entries.jsonl").read_text().splitlines():
        payloads += base64.b64decode(json.loads(line)["payload"]) + b"\n"
    assert leaks(payloads) == []
    for bid in sealed_bids:  # the export was read: the submissions are in it, by their hashes
        assert bid.sealed_sha256.encode() in payloads


def _database_text() -> bytes:
    """Every value of every column of every table the project's models map, as bytes."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [field.attname for field in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*columns):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    found.append(bytes(value))
                elif isinstance(value, dict | list):
                    found.append(json.dumps(value, ensure_ascii=False).encode())
                elif value is not None:
                    found.append(str(value).encode())
    return b"\x00".join(found)


def test_no_column_of_the_database_holds_a_price_or_document_before_opening(
    cast, tendering, sealed_bids
):
    assert leaks(_database_text()) == []
    for bid in Bid.objects.all():
        assert bid.prices is None and bid.opened_content is None

    open_tender(cast, tendering)

    stored = _database_text()
    assert PRICE_A.encode() in stored and PRICE_B.encode() in stored
