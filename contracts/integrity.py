"""The budget ledger and payments against the events that moved the money
(audit/crosschecks.py).

A BudgetEntry has no link to its event: the ledger moves are steps of the services of three
apps (procurement publishes, cancels and fails tenders; awards fails lots and sets results
aside; contracts obligates, amends, pays and terminates), and each service records one event
for the whole change. So the ledger is replayed here, the one app that sees all three: for a
batch of tenders, the money events about them (by subject: the tender, its lots, protocols,
complaints, contracts and payments) give the moves they imply, reference by reference in seq
order, and these are laid beside the entries of that reference in id order. Moves on one
reference are serialised by its tender's or contract's row lock, so the two orders agree.

What each event carries decides what is checked. Kind and amount are checked for every move.
The line is checked where the event names it: each reservation (publication records every
lot's amount and budget line) and releases per line when a tender is cancelled or fails, or a
complaint sets it aside. Later moves on a lot (obligation, savings, payments) are checked by
kind and amount. A failed lot's release takes its amount from the tender's publication event.
"""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from audit.actions import Action
from audit.crosschecks import differs, event_data
from audit.models import Entry
from awards.models import Complaint, ResultsProtocol
from contracts.models import Contract, Payment
from procurement.models import BudgetEntry, Lot, Tender

TABLE = "procurement_budgetentry"
TENDER, CONTRACT = "procurement.tender", "contracts.contract"
MONEY = [
    Action.TENDER_PUBLISHED,
    Action.TENDER_CANCELLED,
    Action.TENDER_FAILED,
    Action.LOT_CANCELLED,
    Action.RESULTS_PUBLISHED,
    Action.AWARD_MOVED,
    Action.COMPLAINT_SATISFIED,
    Action.CONTRACT_SIGNED,
    Action.SINGLE_SOURCE_CONTRACTED,
    Action.CONTRACT_AMENDED,
    Action.PAYMENT_RECORDED,
    Action.CONTRACT_TERMINATED,
]


def _money(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def check_budget_entries(batch_size: int) -> Iterator[str]:
    last = 0
    while tenders := list(
        Tender.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size]
    ):
        last = tenders[-1]
        yield from _check_tenders(tenders)
    orphans = BudgetEntry.objects.exclude(reference_type__in=[TENDER, CONTRACT])
    for pk, kind, reference in orphans.values_list("pk", "kind", "reference_type").iterator():
        yield f"{TABLE} id={pk}: a {kind} caused by {reference!r}, which no event moves money for"


def _check_tenders(tenders: list[int]) -> Iterator[str]:
    subjects, contracts = _subjects(tenders)
    expected: dict[tuple[str, str], list] = defaultdict(list)
    published: dict[str, dict] = {}  # tender id -> {lot number: amount}
    events = Entry.objects.filter(_any_subject(subjects), action__in=MONEY)
    for seq, action, kind, pk, payload in events.order_by("seq").values_list(
        "seq", "action", "subject_type", "subject_id", "payload"
    ):
        tender, contract = subjects[kind, pk]
        data = event_data(payload)
        if data is None:
            yield f"{TABLE}: event seq {seq} ({action}) no longer parses; its moves are unchecked"
            continue
        for on_contract, move_kind, amount, line in _moves(action, data, published, tender):
            reference = (CONTRACT, contract) if on_contract else (TENDER, tender)
            expected[reference].append((seq, action, move_kind, amount, line))
    rows: dict[tuple[str, str], list] = defaultdict(list)
    entries = BudgetEntry.objects.filter(
        Q(reference_type=TENDER, reference_id__in=[str(t) for t in tenders])
        | Q(reference_type=CONTRACT, reference_id__in=contracts)
    )
    for pk, rtype, rid, kind, amount, line in entries.order_by("pk").values_list(
        "pk", "reference_type", "reference_id", "kind", "amount", "line_id"
    ):
        rows[rtype, rid].append((pk, kind, amount, line))
    for reference in sorted(set(expected) | set(rows)):
        yield from _compare(reference, rows.get(reference, []), expected.get(reference, []))


def _subjects(tenders: list[int]) -> tuple[dict, list[str]]:
    """{(subject type, id): (tender id, contract id or None)} for everything whose events
    can move these tenders' money, and the ids of their contracts."""
    found = {(TENDER, str(t)): (str(t), None) for t in tenders}
    for model, label in (
        (Lot, "procurement.lot"),
        (ResultsProtocol, "awards.resultsprotocol"),
        (Complaint, "awards.complaint"),
    ):
        for pk, tender in model.objects.filter(tender__in=tenders).values_list("pk", "tender_id"):
            found[label, str(pk)] = (str(tender), None)
    contracts = []
    for pk, tender in Contract.objects.filter(tender__in=tenders).values_list("pk", "tender_id"):
        found[CONTRACT, str(pk)] = (str(tender), str(pk))
        contracts.append(str(pk))
    for pk, contract, tender in Payment.objects.filter(contract__tender__in=tenders).values_list(
        "pk", "contract_id", "contract__tender_id"
    ):
        found["contracts.payment", str(pk)] = (str(tender), str(contract))
    return found, contracts


