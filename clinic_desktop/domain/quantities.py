"""Exact arithmetic and the one place where rounding rules for clinical quantities are stated.

Everything is computed in `Decimal` from the values people entered; rounding happens once, at the end,
to the precision a pump, a syringe or a chart can actually use. Rounding is half-up (what people do by
hand), never banker's rounding.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from clinic_desktop.domain.errors import ValidationError

#: Exactly 0.45359237 kg per pound (international avoirdupois pound, 1959).
KG_PER_LB = Decimal("0.45359237")
#: Exactly 2.54 cm per inch.
CM_PER_INCH = Decimal("2.54")

#: Rounding steps, one per kind of quantity, used by every calculation and display.
STEP_WEIGHT_KG = Decimal("0.1")  #: scale precision shown to staff
STEP_DOSE_MG = Decimal("0.1")  #: a dose is drawn to 0.1 mg
STEP_VOLUME_ML = Decimal("0.01")  #: drug volume in a 1 mL syringe is read to 0.01 mL
STEP_TOTAL_VOLUME_ML = Decimal("0.1")  #: bag volume
STEP_RATE_ML_H = Decimal("0.1")  #: infusion pumps take 0.1 mL/h
STEP_MG_PER_KG = Decimal("0.001")  #: dose per kg and mg/kg/h
STEP_CONCENTRATION = Decimal("0.001")  #: mg/mL of the final solution
STEP_BMI = Decimal("0.1")
STEP_PERCENT = Decimal("0.1")


def rounded(value: Decimal, step: Decimal) -> Decimal:
    """Round half-up to a multiple of `step` (e.g. Decimal('0.1'))."""
    return value.quantize(step, rounding=ROUND_HALF_UP)


def to_decimal(value: object, field: str, label: str) -> Decimal:
    """A finite Decimal from user input (str, int, float or Decimal), or a ValidationError naming the field."""
    if isinstance(value, bool):
        raise ValidationError(f"{label} must be a number.", field)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"{label} must be a finite number.", field)
        value = repr(value)
    try:
        if isinstance(value, str):
            text = value.strip()
            # "1,500" could be fifteen hundred or one and a half: in a dose, refuse rather than guess.
            if "," in text or "_" in text:
                raise ValidationError(f"{label}: write numbers with a decimal point (1.5) and no thousands "
                                      "separators.", field)
            result = Decimal(text)
        else:
            result = Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"{label} must be a number, not {str(value)[:40]!r}.", field) from None
    if not result.is_finite():
        raise ValidationError(f"{label} must be a finite number.", field)
    return result


def in_range(value: Decimal, low: Decimal, high: Decimal, field: str, label: str, unit: str) -> Decimal:
    """The value itself when low <= value <= high; otherwise a ValidationError that states the range."""
    if not low <= value <= high:
        raise ValidationError(f"{label} must be between {low} and {high} {unit}; {value} {unit} was entered.", field)
    return value


def plain(value: Decimal) -> Decimal:
    """The same number without trailing zeros and without exponent notation (180, not 1.8E+2)."""
    # Decimal(str) is exact whatever the context precision, unlike quantize() on a 29-digit integer.
    return Decimal(format(value.normalize(), "f"))


def lb_to_kg(pounds: Decimal) -> Decimal:
    """Exact: no rounding, so converting back gives the pounds that were entered."""
    return pounds * KG_PER_LB


def kg_to_lb(kilograms: Decimal) -> Decimal:
    """Exact inverse of lb_to_kg for any value that came from it (28 significant digits)."""
    return plain(kilograms / KG_PER_LB)


def inches_to_cm(inches: Decimal) -> Decimal:
    return inches * CM_PER_INCH


def cm_to_inches(centimetres: Decimal) -> Decimal:
    return plain(centimetres / CM_PER_INCH)
