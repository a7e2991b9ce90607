"""The pki services for tests/test_every_service_records_one_event.py: each sets up the demo
CA in the test's own DEMO_DIR, trusted through settings, and calls the service once."""

from contextlib import contextmanager

from django.conf import settings
from django.test import override_settings

from audit.models import Entry
from pki import demo_ca
from pki.services.certificates import register_certificate
from pki.services.crls import refresh_crls


@contextmanager
def demo_trust():
    folder = settings.DEMO_DIR / "pki"
    with override_settings(
        PKI_TRUST_ROOTS=[folder / "root.pem"],
        PKI_INTERMEDIATES=[folder / "intermediate.pem"],
        PKI_CRL_SOURCES=[folder / "crl.pem", folder / "root-crl.pem"],
    ):
        demo_ca.init_ca()
        yield folder


def registered_certificate(c) -> int:
    """Returns the entry count before the registration (the CRL refresh is set-up)."""
    with demo_trust() as folder:
        demo_ca.issue(c.supplier_org_a.bin, c.supplier_org_a.legal_name)
        refresh_crls()
        before = Entry.objects.count()
        register_certificate(
            organisation=c.supplier_org_a,
            actor=c.supplier_a,
            pem_or_der=(folder / "suppliers" / f"{c.supplier_org_a.bin}.pem").read_bytes(),
        )
    return before


def refreshed_crls(c) -> None:
    with demo_trust():
        refresh_crls()
