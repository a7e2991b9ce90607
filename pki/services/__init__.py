from pki.services.certificates import register_certificate
from pki.services.crls import refresh_crls

__all__ = ["refresh_crls", "register_certificate"]
