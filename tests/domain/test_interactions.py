"""Medication interaction findings per reference section 10."""

from __future__ import annotations

import pytest

from clinic_desktop.domain.enums import MedicationClass as M, Protocol
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Grade, worst
from clinic_desktop.domain.interactions import medication_findings


@pytest.mark.parametrize("cls, grade", [
    (M.THEOPHYLLINE, Grade.REFUSED), (M.MAOI, Grade.OVERRIDE), (M.BENZODIAZEPINE, Grade.WARN),
    (M.OPIOID, Grade.WARN), (M.STIMULANT, Grade.WARN), (M.THYROID_HORMONE, Grade.WARN),
    (M.LAMOTRIGINE, Grade.INFO),
])
def test_each_class_has_its_reference_grade(cls, grade):
    """Each interacting class gives one finding with the grade the reference assigns."""
    findings = medication_findings([cls], Protocol.IV_INDUCTION)
    assert [(f.code, f.grade) for f in findings] == [(f"interaction_{cls.value}", grade)]


def test_other_and_empty_give_nothing():
    """OTHER medications and an empty list raise no finding."""
    assert medication_findings([M.OTHER], Protocol.ESKETAMINE) == ()
    assert medication_findings([], Protocol.ESKETAMINE) == ()


def test_duplicates_collapse_and_worst_comes_first():
    """Two benzodiazepines give one finding; the hard stop is listed first and decides the grade."""
    findings = medication_findings([M.BENZODIAZEPINE, M.LAMOTRIGINE, M.BENZODIAZEPINE, M.THEOPHYLLINE],
                                   Protocol.IV_MAINTENANCE)
    assert [f.code for f in findings] == ["interaction_theophylline", "interaction_benzodiazepine",
                                          "interaction_lamotrigine"]
    assert worst(findings) is Grade.REFUSED


def test_messages_name_the_drug_and_the_monitoring():
    """MAOI asks for closer BP monitoring and names esketamine for an esketamine protocol."""
    (maoi,) = medication_findings(["maoi"], Protocol.ESKETAMINE)
    assert "blood pressure" in maoi.message and "esketamine" in maoi.message
    (stim,) = medication_findings([M.STIMULANT], Protocol.IM)
    assert "blood pressure" in stim.message and "ketamine" in stim.message


def test_unknown_class_is_an_input_error():
    """An unknown class string is refused with the field named."""
    with pytest.raises(ValidationError) as err:
        medication_findings(["aspirin"], Protocol.IM)
    assert err.value.field == "medications"
