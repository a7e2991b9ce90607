import sys

from django.core.management.base import BaseCommand

from audit.services.verification import run_verification, verify_and_record


class Command(BaseCommand):
    help = (
        "Recompute every leaf, the chain, the Merkle root at every checkpoint, checkpoint "
        "signatures and consistency. Exit 0 if all holds, 1 naming the first mismatch."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--record",
            action="store_true",
            help="Also store the outcome for the auditors' status page (appends an audit event).",
        )

    def handle(self, *args, record, **options):
        result = verify_and_record()[0] if record else run_verification()
        if result.ok:
            self.stdout.write(result.message)
            return
        self.stderr.write(f"FAIL: {result.message}")
        sys.exit(1)
