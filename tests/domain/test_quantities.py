"""Exact clinical arithmetic: unit conversions, half-up rounding, parsing user numbers, plain display."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.quantities import (
    CM_PER_INCH,
    KG_PER_LB,
    STEP_DOSE_MG,
    STEP_VOLUME_ML,
    cm_to_inches,
    in_range,
    inches_to_cm,
    kg_to_lb,
    lb_to_kg,
    plain,
    rounded,
    to_decimal,
)

D = Decimal

#: Weights and heights as people type them: up to 3 decimal places, from a newborn to far beyond any scale.
three_places = st.decimals(min_value=D("0.001"), max_value=D("99999.999"), places=3, allow_nan=False,
                           allow_infinity=False)


# -- conversions ---------------------------------------------------------------------------------------


def test_conversion_constants_are_the_legal_definitions():
    """1 lb = 0.45359237 kg (1959 international pound) and 1 in = 2.54 cm, exactly."""
    assert KG_PER_LB == D("0.45359237")
    assert CM_PER_INCH == D("2.54")


def test_lb_to_kg_is_exact():
    """150 lb is exactly 68.0388555 kg: no rounding at the conversion."""
    assert lb_to_kg(D("150")) == D("68.0388555")
    assert lb_to_kg(D("1")) == D("0.45359237")
    assert lb_to_kg(D("0.5")) == D("0.226796185")


def test_kg_to_lb_of_a_converted_weight_is_the_typed_value():
    """68.0388555 kg shows back as 150 lb, not 149.99999 or 150.0000000."""
    assert str(kg_to_lb(D("68.0388555"))) == "150"
    assert str(kg_to_lb(lb_to_kg(D("172.40")))) == "172.4"


@given(three_places)
def test_pounds_round_trip_exactly(pounds):
    """Any weight typed in lb with up to 3 decimals converts to kg and back to the same number."""
    assert kg_to_lb(lb_to_kg(pounds)) == pounds


@given(three_places)
def test_inches_round_trip_exactly(inches):
    """Any height typed in inches with up to 3 decimals converts to cm and back to the same number."""
    assert cm_to_inches(inches_to_cm(inches)) == inches


def test_inches_to_cm_values():
    """5 ft 7 in (67 in) is 170.18 cm; 70 in is 177.8 cm."""
    assert inches_to_cm(D("67")) == D("170.18")
    assert inches_to_cm(D("70")) == D("177.80")
    assert str(cm_to_inches(D("177.8"))) == "70"


# -- rounding ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("0.05", "0.1"), ("0.15", "0.2"), ("0.25", "0.3"), ("0.35", "0.4"), ("2.45", "2.5"), ("34.05", "34.1"),
    ("0.0499999", "0.0"), ("0.04", "0.0"), ("-0.05", "-0.1"), ("-0.25", "-0.3"), ("12.3", "12.3"),
])
def test_rounding_is_half_up_at_every_05_boundary(value, expected):
    """Halves go up (away from zero) as people round by hand, never to even as in banker's rounding."""
    result = rounded(D(value), STEP_DOSE_MG)
    assert result == D(expected)
    assert str(result) == expected  # and the step's precision is kept for display


def test_rounding_to_hundredths():
    """Syringe volumes round half-up to 0.01 mL: 0.125 -> 0.13, 0.135 -> 0.14, 0.1249 -> 0.12."""
    assert rounded(D("0.125"), STEP_VOLUME_ML) == D("0.13")
    assert rounded(D("0.135"), STEP_VOLUME_ML) == D("0.14")
    assert rounded(D("0.1249"), STEP_VOLUME_ML) == D("0.12")


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_exact_halves_always_round_up_in_magnitude(tenths):
    """For every n, n.n5 rounds to the next tenth away from zero."""
    value = D(tenths) / 10 + (D("0.05") if tenths >= 0 else D("-0.05"))
    expected = D(tenths) / 10 + (D("0.1") if tenths >= 0 else D("-0.1"))
    assert rounded(value, D("0.1")) == expected


