from itertools import combinations

import pytest

from bids.crypto import (
    CryptoRefused,
    combine_shares,
    member_keypair,
    new_opening_key,
    open_sealed,
    open_share,
    opening_key_id,
    public_key_of,
    seal,
    seal_info,
)

TENDER = "T-2026-000001"
MEMBERS = [f"member{i}@agency.kz" for i in range(1, 6)]


@pytest.fixture(scope="module")
def commission():
    """Five members with their own keys, a 3-of-5 opening key, and every opened share."""
    keys = {member: member_keypair() for member in MEMBERS}
    bundle = new_opening_key(3, {m: public for m, (_, public) in keys.items()}, tender=TENDER)
    shares = {m: open_share(bundle.sealed_shares[m], keys[m][0], TENDER, m) for m in MEMBERS}
    return keys, bundle, shares


def test_bundle_holds_only_public_data_and_sealed_shares(commission):
    _, bundle, shares = commission
    assert len(bundle.public_key) == 32
    assert bundle.key_id == opening_key_id(bundle.public_key)
    assert len(bundle.key_id) == 16
    assert set(bundle.sealed_shares) == set(MEMBERS)
    assert all(len(sealed) == 32 + 33 + 16 for sealed in bundle.sealed_shares.values())
    assert sorted(share[0] for share in shares.values()) == [1, 2, 3, 4, 5]


def test_every_three_of_five_rebuild_the_key_that_opens_bids(commission):
    _, bundle, shares = commission
    info = seal_info(TENDER, ["1"], "060540001234")
    sealed = seal(b"bid", bundle.public_key, info)
    for subset in combinations(MEMBERS, 3):
        private_key = combine_shares([shares[m] for m in subset], 3, bundle.public_key)
        assert public_key_of(private_key) == bundle.public_key
        assert open_sealed(sealed, private_key, info) == b"bid"


def test_more_shares_than_needed_still_rebuild_the_key(commission):
    _, bundle, shares = commission
    private_key = combine_shares(list(shares.values()), 3, bundle.public_key)
    assert public_key_of(private_key) == bundle.public_key


def test_two_shares_of_a_three_threshold_are_refused(commission):
    _, bundle, shares = commission
    with pytest.raises(CryptoRefused, match="shares_insufficient") as refused:
        combine_shares([shares[MEMBERS[0]], shares[MEMBERS[1]]], 3, bundle.public_key)
    assert "needs 3 shares" in refused.value.message


@pytest.mark.parametrize("position", [0, 1, 20, 32])
def test_a_corrupted_share_gives_opening_key_mismatch(commission, position):
    _, bundle, shares = commission
    corrupted = bytearray(shares[MEMBERS[0]])
    corrupted[position] ^= 0x01
    if corrupted[0] == 0:
        corrupted[0] = 7  # index 0 would be refused as malformed; test the mismatch
    chosen = [bytes(corrupted), shares[MEMBERS[1]], shares[MEMBERS[2]]]
    with pytest.raises(CryptoRefused, match="opening_key_mismatch"):
        combine_shares(chosen, 3, bundle.public_key)


def test_shares_of_another_opening_key_give_opening_key_mismatch(commission):
    keys, _, shares = commission
    other = new_opening_key(3, {m: pub for m, (_, pub) in keys.items()}, tender=TENDER)
    with pytest.raises(CryptoRefused, match="opening_key_mismatch"):
        combine_shares(list(shares.values())[:3], 3, other.public_key)


def test_a_duplicated_share_is_refused(commission):
    _, bundle, shares = commission
    first = shares[MEMBERS[0]]
    with pytest.raises(CryptoRefused, match="share_duplicate"):
        combine_shares([first, first, shares[MEMBERS[1]]], 3, bundle.public_key)


def test_two_shares_claiming_one_index_are_refused(commission):
    _, bundle, shares = commission
    forged = bytes([shares[MEMBERS[0]][0]]) + shares[MEMBERS[1]][1:]
    with pytest.raises(CryptoRefused, match="share_duplicate"):
        combine_shares([shares[MEMBERS[0]], forged, shares[MEMBERS[2]]], 3, bundle.public_key)


@pytest.mark.parametrize("bad", [b"", b"\x01" * 32, b"\x01" * 34, b"\x00" + b"\x01" * 32, "text"])
def test_malformed_shares_are_refused(commission, bad):
    _, bundle, shares = commission
    with pytest.raises(CryptoRefused, match="share_malformed"):
        combine_shares([bad, shares[MEMBERS[1]], shares[MEMBERS[2]]], 3, bundle.public_key)


def test_a_member_cannot_open_another_members_share(commission):
    keys, bundle, _ = commission
    with pytest.raises(CryptoRefused, match="sealed_undecryptable"):
        open_share(bundle.sealed_shares[MEMBERS[1]], keys[MEMBERS[0]][0], TENDER, MEMBERS[1])
    with pytest.raises(CryptoRefused, match="sealed_undecryptable"):
        open_share(bundle.sealed_shares[MEMBERS[0]], keys[MEMBERS[0]][0], TENDER, MEMBERS[1])
    with pytest.raises(CryptoRefused, match="sealed_undecryptable"):
        open_share(
            bundle.sealed_shares[MEMBERS[0]], keys[MEMBERS[0]][0], "T-2026-000002", MEMBERS[0]
        )


@pytest.mark.parametrize("threshold", [0, 4, -1])
def test_thresholds_outside_the_commission_are_refused(threshold):
    publics = {m: member_keypair()[1] for m in MEMBERS[:3]}
    with pytest.raises(CryptoRefused, match="threshold_invalid"):
        new_opening_key(threshold, publics, tender=TENDER)


def test_one_of_one_works():
    private, public = member_keypair()
    bundle = new_opening_key(1, {"solo@agency.kz": public}, tender=TENDER)
    share = open_share(bundle.sealed_shares["solo@agency.kz"], private, TENDER, "solo@agency.kz")
    assert public_key_of(combine_shares([share], 1, bundle.public_key)) == bundle.public_key


def test_each_opening_key_is_new():
    publics = {m: member_keypair()[1] for m in MEMBERS[:3]}
    first = new_opening_key(2, publics, tender=TENDER)
    second = new_opening_key(2, publics, tender=TENDER)
    assert first.public_key != second.public_key
