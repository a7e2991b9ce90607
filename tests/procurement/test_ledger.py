"""Moving budget money: reserve, release, obligate, pay; balances after each step, every
refusal naming the line and the shortfall, and the ledger's append-only guards."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from procurement.models import BudgetEntry, BudgetLine
from procurement.services import ledger
from procurement.services.ledger import LedgerError
from tests.procurement.factories import BudgetLineFactory, counts, move

REFUSED = (DatabaseError, IntegrityError)
D = Decimal


@pytest.fixture
def line(db):
    return BudgetLineFactory(
        programme_code="001",
        subprogramme_code="015",
        name="Medicines",
        approved_amount=D("10000000.00"),
    )


def balances(line) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(available, reserved, obligated, paid)."""
    line = BudgetLine.objects.with_balances().get(pk=line.pk)
    return line.available, line.reserved, line.obligated, line.paid


def test_a_line_without_moves_has_everything_available(line):
    assert balances(line) == (D("10000000.00"), D("0.00"), D("0.00"), D("0.00"))


def test_a_tender_from_publication_to_payment(line):
    tender, contract = ("procurement.tender", 7), ("procurement.contract", 3)

    move("reserve", line, "4000000.00", tender)  # published
    assert balances(line) == (D("6000000.00"), D("4000000.00"), D("0.00"), D("0.00"))

    move("obligate", line, "3500000.00", contract)  # contract signed below the estimate
    move("release", line, "500000.00", tender)  # the savings go back
    assert balances(line) == (D("6500000.00"), D("0.00"), D("3500000.00"), D("0.00"))

    move("pay", line, "1000000.00", contract)  # advance
    move("pay", line, "2500000.00", contract)  # final payment
    assert balances(line) == (D("6500000.00"), D("0.00"), D("0.00"), D("3500000.00"))


def test_a_cancelled_tender_gives_its_reservation_back(line):
    move("reserve", line, "4000000.00", ("procurement.tender", 1))
    move("reserve", line, "2500000.00", ("procurement.tender", 2))
    move("release", line, "2500000.00", ("procurement.tender", 2))

    assert balances(line) == (D("6000000.00"), D("4000000.00"), D("0.00"), D("0.00"))


def test_the_whole_approved_amount_can_be_reserved_to_the_last_tiyn(line):
    move("reserve", line, "9999999.99")
    move("reserve", line, "0.01")

    assert balances(line) == (D("0.00"), D("10000000.00"), D("0.00"), D("0.00"))


def test_a_move_writes_one_entry_saying_what_caused_it(cast, line):
    before = counts()

    entry = move("reserve", line, "1250000.00", ("procurement.tender", 42), actor=cast.buyer)

    assert counts() == {**before, "entries": before["entries"] + 1}  # and no audit event
    entry = BudgetEntry.objects.get(pk=entry.pk)
    assert (entry.line, entry.kind, entry.amount) == (line, "reserve", D("1250000.00"))
    assert (entry.reference_type, entry.reference_id) == ("procurement.tender", "42")
    assert entry.actor == cast.buyer
    assert list(BudgetEntry.objects.caused_by("procurement.tender", 42)) == [entry]


def test_a_model_instance_can_be_the_cause(cast, line):
    entry = move("reserve", line, "1.00", reference=cast.agency)

    assert (entry.reference_type, entry.reference_id) == (
        "suppliers.organisation",
        str(cast.agency.pk),
    )


def _refused(kind, line, amount) -> str:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        move(kind, line, amount)
    assert counts() == before
    assert refused.value.code == "budget_shortfall"
    return refused.value.messages[0]


def test_refuses_to_reserve_more_than_is_available_naming_line_and_shortfall(db):
    line = BudgetLineFactory(
        programme_code="001",
        subprogramme_code="015",
        name="Medicines",
        approved_amount=D("3000000.00"),
    )

    message = _refused("reserve", line, "4250000.00")

    assert message == (
        "Budget line 001/015 “Medicines” lacks 1,250,000.00 KZT: "
        "available 3,000,000.00, needed 4,250,000.00"
    )
    assert balances(line)[0] == D("3000000.00")


