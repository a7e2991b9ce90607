import sys

from django.core.management.base import BaseCommand

from audit.services.verification import run_verification, verify_and_record


class Command(BaseCommand):
    help = (
        "Recompute every leaf, the chain, the Merkle root at every checkpoint, checkpoint "
        "signatures and consistency, then cross-check the state tables (bids, budget ledger, "
        "payments) against the events that created them. Exit 0 if all holds, 1 naming each "
        "mismatch, one per line."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--record",
            action="store_true",
            help="Also store the outcome for the auditors' status page (appends an audit event).",
        )
        parser.add_argument(
            "--log-only",
            action="store_true",
            help="Verify the log alone, without the cross-checks of the state tables.",
        )

    def handle(self, *args, record, log_only, **options):
        crosscheck = not log_only
        if record:
            result = verify_and_record(crosscheck=crosscheck)[0]
        else:
            result = run_verification(crosscheck=crosscheck)
        if result.ok:
            self.stdout.write(result.message)
            return
        for line in result.message.splitlines():
            self.stderr.write(f"FAIL: {line}")
        sys.exit(1)
