"""Dose calculator for racemic ketamine (IV, IM) and esketamine, and the grading of each order (reference 1.3, 1.4)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Context, Decimal, DecimalException, localcontext
from itertools import pairwise
from typing import Iterable, Sequence

from clinic_desktop.domain.body import check_weight_kg
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import Protocol, Route, WeightBasis
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Finding, Grade, worst
from clinic_desktop.domain.quantities import (
    STEP_CONCENTRATION,
    STEP_DOSE_MG,
    STEP_MG_PER_KG,
    STEP_RATE_ML_H,
    STEP_TOTAL_VOLUME_ML,
    STEP_VOLUME_ML,
    plain,
    rounded,
    to_decimal,
)

#: SPRAVATO label: the only allowed doses, the first dose, and the dose one nasal device delivers [S13][S18].
ESKETAMINE_DOSES_MG = (Decimal(56), Decimal(84))
ESKETAMINE_FIRST_DOSE_MG = Decimal(56)
ESKETAMINE_MG_PER_DEVICE = Decimal(28)
#: Ketalar vial strengths on the market (mg/mL) [S20c].
VIAL_STRENGTHS_MG_PER_ML = (Decimal(10), Decimal(50), Decimal(100))
#: The strength the label forbids giving IV without dilution [S20c].
MUST_DILUTE_MG_PER_ML = Decimal(100)
#: Input sanity bounds: outside these an entry is a typo, not a clinical choice (the rules grade real doses).
MG_PER_KG_MAX = Decimal(5)
ESKETAMINE_DOSE_MAX_MG = Decimal(1000)
DILUENT_MAX_ML = Decimal(1000)
DURATION_MIN_MIN, DURATION_MAX_MIN = Decimal(1), Decimal(600)
BMI_MIN, BMI_MAX = Decimal(5), Decimal(250)
#: The session-frequency window named by the setting max_sessions_per_7_days.
FREQUENCY_WINDOW = timedelta(days=7)


@dataclass(frozen=True, kw_only=True)
class DoseOrderInput:
    """What the order form holds. Numbers may be Decimal, int or str; keyword-only because there are many."""

    protocol: Protocol
    weight_kg: Decimal | None = None  #: the dosing weight, already on `weight_basis`
    weight_basis: WeightBasis = WeightBasis.ACTUAL
    weight_measured_on: date | None = None
    today: date
    bmi: Decimal | None = None
    mg_per_kg: Decimal | None = None  #: racemic ketamine only
    dose_mg: Decimal | None = None  #: esketamine only (fixed dose)
    vial_mg_per_ml: Decimal | None = None  #: racemic only: 10, 50 or 100
    diluent_ml: Decimal = Decimal(0)  #: racemic only; 0 = drawn up undiluted
    duration_min: Decimal | None = None  #: IV only
    is_first_esketamine_dose: bool = False
    previous_dose_times: tuple[datetime, ...] = ()  #: earlier doses of this patient, any order
    dose_time: datetime  #: when this dose is planned


@dataclass(frozen=True)
class DoseCalculation:
    """The rounded numbers to prepare and run the dose, and every finding about it.

    A number is None when it does not apply to the route (pump fields outside IV) or could not be computed
    because an input is missing (e.g. no weight: the order is refused, yet mg/kg/h is still shown).
    """

    dose_mg: Decimal | None
    drug_volume_ml: Decimal | None
    total_volume_ml: Decimal | None
    final_concentration_mg_per_ml: Decimal | None
    pump_rate_ml_per_h: Decimal | None
    dose_rate_mg_per_kg_per_h: Decimal | None
    dose_rate_mg_per_min: Decimal | None
    esketamine_devices: int | None
    findings: tuple[Finding, ...] = field(default=())

    @property
    def grade(self) -> Grade:
        return worst(self.findings)

    @property
    def refused(self) -> bool:
        """Hard stop: this dose cannot be given, not even with an override."""
        return self.grade is Grade.REFUSED

    @property
    def needs_override(self) -> bool:
        """May go ahead only with a physician's override and reason."""
        return self.grade is Grade.OVERRIDE

    def finding(self, code: str) -> Finding | None:
        """The finding with this code, if any."""
        return next((f for f in self.findings if f.code == code), None)


def calculate_dose(order: DoseOrderInput, settings: ClinicSettings | None = None) -> DoseCalculation:
    """Compute and grade one dose order. Raises ValidationError (with its field) for input that makes no sense."""
    settings = settings or ClinicSettings()
    try:
        protocol = Protocol(order.protocol)
    except (ValueError, TypeError):
        raise ValidationError(f"{order.protocol!r} is not a known treatment protocol.", "protocol") from None
    today = _as_date(order.today, "today", "Today's date")
    dose_time = _as_datetime(order.dose_time, "dose_time", "Planned dose time")
    # A fixed context so a caller's decimal settings can never change a dose.
    with localcontext(Context(prec=28)):
        calc = _esketamine(order) if protocol.is_esketamine else _racemic(order, protocol.route, today, settings)
    return replace(calc, findings=calc.findings + frequency_findings(order.previous_dose_times, dose_time, settings))


