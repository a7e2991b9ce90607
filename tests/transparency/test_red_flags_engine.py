"""The engine beyond Cardinal's fixtures: input handling, currency, fences, output shape."""

import json

import pytest

from transparency.redflags import (
    RedFlagsError,
    compute,
    default_settings,
    dumps,
    parse_settings,
    to_cardinal,
)
from transparency.redflags.output import _round4
from transparency.redflags.release import rfc3339_nanoseconds, whole_days


def run(releases, settings_text=None, **options):
    lines = (r if isinstance(r, str | bytes) else json.dumps(r) for r in releases)
    settings = parse_settings(settings_text) if settings_text else default_settings()
    results = compute(lines, settings, mapping=options.pop("mapping", False))
    return json.loads(dumps(to_cardinal(results, **options))), results


def priced(ocid, winner, loser, currency="USD", loser_currency=None):
    return {
        "ocid": ocid,
        "bids": {
            "details": [
                {
                    "status": "valid",
                    "tenderers": [{"id": "W"}],
                    "value": {"amount": winner, "currency": currency},
                },
                {
                    "status": "valid",
                    "tenderers": [{"id": "L"}],
                    "value": {"amount": loser, "currency": loser_currency or currency},
                },
            ]
        },
        "awards": [{"status": "active", "suppliers": [{"id": "W"}]}],
    }


def period(ocid, start, end):
    return {"ocid": ocid, "tender": {"tenderPeriod": {"startDate": start, "endDate": end}}}


def test_reads_text_and_bytes_lines_and_skips_blank_ones():
    lines = [
        b"\n",
        json.dumps(period("a", "2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z")).encode(),
        "  \t",
        "",
    ]

    output, _ = run(lines, "[R003]")

    assert output == {"OCID": {"a": {"R003": 1.0}}, "Meta": {}}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"ocid": "a",}',
            r"^Line 2 is not valid JSON: Expecting property name enclosed in double quotes \(column 14\)\.$",
        ),
        ('{"ocid": NaN}', r"^Line 2 is not valid JSON: NaN is not a JSON value\.$"),
        ('{"ocid": "a"} x', r"^Line 2 is not valid JSON: Extra data"),
        (b'{"ocid": "\xff"}', r"^Line 2 is not UTF-8 text \(byte 11 is invalid\)\.$"),
    ],
)
def test_a_bad_line_stops_the_run_naming_the_line(line, message):
    with pytest.raises(RedFlagsError, match=message):
        run(['{"ocid": "ok"}', line])


def test_lines_that_are_not_releases_are_skipped_and_counted():
    _, results = run(["[1, 2]", '{"ocid": 5}', '"text"', "null", '{"ocid": "a"}'])

    assert results.warnings["not a release"] == 4


def test_whole_days_are_truncated_and_offsets_honoured():
    assert (
        whole_days(
            rfc3339_nanoseconds("2000-01-16T17:59:59.999999999Z")
            - rfc3339_nanoseconds("2000-01-01T18:00:00Z")
        )
        == 14
    )
    assert (
        whole_days(
            rfc3339_nanoseconds("2000-01-01T00:00:00Z")
            - rfc3339_nanoseconds("2000-01-02T12:00:00Z")
        )
        == -1
    )
    releases = [
        period("offset", "2000-01-01T00:00:00+05:00", "2000-01-15T19:00:00Z"),  # 15 days in UTC
        period("naive", "2000-01-01T00:00:00Z", "2000-01-15T19:00:00Z"),
        period("date only", "2000-01-01", "2000-01-02"),  # not RFC 3339: Cardinal skips it
        period("bad day", "2000-02-30T00:00:00Z", "2000-03-01T00:00:00Z"),
    ]

    output, _ = run(releases, "[R003]")

    assert output["OCID"] == {"naive": {"R003": 1.0}}


def test_r018_counts_only_an_integer_one():
    releases = [
        {"ocid": "int", "tender": {"numberOfTenderers": 1, "procurementMethod": "open"}},
        {"ocid": "float", "tender": {"numberOfTenderers": 1.0, "procurementMethod": "open"}},
        {"ocid": "bool", "tender": {"numberOfTenderers": True, "procurementMethod": "open"}},
    ]

    output, _ = run(releases, "[R018]")

    assert output["OCID"] == {"int": {"R018": 1.0}}


