"""What the "Sign in this browser" forms pass to static/js/signing.js (frontend/src/
document-page.js): the results protocol on the evaluation page (the chair) and a contract on its
page (each side). The script fetches the exact bytes from the page's own download link, checks
they are the ones the page was rendered for (`sha256`), that the certificate names the BIN of
the organisation signing here and is one it registered, signs them and posts the signature to
the JSON API; every sentence it shows comes from `document_signing_messages()`, through gettext.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from bids.context import signing_messages
from pki.models import SigningCertificate

# The sentences of bids/context.py that mean the same here (reading the key file, the browser,
# the network, the server's refusals); the rest are said for documents below.
SHARED = (
    "feature_secure_context",
    "feature_webcrypto",
    "working",
    "failed",
    "network",
    "no_key_file",
    "wrong_password",
    "key_file_unreadable",
    "key_file_old_encryption",
    "key_file_no_key",
    "key_unsupported",
    "key_certificate_mismatch",
    "server_refused",
    "server_certificate_expired",
    "server_certificate_not_registered",
    "server_certificate_revoked",
    "server_signed_at_invalid",
)


def _signer(organisation) -> dict:
    return {
        "bin": organisation.bin,
        "name": organisation.legal_name,
        "certificates": list(
            SigningCertificate.objects.filter(organisation=organisation).values_list(
                "fingerprint_sha256", flat=True
            )
        ),
    }


def protocol_signing(tender, sha256: str) -> dict:
    """The chair signs the draft results protocol for the tender's agency."""
    return {
        "id": "protocol-signing",
        "data": {
            "kind": "protocol",
            "tender": tender.number,
            "document_url": reverse("awards:results-draft", args=[tender.number]),
            "sha256": sha256,
            "currency": tender.currency,
            "signer": _signer(tender.agency),
            "next": reverse("awards:results", args=[tender.number]),
        },
        "messages": document_signing_messages(),
    }


def contract_signing(contract, organisation) -> dict:
    """A side of the contract signs it for `organisation` (the agency or the supplier)."""
    return {
        "id": "contract-signing",
        "data": {
            "kind": "contract",
            "number": contract.number,
            "document_url": reverse("contracts:contract-document", args=[contract.number]),
            "sha256": contract.sha256,
            "signer": _signer(organisation),
            "next": contract.get_absolute_url(),
        },
        "messages": document_signing_messages(),
    }


def document_signing_messages() -> dict[str, str]:
    """%(name)s placeholders are filled in by the script."""
    shared = signing_messages()
    return {
        **{key: shared[key] for key in SHARED},
        "browser_lacks": _(
            "This browser cannot sign here: it lacks %(missing)s. Use a current Chrome, Edge, "
            "Firefox or Safari, or sign with tools/tenderctl.py and upload the signature file."
        ),
        "document_unavailable": _(
            "The document could not be read (the platform answered %(status)s). Reload the page."
        ),
        "document_unexpected": _(
            "The document the platform sent is not the one this page shows. Nothing was signed. "
            "Reload the page."
        ),
        "protocol_changed": _(
            "The protocol changed since you opened this page: a decision on a bid was changed. "
            "Nothing was signed or published. Reload the page, read the protocol again and sign it."
        ),
        "certificate_expired": _(
            "The certificate in this key file expired on %(date)s. Nothing was signed. Get a new "
            "certificate from your certification authority and register it."
        ),
        "certificate_not_yet_valid": _(
            "The certificate in this key file is valid only from %(date)s. Nothing was signed."
        ),
        "certificate_no_bin": _(
            "The certificate in this key file names no BIN, so it cannot sign for an "
            "organisation. Nothing was signed."
        ),
        "certificate_other_organisation": _(
            "The certificate in this key file is for BIN %(bin)s (%(name)s), not for "
            "%(organisation)s (BIN %(expected)s), for which you sign here. Nothing was signed. "
            "Choose your organisation's key file."
        ),
        "certificate_not_registered": _(
            "This certificate (SHA-256 %(fingerprint)s…) is not registered for "
            "%(organisation)s. Nothing was signed. Register it on the platform first, then sign "
            "again."
        ),
        "server_signature_deadline_passed": _("The period to sign has ended."),
        "protocol_summary": _(
            "You sign the results protocol of %(tender)s, revision %(revision)s "
            "(SHA-256 %(sha256)s…):"
        ),
        "protocol_lot_winner": _(
            "Lot %(lot)s (%(title)s): proposed winner %(name)s, BIN %(bin)s, at %(price)s "
            "%(currency)s"
        ),
        "protocol_lot_failed": _("Lot %(lot)s (%(title)s): no qualified bid, the lot fails"),
        "protocol_disqualified": _("Bids disqualified: %(n)s of %(total)s."),
        "contract_summary": _("You sign contract %(number)s (SHA-256 %(sha256)s…):"),
        "contract_lot": _("Tender %(tender)s, lot %(lot)s: %(title)s"),
        "contract_buyer": _("Buyer: %(name)s, BIN %(bin)s"),
        "contract_supplier": _("Supplier: %(name)s, BIN %(bin)s"),
        "contract_price": _("Price: %(price)s %(currency)s"),
        "results_published": _(
            "The results are published; the standstill has begun. Opening the results…"
        ),
        "contract_signed": _(
            "Your signature is on the contract. It comes into force when the other side has signed."
        ),
        "contract_in_force": _(
            "Your signature is on the contract. Both sides have signed: the contract is in force."
        ),
    }
