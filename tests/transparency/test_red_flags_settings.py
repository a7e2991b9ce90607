"""Reading Cardinal's settings file (INI): values, defaults, and clear errors."""

import pytest

from transparency.redflags import RedFlagsError, default_settings, load_settings, parse_settings
from transparency.redflags.settings import (
    CODES,
    FenceSettings,
    R003Settings,
    R018Settings,
    R025Settings,
    R035Settings,
    R038Settings,
    R048Settings,
    pipe_separated,
)

FULL = """\
; thresholds agreed with the audit department
currency = KZT
no_price_comparison_procurement_methods = Random Selection|Sorteo de Obras
price_comparison_procurement_methods = Reverse Auction

[exclusions]
procurement_method_details = Random Selection

[R003]
threshold = 10
procurement_methods = open|selective|limited

[R003.procurement_method_details]
Cotización = 7
Licitación de Seguros = 10

[R018]
procurement_methods = open

[R024]
threshold = 0.05

[R025]
percentile = 80
threshold = 0.05

[R028]
[R030]

[R035]
threshold = 2

[R036]

[R038]
threshold = 0.5
minimum_submitted_bids = 3
minimum_contracting_processes = 4

[R048]
digits = 4
threshold = 10
minimum_contracting_processes = 5

[R058]
threshold = 0.5
"""


def test_no_settings_file_runs_all_eleven_with_cardinals_defaults():
    settings = default_settings()

    assert tuple(settings.indicators) == CODES
    assert settings.indicators["R003"] == R003Settings(threshold=15)
    assert settings.indicators["R018"] == R018Settings(frozenset({"open", "selective"}))
    assert settings.indicators["R024"] == FenceSettings(threshold=None)
    assert settings.indicators["R025"] == R025Settings(percentile=75, threshold=None)
    assert settings.indicators["R035"] == R035Settings(threshold=1)
    assert settings.indicators["R038"] == R038Settings(None, 2, 2)
    assert settings.indicators["R048"] == R048Settings(2, None, 20)
    assert settings.currency is None
    assert settings.excluded_procurement_method_details == frozenset()


def test_reads_every_setting():
    settings = parse_settings(FULL)

    assert settings.currency == "KZT"
    assert settings.no_price_comparison_procurement_methods == {
        "Random Selection",
        "Sorteo de Obras",
    }
    assert settings.price_comparison_procurement_methods == {"Reverse Auction"}
    assert settings.excluded_procurement_method_details == {"Random Selection"}
    assert settings.indicators["R003"] == R003Settings(
        threshold=10,
        procurement_methods=frozenset({"open", "selective", "limited"}),
        procurement_method_details={"Cotización": 7, "Licitación de Seguros": 10},
    )
    assert settings.indicators["R018"] == R018Settings(frozenset({"open"}))
    assert settings.indicators["R024"] == FenceSettings(0.05)
    assert settings.indicators["R025"] == R025Settings(80, 0.05)
    assert settings.indicators["R035"] == R035Settings(2)
    assert settings.indicators["R038"] == R038Settings(0.5, 3, 4)
    assert settings.indicators["R048"] == R048Settings(4, 10, 5)
    assert settings.indicators["R058"] == FenceSettings(0.5)
    assert tuple(settings.indicators) == CODES


def test_only_the_indicators_with_a_section_run():
    settings = parse_settings("[R036]\n[R003]\nthreshold = 20\n")

    assert list(settings.indicators) == ["R003", "R036"]


def test_a_file_without_indicator_sections_runs_all_eleven():
    settings = parse_settings("currency = USD\n[exclusions]\nprocurement_method_details = EXC\n")

    assert tuple(settings.indicators) == CODES
    assert settings.excluded_procurement_method_details == {"EXC"}


def test_thresholds_per_procurement_method_details_enable_r003():
    settings = parse_settings("[R003.procurement_method_details]\nx = 5\n")

    assert settings.indicators == {"R003": R003Settings(procurement_method_details={"x": 5})}


def test_r035_threshold_of_zero_is_raised_to_one_as_in_cardinal():
    assert parse_settings("[R035]\nthreshold = 0\n").indicators["R035"] == R035Settings(1)


def test_comments_quotes_and_spaces():
    settings = parse_settings(
        '# a comment\n[R025]\n  percentile = 75 # default\nthreshold = "0.1" ; ratio\n'
    )

    assert settings.indicators["R025"] == R025Settings(75, 0.1)


