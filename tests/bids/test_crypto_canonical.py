import pytest

from bids.crypto import CryptoRefused, canonical, parse_canonical

STATEMENT = {"type": "bid-submission/v1", "lots": ["1"], "price": "1250000.00", "n": 3}
CANONICAL = b'{"lots":["1"],"n":3,"price":"1250000.00","type":"bid-submission/v1"}'


def test_canonical_sorts_keys_and_drops_whitespace():
    assert canonical(STATEMENT) == CANONICAL


def test_parse_accepts_its_own_canonical_bytes():
    assert parse_canonical(CANONICAL) == STATEMENT


def test_canonical_writes_non_ascii_as_utf8_not_escapes():
    assert canonical({"name": "ТОО «Құрылыс»"}) == '{"name":"ТОО «Құрылыс»"}'.encode()


@pytest.mark.parametrize(
    "data",
    [
        b'{"lots": ["1"],"n":3,"price":"1250000.00","type":"bid-submission/v1"}',  # a space
        b'{"n":3,"lots":["1"],"price":"1250000.00","type":"bid-submission/v1"}',  # key order
        CANONICAL + b"\n",  # trailing newline
        b"\xef\xbb\xbf" + CANONICAL,  # byte order mark
        b'{"name":"\\u0410"}',  # "А" escaped where canonical form writes it as UTF-8
        b'{"name":"\\/"}',  # an escape RFC 8785 does not use
        b'{"name":"\xd0\x90","name":"x"}',  # a key twice
        b'{"n":-0}',  # minus zero
        b'{"n":01}',  # not JSON
        b'["1"]',  # not an object
        b"\xff\xfe{}",  # not UTF-8
        b"",
    ],
)
def test_refuses_anything_but_the_exact_canonical_bytes(data):
    with pytest.raises(CryptoRefused, match="statement_not_canonical") as refused:
        parse_canonical(data)
    assert "RFC 8785" in refused.value.message


def test_refuses_escaped_unicode_even_when_the_text_is_equal():
    assert parse_canonical('{"name":"А"}'.encode()) == {"name": "А"}
    with pytest.raises(CryptoRefused, match="statement_not_canonical"):
        parse_canonical(b'{"name":"\\u0410"}')


@pytest.mark.parametrize(
    "data", [b'{"price":1250000.5}', b'{"a":{"b":[1e3]}}', b'{"price":1.0}', b'{"x":NaN}']
)
def test_parse_refuses_floats_anywhere(data):
    with pytest.raises(CryptoRefused, match="statement_malformed") as refused:
        parse_canonical(data)
    assert "decimal strings" in refused.value.message


def test_canonical_refuses_floats_anywhere():
    with pytest.raises(CryptoRefused, match="statement_malformed"):
        canonical({"prices": {"1": 1250000.5}})
    with pytest.raises(CryptoRefused, match="statement_malformed"):
        canonical({"lots": [{"amount": 1.0}]})


def test_refuses_integers_json_cannot_carry_exactly():
    with pytest.raises(CryptoRefused, match="statement_malformed"):
        parse_canonical(b'{"n":9007199254740993}')
