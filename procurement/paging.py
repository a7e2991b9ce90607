"""Pages of the public tender list, whose count stops at COUNT_CAP (issue 7).

Counting every match of a common word (174,000 of 200,000 tenders) cost more than finding the
page itself, and past a thousand the exact number tells a reader nothing that "more than 1000"
does not: narrow the search. So the first COUNT_CAP + 1 matches are listed by id, in no order:
up to COUNT_CAP they are all of them, the count is exact and the page is cut from them; past
it, the page is read in the list's order, one row past its end to tell whether a next page
exists, and so is every page beyond the first COUNT_CAP matches.
"""

import math
from dataclasses import dataclass

COUNT_CAP = 1000
# An OFFSET beyond 64 bits is a database error, not an empty page.
LAST_PAGE_NUMBER = 1_000_000


@dataclass(frozen=True)
class ListPage:
    """One page of tenders. `count` is how many match when `count_is_exact` (past COUNT_CAP on a
    page that holds the last match); otherwise more than `count`, which is COUNT_CAP, match."""

    object_list: list
    number: int
    size: int
    count: int
    count_is_exact: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        """The number of the last page, when the count is exact."""
        return max(1, math.ceil(self.count / self.size)) if self.count_is_exact else None


def list_page(tenders, number: int, size: int) -> ListPage:
    """Page `number` (from 1) of `tenders`, ordered by fields of the model."""
    if number * size <= COUNT_CAP:
        ids = list(tenders.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
        if len(ids) <= COUNT_CAP:
            return _page_of_all(tenders, ids, number, size)
    return _page_of_many(tenders, number, size)


def _page_of_all(tenders, ids: list, number: int, size: int) -> ListPage:
    """The page when `ids` are every match: cut from them, so that the search runs once (for a
    few words each in many tenders, a GIN scan is most of the time), and the count is exact."""
    offset = (number - 1) * size
    if len(ids) > size:
        # By id alone: with the search's conditions the planner would scan the index again.
        ordering = tenders.query.order_by or tenders.model._meta.ordering
        matches = tenders.model._default_manager.filter(pk__in=ids).order_by(*ordering)
        ids = list(matches.values_list("pk", flat=True))
    shown = ids[offset : offset + size]
    return ListPage(
        object_list=list(tenders.filter(pk__in=shown)) if shown else [],
        number=number,
        size=size,
        count=len(ids),
        count_is_exact=True,
        has_next=len(ids) > offset + size,
    )


def _page_of_many(tenders, number: int, size: int) -> ListPage:
    """The page when more than COUNT_CAP match or it lies past the first COUNT_CAP: read in the
    list's order one row past its end, which tells whether a next page exists."""
    offset = (number - 1) * size
    rows = list(tenders[offset : offset + size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    if rows and not has_next:
        count, exact = offset + len(rows), True  # this page holds the last match
    elif has_next:
        count, exact = COUNT_CAP, False  # more than COUNT_CAP come before the next page
    else:  # past the end
        counted = tenders.count_at_most(COUNT_CAP + 1)
        count, exact = min(counted, COUNT_CAP), counted <= COUNT_CAP
    return ListPage(
        object_list=rows,
        number=number,
        size=size,
        count=count,
        count_is_exact=exact,
        has_next=has_next,
    )


def last_page(tenders, size: int) -> ListPage:
    """The last page of `tenders`, counted exactly: for a link past the end, which is rare."""
    return list_page(tenders, max(1, math.ceil(tenders.count() / size)), size)


def page_number(value) -> int:
    """The page asked for in a query string; the first page for anything but a number."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), LAST_PAGE_NUMBER)
