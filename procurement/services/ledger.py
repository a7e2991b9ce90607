"""Moves of budget money between available, reserved, obligated and paid (BudgetLine's
docstring defines the states); the only writers of BudgetEntry.

These are parts of other services, not services themselves: the service that publishes,
cancels or contracts calls them inside its own transaction and records the one audit event
for the whole change, so they write ledger rows and no event of their own (listed as such in
tests/test_every_service_records_one_event.py). They refuse to run outside a transaction.

Each move locks its budget line's row and computes the balance under the lock, so two
tenders reserving on one line at once are served one after the other and the second sees
the first's reservation: no balance can go below zero (tests/procurement/test_ledger_race.py).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.recorder import subject_key
from procurement.choices import EntryKind
from procurement.models import BudgetEntry, BudgetLine
from procurement.money import format_money, round_money

Reference = models.Model | tuple[str, str | int]

# Where each move takes its money from: the balance it must not overdraw.
SOURCE = {
    EntryKind.RESERVE: "available",
    EntryKind.RELEASE: "reserved",
    EntryKind.OBLIGATE: "reserved",
    EntryKind.PAY: "obligated",
    EntryKind.DEOBLIGATE: "obligated",
}
SOURCE_NAMES = {
    "available": gettext_lazy("available"),
    "reserved": gettext_lazy("reserved"),
    "obligated": gettext_lazy("obligated"),
}
MAX_AMOUNT = Decimal("9999999999999999.99")  # max_digits=18, decimal_places=2


class LedgerError(RuntimeError):
    """A programming error: a ledger move called where no service transaction holds it."""


def reserve(
    *, line: BudgetLine, amount: Decimal, reference: Reference, actor: User | None, note: str = ""
) -> BudgetEntry:
    """available -> reserved (a tender is published for this amount)."""
    return _move(EntryKind.RESERVE, line, amount, reference, actor, note)


def release(
    *, line: BudgetLine, amount: Decimal, reference: Reference, actor: User | None, note: str = ""
) -> BudgetEntry:
    """reserved -> available (cancelled, failed, or the savings left after a contract)."""
    return _move(EntryKind.RELEASE, line, amount, reference, actor, note)


def obligate(
    *, line: BudgetLine, amount: Decimal, reference: Reference, actor: User | None, note: str = ""
) -> BudgetEntry:
    """reserved -> obligated, at the contract price; the caller releases the remainder."""
    return _move(EntryKind.OBLIGATE, line, amount, reference, actor, note)


def pay(
    *, line: BudgetLine, amount: Decimal, reference: Reference, actor: User | None, note: str = ""
) -> BudgetEntry:
    """obligated -> paid (a payment under a contract)."""
    return _move(EntryKind.PAY, line, amount, reference, actor, note)


def deobligate(
    *, line: BudgetLine, amount: Decimal, reference: Reference, actor: User | None, note: str = ""
) -> BudgetEntry:
    """obligated -> available (a contract's price cut, or a contract ended with money unpaid)."""
    return _move(EntryKind.DEOBLIGATE, line, amount, reference, actor, note)


def lock_budget_line(line: BudgetLine) -> BudgetLine:
    """Lock the line's row until the transaction ends and return it with fresh balances.

    Two queries, because PostgreSQL refuses FOR UPDATE together with the GROUP BY that sums
    the entries. Reading after the lock is what makes it safe: under READ COMMITTED each
    statement sees everything committed before it began, so the second query sees every move
    of whoever held the lock before us.
    """
    if not connection.in_atomic_block:
        raise LedgerError("lock budget lines inside the transaction of the change")
    BudgetLine.objects.select_for_update().filter(pk=line.pk).values_list("pk").get()
    return BudgetLine.objects.with_balances().get(pk=line.pk)


def _shortfall_message(line: BudgetLine, state: str, held: Decimal, needed: Decimal) -> str:
    """“Budget line 001/015 “Medicines” lacks 1,250,000.00 KZT: available 3,000,000.00, needed
    4,250,000.00”: which line, how much is missing, and both sides of the sum."""
    return _(
        "Budget line %(code)s “%(name)s” lacks %(shortfall)s: %(state)s %(held)s, needed %(needed)s"
    ) % {
        "code": line.code,
        "name": line.name,
        "shortfall": format_money(needed - held, line.currency),
        "state": SOURCE_NAMES[state],
        "held": format_money(held),
        "needed": format_money(needed),
    }


def _checked_amount(amount: Decimal) -> Decimal:
    if round_money(amount) != amount:  # TypeError for floats, from round_money
        raise ValidationError(
            {"amount": [_("Amounts have at most two decimal places: %(a)s.") % {"a": amount}]}
        )
    if amount <= 0:
        raise ValidationError({"amount": [_("The amount must be more than zero.")]})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": [_("The amount is too large.")]})
    return round_money(amount)


def _move(kind, line, amount, reference, actor, note) -> BudgetEntry:
    if not connection.in_atomic_block:
        raise LedgerError(
            "ledger moves run inside the transaction of the service that records the event"
        )
    amount = _checked_amount(amount)
    reference_type, reference_id = subject_key(reference)
    line = lock_budget_line(line)
    state = SOURCE[kind]
    held = getattr(line, state)
    if amount > held:
        raise ValidationError(
            _shortfall_message(line, state, held, amount), code="budget_shortfall"
        )
    return BudgetEntry.objects.create(
        line=line,
        kind=kind,
        amount=amount,
        reference_type=reference_type,
        reference_id=reference_id,
        note=note,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def release_held(*, reference: Reference, actor: User | None, note: str = "") -> dict[int, Decimal]:
    """Release everything `reference` still holds reserved, line by line (in line order, the
    lock order); returns {line id: amount released}. A step of the calling service."""
    reference_type, reference_id = subject_key(reference)
    held = BudgetEntry.objects.caused_by(reference_type, reference_id).held_per_line()
    for line_id in sorted(held):
        _move(EntryKind.RELEASE, BudgetLine(pk=line_id), held[line_id], reference, actor, note)
    return held
