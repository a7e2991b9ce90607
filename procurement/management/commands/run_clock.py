import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from procurement.clock import tick

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the clock: a pass about once a second until stopped (SIGTERM or Ctrl-C)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, interval, **options):
        running = {"on": True}

        def stop(*_):
            running["on"] = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("clock running; stop with Ctrl-C")
        while running["on"]:
            started = time.monotonic()
            close_old_connections()
            try:
                done = tick()
                for number, status in done["tenders"]:
                    logger.info("clock: %s is now %s", number, status)
                if done["checkpoint"]:
                    logger.info("clock: checkpoint at size %s", done["checkpoint"])
            except Exception:
                # A failed pass is retried on the next one; the clock itself must keep going.
                logger.exception("clock pass failed")
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
