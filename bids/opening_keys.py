"""A tender's opening key, made at publication (called by procurement's publish service in
its transaction): a fresh key pair whose seed is split t-of-n among the commission, each
share sealed to the member's registered X25519 key. Only public data is kept."""

from django.utils.translation import gettext as _

from bids.crypto import new_opening_key
from bids.models import CommissionKey, KeyShare, OpeningKey


def active_keys(users) -> dict[int, CommissionKey]:
    keys = CommissionKey.objects.filter(user__in=users, retired_at__isnull=True)
    return {key.user_id: key for key in keys}


def members_without_key(tender) -> list[str]:
    """Commission members who have not registered an opening key (they block publication)."""
    seats = list(tender.commission.select_related("user"))
    keys = active_keys([seat.user for seat in seats])
    return [seat.user.email for seat in seats if seat.user_id not in keys]


def create_opening_key(tender) -> OpeningKey:
    seats = list(tender.commission.select_related("user"))
    keys = active_keys([seat.user for seat in seats])
    missing = [seat.user.email for seat in seats if seat.user_id not in keys]
    if missing:  # publication checks this first; here it guards the invariant
        raise ValueError(_("no opening key for %s") % ", ".join(missing))
    by_email = {seat.user.email: seat.user for seat in seats}
    bundle = new_opening_key(
        tender.opening_threshold,
        {email: bytes(keys[user.pk].public_key) for email, user in by_email.items()},
        tender=tender.number,
    )
    opening_key = OpeningKey.objects.create(
        tender=tender,
        public_key=bundle.public_key,
        key_id=bundle.key_id,
        threshold=tender.opening_threshold,
    )
    KeyShare.objects.bulk_create(
        KeyShare(
            opening_key=opening_key,
            member=user,
            commission_key=keys[user.pk],
            sealed_share=bundle.sealed_shares[email],
            share_sha256=bundle.share_hashes[email],
        )
        for email, user in sorted(by_email.items())
    )
    return opening_key


def shares_in(tender) -> tuple[int, int]:
    key = OpeningKey.objects.filter(tender=tender).first()
    if key is None:
        return 0, 0
    return key.shares.filter(posted_at__isnull=False).count(), key.threshold
