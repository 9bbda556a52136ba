"""BMI and Devine ideal body weight against published values (reference 1.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from clinic_desktop.domain.body import bmi, ideal_body_weight_kg
from clinic_desktop.domain.enums import Sex
from clinic_desktop.domain.errors import ValidationError

D = Decimal


def test_bmi_published_value():
    """80 kg at 180 cm is BMI 24.7 (80 / 1.8² = 24.69)."""
    assert bmi(D("80"), D("180")) == D("24.7")


def test_bmi_rounds_half_up_and_accepts_str():
    """BMI is rounded half-up to 0.1; form strings are accepted."""
    assert bmi("72.25", "170") == D("25.0")  # exactly 25
    assert bmi(D("81"), D("200")) == D("20.3")  # exactly 20.25: half-up, where banker's rounding gives 20.2
    assert bmi(80, "180.0") == D("24.7")


@pytest.mark.parametrize("sex, height_cm, expected", [
    (Sex.MALE, D("177.8"), D("73.0")),  # 70 in: 50 + 2.3 x 10
    (Sex.FEMALE, D("162.56"), D("54.7")),  # 64 in: 45.5 + 2.3 x 4
    (Sex.MALE, D("152.4"), D("50.0")),  # exactly 60 in: the base weight
    (Sex.FEMALE, D("152.4"), D("45.5")),
])
def test_devine_published_values(sex, height_cm, expected):
    """Devine IBW: men 50 kg, women 45.5 kg, plus 2.3 kg per inch above 60 in."""
    assert ideal_body_weight_kg(sex, height_cm) == expected


def test_devine_refused_below_60_inches():
    """152.3 cm is under 60 in, where Devine is not valid."""
    with pytest.raises(ValidationError) as err:
        ideal_body_weight_kg(Sex.FEMALE, D("152.3"))
    assert err.value.field == "height_cm"
    assert "not valid below 60 in (152.4 cm)" in err.value.message


def test_devine_needs_a_formula_choice_for_other_sex():
    """Sex OTHER has no Devine formula: the physician must choose."""
    with pytest.raises(ValidationError) as err:
        ideal_body_weight_kg(Sex.OTHER, D("170"))
    assert err.value.field == "sex"
    assert "choose the formula" in err.value.message


@pytest.mark.parametrize("weight, height, field", [
    (D("0.9"), D("170"), "weight_kg"), (D("500.1"), D("170"), "weight_kg"),
    (D("70"), D("49.9"), "height_cm"), (D("70"), D("260.1"), "height_cm"),
    ("abc", D("170"), "weight_kg"), (D("70"), None, "height_cm"),
])
def test_bmi_input_validation(weight, height, field):
    """Weights outside 1-500 kg and heights outside 50-260 cm are refused with the field named."""
    with pytest.raises(ValidationError) as err:
        bmi(weight, height)
    assert err.value.field == field


def test_bmi_range_limits_are_inclusive():
    """1 kg, 500 kg, 50 cm and 260 cm themselves are accepted."""
    assert bmi(D("1"), D("50")) == D("4.0")
    assert bmi(D("500"), D("260")) == D("74.0")


@hyp_settings(max_examples=200, deadline=None)
@given(sex=st.sampled_from(Sex), height=st.one_of(st.decimals(allow_nan=True), st.floats(), st.text(max_size=5),
                                                  st.integers(-100, 400), st.none()))
def test_ibw_never_raises_anything_but_validation_error(sex, height):
    """Any input gives an IBW or a ValidationError."""
    try:
        result = ideal_body_weight_kg(sex, height)
    except ValidationError:
        return
    assert result >= D("45.5")


@hyp_settings(max_examples=200, deadline=None)
@given(height=st.decimals(min_value=D("152.4"), max_value=260, places=2))
def test_ibw_male_is_female_plus_4_5(height):
    """The two Devine formulas differ by exactly 4.5 kg at any height."""
    assert ideal_body_weight_kg(Sex.MALE, height) - ideal_body_weight_kg(Sex.FEMALE, height) == D("4.5")