def test_refuses_to_reserve_one_tiyn_more_than_is_left(line):
    move("reserve", line, "9000000.00")

    message = _refused("reserve", line, "1000000.01")

    assert message.endswith("lacks 0.01 KZT: available 1,000,000.00, needed 1,000,000.01")


def test_refuses_to_release_more_than_is_reserved(line):
    move("reserve", line, "1000.00")

    message = _refused("release", line, "1500.00")

    assert message == (
        "Budget line 001/015 “Medicines” lacks 500.00 KZT: reserved 1,000.00, needed 1,500.00"
    )


def test_refuses_to_obligate_what_was_never_reserved(line):
    message = _refused("obligate", line, "100.00")

    assert message.endswith("lacks 100.00 KZT: reserved 0.00, needed 100.00")
    assert balances(line) == (D("10000000.00"), D("0.00"), D("0.00"), D("0.00"))


def test_refuses_to_release_what_was_obligated(line):
    move("reserve", line, "1000.00")
    move("obligate", line, "1000.00")

    message = _refused("release", line, "1.00")

    assert message.endswith("lacks 1.00 KZT: reserved 0.00, needed 1.00")


def test_refuses_to_pay_more_than_is_obligated(line):
    move("reserve", line, "1000.00")
    move("obligate", line, "600.00")

    message = _refused("pay", line, "600.01")

    assert message.endswith("lacks 0.01 KZT: obligated 600.00, needed 600.01")
    assert balances(line) == (D("9999000.00"), D("400.00"), D("600.00"), D("0.00"))


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0.00", "more than zero"),
        ("-5.00", "more than zero"),
        ("1.005", "at most two decimal places"),
        ("99999999999999999.00", "too large"),
    ],
)
def test_refuses_amounts_that_are_not_positive_money(line, amount, message):
    before = counts()

    with pytest.raises(ValidationError) as refused:
        move("reserve", line, amount)

    assert message in refused.value.message_dict["amount"][0]
    assert counts() == before


def test_floats_are_a_programming_error(line):
    with pytest.raises(TypeError, match="float"), transaction.atomic():
        ledger.reserve(line=line, amount=0.1, reference=("procurement.tender", 1), actor=None)


@pytest.mark.parametrize("kind", ["reserve", "release", "obligate", "pay"])
def test_moves_refuse_to_run_outside_a_transaction(line, kind):
    # pytest-django wraps each test in a transaction; step out of it to be in autocommit.
    with _autocommit(), pytest.raises(LedgerError, match="inside the transaction"):
        getattr(ledger, kind)(
            line=line, amount=D("1.00"), reference=("procurement.tender", 1), actor=None
        )


class _autocommit:
    """Pretend no transaction is open (pytest-django's own is invisible to the code)."""

    def __enter__(self):
        self.saved = connection.in_atomic_block
        connection.in_atomic_block = False

    def __exit__(self, *exc):
        connection.in_atomic_block = self.saved


def test_entries_cannot_be_changed_or_deleted(line):
    entry = move("reserve", line, "1000.00")

    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        BudgetEntry.objects.filter(pk=entry.pk).update(amount=D("1.00"))
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        BudgetEntry.objects.filter(pk=entry.pk).delete()

    assert BudgetEntry.objects.get(pk=entry.pk).amount == D("1000.00")


@pytest.mark.parametrize(
    ("field", "value"), [("amount", D("0.00")), ("amount", D("-1.00")), ("kind", "gift")]
)
def test_the_database_refuses_entries_that_are_not_moves(line, field, value):
    fields = {"line": line, "kind": "reserve", "amount": D("1.00"), "reference_type": "x"}

    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetEntry.objects.create(**{**fields, field: value, "reference_id": "1"})
