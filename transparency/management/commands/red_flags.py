from django.core.management.base import BaseCommand, CommandError

from transparency.redflags import (
    RedFlagsError,
    compute,
    default_settings,
    dumps,
    group_counts,
    load_settings,
    open_lines,
    to_cardinal,
)


class Command(BaseCommand):
    help = (
        "Compute Cardinal's red-flag indicators over OCDS compiled releases (one JSON object per "
        "line) and print the results as JSON in Cardinal's shape. See docs/red-flags.md."
    )
    requires_system_checks = []  # reads a file, touches no database

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON Lines file of compiled releases; '-' for stdin.")
        parser.add_argument(
            "--config",
            metavar="SETTINGS.ini",
            help="Cardinal settings file: thresholds, exclusions, which indicators to run.",
        )
        parser.add_argument(
            "--no-meta", action="store_true", help="Leave out the quartiles and fences (Meta)."
        )
        parser.add_argument(
            "--map",
            action="store_true",
            help="Add Maps: the organisations behind each flagged contracting process.",
        )
        parser.add_argument(
            "--count", action="store_true", help="Print the number of results per group to stderr."
        )

    def handle(self, *args, file, config, no_meta, map, count, **options):
        try:
            settings = load_settings(config) if config else default_settings()
            with open_lines(file) as lines:
                results = compute(lines, settings, mapping=map)
        except RedFlagsError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(dumps(to_cardinal(results, meta=not no_meta, maps=map)))
        for warning in settings.warnings:
            self.stderr.write(f"Warning: {warning}")
        if results.warnings["currency"]:
            self.stderr.write(
                f"Warning: {results.warnings['currency']} bids not in {results.currency} "
                "were left out of the price comparisons."
            )
        if results.warnings["not a release"]:
            self.stderr.write(
                f"Warning: {results.warnings['not a release']} lines were not a JSON object "
                "with a string ocid and were skipped."
            )
        if count:
            for group, number in group_counts(results).items():
                self.stderr.write(f"{group}: {number}")
