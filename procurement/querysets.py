import re
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connections, models
from django.db.models import Expression, F, Func, OuterRef, Q, Subquery, Sum, TextField, Value
from django.db.models.functions import Coalesce, Concat, Round

from procurement.choices import EntryKind, PlanItemStatus
from procurement.money import round_money

# --- Public search over tenders (issue 7) ---------------------------------------------------
# PostgreSQL finds tenders with full-text search in the 'simple' configuration: lower case,
# no stemming, no stop words, so Russian and Kazakh words match as typed whatever their case
# (given a UTF-8 database locale; plain "C" does not fold Cyrillic). The words of a tender are
# the database function tender_document() (migration 0008), stored in the column
# search_document that a GIN index serves (migration 0009 says why stored). SQLite, the
# embedded default, has neither: there every word must appear in the case-folded text.
SEARCH_CONFIG = "simple"
TENDER_NUMBER = re.compile(r"^T-\d{4}-\d{6}$", re.IGNORECASE)
MAX_SEARCH_WORDS = 10


def search_words(text: str) -> list[str]:
    """The words of a search: runs of letters and digits (tender_document() splits a tender's
    text at punctuation too), at most MAX_SEARCH_WORDS."""
    return re.findall(r"[^\W_]+", text or "")[:MAX_SEARCH_WORDS]


class SearchDocument(Expression):
    """What a tender is found by on PostgreSQL: the column search_document of migration 0009,
    its number, title and description as words. Not a model field, so that no SELECT reads it
    and no INSERT names it; it belongs to the table of whichever query is compiled, a subquery
    included."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(compiler.query.base_table)}.search_document", []


def _casefold(value):
    return None if value is None else value.casefold()


class Folded(Func):
    """Text in one case, for comparing. SQLite's lower() and LIKE fold ASCII letters only, so
    "Инсулин" would not match "инсулин"; there Python's str.casefold does it, registered on
    the very connection that runs the query."""

    function = "LOWER"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function("py_casefold", 1, _casefold, deterministic=True)
        return super().as_sql(compiler, connection, function="py_casefold", **extra_context)


class _MoneyResult(models.DecimalField):
    """The type of computed balances. PostgreSQL sums numeric exactly; SQLite sums in binary
    floating point and hands back 0.0100000007 for 10,000,000.00 - 9,999,999.99, so results
    are rounded back to whole tiyn (exact for amounts of up to 13 digits before the point)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else round_money(value)


MONEY = _MoneyResult(max_digits=18, decimal_places=2)


def _entries(kind: str) -> Sum:
    return Sum(
        "entries__amount",
        filter=Q(entries__kind=kind),
        default=Decimal("0.00"),
        output_field=MONEY,
    )


class BudgetLineQuerySet(models.QuerySet):
    def with_balances(self):
        """Annotate reserved, obligated, paid and available (BudgetLine's docstring defines
        them) in one query: each line's entries summed by kind, one GROUP BY."""
        reserve, release, obligate, pay, free = (
            _entries(EntryKind.RESERVE),
            _entries(EntryKind.RELEASE),
            _entries(EntryKind.OBLIGATE),
            _entries(EntryKind.PAY),
            _entries(EntryKind.DEOBLIGATE),
        )
        return self.annotate(
            reserved=models.ExpressionWrapper(reserve - release - obligate, output_field=MONEY),
            obligated=models.ExpressionWrapper(obligate - pay - free, output_field=MONEY),
            paid=models.ExpressionWrapper(pay, output_field=MONEY),
            available=models.ExpressionWrapper(
                F("approved_amount") - reserve + release + free, output_field=MONEY
            ),
        )

    def of_agency(self, agency):
        return self.filter(agency=agency)

    def of_year(self, year: int):
        return self.filter(fiscal_year=year)

    def with_code(self, code: str):
        """The line cited as `001/015` (programme/subprogramme) or `001` (programme only)."""
        programme, _slash, subprogramme = (code or "").strip().partition("/")
        return self.filter(programme_code=programme, subprogramme_code=subprogramme)


