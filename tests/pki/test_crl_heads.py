"""pki/crl_heads.py's FRESH statement answers what
CertificateRevocationList.objects.latest_per_issuer().fresh_at(at, max_age=...) answers: the
newest list of each issuer (this_update, then pk), if it is not past its nextUpdate and was
fetched recently enough, on SQLite and on PostgreSQL alike."""

import datetime as dt
import hashlib
import itertools

import pytest

from pki import crl_heads
from pki.crl_heads import fresh_crl_heads
from pki.models import CertificateRevocationList
from tests.pki.ca import cache

B = dt.datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=dt.UTC)
MAX_AGE = dt.timedelta(hours=1)
TICK = dt.timedelta(microseconds=1)
SECOND = dt.timedelta(seconds=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

_serials = itertools.count(1)


def crl(issuer: str, *, this_update, next_update, fetched_at) -> CertificateRevocationList:
    """A cached list row; only its times and names matter to the statement."""
    der = f"crl {next(_serials)}".encode()
    return CertificateRevocationList.objects.create(
        issuer=issuer,
        der=der,
        this_update=this_update,
        next_update=next_update,
        fetched_at=fetched_at,
        sha256=hashlib.sha256(der).hexdigest(),
    )


@pytest.fixture
def lists(db, settings):
    settings.PKI_CRL_MAX_AGE_SECONDS = int(MAX_AGE.total_seconds())
    made = {}
    # A: an older list with a later nextUpdate, fetched more recently, still loses to the newer.
    made["a1"] = crl("CN=A", this_update=B - 2 * DAY, next_update=B + DAY, fetched_at=B)
    made["a2"] = crl("CN=A", this_update=B - DAY, next_update=B + 6 * HOUR, fetched_at=B - HOUR / 2)
    # B: two lists of the same this_update: the later row wins.
    made["b1"] = crl("CN=B", this_update=B - DAY, next_update=B + DAY, fetched_at=B)
    made["b2"] = crl("CN=B", this_update=B - DAY, next_update=B + 2 * HOUR, fetched_at=B - HOUR / 2)
    # C: the newest list's nextUpdate is B exactly (the older one would still be good).
    made["c1"] = crl("CN=C", this_update=B - 3 * DAY, next_update=B + 5 * DAY, fetched_at=B)
    made["c2"] = crl("CN=C", this_update=B - 2 * DAY, next_update=B, fetched_at=B - HOUR / 2)
    # D: the only list was fetched exactly the maximum age before B.
    made["d1"] = crl("CN=D", this_update=B - DAY, next_update=B + 3 * DAY, fetched_at=B - MAX_AGE)
    # E: the newest list was fetched too long ago; the older one fetched since must not stand in.
    made["e1"] = crl("CN=E", this_update=B - 2 * DAY, next_update=B + 3 * DAY, fetched_at=B)
    made["e2"] = crl("CN=E", this_update=B - DAY, next_update=B + 3 * DAY, fetched_at=B - 2 * HOUR)
    # F: a newer list inserted before an older one: this_update decides, not the pk.
    made["f2"] = crl("CN=F", this_update=B - DAY, next_update=B + DAY, fetched_at=B)
    made["f1"] = crl("CN=F", this_update=B - 2 * DAY, next_update=B + 2 * DAY, fetched_at=B)
    return made


def heads(at) -> list[tuple]:
    return [(h.pk, h.issuer, h.sha256, h.next_update) for h in fresh_crl_heads(at)]


def orm_heads(at) -> list[tuple]:
    lists = (
        CertificateRevocationList.objects.latest_per_issuer()
        .fresh_at(at, max_age=MAX_AGE)
        .order_by("pk")
    )
    return [(c.pk, c.issuer, c.sha256, c.next_update) for c in lists]


def names(made, at) -> set[str]:
    pks = {pk for pk, *_ in heads(at)}
    return {label for label, row in made.items() if row.pk in pks}


INSTANTS = [
    B - DAY,
    B - SECOND,
    B - TICK,
    B,
    B + TICK,
    B + SECOND,
    B + HOUR / 2,
    B + HOUR / 2 + TICK,
    B + HOUR,
    B + 2 * HOUR - TICK,
    B + 2 * HOUR,
    B + 6 * HOUR,
    B + 30 * HOUR,
]


@pytest.mark.parametrize("at", INSTANTS)
def test_the_statement_answers_what_the_querysets_answer(lists, at):
    assert heads(at) == orm_heads(at)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # D was fetched MAX_AGE before B: fresh up to and including B, not a tick later.
        # C's nextUpdate is B: fresh a tick before it, not at it.
        (B - TICK, {"a2", "b2", "c2", "d1", "f2"}),
        (B, {"a2", "b2", "d1", "f2"}),
        (B + TICK, {"a2", "b2", "f2"}),
        # a2 and b2 were fetched half an hour before B, f2 at B.
        (B + HOUR / 2, {"a2", "b2", "f2"}),
        (B + HOUR / 2 + TICK, {"f2"}),
        (B + HOUR + TICK, set()),
    ],
)
def test_which_lists_speak_for_an_instant(lists, at, expected):
    assert names(lists, at) == expected