# -- racemic ketamine -------------------------------------------------------------------------------------

def _racemic(order: DoseOrderInput, route: Route, today: date, settings: ClinicSettings) -> DoseCalculation:
    iv = route is Route.IV
    d = _number(order.mg_per_kg, "mg_per_kg", "Dose per kg", "mg/kg", Decimal(0), MG_PER_KG_MAX, low_open=True)
    vial = _number(order.vial_mg_per_ml, "vial_mg_per_ml", "Vial strength", "mg/mL", None, None)
    if vial not in VIAL_STRENGTHS_MG_PER_ML:
        raise ValidationError(f"Vial strength must be 10, 50 or 100 mg/mL; {_show(vial)} mg/mL was entered.",
                              "vial_mg_per_ml")
    diluent = _number(order.diluent_ml, "diluent_ml", "Diluent volume", "mL", Decimal(0), DILUENT_MAX_ML)
    minutes = (_number(order.duration_min, "duration_min", "Infusion duration", "min",
                       DURATION_MIN_MIN, DURATION_MAX_MIN) if iv else None)
    try:
        basis = WeightBasis(order.weight_basis)
    except (ValueError, TypeError):
        raise ValidationError(f"{order.weight_basis!r} is not a known weight basis.", "weight_basis") from None
    bmi = (None if order.bmi is None
           else _number(order.bmi, "bmi", "BMI", "kg/m²", BMI_MIN, BMI_MAX))

    findings: list[Finding] = []
    weight = None if order.weight_kg is None else check_weight_kg(order.weight_kg)
    findings += _weight_findings(weight, order.weight_measured_on, today, settings)
    if weight is not None:
        findings += _basis_findings(basis, bmi, settings)

    dose = d * weight if weight is not None else None
    drug_volume = dose / vial if dose is not None else None
    total = diluent + drug_volume if drug_volume is not None else None
    concentration = dose / total if dose is not None and total else None
    pump = total * 60 / minutes if iv and total is not None else None
    mg_kg_h = d * 60 / minutes if iv else None
    mg_min = dose / minutes if iv and dose is not None else None

    if iv:
        findings += _iv_findings(d, mg_kg_h, minutes, settings)
        # Label: 100 mg/mL must be diluted with at least an equal volume before IV use [S20c].
        if vial == MUST_DILUTE_MG_PER_ML and (diluent == 0 or (drug_volume is not None and diluent < drug_volume)):
            findings.append(Finding("undiluted_100_mg_ml", Grade.REFUSED,
                                    "The 100 mg/mL vial must not be given IV undiluted: dilute it with at least an "
                                    f"equal volume (diluent entered: {plain(diluent)} mL), or use 10 or 50 mg/mL."))
    else:
        findings += _bolus_findings(d, settings)

    return DoseCalculation(
        dose_mg=_round(dose, STEP_DOSE_MG),
        drug_volume_ml=_round(drug_volume, STEP_VOLUME_ML),
        total_volume_ml=_round(total, STEP_TOTAL_VOLUME_ML),
        final_concentration_mg_per_ml=_round(concentration, STEP_CONCENTRATION),
        pump_rate_ml_per_h=_round(pump, STEP_RATE_ML_H),
        dose_rate_mg_per_kg_per_h=_round(mg_kg_h, STEP_MG_PER_KG),
        dose_rate_mg_per_min=_round(mg_min, STEP_DOSE_MG),
        esketamine_devices=None,
        findings=tuple(findings),
    )


def _weight_findings(weight: Decimal | None, measured_on: object, today: date,
                     settings: ClinicSettings) -> list[Finding]:
    if weight is None:
        return [Finding("weight_missing", Grade.REFUSED,
                        "No weight is recorded: weigh the patient before a dose can be calculated.")]
    max_days = settings.weight_max_age_days
    if measured_on is None:
        return [Finding("weight_stale", Grade.REFUSED,
                        f"The date of the weight is not recorded: weigh the patient (weight must be measured "
                        f"within {max_days} days).")]
    measured = _as_date(measured_on, "weight_measured_on", "Date weighed")
    if measured > today:
        raise ValidationError(f"The date weighed ({measured.isoformat()}) cannot be after today.",
                              "weight_measured_on")
    age = (today - measured).days
    if age > max_days:
        return [Finding("weight_stale", Grade.REFUSED,
                        f"The weight was measured {age} days ago ({measured.isoformat()}); it must be measured "
                        f"within {max_days} days. Weigh the patient again.")]
    return []


