"""Sealed bids over the API (docs/bid-format.md): nonces, submission, withdrawal, receipts,
commission members' opening keys and shares, and the opening protocol.

Before opening nothing here shows more than counts and hashes; prices appear only in the
opening protocol and the opened bids, after the commission has opened the tender.
"""

import base64
import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from accounts.auth import API_AUTH, OPTIONAL_AUTH
from bids.models import Bid, CommissionKey, KeyShare, OpeningProtocol
from bids.nonces import issue_nonce
from bids.opening_keys import shares_in
from bids.permissions import bidding_suppliers
from bids.receipts import bid_receipt, receipt_key_info
from bids.services.keys import register_commission_key
from bids.services.opening import post_share
from bids.services.submission import submit_bid, withdraw_bid
from bids.wire import decode_share
from config import prepared
from config.api_errors import ERROR_RESPONSES
from procurement.models import Tender
from procurement.permissions import can_view_tender

router = Router(tags=["bids"])


def _decode(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise ValidationError({field: [_("This is not base64.")]}) from None


def _tender(request, number: str) -> Tender:
    tender = get_object_or_404(Tender.objects.select_related("agency", "procedure"), number=number)
    if not can_view_tender(tender, request.auth):
        raise Http404
    return tender


def _tender_to_bid_on(request, number: str) -> Tender:
    """The tender for a nonce or a bid, with only the columns read before submit_bid locks
    and re-reads its row; the agency is fetched only to decide whether a draft is visible.
    Every bid pays this lookup, so it is one prepared statement (config/prepared.py)."""
    rows = prepared.fetch(TENDER_TO_BID_ON, {"number": number})
    if not rows:
        raise Http404
    tender = prepared.instance(Tender, ["id", "number", "agency_id", "status"], rows[0])
    if not can_view_tender(tender, request.auth):
        raise Http404
    return tender


TENDER_TO_BID_ON = (
    "SELECT id, number, agency_id, status FROM procurement_tender WHERE number = %(number)s"
)


class NonceIn(Schema):
    bidder: str | None = Field(
        None, description="your supplier's BIN; needed only if you act for several"
    )


class NonceOut(Schema):
    nonce: str
    expires_at: dt.datetime


class BidIn(Schema):
    statement: str = Field(..., description="the outer statement: its canonical JSON text")
    signature: str = Field(..., description="base64 of the detached CMS (DER) over the statement")
    sealed: str = Field(..., description="base64 of the HPKE sealed payload (enc || ciphertext)")


def _accepted(accepted) -> Status:
    # 200 for a retry of a statement accepted before: the same bid and byte-identical receipt.
    status = 200 if accepted.replayed else 201
    return Status(status, {"bid": accepted.bid.public_id, "receipt": accepted.receipt})


class AcceptedOut(Schema):
    bid: str
    receipt: dict


class WithdrawIn(Schema):
    statement: str
    signature: str


class BidOut(Schema):
    bid: str
    tender: str
    bidder: str
    lots: list[str]
    status: str
    received_at: dt.datetime
    statement_sha256: str
    sealed_sha256: str
    log_index: int | None
    prices: dict[str, str] | None = Field(None, description="only after opening")
    invalid_reason: str

    @staticmethod
    def resolve_bid(obj) -> str:
        return obj.public_id

    @staticmethod
    def resolve_tender(obj) -> str:
        return obj.tender.number

    @staticmethod
    def resolve_bidder(obj) -> str:
        return obj.supplier.bin


class BidCountOut(Schema):
    received: int = Field(..., description="bids standing now (before opening only counts)")
    opened: bool
    bids: list[BidOut] = Field(..., description="every bid, after opening; empty before")


class KeyIn(Schema):
    public_key: str = Field(..., description="base64 of your raw 32-byte X25519 public key")


class KeyOut(Schema):
    key_id: str
    public_key: str
    registered_at: dt.datetime
    retired_at: dt.datetime | None

    @staticmethod
    def resolve_public_key(obj) -> str:
        return base64.b64encode(bytes(obj.public_key)).decode()


class SealedShareOut(Schema):
    sealed_share: str
    key_id: str = Field(..., description="the opening key of yours it is sealed to")


class ShareIn(Schema):
    share: str = Field(..., description="base64 of the 33-byte share you decrypted")


class SharesOut(Schema):
    posted: int
    threshold: int
    status: str = Field(..., description="waiting_for_shares, or ready_to_open (the clock opens)")


class ReceiptKeyOut(Schema):
    key_id: str
    public_key: str
    pem: str


def _bidder_for_nonce(user, bin: str | None):
    suppliers = bidding_suppliers(user)
    if bin is not None:
        suppliers = [s for s in suppliers if s.bin == bin]
    if not suppliers:
        raise PermissionDenied(_("Only members of a verified supplier bid."))
    if len(suppliers) > 1:
        raise ValidationError({"bidder": [_("You act for several suppliers: say which one.")]})
    return suppliers[0]


@router.post(
    "/tenders/{number}/nonces",
    response={201: NonceOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="A single-use nonce to put in a bid or withdrawal statement",
    url_name="issue_nonce",
)
def nonce(request, number: str, payload: NonceIn):
    tender = _tender_to_bid_on(request, number)
    supplier = _bidder_for_nonce(request.auth, payload.bidder)
    value, expires = issue_nonce(tender=tender.number, bidder=supplier.bin)
    return Status(201, {"nonce": value, "expires_at": dt.datetime.fromtimestamp(expires, dt.UTC)})


@router.post(
    "/tenders/{number}/bids",
    response={201: AcceptedOut, 200: AcceptedOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Submit a signed, sealed bid (or a replacement naming the bid it supersedes)",
    description="See docs/bid-format.md. Each refusal has its own code: deadline_passed, "
    "tender_version_stale, nonce_replayed, certificate_revoked, sealed_hash_mismatch, ...",
    url_name="submit_bid",
)
def submit(request, number: str, payload: BidIn):
    accepted = submit_bid(
        tender=_tender_to_bid_on(request, number),
        actor=request.auth,
        statement=payload.statement.encode("utf-8"),
        signature=_decode(payload.signature, "signature"),
        sealed=_decode(payload.sealed, "sealed"),
    )
    return _accepted(accepted)


@router.post(
    "/tenders/{number}/bids/upload",
    response={201: AcceptedOut, 200: AcceptedOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Submit a large sealed bid as multipart: statement, signature (base64), sealed file",
    description="The same checks and answer as POST /tenders/{number}/bids; the sealed payload "
    "comes as a file part instead of base64 inside JSON.",
    url_name="upload_bid",
)
def upload(
    request,
    number: str,
    statement: Form[str],
    signature: Form[str],
    sealed: File[UploadedFile],
):
    # One byte over the limit is enough for the service to refuse with its message.
    data = sealed.read(settings.BID_SEALED_MAX_BYTES + 1)
    accepted = submit_bid(
        tender=_tender_to_bid_on(request, number),
        actor=request.auth,
        statement=statement.encode("utf-8"),
        signature=_decode(signature, "signature"),
        sealed=data,
    )
    return _accepted(accepted)


@router.get(
    "/tenders/{number}/bids",
    response={200: BidCountOut, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="How many bids stand; every bid with its prices once the tender is opened",
    url_name="list_tender_bids",
)
def tender_bids(request, number: str):
    tender = _tender(request, number)
    opened = OpeningProtocol.objects.filter(tender=tender).exists()
    bids = (
        list(tender.bids.select_related("tender", "supplier").order_by("received_at", "pk"))
        if opened
        else []
    )
    return {"received": tender.bid_count(), "opened": opened, "bids": bids}


def _own_bid(request, public_id: str) -> Bid:
    bid = get_object_or_404(Bid.objects.select_related("tender", "supplier"), public_id=public_id)
    if bid.supplier not in bidding_suppliers(request.auth, verified_only=False):
        raise Http404
    return bid


@router.get(
    "/bids/mine",
    response={200: list[BidOut], **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="The bids of the suppliers you act for, newest first",
    url_name="my_bids",
)
def my_bids(request):
    suppliers = bidding_suppliers(request.auth, verified_only=False)
    return (
        Bid.objects.filter(supplier__in=suppliers)
        .select_related("tender", "supplier")
        .order_by("-received_at")[:500]
    )


@router.get(
    "/bids/{public_id}/receipt",
    response={200: dict, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="The bid's signed receipt (the same bytes every time)",
    url_name="bid_receipt",
)
def receipt(request, public_id: str):
    return bid_receipt(_own_bid(request, public_id))


@router.post(
    "/bids/{public_id}/withdraw",
    response={200: AcceptedOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Withdraw a bid before the deadline with a signed withdrawal statement",
    url_name="withdraw_bid",
)
def withdraw(request, public_id: str, payload: WithdrawIn):
    bid = _own_bid(request, public_id)
    accepted = withdraw_bid(
        bid=bid,
        actor=request.auth,
        statement=payload.statement.encode("utf-8"),
        signature=_decode(payload.signature, "signature"),
    )
    return {"bid": bid.public_id, "receipt": accepted.receipt}


@router.get(
    "/receipt-key",
    response=ReceiptKeyOut,
    summary="The platform's Ed25519 public key that signs receipts",
    url_name="receipt_key",
)
def receipt_key(request):
    return receipt_key_info()


@router.post(
    "/opening-keys",
    response={201: KeyOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Register your opening key (commission members; replaces an earlier one)",
    url_name="register_opening_key",
)
def register_key(request, payload: KeyIn):
    return Status(201, register_commission_key(actor=request.auth, public_key=payload.public_key))


@router.get(
    "/opening-keys/mine",
    response={200: list[KeyOut], **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Your opening keys, the one in use first",
    url_name="my_opening_keys",
)
def my_keys(request):
    return CommissionKey.objects.filter(user=request.auth).order_by("retired_at", "-registered_at")


@router.get(
    "/tenders/{number}/opening/shares/mine",
    response={200: SealedShareOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Your share of the tender's opening key, sealed to your opening key",
    url_name="my_sealed_share",
)
def my_share(request, number: str):
    tender = _tender(request, number)
    seat = (
        KeyShare.objects.filter(opening_key__tender=tender, member=request.auth)
        .select_related("commission_key")
        .first()
    )
    if seat is None:
        raise PermissionDenied(_("Only the tender's commission members hold key shares."))
    return {
        "sealed_share": base64.b64encode(bytes(seat.sealed_share)).decode(),
        "key_id": seat.commission_key.key_id,
    }


@router.post(
    "/tenders/{number}/opening/shares",
    response={201: SharesOut, **ERROR_RESPONSES},
    auth=API_AUTH,
    summary="Hand in your decrypted share after the deadline; with t of them the bids open",
    url_name="post_share",
)
def share(request, number: str, payload: ShareIn):
    tender = _tender(request, number)
    post_share(tender=tender, actor=request.auth, share=decode_share(payload.share))
    posted, threshold = shares_in(tender)
    # A code, not a sentence: clients compare it.
    status = "ready_to_open" if posted >= threshold else "waiting_for_shares"
    return Status(201, {"posted": posted, "threshold": threshold, "status": status})


@router.get(
    "/tenders/{number}/opening/protocol",
    response={200: None, **ERROR_RESPONSES},
    auth=OPTIONAL_AUTH,
    summary="The opening protocol: its exact canonical JSON bytes",
    url_name="opening_protocol",
)
def protocol(request, number: str):
    row = get_object_or_404(OpeningProtocol, tender=_tender(request, number))
    response = HttpResponse(bytes(row.content), content_type="application/json")
    response["X-Content-SHA256"] = row.sha256
    return response