def test_a_value_at_the_fence_is_flagged():
    releases = [priced("100", 1, 101), priced("50", 2, 3), priced("0", 1, 1)]

    upper, _ = run(releases, "[R058]\nthreshold = 100\n", meta=False)
    lower, _ = run(releases, "[R024]\nthreshold = 0.5\n", meta=False)

    assert upper == {"OCID": {"100": {"R058": 100.0}}, "Tenderer": {"W": {"R058": 0.0}}}
    assert lower["OCID"] == {"50": {"R024": 0.5}, "0": {"R024": 0.0}}


def test_the_first_currency_seen_is_the_main_one_unless_set():
    releases = [
        priced("usd", 1, 101),
        priced("eur", 1, 101, "EUR"),
        priced("mixed", 1, 101, "USD", "EUR"),
    ]
    ini = "[R058]\nthreshold = 50\n"

    by_first, first = run(releases, ini, meta=False)
    by_setting, chosen = run(releases, "currency = EUR\n" + ini, meta=False)

    assert (first.currency, list(by_first["OCID"])) == ("USD", ["usd"])
    assert first.warnings["currency"] == 3  # both EUR bids, and the EUR losing bid
    assert (chosen.currency, list(by_setting["OCID"])) == ("EUR", ["eur"])


def test_an_infinite_ratio_prints_as_null_like_serde_json():
    output, _ = run([priced("free", 0, 5)], "[R058]\nthreshold = 1\n", meta=False)

    assert output["OCID"] == {"free": {"R058": None}}


def test_meta_rounds_to_four_decimals_half_away_from_zero():
    assert _round4(0.00025) == 0.0003
    assert _round4(-0.00025) == -0.0003
    assert _round4(66.66666666666667) == 66.6667


def test_meta_without_data_is_null():
    output, _ = run(['{"ocid": "a"}'], "[R048]")

    assert output == {"Meta": {"R048": {"q1": None, "q3": None, "upper_fence": None}}}


def test_groups_come_in_cardinals_order_and_only_when_flagged():
    releases = [
        {
            "ocid": "0",
            "buyer": {"id": "B"},
            "tender": {"procuringEntity": {"id": "P"}},
            "bids": {
                "details": [
                    {"status": "disqualified", "tenderers": [{"id": "D"}]},
                    {"status": "valid", "tenderers": [{"id": "V"}]},
                ]
            },
        },
        {
            "ocid": "1",
            "buyer": {"id": "C"},
            "bids": {
                "details": [
                    {"status": "valid", "tenderers": [{"id": "V"}]},
                    {"status": "valid", "tenderers": [{"id": "V"}]},
                ]
            },
        },
    ]

    output, _ = run(releases, "[R038]\nthreshold = 0.5\n", mapping=True, maps=True)

    assert list(output) == ["Buyer", "ProcuringEntity", "Meta", "Maps"]
    assert output["Buyer"] == {"B": {"R038": 0.5}}
    assert output["Meta"] == {
        "R038": {
            "Buyer_upper_fence": 0.5,
            "ProcuringEntity_upper_fence": 0.5,
            "Tenderer_upper_fence": 0.5,
        }
    }
    assert output["Maps"]["ocid_buyer_r038"] == {"0": "B"}
    assert output["Maps"]["ocid_tenderer"] == {"0": ["D", "V"], "1": ["V"]}


@pytest.mark.parametrize(
    ("details", "include", "exclude", "flagged"),
    [  # Cardinal's own table (src/lib.rs, matches_procurement_method_details)
        ("X", False, False, True),
        ("X", True, False, False),
        ("X", False, True, True),
        ("Y", False, False, True),
        ("Y", True, False, True),
        ("Y", False, True, True),
        ("N", False, False, True),
        ("N", True, False, False),
        ("N", False, True, False),
    ],
)
def test_price_comparison_allow_and_deny_lists(details, include, exclude, flagged):
    release = {
        "ocid": "F",
        "bids": {
            "details": [
                {"status": "disqualified", "value": {"amount": 1, "currency": "USD"}},
                {"status": "valid", "value": {"amount": 2, "currency": "USD"}},
            ]
        },
        "awards": [{"status": "active"}],
        "tender": {"procurementMethodDetails": details},
    }
    ini = "price_comparison_procurement_methods = Y\n" if include else ""
    ini += "no_price_comparison_procurement_methods = N\n" if exclude else ""

    output, _ = run([release], ini + "[R036]\n", meta=False)

    assert output == ({"OCID": {"F": {"R036": 1.0}}} if flagged else {})