def _basis_findings(basis: WeightBasis, bmi: Decimal | None, settings: ClinicSettings) -> list[Finding]:
    """Warn when the weight the dose is based on differs from the clinic's policy (reference 1.2, [S2])."""
    if settings.weight_basis_policy == "ideal_if_obese":
        if bmi is None:
            if basis is WeightBasis.ACTUAL:
                return [Finding("weight_basis_policy", Grade.WARN,
                                "BMI is not recorded, so the clinic policy (ideal body weight when BMI is "
                                f"{plain(settings.obesity_bmi)} or more) cannot be checked for this "
                                "actual-weight dose.")]
            return []
        expected = WeightBasis.IDEAL if bmi >= settings.obesity_bmi else WeightBasis.ACTUAL
        policy = (f"clinic policy: ideal body weight when BMI is {plain(settings.obesity_bmi)} or more, "
                  f"otherwise actual body weight; BMI is {plain(bmi)}")
    else:
        expected = WeightBasis.ACTUAL
        policy = "clinic policy: actual body weight"
    if basis is expected:
        return []
    return [Finding("weight_basis_policy", Grade.WARN,
                    f"This dose uses {basis.label[0].lower() + basis.label[1:]} but the {policy}. Check the weight used.")]


def _iv_findings(d: Decimal, mg_kg_h: Decimal, minutes: Decimal, settings: ClinicSettings) -> list[Finding]:
    out: list[Finding] = []
    low, usual = settings.iv_low_mg_per_kg, settings.iv_override_above_mg_per_kg
    limit = settings.iv_refuse_above_mg_per_kg
    if d < low:
        out.append(Finding("iv_below_studied_range", Grade.WARN,
                           f"{plain(d)} mg/kg is below the studied IV range (from {plain(low)} mg/kg)."))
    if d > limit:
        out.append(Finding("iv_above_limit", Grade.REFUSED,
                           f"{plain(d)} mg/kg IV is above the limit of {plain(limit)} mg/kg "
                           "(anesthetic-induction range). This dose cannot be given."))
    elif d > usual:
        out.append(Finding("iv_above_usual_range", Grade.OVERRIDE,
                           f"{plain(d)} mg/kg IV is above the usual maximum of {plain(usual)} mg/kg: "
                           "a physician must approve it and give a reason."))
    if mg_kg_h > settings.iv_max_rate_mg_per_kg_h:
        out.append(Finding("iv_rate_above_limit", Grade.OVERRIDE,
                           f"The infusion rate is {plain(rounded(mg_kg_h, STEP_MG_PER_KG))} mg/kg/h, above the "
                           f"low-dose ceiling of {plain(settings.iv_max_rate_mg_per_kg_h)} mg/kg/h: infuse over "
                           "longer or get a physician override."))
    if minutes < settings.iv_min_duration_min:
        out.append(Finding("iv_short_duration", Grade.OVERRIDE,
                           f"An infusion over {plain(minutes)} min is shorter than the usual "
                           f"{settings.iv_min_duration_min} min: a physician must approve it."))
    return out


def _bolus_findings(d: Decimal, settings: ClinicSettings) -> list[Finding]:
    usual, limit = settings.bolus_override_above_mg_per_kg, settings.bolus_refuse_above_mg_per_kg
    if d > limit:
        return [Finding("bolus_above_limit", Grade.REFUSED,
                        f"{plain(d)} mg/kg IM is above the limit of {plain(limit)} mg/kg. This dose cannot be given.")]
    if d > usual:
        return [Finding("bolus_above_usual", Grade.OVERRIDE,
                        f"{plain(d)} mg/kg IM is above the low-dose bolus ceiling of {plain(usual)} mg/kg: "
                        "a physician must approve it and give a reason.")]
    return []


# -- esketamine -------------------------------------------------------------------------------------------

def _esketamine(order: DoseOrderInput) -> DoseCalculation:
    # Fixed doses: weight, vial and diluent do not apply and are ignored.
    dose = _number(order.dose_mg, "dose_mg", "Esketamine dose", "mg", Decimal(0), ESKETAMINE_DOSE_MAX_MG,
                   low_open=True)
    findings: list[Finding] = []
    if dose not in ESKETAMINE_DOSES_MG:
        findings.append(Finding("esketamine_dose_not_allowed", Grade.REFUSED,
                                f"Esketamine {plain(dose)} mg is not an approved dose: only 56 mg (2 devices) or "
                                "84 mg (3 devices)."))
    if order.is_first_esketamine_dose and dose != ESKETAMINE_FIRST_DOSE_MG:
        findings.append(Finding("esketamine_first_dose_56", Grade.REFUSED,
                                f"The first esketamine dose must be 56 mg, not {plain(dose)} mg."))
    whole = dose % ESKETAMINE_MG_PER_DEVICE == 0
    return DoseCalculation(
        dose_mg=rounded(dose, STEP_DOSE_MG), drug_volume_ml=None, total_volume_ml=None,
        final_concentration_mg_per_ml=None, pump_rate_ml_per_h=None, dose_rate_mg_per_kg_per_h=None,
        dose_rate_mg_per_min=None,
        esketamine_devices=int(dose / ESKETAMINE_MG_PER_DEVICE) if whole else None,
        findings=tuple(findings))


