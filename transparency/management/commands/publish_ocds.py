"""Publish OCDS releases for the audit events not yet published (once, or as a worker)."""

import time

from django.core.management.base import BaseCommand

from transparency.services.publication import publish_pending


class Command(BaseCommand):
    help = "Turn public audit events into OCDS releases; --follow keeps going as a worker."

    def add_arguments(self, parser):
        parser.add_argument("--follow", action="store_true", help="keep publishing new events")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between passes")

    def handle(self, *args, **options):
        while True:
            total = publish_pending()
            if total or not options["follow"]:
                self.stdout.write(f"{total} releases published")
            if not options["follow"]:
                return
            time.sleep(options["interval"])
