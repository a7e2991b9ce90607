"""Why the platform refuses a certificate or a signature, as a code and a plain sentence."""

from django.core.exceptions import ValidationError

# One code per cause, so clients can react to a cause without parsing the sentence.
CODES = (
    "certificate_malformed",
    "certificate_untrusted",
    "certificate_expired",
    "certificate_not_yet_valid",
    "certificate_usage",
    "certificate_revoked",
    "certificate_revocation_unknown",
    "certificate_wrong_bin",
    "certificate_already_registered",
    "certificate_not_registered",
    "signature_malformed",
    "signature_invalid",
)


class CertificateRefused(ValidationError):
    """A refusal the person can act on. A ValidationError, so forms and the API show it as-is
    (the API answers 422 with `code` and `message`)."""

    def __init__(self, code: str, message: str):
        if code not in CODES:
            raise ValueError(f"unknown refusal code {code!r}")
        super().__init__(message, code=code)

    def __str__(self) -> str:
        return self.message
