"""Every clinical threshold as a clinic setting with its default, its unit, its allowed range and its source.

Defaults come from the clinical reference; those marked UNSOURCED are conventions a physician or
administrator is expected to review. Ranges keep a setting from being changed into something unsafe
(e.g. the IV hard limit cannot be raised above 1.0 mg/kg, the anesthetic-induction range).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from clinic_desktop.domain.errors import ValidationError, ValidationErrors
from clinic_desktop.domain.quantities import to_decimal

UNSOURCED = "UNSOURCED"

#: Allowed values of the text settings.
CHOICES: dict[str, tuple[str, ...]] = {
    "weight_basis_policy": ("actual", "ideal_if_obese"),
    "discharge_scale": ("aldrete", "padss"),
}


@dataclass(frozen=True)
class SettingInfo:
    """What a settings screen needs to show and validate one setting."""

    name: str
    label: str
    unit: str
    low: Any
    high: Any
    source: str
    section: str


def _setting(default: Any, label: str, unit: str, low: Any, high: Any, source: str, section: str) -> Any:
    return field(default=default, metadata={"info": (label, unit, low, high, source, section)})


D = Decimal


@dataclass(frozen=True)
class ClinicSettings:
    """The thresholds in force. Immutable: a change makes a new object (and, in storage, an audit entry)."""

    # Dosing (reference 1.2-1.4)
    weight_max_age_days: int = _setting(30, "Weight must be measured within", "days", 1, 365, UNSOURCED, "Dosing")
    iv_low_mg_per_kg: Decimal = _setting(D("0.1"), "IV dose below this gets a warning", "mg/kg", D("0.01"), D("0.5"), "S3", "Dosing")
    iv_override_above_mg_per_kg: Decimal = _setting(D("0.75"), "IV dose above this needs physician override", "mg/kg", D("0.1"), D("1.0"), "S3 S5", "Dosing")
    iv_refuse_above_mg_per_kg: Decimal = _setting(D("1.0"), "IV dose above this is refused", "mg/kg", D("0.1"), D("1.0"), "S20c", "Dosing")
    iv_max_rate_mg_per_kg_h: Decimal = _setting(D("1.0"), "IV rate above this needs physician override", "mg/kg/h", D("0.1"), D("1.0"), "S21", "Dosing")
    iv_min_duration_min: int = _setting(40, "IV infusion shorter than this needs physician override", "min", 2, 100, "S3", "Dosing")
    bolus_override_above_mg_per_kg: Decimal = _setting(D("0.5"), "IM bolus above this needs physician override", "mg/kg", D("0.1"), D("1.0"), "S21", "Dosing")
    bolus_refuse_above_mg_per_kg: Decimal = _setting(D("1.0"), "IM bolus above this is refused", "mg/kg", D("0.1"), D("1.0"), UNSOURCED, "Dosing")
    weight_basis_policy: str = _setting("actual", "Weight basis policy (actual, or ideal_if_obese)", "", None, None, "S2", "Dosing")
    obesity_bmi: Decimal = _setting(D("30"), "BMI at which the ideal-weight policy applies", "kg/m²", D("25"), D("50"), "S2", "Dosing")
    max_sessions_per_7_days: int = _setting(3, "Sessions in any 7 days above this need physician override", "sessions", 1, 7, UNSOURCED, "Dosing")
    min_hours_between_doses: int = _setting(24, "Fewer hours since the last dose need physician override", "h", 1, 168, UNSOURCED, "Dosing")
    esketamine_device_interval_min: int = _setting(5, "Minimum wait between esketamine devices", "min", 5, 30, "S13 S18", "Dosing")

    # Vital signs (reference 2.2, 3.3)
    predose_sbp_max: int = _setting(140, "Pre-dose systolic above this needs physician review", "mmHg", 100, 200, "S12a", "Vital signs")
    predose_dbp_max: int = _setting(90, "Pre-dose diastolic above this needs physician review", "mmHg", 60, 130, "S12a", "Vital signs")
    sbp_high: int = _setting(180, "Systolic alert at or above", "mmHg", 120, 240, UNSOURCED, "Vital signs")
    dbp_high: int = _setting(110, "Diastolic alert at or above", "mmHg", 70, 150, UNSOURCED, "Vital signs")
    sbp_urgent: int = _setting(180, "Hypertensive urgency: systolic above", "mmHg", 150, 250, "S11", "Vital signs")
    dbp_urgent: int = _setting(120, "Hypertensive urgency: diastolic above", "mmHg", 90, 160, "S11", "Vital signs")
    sbp_rise_percent: int = _setting(30, "Systolic alert at this rise above baseline", "%", 5, 100, UNSOURCED, "Vital signs")
    sbp_low: int = _setting(90, "Systolic alert below", "mmHg", 60, 120, "S50", "Vital signs")
    hr_high: int = _setting(120, "Heart rate alert above", "/min", 80, 200, UNSOURCED, "Vital signs")
    hr_low: int = _setting(50, "Heart rate alert below", "/min", 30, 70, "S50", "Vital signs")
    spo2_low: int = _setting(92, "SpO₂ alert below", "%", 80, 98, UNSOURCED, "Vital signs")
    rr_low: int = _setting(10, "Respiratory rate alert below", "/min", 4, 14, "S50", "Vital signs")
    rr_high: int = _setting(30, "Respiratory rate alert above", "/min", 20, 50, "S50", "Vital signs")
    temp_high_c: Decimal = _setting(D("38.0"), "Temperature alert at or above", "°C", D("37.0"), D("40.0"), UNSOURCED, "Vital signs")
    recheck_minutes: int = _setting(5, "Re-check an out-of-range reading after", "min", 1, 30, UNSOURCED, "Vital signs")
    vitals_interval_during_min: int = _setting(10, "Vital signs every ... during the infusion", "min", 5, 30, "S8 S9", "Vital signs")
    vitals_interval_after_min: int = _setting(15, "Vital signs every ... after the infusion", "min", 5, 60, "S8", "Vital signs")

    # Rating scales and outcomes (reference 4, 9)
    phq9_item9_alert_min: int = _setting(1, "PHQ-9 item 9 answer that raises an alert", "points", 1, 3, "S29a S29c", "Scales")
    madrs_item10_flag_min: int = _setting(4, "MADRS item 10 (suicidal thoughts) flag at or above", "points", 1, 6, UNSOURCED, "Scales")
    moaas_alert_at_or_below: int = _setting(2, "MOAA/S sedation alert at or below", "points", 0, 4, UNSOURCED, "Scales")
    cadss_dissociation_above: int = _setting(4, "CADSS total above this counts as dissociation", "points", 0, 92, "S63", "Scales")
    bprs_positive_increase_alert: int = _setting(3, "BPRS positive subscale rise that raises an alert", "points", 1, 24, UNSOURCED, "Scales")
    response_reduction_percent: int = _setting(50, "Response: reduction from baseline of at least", "%", 25, 90, "S30a S7", "Scales")
    partial_response_percent: int = _setting(25, "Partial response: reduction of at least", "%", 10, 49, UNSOURCED, "Scales")
    phq9_remission_below: int = _setting(5, "PHQ-9 remission: total below", "points", 1, 10, "S30a", "Scales")
    gad7_remission_below: int = _setting(5, "GAD-7 remission: total below", "points", 1, 10, UNSOURCED, "Scales")
    madrs_remission_at_or_below: int = _setting(10, "MADRS remission: total at or below", "points", 4, 12, "S32d", "Scales")

    # Discharge and observation (reference 3.1, 6.1)
    discharge_scale: str = _setting("aldrete", "Discharge score (aldrete or padss)", "", None, None, "S37 S38", "Discharge")
    discharge_score_min: int = _setting(9, "Discharge allowed at a score of at least", "points", 7, 10, "S37c S38a", "Discharge")
    iv_min_observation_min: int = _setting(30, "Minimum observation after an IV infusion ends", "min", 15, 240, UNSOURCED, "Discharge")
    esketamine_min_observation_min: int = _setting(120, "Minimum observation after esketamine", "min", 120, 240, "S12a S14", "Discharge")

    # Screening (reference 2.1, 2.2)
    screening_max_age_days: int = _setting(365, "Contraindication screening must be reviewed within", "days", 7, 730, UNSOURCED, "Screening")

    # Charting: how far before its session a record of it may be dated (a mistyped day or year is caught)
    charting_before_session_hours: int = _setting(24, "Records of a session may be dated before it by at most", "h",
                                                  1, 168, UNSOURCED, "Charting")

    # Security (reliability reference: idle lock norms)
    idle_lock_minutes: int = _setting(10, "Lock the screen after this long without use", "min", 1, 30, "reliability", "Security")
    emergency_access_minutes: int = _setting(60, "Emergency (break-glass) access lasts", "min", 15, 240, UNSOURCED, "Security")
    # Backups are part of the Security Rule's contingency plan (45 CFR 164.308(a)(7)), hence this section.
    backup_generations: int = _setting(14, "Automatic backups to keep", "backups", 1, 365, "reliability", "Security")

    # ----------------------------------------------------------------------------------------------
    @classmethod
    def infos(cls) -> list[SettingInfo]:
        """Every setting's label, unit, range, source and section, in declaration order."""
        out = []
        for f in dataclasses.fields(cls):
            label, unit, low, high, source, section = f.metadata["info"]
            out.append(SettingInfo(f.name, label, unit, low, high, source, section))
        return out

    def to_mapping(self) -> dict[str, str | int]:
        """JSON-safe values: Decimals as strings so they survive storage exactly."""
        return {f.name: (str(v) if isinstance(v := getattr(self, f.name), Decimal) else v)
                for f in dataclasses.fields(self)}

    def changed_from_default(self) -> dict[str, str | int]:
        """The settings whose value differs from the default (0.750 equals 0.75: no difference)."""
        default = ClinicSettings()
        return {k: v for k, v in self.to_mapping().items() if getattr(self, k) != getattr(default, k)}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "ClinicSettings":
        """Defaults overlaid with `values`; unknown names, wrong types and out-of-range values are refused."""
        return cls().with_changes(values)

    def with_changes(self, values: Mapping[str, Any]) -> "ClinicSettings":
        fields = {f.name: f for f in dataclasses.fields(self)}
        errors: list[ValidationError] = []
        parsed: dict[str, Any] = {}
        for name, raw in values.items():
            f = fields.get(name)
            if f is None:
                errors.append(ValidationError(f"There is no clinic setting called {name!r}.", name))
                continue
            try:
                parsed[name] = _parse(f, raw)
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationErrors(errors)
        result = dataclasses.replace(self, **parsed)
        result._check_consistency()  # noqa: SLF001 (the class's own check, on its new copy)
        return result

    def _check_consistency(self) -> None:
        if self.iv_override_above_mg_per_kg > self.iv_refuse_above_mg_per_kg:
            raise ValidationError("The IV override threshold cannot be above the IV refusal threshold.",
                                  "iv_override_above_mg_per_kg")
        if self.iv_low_mg_per_kg >= self.iv_override_above_mg_per_kg:
            raise ValidationError("The IV low-dose warning must be below the override threshold.", "iv_low_mg_per_kg")
        if self.bolus_override_above_mg_per_kg > self.bolus_refuse_above_mg_per_kg:
            raise ValidationError("The IM override threshold cannot be above the IM refusal threshold.",
                                  "bolus_override_above_mg_per_kg")
        if self.partial_response_percent >= self.response_reduction_percent:
            raise ValidationError("Partial response must be a smaller reduction than response.",
                                  "partial_response_percent")


def _parse(f: dataclasses.Field, raw: Any) -> Any:
    label, unit, low, high, _source, _section = f.metadata["info"]
    if f.name in CHOICES:
        if raw not in CHOICES[f.name]:
            raise ValidationError(f"{label}: choose one of {', '.join(CHOICES[f.name])}.", f.name)
        return raw
    number = to_decimal(raw, f.name, label)
    if f.type in ("int", int):
        if number != number.to_integral_value():
            raise ValidationError(f"{label} must be a whole number.", f.name)
        number = int(number)
    if not low <= number <= high:
        raise ValidationError(f"{label} must be between {low} and {high} {unit}.".rstrip(), f.name)
    return number