def _any_subject(subjects: dict) -> Q:
    by_type: dict[str, list[str]] = defaultdict(list)
    for kind, pk in subjects:
        by_type[kind].append(pk)
    query = Q(pk__in=[])
    for kind, pks in by_type.items():
        query |= Q(subject_type=kind, subject_id__in=pks)
    return query


def _moves(action: str, data: dict, published: dict, tender: str):
    """(on the contract?, kind, amount, line id or None) for each ledger move the event
    implies, in the order the service made them."""
    if action == Action.TENDER_PUBLISHED:
        lots = data.get("lots") or []
        published[tender] = {str(lot["number"]): _money(lot["amount"]) for lot in lots}
        # Entries written before the event named the line carry no "line": checked by amount.
        return [(False, "reserve", _money(lot["amount"]), lot.get("line")) for lot in lots]
    if action in (Action.TENDER_CANCELLED, Action.TENDER_FAILED, Action.COMPLAINT_SATISFIED):
        released = data.get("released") or {}
        return [(False, "release", _money(released[k]), int(k)) for k in sorted(released, key=int)]
    if action == Action.LOT_CANCELLED:
        amount = _money(data.get("released"))
        return [(False, "release", amount, None)] if amount else []
    if action == Action.RESULTS_PUBLISHED:
        lots = published.get(tender, {})
        return [(False, "release", lots.get(str(n)), None) for n in data.get("failed_lots", [])]
    if action == Action.AWARD_MOVED:
        if data.get("to") is not None:
            return []
        return [(False, "release", published.get(tender, {}).get(str(data.get("lot"))), None)]
    return _contract_moves(action, data, published, tender)


def _contract_moves(action: str, data: dict, published: dict, tender: str):
    if action == Action.CONTRACT_SIGNED:
        if "obligated" not in data:
            return []
        savings = _money(data.get("savings"))
        moves = [(False, "obligate", _money(data["obligated"]), None)]
        return moves + ([(False, "release", savings, None)] if savings else [])
    if action == Action.SINGLE_SOURCE_CONTRACTED:
        return [(False, "reserve", _money(data.get("lot_amount")), None)]
    if action == Action.CONTRACT_AMENDED:
        delta = _money(data.get("new_price")) - _money(data.get("old_price"))
        if delta > 0:
            return [(True, "reserve", delta, None), (True, "obligate", delta, None)]
        return [(True, "deobligate", -delta, None)]
    if action == Action.PAYMENT_RECORDED:
        return [(True, "pay", _money(data.get("amount")), None)]
    if action == Action.CONTRACT_TERMINATED:
        freed = _money(data.get("freed"))
        return [(True, "deobligate", freed, None)] if freed else []
    return []


def _compare(reference: tuple[str, str], rows: list, expected: list) -> Iterator[str]:
    cause = f"{reference[0]} {reference[1]}"
    for (pk, kind, amount, line), (seq, _action, want_kind, want_amount, want_line) in zip(
        rows, expected, strict=False
    ):
        if kind != want_kind:
            yield differs(TABLE, pk, "kind", kind, seq, want_kind)
        if amount != want_amount:
            yield differs(TABLE, pk, "amount", str(amount), seq, str(want_amount))
        if want_line is not None and line != want_line:
            yield differs(TABLE, pk, "line", line, seq, want_line)
    for pk, kind, amount, _line in rows[len(expected) :]:
        yield f"{TABLE} id={pk}: a {kind} of {amount} for {cause} that no event recorded"
    for seq, action, kind, amount, _line in expected[len(rows) :]:
        yield f"{TABLE}: event seq {seq} ({action}) recorded a {kind} of {amount} for {cause} with no row"


def check_payments(batch_size: int) -> Iterator[str]:
    """Each payment row against its contracts.payment.recorded event: amount, contract, number."""
    last = 0
    fields = ("pk", "amount", "number", "reference", "contract__number")
    while rows := list(
        Payment.objects.filter(pk__gt=last).order_by("pk").values_list(*fields)[:batch_size]
    ):
        last = rows[-1][0]
        events = {
            subject: (seq, event_data(payload) or {})
            for subject, seq, payload in Entry.objects.filter(
                action=Action.PAYMENT_RECORDED,
                subject_type="contracts.payment",
                subject_id__in=[str(row[0]) for row in rows],
            ).values_list("subject_id", "seq", "payload")
        }
        for pk, amount, number, reference, contract in rows:
            if str(pk) not in events:
                yield f"contracts_payment id={pk}: no {Action.PAYMENT_RECORDED} event records it"
                continue
            seq, data = events[str(pk)]
            mine = {
                "amount": amount,
                "payment": number,
                "reference": reference,
                "contract": contract,
            }
            for field, value in mine.items():
                theirs = data.get(field)
                same = _money(theirs) == value if field == "amount" else theirs == value
                if not same:
                    shown = str(value) if field == "amount" else value
                    yield differs("contracts_payment", pk, field, shown, seq, theirs)