def test_a_list_fetched_exactly_max_age_ago_is_fresh_a_tick_later_is_not(lists):
    at = lists["d1"].fetched_at + MAX_AGE
    assert lists["d1"].pk in {pk for pk, *_ in heads(at)}
    assert lists["d1"].pk not in {pk for pk, *_ in heads(at + TICK)}
    assert heads(at) == orm_heads(at) and heads(at + TICK) == orm_heads(at + TICK)


def test_next_update_comes_back_aware_utc(lists):
    found = fresh_crl_heads(B - TICK)
    assert found
    for head in found:
        assert head.next_update.tzinfo is not None
        assert head.next_update.utcoffset() == dt.timedelta(0)
        stored = CertificateRevocationList.objects.get(pk=head.pk).next_update
        assert head.next_update == stored
    assert lists["c2"].pk in {head.pk for head in found}
    assert next(h for h in found if h.pk == lists["c2"].pk).next_update == B


def test_no_lists_no_heads(db):
    assert fresh_crl_heads(B) == ()
    assert orm_heads(B) == []


def test_real_lists_cached_as_the_refresh_caches_them(fresh_crls, settings):
    at = fresh_crls[0].fetched_at
    assert heads(at) == [
        (c.pk, c.issuer, c.sha256, c.next_update) for c in sorted(fresh_crls, key=lambda c: c.pk)
    ]
    max_age = dt.timedelta(seconds=settings.PKI_CRL_MAX_AGE_SECONDS)
    ahead = max(c.fetched_at for c in fresh_crls) + max_age
    assert heads(ahead) == [
        (c.pk, c.issuer, c.sha256, c.next_update)
        for c in CertificateRevocationList.objects.latest_per_issuer()
        .fresh_at(ahead, max_age=max_age)
        .order_by("pk")
    ]
    assert heads(ahead + TICK) == []


def test_a_newer_list_of_the_same_issuer_replaces_the_cached_one(fresh_crls, test_ca):
    older = fresh_crls[0]
    newer = cache(test_ca.crl(this_update=older.this_update + SECOND))
    at = newer.fetched_at
    pks = {pk for pk, *_ in heads(at)}
    assert newer.pk in pks and older.pk not in pks


@pytest.mark.parametrize(
    ("right", "wrong", "at"),
    [
        ("crl.next_update > %(at)s", "crl.next_update >= %(at)s", B),
        ("crl.fetched_at >= %(since)s", "crl.fetched_at > %(since)s", B),
        ("newest.id DESC", "newest.id ASC", B - DAY),
        ("newest.this_update DESC", "newest.this_update ASC", B - DAY),
    ],
)
def test_a_statement_off_by_one_comparison_would_be_caught(lists, monkeypatch, right, wrong, at):
    assert right in crl_heads.FRESH
    monkeypatch.setattr(crl_heads, "FRESH", crl_heads.FRESH.replace(right, wrong))
    assert heads(at) != orm_heads(at)
