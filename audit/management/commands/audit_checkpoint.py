from django.core.management.base import BaseCommand

from audit.services.checkpoints import issue_checkpoint


class Command(BaseCommand):
    help = "Sign a checkpoint of the audit log if it grew since the last one."

    def add_arguments(self, parser):
        parser.add_argument("--reason", default="scheduled")

    def handle(self, *args, reason, **options):
        checkpoint = issue_checkpoint(reason=reason)
        if checkpoint is None:
            self.stdout.write("The audit log is empty; nothing to sign.")
        else:
            self.stdout.write(checkpoint.note)
