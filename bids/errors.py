"""Why a bid, a withdrawal or a share is refused: one code per cause and a plain sentence.

A ValidationError, so the API answers 422 in the project's error shape with the code, and
the web pages show the sentence. The supplier refused one minute before the deadline reads
exactly what to fix.
"""

from django.core.exceptions import ValidationError

CODES = (
    "tender_not_open",
    "deadline_passed",
    "statement_too_large",
    "statement_malformed",
    "statement_not_canonical",
    "wrong_platform",
    "wrong_tender",
    "tender_version_stale",
    "lot_unknown",
    "opening_key_mismatch",
    "sealed_hash_mismatch",
    "sealed_reused",
    "sealed_too_large",
    "sealed_too_short",
    "nonce_invalid",
    "nonce_expired",
    "nonce_replayed",
    "certificate_not_registered",
    "signed_at_invalid",
    "bidder_unknown",
    "bidder_not_verified",
    "bidder_blacklisted",
    "supersedes_invalid",
    "bid_not_withdrawable",
    "opening_not_due",
    "share_not_expected",
    "share_already_posted",
    "share_malformed",
    "share_mismatch",
    "shares_insufficient",
    "opening_key_missing",
)


class BidRefused(ValidationError):
    def __init__(self, code: str, message: str):
        if code not in CODES:
            raise ValueError(f"unknown refusal code {code!r}")
        super().__init__(message, code=code)

    def __str__(self) -> str:
        return self.message
