from django.core.management.base import BaseCommand

from procurement.clock import tick


class Command(BaseCommand):
    help = "Run one pass of the clock (for cron and tests)."

    def handle(self, *args, **options):
        done = tick()
        for number, status in done["tenders"]:
            self.stdout.write(f"{number}: {status}")
        self.stdout.write(f"checkpoint: {done['checkpoint'] or 'not due'}")
