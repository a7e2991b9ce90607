from pathlib import Path

from django.core.management.base import BaseCommand

from audit.export import export_log


class Command(BaseCommand):
    help = "Export the audit log and its checkpoints for offline verification."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        manifest = export_log(directory)
        self.stdout.write(
            f"Exported {manifest['entries']} entries and {manifest['checkpoints']} checkpoints to {directory}.\n"
            f"Verify offline: python tools/verify_audit_export.py {directory} --public-key KEY\n"
            f"Checkpoint key: {manifest['key']}"
        )