class BudgetEntryQuerySet(models.QuerySet):
    def caused_by(self, reference_type: str, reference_id) -> "BudgetEntryQuerySet":
        return self.filter(reference_type=reference_type, reference_id=str(reference_id))

    def held_per_line(self) -> dict[int, Decimal]:
        """Still reserved by these entries, per line id: reserve − release − obligate > 0."""
        sign = {EntryKind.RESERVE: 1, EntryKind.RELEASE: -1, EntryKind.OBLIGATE: -1}
        held: dict[int, Decimal] = {}
        rows = self.filter(kind__in=list(sign)).values("line_id", "kind").annotate(t=Sum("amount"))
        for row in rows:
            amount = sign[row["kind"]] * round_money(Decimal(row["t"]))
            held[row["line_id"]] = held.get(row["line_id"], Decimal("0.00")) + amount
        return {line: amount for line, amount in held.items() if amount > 0}


class PlanItemQuerySet(models.QuerySet):
    def of_agency(self, agency):
        return self.filter(agency=agency)

    def of_year(self, year: int):
        return self.filter(fiscal_year=year)

    def approved(self):
        return self.filter(status=PlanItemStatus.APPROVED)


class TenderQuerySet(models.QuerySet):
    def published(self):
        """Tenders the public sees: every one that has left the draft."""
        from procurement.choices import TenderStatus

        return self.exclude(status=TenderStatus.DRAFT)

    def visible_to(self, user):
        """Published tenders, and drafts of the agencies the user is a member of (operators
        see every draft)."""
        from suppliers.permissions import is_operator, memberships

        if is_operator(user):
            return self
        agencies = [m.organisation_id for m in memberships(user)]
        return self.filter(Q(pk__in=self.published().values("pk")) | Q(agency_id__in=agencies))

    def due(self, now):
        return self.filter(next_check__isnull=False, next_check__lte=now)

    def matching(self, text: str):
        """Tenders found by a search: a tender number finds that tender; otherwise every word
        must begin a word of the tender's number, title or description (PostgreSQL), or
        appear anywhere in them (SQLite), in any case and in any order."""
        text = (text or "").strip()
        if TENDER_NUMBER.match(text):
            return self.filter(number=text.upper())
        words = search_words(text)
        if not words:
            return self
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(
                " & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG
            )
            return self.alias(found=SearchDocument()).filter(found=query)
        text_of = Concat("number", Value(" "), "title", Value(" "), "description")
        tenders = self.alias(folded=Folded(text_of))
        for word in words:
            tenders = tenders.filter(folded__contains=word.casefold())
        return tenders

    def count_at_most(self, limit: int) -> int:
        """How many tenders there are, counting no further than `limit`: a search for a common
        word matches most tenders, and counting them all cost more than finding a page."""
        return self.order_by().values("pk")[:limit].count()

    def with_value(self):
        """Annotate `value`: the sum of the amounts of the tender's active lots, 0.00 without
        any. Rounded to whole tiyn in the database too, so that filters on it compare exact
        amounts on SQLite (see _MoneyResult) as they do on PostgreSQL."""
        # A subquery, not a join with GROUP BY: a page of the public list then sums the lots
        # of its own 25 tenders, not of every tender that matches (issue 7, list queries).
        from procurement.choices import LotStatus
        from procurement.models import Lot

        active = (
            Lot.objects.filter(tender=OuterRef("pk"), status=LotStatus.ACTIVE)
            .order_by()
            .values("tender")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return self.annotate(
            value=Round(
                Coalesce(Subquery(active), Value(Decimal("0.00")), output_field=MONEY),
                2,
                output_field=MONEY,
            )
        )

    def deadline_between(self, start=None, end=None):
        """Tenders whose submission deadline falls in [start, end): `start` included, `end`
        excluded, so that back-to-back ranges (one day, then the next) never share a tender
        and "up to the end of a day" is simply "before the next day begins". Either end may
        be None (open); a tender without a deadline is outside every bounded range."""
        tenders = self
        if start is not None:
            tenders = tenders.filter(submission_deadline__gte=start)
        if end is not None:
            tenders = tenders.filter(submission_deadline__lt=end)
        return tenders

    def value_between(self, low=None, high=None):
        """Tenders whose value (see with_value(), added here when missing) is from `low` to
        `high`, both included; either may be None (open)."""
        tenders = self if "value" in self.query.annotations else self.with_value()
        if low is not None:
            tenders = tenders.filter(value__gte=low)
        if high is not None:
            tenders = tenders.filter(value__lte=high)
        return tenders
