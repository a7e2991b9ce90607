from django.core.management.base import BaseCommand, CommandError

from pki import demo_ca
from suppliers.models import Organisation


class Command(BaseCommand):
    help = "The demo certification authority: init, issue <BIN>, revoke <serial-hex>, crl."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("init", help="Create the root, the intermediate and their CRLs.")
        issue = commands.add_parser("issue", help="Issue a PKCS#12 file for a supplier's BIN.")
        issue.add_argument("bin")
        issue.add_argument("--name", help="Subject name (default: the organisation's)")
        issue.add_argument("--force", action="store_true", help="Replace an existing file")
        revoke = commands.add_parser("revoke", help="Revoke a serial and re-issue the CRL.")
        revoke.add_argument("serial")
        commands.add_parser("crl", help="Re-issue the CRLs.")

    def handle(self, *args, command, **options):
        try:
            getattr(self, f"_{command}")(**options)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def _init(self, **options):
        self.stdout.write(f"Demo CA in {demo_ca.init_ca()}")

    def _issue(self, *, bin, name, force, **options):
        organisation = Organisation.objects.filter(bin=bin).first()
        name = name or (organisation.legal_name if organisation else f"Demo supplier {bin}")
        path = demo_ca.issue(bin, name, force=force)
        self.stdout.write(f"{path} (password: {demo_ca.DEMO_PASSWORD.decode()})")

    def _revoke(self, *, serial, **options):
        serial = demo_ca.revoke(serial)
        self._refreshed(f"Revoked {serial}")

    def _crl(self, **options):
        demo_ca.issue_crls()
        self._refreshed("CRLs re-issued")

    def _refreshed(self, done: str):
        # Validation reads the cache, not the files: without this a revocation shows only
        # after the next refresh_crls.
        cached = demo_ca.refresh_demo_cache(force=True)
        self.stdout.write(done + ("; CRL cache refreshed" if cached else ""))