def test_pipe_separated_lists_split_like_cardinal():
    assert pipe_separated("open|selective") == {"open", "selective"}
    assert pipe_separated("open|") == {"open"}
    assert pipe_separated("") == frozenset()
    assert pipe_separated("a||b") == {"a", "", "b"}
    assert pipe_separated("open | selective") == {"open ", " selective"}  # taken literally


def test_cardinals_prepare_sections_are_accepted():
    text = "[defaults]\ncurrency = USD\n[codelists.bid_status]\nqualified = valid\n[R030]\n"

    assert list(parse_settings(text).indicators) == ["R030"]


def test_cardinal_indicators_not_ported_are_ignored_with_a_warning():
    settings = parse_settings("[R044]\n[R030]\n", source="settings.ini")

    assert list(settings.indicators) == ["R030"]
    assert settings.warnings == ("settings.ini: [R044] is a Cardinal indicator this engine lacks.",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[R003]\nthreshhold = 10\n",
            r"line 2: unknown key 'threshhold' in \[R003\] \(known keys: procurement_methods, threshold\)",
        ),
        ("[R999]\n", r"line 1: unknown section \[R999\]\.$"),
        (
            "[r038]\n",
            r"line 1: unknown section \[r038\]\. Did you mean \[R038\]\? Names are case-sensitive\.",
        ),
        ("curency = USD\n", r"line 1: unknown key 'curency' in the global settings"),
        (
            "[exclusions]\nprocurement_methods = x\n",
            r"line 2: unknown key 'procurement_methods' in \[exclusions\]",
        ),
        (
            "[R028]\nthreshold = 1\n",
            r"line 2: unknown key 'threshold' in \[R028\] \(known keys: none\)",
        ),
        ("[defaults]\nfoo = 1\n", r"line 2: unknown key 'foo' in \[defaults\]"),
        (
            "[R003]\nthreshold = ten\n",
            r"line 2: threshold in \[R003\] must be a whole number, not 'ten'",
        ),
        (
            "[R024]\nthreshold = 5%\n",
            r"line 2: threshold in \[R024\] must be a decimal number such as 0\.05, not '5%'",
        ),
        ("[R024]\nthreshold = nan\n", r"must be a decimal number"),
        ("[R038]\nminimum_submitted_bids = -1\n", r"must be a whole number, 0 or more, not '-1'"),
        ("[R025]\npercentile = 101\n", r"must be a whole number from 0 to 100"),
        (
            "[R003.procurement_method_details]\nx = soon\n",
            r"line 2: the threshold for 'x' .* whole number of days",
        ),
        (
            "[R003]\nthreshold = 1\nthreshold = 2\n",
            r"line 3: threshold is set twice in \[R003\] \(first on line 2\)",
        ),
        ("[R003]\n[R003]\n", r"line 2: section \[R003\] was already opened on line 1"),
        ("[R003]\nthreshold\n", r"line 2: expected \[SECTION\] or key = value, not 'threshold'"),
        ("[R003\n", r"line 1: a section header is \[NAME\]"),
    ],
)
def test_mistakes_are_errors_naming_the_line_and_key(text, message):
    with pytest.raises(
        RedFlagsError,
        match=rf"^settings\.ini, {message}" if message.startswith("line") else message,
    ):
        parse_settings(text, source="settings.ini")


def test_an_unreadable_settings_file_is_an_error(tmp_path):
    with pytest.raises(
        RedFlagsError, match=r"Cannot read the settings file .*missing\.ini: No such file"
    ):
        load_settings(tmp_path / "missing.ini")


def test_loads_a_settings_file(tmp_path):
    path = tmp_path / "settings.ini"
    path.write_text("[R003]\nthreshold = 7\n", encoding="utf-8")

    assert load_settings(path).indicators == {"R003": R003Settings(threshold=7)}


def test_warns_that_an_allow_list_overrides_a_deny_list():
    text = "price_comparison_procurement_methods = A\nno_price_comparison_procurement_methods = B\n"

    settings = parse_settings(text, source="settings.ini")

    assert settings.warnings == (
        "settings.ini: no_price_comparison_procurement_methods has no effect "
        "if price_comparison_procurement_methods is set.",
    )
