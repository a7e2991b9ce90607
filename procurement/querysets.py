from decimal import Decimal

from django.db import models
from django.db.models import F, Q, Sum

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
        reserve, release, obligate, pay = (
            _entries(EntryKind.RESERVE),
            _entries(EntryKind.RELEASE),
            _entries(EntryKind.OBLIGATE),
            _entries(EntryKind.PAY),
        )
        return self.annotate(
            reserved=models.ExpressionWrapper(reserve - release - obligate, output_field=MONEY),
            obligated=models.ExpressionWrapper(obligate - pay, output_field=MONEY),
            paid=models.ExpressionWrapper(pay, output_field=MONEY),
            available=models.ExpressionWrapper(
                F("approved_amount") - reserve + release, output_field=MONEY
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


class PlanItemQuerySet(models.QuerySet):
    def of_agency(self, agency):
        return self.filter(agency=agency)

    def of_year(self, year: int):
        return self.filter(fiscal_year=year)

    def approved(self):
        return self.filter(status=PlanItemStatus.APPROVED)
