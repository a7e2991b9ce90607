import pytest

from bids.crypto import CryptoRefused, member_keypair, open_sealed, seal, seal_info, share_info

TENDER = "T-2026-000001"
BIDDER = "060540001234"


@pytest.fixture
def keys():
    return member_keypair()


@pytest.fixture
def info():
    return seal_info(TENDER, ["2", "1"], BIDDER)


def test_seal_then_open_gives_the_plaintext_back(keys, info):
    private, public = keys
    assert open_sealed(seal(b'{"prices":{"1":"100.00"}}', public, info), private, info) == (
        b'{"prices":{"1":"100.00"}}'
    )


def test_two_seals_of_one_plaintext_differ(keys, info):
    _, public = keys
    assert seal(b"same", public, info) != seal(b"same", public, info)


def test_refuses_to_open_with_another_key(keys, info):
    _, public = keys
    other_private, _ = member_keypair()
    with pytest.raises(CryptoRefused, match="sealed_undecryptable") as refused:
        open_sealed(seal(b"bid", public, info), other_private, info)
    assert "cannot be opened" in refused.value.message


@pytest.mark.parametrize(
    "other_info",
    [
        seal_info("T-2026-000002", ["1", "2"], BIDDER),
        seal_info(TENDER, ["1"], BIDDER),
        seal_info(TENDER, ["1", "2"], "060540009999"),
        share_info(TENDER, "member@agency.kz"),
    ],
)
def test_refuses_to_open_for_another_tender_lot_set_or_bidder(keys, info, other_info):
    private, public = keys
    with pytest.raises(CryptoRefused, match="sealed_undecryptable"):
        open_sealed(seal(b"bid", public, info), private, other_info)


def test_every_flipped_byte_is_refused(keys, info):
    private, public = keys
    sealed = seal(b"short bid", public, info)
    for position in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(CryptoRefused, match="sealed_undecryptable"):
            open_sealed(bytes(tampered), private, info)


@pytest.mark.parametrize("cut", [0, 1, 32, 47])
def test_refuses_truncated_payloads(keys, info, cut):
    private, public = keys
    with pytest.raises(CryptoRefused, match="sealed_undecryptable"):
        open_sealed(seal(b"", public, info)[:cut], private, info)


def test_refuses_keys_of_the_wrong_size(keys, info):
    private, public = keys
    with pytest.raises(CryptoRefused, match="key_malformed"):
        seal(b"bid", public[:31], info)
    with pytest.raises(CryptoRefused, match="key_malformed"):
        open_sealed(seal(b"bid", public, info), private + b"\x00", info)


def test_seal_info_is_canonical_with_lots_in_code_point_order():
    assert seal_info(TENDER, ["2", "10", "1"], BIDDER) == (
        b'{"bidder":"060540001234","lots":["1","10","2"],'
        b'"purpose":"bid-seal/v1","tender":"T-2026-000001"}'
    )


def test_seal_info_refuses_a_lot_twice_and_non_string_lots():
    with pytest.raises(ValueError, match="twice"):
        seal_info(TENDER, ["1", "1"], BIDDER)
    with pytest.raises(TypeError, match="strings"):
        seal_info(TENDER, [1], BIDDER)


def test_share_info_names_tender_and_member():
    assert share_info(TENDER, "aigerim@agency.kz") == (
        b'{"member":"aigerim@agency.kz","purpose":"opening-share/v1","tender":"T-2026-000001"}'
    )
