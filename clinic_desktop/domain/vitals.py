"""Vital signs: validating what was entered, alerts against the clinic's limits, and when the next reading is due.

Limits come from ClinicSettings (reference 2.2 and 3.3); most are UNSOURCED defaults the clinic reviews.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, DecimalException

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import AlertAction
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Finding, Grade
from clinic_desktop.domain.quantities import plain, to_decimal

#: Physiologically possible values (label, unit, low, high): outside them the entry is a typo, not a patient.
POSSIBLE: dict[str, tuple[str, str, int | Decimal, int | Decimal]] = {
    "systolic": ("Systolic blood pressure", "mmHg", 40, 300),
    "diastolic": ("Diastolic blood pressure", "mmHg", 20, 200),
    "heart_rate": ("Heart rate", "/min", 20, 250),
    "spo2": ("SpO₂", "%", 50, 100),
    "resp_rate": ("Respiratory rate", "/min", 2, 80),
    "temperature_c": ("Temperature", "°C", Decimal("30.0"), Decimal("44.0")),
}

#: Alert levels: "alert" asks for a re-check and an action entry; "urgent" means act now.
ALERT, URGENT = "alert", "urgent"
#: What the nurse is offered to record, by level (reference 3.3: the action taken is required).
ACTIONS_URGENT = (AlertAction.PAUSE, AlertAction.STOP, AlertAction.PHYSICIAN_NOTIFIED)
ACTIONS_ALERT = (AlertAction.CONTINUE, AlertAction.SLOW, AlertAction.PHYSICIAN_NOTIFIED)


@dataclass(frozen=True)
class VitalSigns:
    """One set of readings; any value may be missing (not measured). Build it with validate_vitals()."""

    systolic: int | None = None
    diastolic: int | None = None
    heart_rate: int | None = None
    spo2: int | None = None
    resp_rate: int | None = None
    temperature_c: Decimal | None = None

    @property
    def blood_pressure(self) -> str:
        """"120/80", or "" when not measured."""
        return f"{self.systolic}/{self.diastolic}" if self.systolic is not None else ""


@dataclass(frozen=True)
class VitalsAlert:
    """One out-of-range value: which, how far, which limit, and what it means."""

    parameter: str  #: a VitalSigns field name, e.g. "systolic"
    value: int | Decimal
    limit: int | Decimal
    direction: str  #: "above", "below" or "rise" (relative to the baseline reading)
    level: str  #: "alert" or "urgent"
    message: str


@dataclass(frozen=True)
class VitalsAssessment:
    """The alerts for a reading and what the nurse must do next."""

    alerts: tuple[VitalsAlert, ...] = ()
    recheck_in_minutes: int | None = None  #: None when nothing is out of range

    @property
    def requires_action(self) -> bool:
        """Any alert: the nurse must record an AlertAction (reference 3.3)."""
        return bool(self.alerts)

    @property
    def urgent(self) -> bool:
        return any(a.level == URGENT for a in self.alerts)

    @property
    def suggested_actions(self) -> tuple[AlertAction, ...]:
        if self.urgent:
            return ACTIONS_URGENT
        return ACTIONS_ALERT if self.alerts else ()


def validate_vitals(systolic: object = None, diastolic: object = None, heart_rate: object = None,
                    spo2: object = None, resp_rate: object = None, temperature_c: object = None) -> VitalSigns:
    """A VitalSigns from entered values (int, str or Decimal), or a ValidationError naming the field."""
    raw = {"systolic": systolic, "diastolic": diastolic, "heart_rate": heart_rate, "spo2": spo2,
           "resp_rate": resp_rate, "temperature_c": temperature_c}
    if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values()):
        raise ValidationError("Enter at least one vital sign.", "systolic")
    values: dict[str, int | Decimal | None] = {}
    for name, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            values[name] = None
            continue
        label, unit, low, high = POSSIBLE[name]
        number = to_decimal(value, name, label)
        if name != "temperature_c" and number != number.to_integral_value():
            raise ValidationError(f"{label} must be a whole number; {_show(number)} was entered.", name)
        if not low <= number <= high:
            raise ValidationError(f"{label} must be between {low} and {high} {unit}; "
                                  f"{_show(number)} {unit} was entered.", name)
        values[name] = number if name == "temperature_c" else int(number)
    sbp, dbp = values["systolic"], values["diastolic"]
    # A blood pressure is a pair: half of one cannot be assessed against any limit.
    if (sbp is None) != (dbp is None):
        missing = "diastolic" if dbp is None else "systolic"
        raise ValidationError(f"Enter both systolic and diastolic blood pressure ({missing} is missing).", missing)
    if sbp is not None and dbp is not None and dbp >= sbp:
        raise ValidationError(f"Diastolic ({dbp}) must be lower than systolic ({sbp}).", "diastolic")
    return VitalSigns(**values)  # type: ignore[arg-type]


def _show(value: Decimal) -> str:
    """A typed number for an error message; absurdly large entries are shown as typed (plain() cannot)."""
    try:
        return str(plain(value))
    except DecimalException:  # plain() overflows on an entry such as 1E+1000000: show it as typed
        return str(value)


def _checked(reading: VitalSigns) -> VitalSigns:
    if not isinstance(reading, VitalSigns):
        raise ValidationError("A vital-signs reading is required.", "systolic")
    return validate_vitals(**dataclasses.asdict(reading))


def assess(reading: VitalSigns, baseline: VitalSigns | None = None,
           settings: ClinicSettings | None = None) -> VitalsAssessment:
    """Alerts for one reading against the clinic's limits and, for the systolic rise, the baseline reading.

    Rules: systolic >= sbp_high or diastolic >= dbp_high -> alert, above sbp_urgent / dbp_urgent -> urgent
    (hypertensive urgency, > 180/120 [S11]); systolic >= sbp_rise_percent above baseline -> alert; systolic
    < sbp_low, heart rate outside hr_low..hr_high, respiratory rate > rr_high, temperature >= temp_high_c
    -> alert; SpO₂ < spo2_low or respiratory rate < rr_low -> urgent (breathing comes first).
    """
    s = settings or ClinicSettings()
    r = _checked(reading)
    base = _checked(baseline) if baseline is not None else None
    alerts: list[VitalsAlert] = []

    def add(parameter: str, value: int | Decimal, limit: int | Decimal, direction: str, level: str,
            what: str, inclusive: bool = False) -> None:
        label, unit, _low, _high = POSSIBLE[parameter]
        relation = {"above": "above", "below": "below", "rise": "at or above"}[direction]
        if inclusive and direction == "above":
            relation = "at or above"
        space = "" if unit.startswith("/") else " "  # "72/min" but "120 mmHg"
        alerts.append(VitalsAlert(parameter, value, limit, direction, level,
                                  f"{label} {plain(Decimal(value))}{space}{unit} is {relation} "
                                  f"{plain(Decimal(limit))}{space}{unit}{what}."))

    for name, high, urgent_above in (("systolic", s.sbp_high, s.sbp_urgent), ("diastolic", s.dbp_high, s.dbp_urgent)):
        value = getattr(r, name)
        if value is None:
            continue
        if value > urgent_above:
            add(name, value, urgent_above, "above", URGENT, " (hypertensive urgency): act now and notify the physician")
        elif value >= high:
            add(name, value, high, "above", ALERT, " (the alert limit)", inclusive=True)
    if r.systolic is not None and r.systolic < s.sbp_low:
        add("systolic", r.systolic, s.sbp_low, "below", ALERT, " (low blood pressure)")
    if r.systolic is not None and base is not None and base.systolic is not None:
        # Exact: compare value*100 with baseline*(100+pct) so 30 % of 125 (162.5) needs 163, not 162.
        threshold = Decimal(base.systolic) * (100 + s.sbp_rise_percent) / 100
        if r.systolic >= threshold:
            add("systolic", r.systolic, threshold, "rise", ALERT,
                f", {s.sbp_rise_percent} % above the baseline of {base.systolic} mmHg")
    if r.heart_rate is not None:
        if r.heart_rate > s.hr_high:
            add("heart_rate", r.heart_rate, s.hr_high, "above", ALERT, " (fast heart rate)")
        elif r.heart_rate < s.hr_low:
            add("heart_rate", r.heart_rate, s.hr_low, "below", ALERT, " (slow heart rate)")
    if r.spo2 is not None and r.spo2 < s.spo2_low:
        add("spo2", r.spo2, s.spo2_low, "below", URGENT, ": check the airway and breathing now")
    if r.resp_rate is not None:
        if r.resp_rate < s.rr_low:
            add("resp_rate", r.resp_rate, s.rr_low, "below", URGENT, " (slow breathing): check the airway now")
        elif r.resp_rate > s.rr_high:
            add("resp_rate", r.resp_rate, s.rr_high, "above", ALERT, " (fast breathing)")
    if r.temperature_c is not None and r.temperature_c >= s.temp_high_c:
        add("temperature_c", r.temperature_c, s.temp_high_c, "above", ALERT, " (fever)", inclusive=True)
    return VitalsAssessment(tuple(alerts), s.recheck_minutes if alerts else None)


def predose_findings(baseline: VitalSigns | None, settings: ClinicSettings | None = None) -> tuple[Finding, ...]:
    """The baseline-vitals gate before a dose (reference 2.2).

    No reading, or no blood pressure -> OVERRIDE "baseline_vitals_missing"; BP above predose_sbp_max /
    predose_dbp_max (SPRAVATO guide > 140/90, so 140/90 itself passes [S12a]) -> OVERRIDE "predose_bp_high";
    no HR, SpO₂ or RR -> WARN "baseline_vitals_incomplete"; any other alert from assess() (low BP, HR, SpO₂,
    RR, temperature) -> "predose_<parameter>_<direction>", OVERRIDE when urgent, else WARN.
    """
    s = settings or ClinicSettings()
    if baseline is None or baseline.systolic is None:
        what = "No baseline vital signs" if baseline is None else "No baseline blood pressure"
        return (Finding("baseline_vitals_missing", Grade.OVERRIDE,
                        f"{what} recorded: take them before the dose (or a physician overrides)."),)
    b = _checked(baseline)
    out: list[Finding] = []
    if b.systolic > s.predose_sbp_max or b.diastolic > s.predose_dbp_max:  # type: ignore[operator]
        out.append(Finding("predose_bp_high", Grade.OVERRIDE,
                           f"Pre-dose blood pressure {b.blood_pressure} is above {s.predose_sbp_max}/"
                           f"{s.predose_dbp_max}: a physician decides whether to delay the dose."))
    names = {"heart_rate": "heart rate", "spo2": "SpO₂", "resp_rate": "respiratory rate"}
    missing = [text for n, text in names.items() if getattr(b, n) is None]
    if missing:
        out.append(Finding("baseline_vitals_incomplete", Grade.WARN,
                           f"Baseline not recorded: {', '.join(missing)}."))
    for alert in assess(b, None, s).alerts:
        if alert.parameter in ("systolic", "diastolic") and alert.direction == "above":
            continue  # already judged by the stricter pre-dose BP gate above
        grade = Grade.OVERRIDE if alert.level == URGENT else Grade.WARN
        out.append(Finding(f"predose_{alert.parameter}_{alert.direction}", grade, f"Before the dose: {alert.message}"))
    return tuple(out)


def vitals_due(phase_start: datetime, now: datetime, last_reading_at: datetime | None,
               interval_min: int) -> datetime:
    """When the next reading is due: `interval_min` after the later of the phase start and the last reading.

    A reading taken before the phase began (e.g. the baseline) does not delay the first one of the phase.
    An overdue reading stays due at its original time, so comparing with `now` shows how late it is.
    `now` is only used to refuse a last reading that lies in the future.
    """
    if not isinstance(interval_min, int) or isinstance(interval_min, bool) or interval_min < 1:
        raise ValidationError("The vital-signs interval must be a whole number of minutes, at least 1.",
                              "interval_min")
    try:
        if last_reading_at is not None and last_reading_at > now:
            raise ValidationError("The last reading cannot be later than now.", "last_reading_at")
        anchor = phase_start if last_reading_at is None else max(phase_start, last_reading_at)
    except TypeError:
        raise ValidationError("Times with and without a time zone cannot be compared.", "last_reading_at") from None
    return anchor + timedelta(minutes=interval_min)


def is_late(due_at: datetime, taken_at: datetime, grace_min: int = 2) -> bool:
    """True when a reading was taken (or, passing now, still is not taken) more than `grace_min` after due."""
    try:
        return taken_at > due_at + timedelta(minutes=grace_min)
    except TypeError:
        raise ValidationError("Times with and without a time zone cannot be compared.", "taken_at") from None
