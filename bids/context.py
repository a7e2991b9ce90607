"""What the tender page shows of its sealed bids (templates/bids/_tender_bids.html).

Before opening: how many bids stand and the opening key; a supplier also sees its own bids'
hashes and receipts and the forms that sign and seal in the browser (static/js/signing.js), a
commission member how far the opening is and the form that opens their share in the browser.
Nothing here reads a price before the opening protocol exists, and the protocol is the only
source of prices shown.
"""

import datetime as dt
import json
import shlex

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from bids.models import Bid, BidStatus, KeyShare, OpeningKey, OpeningProtocol
from bids.permissions import bidding_suppliers
from bids.services.submission import REPLACEABLE
from pki.models import SigningCertificate
from procurement.choices import LotStatus, TenderStatus
from procurement.versions import lot_id

TOOL = "python tools/tenderctl.py"
P12 = "certificate.p12"


def tender_bids_context(request, tender) -> dict:
    """The `bids_panel` of the tender page, or None for a draft (nothing is bid on it)."""
    if tender.status == TenderStatus.DRAFT:
        return {"bids_panel": None}
    key = OpeningKey.objects.filter(tender=tender).first()
    protocol = OpeningProtocol.objects.filter(tender=tender).first()
    own_bids = _own_bids(request.user, tender)
    seat = _seat(request.user, tender, key)
    bid_form = bid_form_context(request.user, tender, key, own_bids)
    share_form = share_form_context(request.user, tender, seat, protocol)
    return {
        "bids_panel": {
            "received": tender.bid_count(),
            "opening_key": key,
            "own_bids": own_bids,
            "seat": seat,
            "protocol": _protocol(protocol, tender) if protocol else None,
            "bid_form": bid_form,
            "share_form": share_form,
            "signing_messages": signing_messages() if bid_form or share_form else None,
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


# ---- signing in the browser (static/js/signing.js) ----


def bid_form_context(user, tender, key, own_bids: list[dict]) -> dict | None:
    """The bid and withdrawal forms, for a member of a verified supplier while bids are taken.

    `data` goes to the page as JSON: what the script checks before anything is signed (the
    version the form was opened for, the certificates each supplier registered) and what it
    puts in the statements (the platform origin, as the server will compare it).
    """
    if tender.status != TenderStatus.TENDERING or key is None:
        return None
    suppliers = bidding_suppliers(user)
    if not suppliers:
        return None
    lots = list(tender.lots.filter(status=LotStatus.ACTIVE).order_by("number"))
    replaceable = [row["bid"].public_id for row in own_bids if row["withdraw"]]
    return {
        "lots": [{"id": lot_id(lot), "lot": lot} for lot in lots],
        "replaceable": replaceable,
        "data": {
            **_page_data(tender),
            "suppliers": [
                {
                    "bin": supplier.bin,
                    "name": supplier.legal_name,
                    "certificates": list(
                        SigningCertificate.objects.filter(organisation=supplier).values_list(
                            "fingerprint_sha256", flat=True
                        )
                    ),
                }
                for supplier in suppliers
            ],
        },
    }


def share_form_context(user, tender, seat: dict | None, protocol) -> dict | None:
    """The form that opens a commission member's share in the browser and hands it in."""
    if seat is None or seat["mine_posted_at"] or protocol is not None or not seat["opening"]:
        return None
    return {"data": {**_page_data(tender), "member": user.email}}


def opening_key_page_data(user, key) -> dict:
    return {"member": user.email, "key_in_use": key.key_id if key else None}


def _page_data(tender) -> dict:
    return {
        "tender": tender.number,
        "version_hash": tender.version_hash,
        "platform": settings.PLATFORM_ORIGIN,
        "json_limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2**31,
    }


def signing_messages() -> dict[str, str]:
    """Every sentence the signing script may show, translated here like the rest of the page.
    %(name)s placeholders are filled in by the script."""
    return {
        "browser_lacks": _(
            "This browser cannot sign and seal here: it lacks %(missing)s. Use a current "
            "Chrome, Edge, Firefox or Safari, or the command-line tool tools/tenderctl.py."
        ),
        "feature_secure_context": _("a secure connection (HTTPS)"),
        "feature_webcrypto": _("the Web Cryptography API"),
        "feature_x25519": _("X25519 keys in the Web Cryptography API"),
        "feature_indexeddb": _("IndexedDB storage (private windows may turn it off)"),
        "working": _("Working… keep this page open."),
        "failed": _("Something went wrong in this page; nothing was signed. Reload and try again."),
        "network": _("The platform could not be reached. Check your connection and try again."),
        "no_key_file": _("Choose your key file (PKCS#12: .p12 or .pfx)."),
        "wrong_password": _(
            "The password does not open this key file. Type it again; it is case-sensitive."
        ),
        "key_file_unreadable": _(
            "This file is not a PKCS#12 key file (.p12 or .pfx) the page can read."
        ),
        "key_file_old_encryption": _(
            "This key file uses an old encryption (3DES or RC2) that browsers do not offer. "
            "Export it again with AES (OpenSSL 3 does so by default), or use tools/tenderctl.py."
        ),
        "key_file_no_key": _("This key file holds no private key with its certificate."),
        "key_unsupported": _(
            "The key in this file cannot sign here: the platform accepts RSA keys and ECDSA "
            "keys on P-256, P-384 or P-521."
        ),
        "key_certificate_mismatch": _("The key in this file does not belong to its certificate."),
        "certificate_expired": _(
            "The certificate in this key file expired on %(date)s. Nothing was sent. Bids need "
            "a valid certificate: get a new one from your certification authority and register it."
        ),
        "certificate_not_yet_valid": _(
            "The certificate in this key file is valid only from %(date)s. Nothing was sent."
        ),
        "certificate_no_bin": _(
            "The certificate in this key file names no BIN, so it cannot sign for a supplier."
        ),
        "certificate_other_bin": _(
            "The certificate in this key file is for BIN %(bin)s, which is not a supplier you "
            "act for. Nothing was sent."
        ),
        "certificate_not_registered": _(
            "This certificate (SHA-256 %(fingerprint)s…) is not registered for "
            "%(organisation)s. Nothing was sent. Register it on the platform first "
            "(POST /api/v1/certificates, see the API documentation), then sign again."
        ),
        "tender_amended": _(
            "The tender was amended since you opened this form: version %(version)s is in force "
            "now. Nothing was sent. Reload the page, read the amendment and sign again."
        ),
        "tender_not_open": _("This tender no longer takes bids. Nothing was sent."),
        "opening_key_missing": _("The tender has no opening key, so no bid can be sealed to it."),
        "opening_key_mismatch": _(
            "The tender's opening key does not match its key id. Do not bid; report it."
        ),
        "lot_unknown": _("The tender has no lot %(lots)s. Reload the page."),
        "price_invalid": _("Lot %(lot)s: “%(price)s” is not an amount. Write it like 1250000.00."),
        "price_not_positive": _("Lot %(lot)s: a price must be more than zero."),
        "no_lots": _("Give a price for at least one lot."),
        "answer_incomplete": _(
            "Each answer needs the requirement it answers (each one once) and a text."
        ),
        "statement_malformed": _("The bid cannot be written as a statement."),
        "server_refused": _("The platform refused it:"),
        "server_deadline_passed": _("The submission deadline has passed."),
        "server_tender_not_open": _("The tender no longer takes bids."),
        "server_tender_version_stale": _("The tender was amended since you opened this form."),
        "server_certificate_expired": _("Your certificate has expired."),
        "server_certificate_not_registered": _("Your certificate is not registered."),
        "server_certificate_revoked": _("Your certificate is revoked."),
        "server_signed_at_invalid": _("Check your computer's clock, then sign again."),
        "bid_received": _("Bid %(bid)s is received (%(received)s). Keep its receipt:"),
        "withdrawn": _("Bid %(bid)s is withdrawn. Keep the withdrawal receipt:"),
        "receipt_verified": _(
            "The receipt's signature is the platform's (key %(key)s), and it names the "
            "statement and sealed bid this page sent."
        ),
        "receipt_not_verified": _(
            "This page could not verify the receipt; keep it and check it with "
            "tools/tenderctl.py verify-receipt."
        ),
        "receipt_download": _("Download the receipt (JSON)"),
        "sealed_undecryptable": _(
            "Your share does not open with the key in this browser: it was sealed to another key."
        ),
        "share_key_missing": _(
            "Your share is sealed to your opening key %(key)s, which this browser does not hold. "
            "Choose that key's backup file and type its passphrase."
        ),
        "share_malformed": _("The opened share has the wrong shape; do not send it, report it."),
        "share_posted": _("Your key share is in: %(posted)s of the %(threshold)s needed."),
        "share_ready": _(
            "Your key share is in: %(posted)s of the %(threshold)s needed. The bids open shortly."
        ),
        "passphrase_short": _("The backup passphrase needs at least %(n)s characters."),
        "passphrase_mismatch": _("The two passphrases differ."),
        "key_created": _(
            "Opening key %(key)s is registered and kept in this browser. Keep the backup file "
            "and its passphrase safe: without them, a lost browser profile means a lost share."
        ),
        "backup_download": _("Download the key's backup file again"),
        "backup_unreadable": _("Choose a key backup file (a PEM private key)."),
        "backup_wrong_passphrase": _("The passphrase does not open this backup file."),
        "backup_not_x25519": _("This file holds no X25519 opening key."),
        "key_restored": _("Key %(key)s is back in this browser."),
        "browser_holds_key": _("This browser holds your opening key %(key)s."),
        "browser_lacks_key": _(
            "This browser does not hold your opening key %(key)s; put its backup file back below "
            "to open shares here."
        ),
    }