def check_device_interval(device_times: Sequence[datetime],
                          settings: ClinicSettings | None = None) -> tuple[Finding, ...]:
    """REFUSED for each pair of consecutive esketamine devices used less than the set interval apart."""
    settings = settings or ClinicSettings()
    times = sorted(_datetimes(device_times, "device_times", "Device time"))
    wait = timedelta(minutes=settings.esketamine_device_interval_min)
    out = []
    for number, (before, after) in enumerate(pairwise(times), start=2):
        if after - before < wait:
            out.append(Finding("device_interval", Grade.REFUSED,
                               f"Device {number} was used {_duration(after - before)} after device {number - 1}; "
                               f"wait at least {settings.esketamine_device_interval_min} min between devices."))
    return tuple(out)


# -- session frequency ------------------------------------------------------------------------------------

def frequency_findings(previous: Iterable[datetime], dose_time: datetime,
                       settings: ClinicSettings | None = None) -> tuple[Finding, ...]:
    """OVERRIDE when this dose makes too many in 7 days or comes too soon after the last one.

    Doses after `dose_time` are ignored (they are not earlier doses); one at the same moment counts.
    """
    settings = settings or ClinicSettings()
    dose_time = _as_datetime(dose_time, "dose_time", "Planned dose time")
    times = _datetimes(previous, "previous_dose_times", "Earlier dose time", like=dose_time)
    earlier = [t for t in times if t <= dose_time]
    out = []
    in_window = sum(1 for t in earlier if dose_time - t < FREQUENCY_WINDOW) + 1
    if in_window > settings.max_sessions_per_7_days:
        out.append(Finding("too_many_sessions", Grade.OVERRIDE,
                           f"This would be dose {in_window} in 7 days; more than "
                           f"{settings.max_sessions_per_7_days} needs a physician override."))
    if earlier:
        gap = dose_time - max(earlier)
        if gap < timedelta(hours=settings.min_hours_between_doses):
            out.append(Finding("too_soon", Grade.OVERRIDE,
                               f"Only {_duration(gap)} since the last dose; less than "
                               f"{settings.min_hours_between_doses} h needs a physician override."))
    return tuple(out)


# -- input helpers ----------------------------------------------------------------------------------------

def _number(value: object, field: str, label: str, unit: str, low: Decimal | None, high: Decimal | None,
            low_open: bool = False) -> Decimal:
    if value is None:
        raise ValidationError(f"{label} is required.", field)
    number = to_decimal(value, field, label)
    if low is not None and high is not None:
        too_low = number <= low if low_open else number < low
        if too_low or number > high:
            bound = f"more than {plain(low)}" if low_open else f"at least {plain(low)}"
            raise ValidationError(f"{label} must be {bound} and at most {plain(high)} {unit}; "
                                  f"{_show(number)} {unit} was entered.", field)
    return number


def _show(value: Decimal) -> str:
    """A typed number for an error message; absurdly large entries are shown as typed (plain() cannot)."""
    try:
        return str(plain(value))
    except DecimalException:  # plain() overflows on an entry such as 1E+1000000: show it as typed
        return str(value)


def _round(value: Decimal | None, step: Decimal) -> Decimal | None:
    return None if value is None else rounded(value, step)


def _as_date(value: object, field: str, label: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise ValidationError(f"{label} must be a date.", field)
    return value


def _as_datetime(value: object, field: str, label: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError(f"{label} must be a date and time.", field)
    return value


def _datetimes(values: object, field: str, label: str, like: datetime | None = None) -> list[datetime]:
    """Datetimes that can be compared with each other (and with `like`): all with a time zone, or all without."""
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:
        raise ValidationError(f"{label}s must be a list of dates and times.", field) from None
    out = [_as_datetime(v, field, label) for v in items]
    aware = {t.utcoffset() is not None for t in out + ([like] if like is not None else [])}
    if len(aware) > 1:
        # Comparing a local wall-clock time with a UTC instant would silently be off by hours.
        raise ValidationError(f"{label}s mix times with and without a time zone.", field)
    return out


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 120:
        return f"{minutes // 60} h {minutes % 60} min"
    seconds = int(delta.total_seconds()) % 60
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
