from django.core.management.base import BaseCommand, CommandError

from pki.services.crls import refresh_crls


class Command(BaseCommand):
    # Run it hourly: a list last fetched longer ago than PKI_CRL_MAX_AGE_SECONDS is refused.
    help = "Fetch the CRLs named in PKI_CRL_SOURCES into the cache."

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", help="Paths or file:// URLs (default: settings)")

    def handle(self, *args, sources, **options):
        rows = refresh_crls(sources=sources or None)
        for row in rows:
            self.stdout.write(f"{row.issuer}: next update {row.next_update:%Y-%m-%d %H:%M} UTC")
        if rows.failed:
            reasons = "; ".join(f"{f['source']}: {f['reason']}" for f in rows.failed)
            raise CommandError(f"Some CRL sources failed: {reasons}")
