"""Write the platform's OCDS data to files: a release package (optionally by date range), a
record package, compiled releases as JSON lines. Streamed: memory stays flat at any size."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from transparency.ocds.packages import (
    stream_compiled_jsonl,
    stream_record_package,
    stream_release_package,
)


def _instant(text: str | None):
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"{text!r} is not a date or an ISO 8601 instant") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Export OCDS data: --release-package, --record-package and/or --compiled-jsonl."

    def add_arguments(self, parser):
        parser.add_argument("--release-package", metavar="OUT.json")
        parser.add_argument("--record-package", metavar="OUT.json")
        parser.add_argument("--compiled-jsonl", metavar="OUT.jsonl")
        parser.add_argument("--since", help="releases dated at or after (ISO 8601, UTC)")
        parser.add_argument("--until", help="releases dated before (ISO 8601, UTC)")

    def handle(self, *args, **options):
        jobs = [
            (
                options["release_package"],
                lambda: stream_release_package(
                    _instant(options["since"]), _instant(options["until"])
                ),
            ),
            (options["record_package"], stream_record_package),
            (options["compiled_jsonl"], stream_compiled_jsonl),
        ]
        if not any(path for path, _ in jobs):
            raise CommandError(
                "Say what to export: --release-package, --record-package or "
                "--compiled-jsonl (with a file name each)."
            )
        for path, stream in jobs:
            if path:
                with open(path, "wb") as out:
                    for chunk in stream():
                        out.write(chunk)
                self.stdout.write(f"wrote {path}")
