"""Opening a tender of 10,000 sealed bids on PostgreSQL.

Set-up, in a fresh bench database: a tender in tendering (a commission of three, two shares
needed) and 50 suppliers with registered certificates from a throwaway CA; N real bids made by
tests/bids/support.make_bid (inner statement signed and HPKE-sealed to the tender's opening
key, outer statement signed; built in two processes), stored with bulk_create: no submission service, no
audit events, suppliers reused. Then the deadline is set to now, the clock
(procurement.clock.tick) moves the tender to opening, and two commission members hand in
their shares through `post_share`.

Measured: `open_bids` for the whole tender (one transaction: key rebuilt and checked, every
bid decrypted, its inner statement and signature checked, saved, the protocol and its audit
event written, a checkpoint issued on commit). Baseline, in the same run: HPKE-opening the
same N payloads with bids.crypto.open_sealed alone (no checks, no database; median of 3).
`--profile` runs `open_bids` under cProfile instead (slower; prints the top entries).

    python bench/opening.py [--bids 10000] [--profile]
Target (issue): <= 60 s for 10,000 bids. Runs by hand, not in CI.
"""

import argparse
import hashlib
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._setup import fresh_database, median, result
from bench.bid_submit import (
    bidders,
    build_bids,
    commission_cast,
    configure_environment,
    cpu_snapshot,
    load_average,
    open_tender,
    trusted_ca,
)

SUPPLIERS = 50


def store_bids(tender, people, built, batch: int = 1000) -> None:
    """The built bids as Bid rows, received now, as the submission service would store them."""
    from bids import statements
    from bids.checks import db_now
    from bids.crypto import parse_canonical
    from bids.models import Bid

    certificates = {p.organisation.pk: p.organisation.certificates.get() for p in people}
    received_at = db_now()
    rows = []
    for index, statement, signature, sealed in built:
        who = people[index % len(people)]
        outer = parse_canonical(statement)
        rows.append(
            Bid(
                public_id=f"B-{secrets.token_hex(10)}",
                tender=tender,
                supplier=who.organisation,
                submitted_by=who.user,
                certificate=certificates[who.organisation.pk],
                statement=statement,
                statement_sha256=hashlib.sha256(statement).hexdigest(),
                signature=signature,
                sealed=sealed,
                sealed_sha256=outer["sealed_sha256"],
                lots=outer["lots"],
                tender_version=outer["tender_version"],
                opening_key_id=outer["opening_key_id"],
                signed_at=statements.signed_at(outer),
                received_at=received_at,
            )
        )
    Bid.objects.bulk_create(rows, batch_size=batch)


def close_and_hand_in(tender, cast):
    """Deadline now; the clock moves the tender to opening; two members post their shares."""
    from bids.checks import db_now
    from bids.crypto import open_share
    from bids.models import KeyShare
    from bids.services.opening import post_share
    from procurement.clock import tick
    from procurement.models import Tender
    from tests.procurement.factories import commission_private_key

    now = db_now()
    Tender.objects.filter(pk=tender.pk).update(submission_deadline=now, next_check=now)
    tick()
    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == "opening", tender.status
    shares = []
    for user in (cast.buyer, cast.commission[0]):
        seat = KeyShare.objects.get(opening_key__tender=tender, member=user)
        share = open_share(
            bytes(seat.sealed_share), commission_private_key(user), tender.number, user.email
        )
        post_share(tender=tender, actor=user, share=share)
        shares.append(share)
    return tender, shares


def baseline(tender, private_key: bytes) -> float:
    """Seconds to HPKE-open every stored payload, nothing else (rows loaded beforehand)."""
    from bids.crypto import open_sealed, seal_info
    from bids.models import Bid

    work = [
        (bytes(sealed), seal_info(tender.number, lots, bin))
        for sealed, lots, bin in Bid.objects.filter(tender=tender).values_list(
            "sealed", "lots", "supplier__bin"
        )
    ]
    began = time.perf_counter()
    for sealed, info in work:
        open_sealed(sealed, private_key, info)
    return time.perf_counter() - began


def timed_opening(tender, *, profile: bool) -> float:
    from bids.services.opening import open_bids

    if not profile:
        began = time.perf_counter()
        open_bids(tender=tender)
        return time.perf_counter() - began
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.runcall(open_bids, tender=tender)
    elapsed = time.perf_counter() - began
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    return elapsed


def check_opened(tender, count: int) -> None:
    import json

    from django.db.models import Count

    from bids.models import Bid, OpeningProtocol

    statuses = dict(
        Bid.objects.filter(tender=tender).order_by().values_list("status").annotate(n=Count("pk"))
    )
    protocol = json.loads(bytes(OpeningProtocol.objects.get(tender=tender).content))
    if statuses.get("valid") != count or len(protocol["bids"]) != count:
        sys.exit(f"  OPENING WRONG: {statuses}, protocol lists {len(protocol['bids'])}")
    print(f"  checked: {count:,} bids valid, protocol lists {len(protocol['bids']):,}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bids", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opening-bench-") as temporary:
        configure_environment(Path(temporary))
        fresh_database()
        run(args, Path(temporary))


def run(args, folder: Path) -> None:
    from bids.crypto import combine_shares

    began = time.perf_counter()
    ca = trusted_ca(folder)
    cast = commission_cast()
    people = bidders(ca, SUPPLIERS, tokens=False)
    tender = open_tender(cast)
    built = build_bids(tender, people, args.bids)
    built_in = time.perf_counter() - began
    store_bids(tender, people, built)
    del built
    tender, shares = close_and_hand_in(tender, cast)
    print(
        f"opening on PostgreSQL: {args.bids:,} bids from {SUPPLIERS} suppliers, "
        f"{os.cpu_count()} CPUs (bids built in {built_in:.0f} s, "
        f"set-up {time.perf_counter() - began:.0f} s)"
    )
    print(f"  load average before: {load_average()}")
    key = tender.opening_key
    private_key = combine_shares(shares, key.threshold, bytes(key.public_key))
    bare = median([baseline(tender, private_key) for _ in range(3)])
    print(f"  open_sealed alone (median of 3): {bare:.2f} s = {args.bids / bare:,.0f} bids/s")
    before = cpu_snapshot(None)
    elapsed = timed_opening(tender, profile=args.profile)
    spent = cpu_snapshot(None)
    print(f"  load average after: {load_average()}")
    rate = args.bids / elapsed
    verdict = "within" if elapsed <= 60 else "over"
    print(f"  open_bids: {elapsed:.1f} s = {rate:,.0f} bids/s ({verdict} the 60 s target)")
    print(
        f"    CPU: this process {spent['client'] - before['client']:.1f} s, "
        f"PostgreSQL {spent['postgres'] - before['postgres']:.1f} s"
    )
    check_opened(tender, args.bids)
    result("opening", rate, "bids/s", args.bids / bare)


if __name__ == "__main__":
    main()
