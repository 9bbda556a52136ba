"""Body measurements used for dosing: BMI and Devine ideal body weight (reference 1.2)."""

from __future__ import annotations

from decimal import Decimal

from clinic_desktop.domain.enums import Sex
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.quantities import (
    CM_PER_INCH,
    STEP_BMI,
    STEP_WEIGHT_KG,
    in_range,
    plain,
    rounded,
    to_decimal,
)

#: Plausible adult-or-child body weight; outside this the entry is a typo, not a patient.
WEIGHT_MIN_KG = Decimal("1")
WEIGHT_MAX_KG = Decimal("500")
#: Plausible body height.
HEIGHT_MIN_CM = Decimal("50")
HEIGHT_MAX_CM = Decimal("260")

#: Devine's formula is only defined from 60 in upward (reference 1.2, [S24]).
DEVINE_MIN_HEIGHT_IN = Decimal("60")
#: Devine base weight at 60 in, by sex.
DEVINE_BASE_KG = {Sex.MALE: Decimal("50"), Sex.FEMALE: Decimal("45.5")}
#: Devine increment per inch above 60 in.
DEVINE_KG_PER_INCH = Decimal("2.3")


def check_weight_kg(weight_kg: object) -> Decimal:
    """A weight in kg as Decimal, or a ValidationError for field "weight_kg"."""
    value = to_decimal(weight_kg, "weight_kg", "Weight")
    return in_range(value, WEIGHT_MIN_KG, WEIGHT_MAX_KG, "weight_kg", "Weight", "kg")


def check_height_cm(height_cm: object) -> Decimal:
    """A height in cm as Decimal, or a ValidationError for field "height_cm"."""
    value = to_decimal(height_cm, "height_cm", "Height")
    return in_range(value, HEIGHT_MIN_CM, HEIGHT_MAX_CM, "height_cm", "Height", "cm")


def bmi(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    """Body-mass index in kg/m², rounded to 0.1 (e.g. 80 kg, 180 cm -> 24.7)."""
    weight = check_weight_kg(weight_kg)
    height_m = check_height_cm(height_cm) / Decimal(100)
    return rounded(weight / (height_m * height_m), STEP_BMI)


def ideal_body_weight_kg(sex: Sex, height_cm: Decimal) -> Decimal:
    """Devine ideal body weight in kg, rounded to 0.1: men 50, women 45.5, + 2.3 kg per inch above 60 in."""
    height = check_height_cm(height_cm)
    try:
        sex = Sex(sex)
    except ValueError:
        raise ValidationError(f"Sex must be one of {', '.join(s.value for s in Sex)}.", "sex") from None
    base = DEVINE_BASE_KG.get(sex)
    if base is None:
        # Devine has only a male and a female formula; guessing one for an intersex or unstated patient
        # would silently change the dose, so a physician has to choose.
        raise ValidationError(
            "Devine ideal body weight has a male and a female formula only: choose the formula "
            "(or use actual body weight) for this patient.", "sex")
    height_in = height / CM_PER_INCH  # exact: 2.54 cm per inch by definition
    if height_in < DEVINE_MIN_HEIGHT_IN:
        raise ValidationError(
            f"Devine ideal body weight is not valid below 60 in (152.4 cm); height entered is "
            f"{plain(height)} cm.", "height_cm")
    return rounded(base + DEVINE_KG_PER_INCH * (height_in - DEVINE_MIN_HEIGHT_IN), STEP_WEIGHT_KG)
