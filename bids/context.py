"""What the tender page shows of its sealed bids (templates/bids/_tender_bids.html).

Before opening: how many bids stand and the opening key; a supplier also sees its own bids'
hashes and receipts, a commission member how far the opening is. Nothing here reads a price
before the opening protocol exists, and the protocol is the only source of prices shown.
"""

import datetime as dt
import json
import shlex

from django.conf import settings
from django.urls import reverse

from bids.models import Bid, BidStatus, KeyShare, OpeningKey, OpeningProtocol
from bids.permissions import bidding_suppliers
from bids.services.submission import REPLACEABLE
from procurement.choices import TenderStatus

TOOL = "python tools/tenderctl.py"
P12 = "certificate.p12"


def tender_bids_context(request, tender) -> dict:
    """The `bids_panel` of the tender page, or None for a draft (nothing is bid on it)."""
    if tender.status == TenderStatus.DRAFT:
        return {"bids_panel": None}
    key = OpeningKey.objects.filter(tender=tender).first()
    protocol = OpeningProtocol.objects.filter(tender=tender).first()
    return {
        "bids_panel": {
            "received": tender.bid_count(),
            "opening_key": key,
            "own_bids": _own_bids(request.user, tender),
            "seat": _seat(request.user, tender, key),
            "protocol": _protocol(protocol, tender) if protocol else None,
        }
    }


def _command(*words: str) -> str:
    return " ".join([TOOL, *(shlex.quote(w) for w in words)])


def _own_bids(user, tender) -> list[dict]:
    suppliers = bidding_suppliers(user, verified_only=False)
    if not suppliers:
        return []
    bids = (
        Bid.objects.filter(tender=tender, supplier__in=suppliers)
        .select_related("supplier")
        .order_by("-received_at", "-pk")
    )
    server = ("--server", settings.PLATFORM_ORIGIN, "--tender", tender.number, "--p12", P12)
    open_for_bids = tender.status == TenderStatus.TENDERING
    rows = []
    for bid in bids:
        changeable = open_for_bids and bid.status in REPLACEABLE
        lots = [word for lot in bid.lots for word in ("--lot", f"{lot}=PRICE")]
        rows.append(
            {
                "bid": bid,
                "receipt_url": reverse("bids:bid-receipt", args=[bid.public_id]),
                "withdraw": _command("withdraw", *server, "--bid", bid.public_id)
                if changeable
                else "",
                "replace": _command("bid", *server, *lots, "--supersedes", bid.public_id)
                if changeable
                else "",
            }
        )
    return rows


def _seat(user, tender, key) -> dict | None:
    if key is None or not getattr(user, "is_authenticated", False):
        return None
    seat = KeyShare.objects.filter(opening_key=key, member=user).first()
    if seat is None:
        return None
    command = _command(
        "open-share",
        "--server",
        settings.PLATFORM_ORIGIN,
        "--tender",
        tender.number,
        "--key",
        "member.pem",
        "--member",
        user.email,
    )
    return {
        "posted": key.shares.filter(posted_at__isnull=False).count(),
        "threshold": key.threshold,
        "mine_posted_at": seat.posted_at,
        "opening": tender.status == TenderStatus.OPENING,
        "command": command,
    }


def _protocol(protocol: OpeningProtocol, tender) -> dict:
    content = json.loads(bytes(protocol.content))
    rows = [
        {
            **row,
            "received_at": dt.datetime.fromisoformat(row["received_at"]),
            "status_label": BidStatus(row["status"]).label,
            "prices": sorted((row.get("prices") or {}).items()),
        }
        for row in content["bids"]
    ]
    return {
        "row": protocol,
        "bids": rows,
        "url": reverse("bids:opening-protocol", args=[tender.number]),
    }
