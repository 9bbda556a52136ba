"""Findings for medications that interact with ketamine or esketamine (reference section 10)."""

from __future__ import annotations

from typing import Iterable

from clinic_desktop.domain.enums import MedicationClass, Protocol
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Finding, Grade

#: How each class affects a dose, per reference section 10. OTHER is absent on purpose: it has no rule.
INTERACTION_GRADES: dict[MedicationClass, Grade] = {
    MedicationClass.THEOPHYLLINE: Grade.REFUSED,  # lowers the seizure threshold: do not co-administer [S20b]
    MedicationClass.MAOI: Grade.OVERRIDE,  # esketamine label: monitor BP closely [S12a]
    MedicationClass.BENZODIAZEPINE: Grade.WARN,
    MedicationClass.OPIOID: Grade.WARN,
    MedicationClass.STIMULANT: Grade.WARN,
    MedicationClass.THYROID_HORMONE: Grade.WARN,
    MedicationClass.LAMOTRIGINE: Grade.INFO,
}

_MESSAGES: dict[MedicationClass, str] = {
    MedicationClass.THEOPHYLLINE: (
        "Theophylline / aminophylline is on the medication list: do not give {drug} "
        "(together they lower the seizure threshold). This cannot be overridden."),
    MedicationClass.MAOI: (
        "An MAOI is on the medication list: a physician must approve this dose, and blood pressure "
        "must be monitored more closely (more often) during and after {drug}."),
    MedicationClass.BENZODIAZEPINE: (
        "A benzodiazepine is on the medication list: expect more sedation and breathing depression with "
        "{drug}, and higher doses may blunt the antidepressant effect. Record the dose and when it was taken."),
    MedicationClass.OPIOID: (
        "An opioid or other CNS depressant is on the medication list: risk of deep sedation and breathing "
        "depression with {drug}, and recovery may take longer. Monitor closely."),
    MedicationClass.STIMULANT: (
        "A psychostimulant is on the medication list: it raises blood pressure. Monitor blood pressure "
        "closely during and after {drug}."),
    MedicationClass.THYROID_HORMONE: (
        "Thyroid hormone is on the medication list: higher risk of high blood pressure and fast heart rate "
        "with {drug}. Monitor blood pressure and heart rate."),
    MedicationClass.LAMOTRIGINE: (
        "Lamotrigine is on the medication list: it may dampen some effects of {drug}; its effect on the "
        "antidepressant response is unknown. For information."),
}


def medication_findings(classes: Iterable[MedicationClass | str], protocol: Protocol) -> tuple[Finding, ...]:
    """One finding per interacting class present (duplicates collapsed), worst first.

    Codes are "interaction_<class value>", e.g. "interaction_theophylline".
    """
    try:
        drug = "esketamine" if Protocol(protocol).is_esketamine else "ketamine"
    except (ValueError, TypeError):
        raise ValidationError(f"{protocol!r} is not a known treatment protocol.", "protocol") from None
    present: set[MedicationClass] = set()
    for raw in classes:
        try:
            present.add(MedicationClass(raw))
        except (ValueError, TypeError):
            raise ValidationError(f"{raw!r} is not a known medication class.", "medications") from None
    # Declaration order of the enum breaks ties so the list reads the same way every time.
    order = list(MedicationClass)
    ranked = sorted((c for c in present if c in INTERACTION_GRADES),
                    key=lambda c: (-INTERACTION_GRADES[c], order.index(c)))
    return tuple(Finding(f"interaction_{c.value}", INTERACTION_GRADES[c], _MESSAGES[c].format(drug=drug))
                 for c in ranked)
