"""bids/receipts.py's FIRST_AND_NEWEST answers what
Checkpoint.objects.filter(tree_size__gt=index).order_by("tree_size").first() and
Checkpoint.objects.order_by("-tree_size").first() answer, on SQLite and on PostgreSQL alike."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from audit.actions import Action
from audit.models import Checkpoint
from audit.recorder import record
from audit.services.checkpoints import issue_checkpoint
from bids import receipts
from bids.receipts import _first_and_newest
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

ISSUED = dt.datetime(2026, 4, 1, 3, 0, 0, 750000, tzinfo=dt.UTC)


def _events(count: int) -> None:
    subject = SupplierFactory()
    for _ in range(count):
        with transaction.atomic():
            record(Action.ORGANISATION_UPDATED, subject=subject)


@pytest.fixture
def sizes() -> list[int]:
    """Three checkpoints, a minute apart, over logs of growing size; their tree sizes."""
    made = []
    for minute, count in enumerate((2, 3, 2)):
        _events(count)
        with time_machine.travel(ISSUED + dt.timedelta(minutes=minute), tick=False):
            made.append(issue_checkpoint(reason=f"test {minute}").tree_size)
    assert made == sorted(made) and len(set(made)) == 3
    return made


def _orm(index: int) -> tuple[Checkpoint | None, Checkpoint | None]:
    first = Checkpoint.objects.filter(tree_size__gt=index).order_by("tree_size").first()
    return first, Checkpoint.objects.order_by("-tree_size").first()


def _fields(checkpoint: Checkpoint | None):
    if checkpoint is None:
        return None
    return (
        checkpoint.pk,
        checkpoint.tree_size,
        bytes(checkpoint.root_hash),
        checkpoint.issued_at,
        checkpoint.reason,
    )


def _same_as_orm(index: int) -> tuple[Checkpoint | None, Checkpoint | None]:
    first, newest = _first_and_newest(index)
    expected_first, expected_newest = _orm(index)
    assert _fields(first) == _fields(expected_first)
    assert _fields(newest) == _fields(expected_newest)
    return first, newest


def test_no_checkpoints_no_answer():
    assert _first_and_newest(0) == (None, None)
    assert _orm(0) == (None, None)


def test_events_without_a_checkpoint_no_answer():
    _events(2)
    assert _first_and_newest(0) == (None, None)


def test_an_index_below_the_first_tree_size_is_covered_by_the_first(sizes):
    for index in (0, sizes[0] - 1):
        first, newest = _same_as_orm(index)
        assert first.tree_size == sizes[0]
        assert newest.tree_size == sizes[-1]


def test_an_index_equal_to_a_tree_size_is_covered_by_the_next(sizes):
    first, newest = _same_as_orm(sizes[0])
    assert first.tree_size == sizes[1]
    assert newest.tree_size == sizes[-1]


def test_the_first_covering_may_be_the_newest(sizes):
    first, newest = _same_as_orm(sizes[1])
    assert first.tree_size == newest.tree_size == sizes[2]
    assert first.pk == newest.pk


def test_an_index_just_below_the_newest_tree_size_is_covered_by_it(sizes):
    first, newest = _same_as_orm(sizes[2] - 1)
    assert first.tree_size == newest.tree_size == sizes[2]


@pytest.mark.parametrize("beyond", [0, 1, 1000])
def test_an_index_at_or_above_the_newest_tree_size_is_not_covered(sizes, beyond):
    first, newest = _same_as_orm(sizes[-1] + beyond)
    assert first is None
    assert newest.tree_size == sizes[-1]


def test_every_index_agrees_with_the_querysets(sizes):
    for index in range(sizes[-1] + 2):
        first, _newest = _same_as_orm(index)
        assert first is None or first.tree_size > index


def test_issued_at_comes_back_aware_utc(sizes):
    first, newest = _same_as_orm(0)
    for checkpoint, minute in ((first, 0), (newest, 2)):
        assert checkpoint.issued_at.tzinfo is not None
        assert checkpoint.issued_at.utcoffset() == dt.timedelta(0)
        assert checkpoint.issued_at == ISSUED + dt.timedelta(minutes=minute)


def test_the_note_is_left_for_later_and_loads_on_use(sizes):
    first, _newest = _first_and_newest(0)
    assert "note" in first.get_deferred_fields()
    assert first.note == Checkpoint.objects.get(pk=first.pk).note


def test_a_covering_made_inclusive_would_be_caught(sizes, monkeypatch):
    right = "tree_size > %(index)s"
    assert right in receipts.FIRST_AND_NEWEST
    monkeypatch.setattr(
        receipts,
        "FIRST_AND_NEWEST",
        receipts.FIRST_AND_NEWEST.replace(right, "tree_size >= %(index)s"),
    )
    # The statement then picks the checkpoint of that very size, which the Python side drops
    # as not covering, and falls back to the newest: a later checkpoint than the first.
    first, _newest = _first_and_newest(sizes[0])
    assert first.tree_size == sizes[2]
    assert _fields(first) != _fields(_orm(sizes[0])[0])
