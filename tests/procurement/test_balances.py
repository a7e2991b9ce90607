"""BudgetLine.objects.with_balances(): every line's four balances in one query."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.models import BudgetLine
from tests.procurement.factories import BudgetLineFactory, move

D = Decimal


def test_a_list_of_lines_and_their_balances_is_one_query(cast):
    lines = [BudgetLineFactory(agency=cast.agency) for _ in range(5)]
    for n, line in enumerate(lines, start=1):
        move("reserve", line, f"{n}000000.00")
        move("obligate", line, "500000.00")
        move("pay", line, "100000.00")

    with CaptureQueriesContext(connection) as queries:
        listed = list(BudgetLine.objects.of_agency(cast.agency).with_balances())

    assert len(queries) == 1
    assert [(x.reserved, x.obligated, x.paid, x.available) for x in listed] == [
        (
            D(f"{n}000000.00") - D("500000.00"),
            D("400000.00"),
            D("100000.00"),
            D(f"{10 - n}000000.00"),
        )
        for n in range(1, 6)
    ]


def test_lines_without_entries_show_zeroes_not_nothing(cast):
    BudgetLineFactory(agency=cast.agency, approved_amount=D("0.00"))
    BudgetLineFactory(agency=cast.agency, approved_amount=D("750.50"))

    listed = BudgetLine.objects.of_agency(cast.agency).with_balances().order_by("approved_amount")

    assert [(x.reserved, x.obligated, x.paid, x.available) for x in listed] == [
        (D("0.00"), D("0.00"), D("0.00"), D("0.00")),
        (D("0.00"), D("0.00"), D("0.00"), D("750.50")),
    ]


def test_balances_are_whole_tiyn_on_every_database(db):
    line = BudgetLineFactory(approved_amount=D("10000000.00"))
    move("reserve", line, "9999999.99")
    move("release", line, "0.10")
    move("reserve", line, "0.11")

    line = BudgetLine.objects.with_balances().get(pk=line.pk)

    assert str(line.reserved) == "10000000.00"
    assert str(line.available) == "0.00"
    assert str(line.obligated) == str(line.paid) == "0.00"


def test_lines_of_one_agency_do_not_see_the_moves_of_another(cast):
    ours = BudgetLineFactory(agency=cast.agency, programme_code="001")
    theirs = BudgetLineFactory(agency=cast.other_agency, programme_code="001")
    move("reserve", theirs, "1000.00")

    assert BudgetLine.objects.with_balances().get(pk=ours.pk).reserved == D("0.00")
    assert BudgetLine.objects.with_balances().get(pk=theirs.pk).reserved == D("1000.00")
