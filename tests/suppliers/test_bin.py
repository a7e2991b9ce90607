import pytest

from suppliers.bin import bin_errors, check_digit, iin_errors, is_valid_bin
from tests.factories import make_bin

OFFICIAL_VALID = ["940140000385", "950341000052", "961141000023", "070941024691", "990140004654"]


@pytest.mark.parametrize("value", OFFICIAL_VALID)
def test_accepts_the_published_examples(value):
    assert is_valid_bin(value)
    assert bin_errors(value) == []


def test_refuses_the_published_invalid_example_naming_the_month():
    errors = bin_errors("949940000385")
    assert any("month" in str(e) and "99" in str(e) for e in errors)


@pytest.mark.parametrize("value", ["", "12345", "9401400003851", "94014000038a", " 94014000038"])
def test_refuses_wrong_length_or_non_digits_saying_twelve_digits(value):
    (error,) = bin_errors(value)
    assert "12 digits" in str(error)


def test_refuses_a_wrong_check_digit_and_names_the_expected_one():
    errors = bin_errors("940140000386")
    assert len(errors) == 1
    assert "should be 5, not 6" in str(errors[0])


def test_refuses_a_wrong_type_digit():
    # Change digit 5 to 7 and fix the check digit, so only the type digit is wrong.
    body = "9401700003" + "8"
    value = body + str(check_digit(body))
    errors = bin_errors(value)
    assert len(errors) == 1
    assert "Digit 5" in str(errors[0]) and "7" in str(errors[0])


def test_refuses_month_00_and_13():
    for month in ("00", "13"):
        body = f"94{month}4000003"
        digit = check_digit(body)
        if digit is None:
            continue
        errors = bin_errors(body + str(digit))
        assert [e for e in errors if "month" in str(e)]


def test_uses_the_second_weights_when_the_first_sum_gives_ten():
    # Find prefixes whose first weighted sum is 10 mod 11, and check the second pass is used.
    found = 0
    for serial in range(20000):
        body = f"0101{serial:07d}"[:11]
        first = sum(int(d) * w for d, w in zip(body, range(1, 12), strict=True)) % 11
        if first != 10:
            continue
        second = (
            sum(int(d) * w for d, w in zip(body, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True))
            % 11
        )
        assert check_digit(body) == (None if second == 10 else second)
        found += 1
    assert found > 100


def test_reports_numbers_whose_check_digit_cannot_exist():
    for serial in range(200000):
        body = f"0101{serial:07d}"[:11]
        if check_digit(body) is None:
            errors = bin_errors(body + "0")
            assert any("No valid BIN" in str(e) for e in errors)
            return
    pytest.fail("no prefix without a check digit found")


def test_every_generated_bin_is_valid_and_any_single_digit_change_is_caught():
    for serial in range(1, 300):
        value = make_bin(serial)
        assert is_valid_bin(value), value
        last = int(value[-1])
        for wrong in {(last + k) % 10 for k in range(1, 10)}:
            assert not is_valid_bin(value[:-1] + str(wrong))


def test_validates_an_iin_by_birth_date_and_century_digit():
    body = "8501154" + "0012"
    value = body + str(check_digit(body))
    assert iin_errors(value) == []
    bad_date = "8513154001" + "2"
    assert any(
        "date of birth" in str(e) for e in iin_errors(bad_date + str(check_digit(bad_date) or 0))
    )
