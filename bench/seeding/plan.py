"""What the seed will write, decided up front from the random generator alone: tenders, their
status and periods, lots and bidders. Deterministic for a given --seed and --scale (the
instants are offsets from the moment the seed starts, since the clock judges real time)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

# Shares of the tenders in each status; bids go to the statuses that have passed bidding.
STATUS_SHARES = {
    "draft": 0.05,
    "enquiries": 0.06,
    "tendering": 0.14,
    "opening": 0.04,
    "evaluation": 0.08,
    "standstill": 0.05,
    "contracting": 0.05,
    "complete": 0.38,
    "cancelled": 0.07,
    "unsuccessful": 0.08,
}
WITH_BIDS = ("tendering", "opening", "evaluation", "standstill", "contracting", "complete")
PUBLISHED = tuple(s for s in STATUS_SHARES if s != "draft")
OPENED = ("evaluation", "standstill", "contracting", "complete")
AWARDED = ("standstill", "contracting", "complete")
SUBJECTS = [
    ("Поставка бумаги офисной", "171211.100.000001", "пачка"),
    ("Supply of diesel fuel", "192021.300.000000", "тонна"),
    ("Ремонт кровли здания", "432112.900.000010", "работа"),
    ("Медицинские перчатки", "221960.500.000002", "пара"),
    ("Услуги по охране", "801010.000.000000", "услуга"),
    ("Компьютеры персональные", "262014.000.000013", "штука"),
    ("Azyq-tülik önimderi", "108910.000.000001", "кг"),
    ("School furniture", "310112.500.000002", "комплект"),
]


@dataclass
class LotPlan:
    number: int
    amount: Decimal
    line: int  # index of the agency's budget line
    subject: tuple


@dataclass
class TenderPlan:
    index: int
    number: str
    agency: int  # index in Registers.agencies
    status: str
    procedure: str
    lots: list[LotPlan]
    created: dt.datetime
    published: dt.datetime | None = None
    enquiry_end: dt.datetime | None = None
    deadline: dt.datetime | None = None
    bidders: list[int] = field(default_factory=list)  # indices in Registers.suppliers
    bids: list = field(default_factory=list)  # filled while building


def _hours(rnd, low: float, high: float) -> dt.timedelta:
    return dt.timedelta(seconds=int(rnd.uniform(low, high) * 3600))


def _days(rnd, low: float, high: float) -> dt.timedelta:
    return _hours(rnd, low * 24, high * 24)


def statuses(count: int, rnd) -> list[str]:
    """Exactly `count` statuses in the shares above (each at least once), shuffled."""
    names = list(STATUS_SHARES)
    chosen = [name for name in names for _ in range(max(1, int(count * STATUS_SHARES[name])))]
    while len(chosen) < count:
        chosen.append("complete")
    chosen = chosen[:count] if len(chosen) > count else chosen
    rnd.shuffle(chosen)
    return chosen


def periods(plan: TenderPlan, now: dt.datetime, rnd) -> None:
    """Periods consistent with the status: nothing live is already past its timed event."""
    s = plan.status
    if s == "draft":
        plan.created = now - _days(rnd, 1, 20)
        if rnd.random() < 0.5:
            plan.enquiry_end = now + _days(rnd, 10, 20)
            plan.deadline = plan.enquiry_end + _days(rnd, 7, 14)
        return
    if s == "enquiries":
        plan.published = now - _hours(rnd, 2, 40)
        plan.enquiry_end = now + _days(rnd, 1, 3)
        plan.deadline = plan.enquiry_end + _days(rnd, 7, 12)
    elif s == "tendering":
        plan.deadline = now + _hours(rnd, 2, 6 * 24)
        plan.published = plan.deadline - _days(rnd, 10, 20)
        plan.enquiry_end = plan.published + _days(rnd, 2, 3)
    else:
        ago = {
            "opening": (0.05, 5),
            "evaluation": (5, 20),
            "standstill": (15, 30),
            "contracting": (20, 40),
            "complete": (40, 330),
            "cancelled": (10, 200),
            "unsuccessful": (5, 200),
        }[s]
        plan.deadline = now - _days(rnd, *ago)
        plan.published = plan.deadline - _days(rnd, 10, 20)
        plan.enquiry_end = plan.published + _days(rnd, 2, 3)
    plan.created = plan.published - _days(rnd, 1, 10)


def tenders(count: int, agencies: int, year: int, now: dt.datetime, rnd, ceilings) -> list:
    plans = []
    for index, status in enumerate(statuses(count, rnd)):
        procedure = "price_quotations" if rnd.random() < 0.2 else "open_tender"
        ceiling = ceilings.get(procedure)
        lots = []
        for number in range(1, rnd.choice((1, 1, 1, 2, 2, 3)) + 1):
            amount = Decimal(rnd.randrange(500_000, 60_000_000)) + Decimal(rnd.randrange(100)) / 100
            if ceiling is not None:
                amount = min(amount, (ceiling / 3).quantize(Decimal("0.01")))
            lots.append(LotPlan(number, amount, rnd.randrange(3), rnd.choice(SUBJECTS)))
        plan = TenderPlan(
            index, f"T-{year}-{index + 1:06d}", index % agencies, status, procedure, lots, now
        )
        periods(plan, now, rnd)
        plans.append(plan)
    return plans


def spread_bids(plans: list[TenderPlan], total: int, suppliers: int, rnd) -> None:
    """`total` bids over the tenders that took bids, 3-25 weight each, distinct bidders."""
    takers = [p for p in plans if p.status in WITH_BIDS]
    if not takers:
        return
    weights = [rnd.randint(3, 25) for _ in takers]
    scale = total / sum(weights)
    counts = [max(1, min(suppliers, int(w * scale))) for w in weights]
    short, i = total - sum(counts), 0
    while short > 0 and i < 10 * len(takers):
        if counts[i % len(takers)] < suppliers:
            counts[i % len(takers)] += 1
            short -= 1
        i += 1
    for plan, n in zip(takers, counts, strict=True):
        plan.bidders = rnd.sample(range(suppliers), n)
