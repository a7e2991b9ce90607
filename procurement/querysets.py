from decimal import Decimal

from django.db import models
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce, Round

from procurement.choices import EntryKind, PlanItemStatus
from procurement.money import round_money


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
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            Q(number__iexact=text) | Q(title__icontains=text) | Q(description__icontains=text)
        )

    def with_value(self):
        """Annotate `value`: the sum of the amounts of the tender's active lots, 0.00 without
        any. Rounded to whole tiyn in the database too, so that filters on it compare exact
        amounts on SQLite (see _MoneyResult) as they do on PostgreSQL."""
        from procurement.choices import LotStatus

        active = Sum("lots__amount", filter=Q(lots__status=LotStatus.ACTIVE))
        return self.annotate(
            value=Round(
                Coalesce(active, Value(Decimal("0.00")), output_field=MONEY),
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