# -- to_decimal ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("72.5", D("72.5")), (" 12 ", D("12")), (0.1, D("0.1")), (72, D("72")),
    (D("2.50"), D("2.50")), ("-3", D("-3")), ("1e3", D("1000")),
])
def test_to_decimal_accepts_numbers_as_typed(raw, expected):
    """Strings (with a decimal comma), ints, floats (by their shortest repr) and Decimals become Decimals."""
    result = to_decimal(raw, "weight", "Weight")
    assert isinstance(result, Decimal)
    assert result == expected


def test_float_is_read_by_its_repr_not_its_binary_value():
    """0.1 becomes Decimal('0.1'), not 0.1000000000000000055511151231257827."""
    assert str(to_decimal(0.1, "f", "F")) == "0.1"
    assert str(to_decimal(1.15, "f", "F")) == "1.15"


@pytest.mark.parametrize("raw", [
    float("nan"), float("inf"), float("-inf"), "NaN", "nan", "sNaN", "Infinity", "-inf", D("NaN"), D("Infinity"),
    True, False, "", "   ", "abc", "12kg", "1.2.3", None, [1], {}, object(),
])
def test_to_decimal_refuses_non_numbers_with_the_field(raw):
    """NaN, infinities, booleans, empty text and garbage all raise a ValidationError naming the field."""
    with pytest.raises(ValidationError) as err:
        to_decimal(raw, "weight", "Weight")
    assert err.value.field == "weight"
    assert err.value.message.startswith("Weight must be")


def test_to_decimal_message_shows_what_was_typed_but_truncated():
    """A long garbage entry is quoted in the message, cut to 40 characters."""
    with pytest.raises(ValidationError) as err:
        to_decimal("x" * 100, "f", "Dose")
    assert repr("x" * 40) in err.value.message
    assert "x" * 41 not in err.value.message


# -- in_range ------------------------------------------------------------------------------------------


def test_in_range_is_inclusive_at_both_ends():
    """The limits themselves are allowed; one step outside is refused with the range in the message."""
    assert in_range(D("20"), D("20"), D("350"), "weight", "Weight", "kg") == D("20")
    assert in_range(D("350"), D("20"), D("350"), "weight", "Weight", "kg") == D("350")
    for bad in (D("19.999"), D("350.001")):
        with pytest.raises(ValidationError) as err:
            in_range(bad, D("20"), D("350"), "weight", "Weight", "kg")
        assert err.value.field == "weight"
        assert "between 20 and 350 kg" in err.value.message
        assert f"{bad} kg was entered" in err.value.message


# -- plain ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, shown", [
    ("180.00", "180"), ("1.8E+2", "180"), ("1.50", "1.5"), ("0.0", "0"), ("0.001", "0.001"), ("1E+30", "1" + "0" * 30),
    ("68.0388555", "68.0388555"), ("-2.500", "-2.5"), ("1E-6", "0.000001"),
])
def test_plain_drops_trailing_zeros_and_exponents(value, shown):
    """plain() gives the shortest fixed-point form: 180, never 1.8E+2 or 180.00."""
    result = plain(D(value))
    assert str(result) == shown
    assert result == D(value)


@given(st.decimals(min_value=D("-1e9"), max_value=D("1e9"), places=6, allow_nan=False, allow_infinity=False))
def test_plain_keeps_the_value_and_never_shows_an_exponent(value):
    """plain() changes only the presentation, and its text never has an exponent or trailing fractional zero."""
    text = str(plain(value))
    assert D(text) == value
    assert "E" not in text and "e" not in text
    assert not ("." in text and text.endswith("0"))


@pytest.mark.parametrize("typed", ["1,5", "1,500", "1_000", "0,75"])
def test_to_decimal_refuses_commas_rather_than_guess(typed):
    """"1,500" is fifteen hundred or one and a half: a dose entry is refused, never guessed."""
    with pytest.raises(ValidationError) as err:
        to_decimal(typed, "dose", "Dose")
    assert err.value.field == "dose" and "decimal point" in err.value.message
