"""Contraindication screening and the day-of pre-infusion checklist (reference 2.1, 2.2, 10)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from clinic_desktop.domain.checks import CheckItem, PreInfusionFacts, blocking, pre_infusion_checks
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import MedicationClass, PregnancyStatus, Protocol, Sex
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Finding, Grade, worst
from clinic_desktop.domain.screening import (
    QUESTIONS,
    Answer,
    needs_pregnancy_check,
    normalise_answers,
    screening_findings,
)
from clinic_desktop.domain.vitals import validate_vitals

TODAY = date(2026, 3, 2)
ALL_NO = {q.key: "no" for q in QUESTIONS}
#: The base patient's screening: no contraindications, childbearing potential not asked (so her sex decides).
ANSWERS = {**ALL_NO, "childbearing_potential": "unknown"}
IV, ESK = Protocol.IV_INDUCTION, Protocol.ESKETAMINE


def facts(**changes) -> PreInfusionFacts:
    """A patient who passes every check; each test changes only what it is about."""
    base = PreInfusionFacts(
        protocol=IV, sex=Sex.FEMALE, today=TODAY, consent_on_file=True, rems_enrolled=False,
        screening_answers=ANSWERS, screened_on=TODAY - timedelta(days=10), medication_classes=(),
        escort_name="Jordan Lee", escort_confirmed=True, npo_confirmed=True,
        pregnancy_status=PregnancyStatus.NEGATIVE,
        baseline_vitals=validate_vitals(systolic=124, diastolic=78, heart_rate=70, spo2=98, resp_rate=14),
        weight_measured_on=TODAY - timedelta(days=3), dose_ordered=True, phq9_taken=True)
    return dataclasses.replace(base, **changes)


def checks(**changes) -> dict[str, CheckItem]:
    return {i.key: i for i in pre_infusion_checks(facts(**changes))}


def grade(key: str, **changes) -> Grade:
    return checks(**changes)[key].grade


# -- screening questionnaire ---------------------------------------------------------------------------


@pytest.mark.parametrize("key, racemic, esketamine", [
    ("hypersensitivity", Grade.REFUSED, Grade.REFUSED),
    ("aneurysm_avm", Grade.OVERRIDE, Grade.REFUSED),
    ("intracerebral_hemorrhage", Grade.OVERRIDE, Grade.REFUSED),
    ("uncontrolled_hypertension", Grade.OVERRIDE, Grade.OVERRIDE),
    ("psychosis", Grade.OVERRIDE, Grade.OVERRIDE),
    ("pregnant", Grade.OVERRIDE, Grade.OVERRIDE),
    ("mania", Grade.WARN, Grade.WARN),
    ("substance_use", Grade.WARN, Grade.WARN),
    ("childbearing_potential", Grade.INFO, Grade.INFO),
])
def test_a_yes_answer_grades_per_product(key, racemic, esketamine):
    """A "yes" is graded by the product's label: SPRAVATO contraindications are hard stops for esketamine."""
    answers = {**ALL_NO, key: "yes"}
    for protocol, expected in ((IV, racemic), (Protocol.IM, racemic), (ESK, esketamine)):
        found = screening_findings(answers, protocol)
        assert [(f.code, f.grade) for f in found] == [(f"screen_{key}", expected)]


def test_all_no_gives_no_findings():
    """A fully answered, all-"no" screening raises nothing."""
    assert screening_findings(ALL_NO, IV) == ()


def test_unanswered_blocking_questions_give_one_warning():
    """Unanswered questions that could block are listed in one WARN; unanswered minor ones are not."""
    found = screening_findings({}, IV)
    assert len(found) == 1 and found[0].code == "screen_unanswered" and found[0].grade is Grade.WARN
    blocking_questions = [q for q in QUESTIONS if q.racemic >= Grade.OVERRIDE]
    assert found[0].message.startswith(f"{len(blocking_questions)} screening question(s) not answered")
    assert "History of stroke" in found[0].message
    assert "Breastfeeding" in found[0].message
    assert "Liver disease" not in found[0].message  # a WARN-level question


def test_unknown_answer_counts_as_unanswered():
    """An explicit "unknown" on a contraindication is reported like a missing answer."""
    found = screening_findings({**ALL_NO, "aneurysm_avm": "unknown"}, ESK)
    assert [f.code for f in found] == ["screen_unanswered"]
    assert found[0].message.startswith("1 screening question(s)")


@pytest.mark.parametrize("answers, field", [({"not_a_question": "no"}, "not_a_question"),
                                            ({"psychosis": "Yes"}, "psychosis"), ({"psychosis": "maybe"}, "psychosis")])
def test_bad_answers_are_refused(answers, field):
    """Unknown questions and answers other than yes/no/unknown are refused with the question's key."""
    with pytest.raises(ValidationError) as err:
        normalise_answers(answers)
    assert err.value.field == field


def test_normalise_fills_every_question():
    """Missing answers become UNKNOWN so every question has an answer."""
    normal = normalise_answers({"stroke": "yes"})
    assert set(normal) == {q.key for q in QUESTIONS}
    assert normal["stroke"] is Answer.YES and normal["psychosis"] is Answer.UNKNOWN


@pytest.mark.parametrize("answer, needed", [("yes", True), ("unknown", True), ("no", False)])
def test_pregnancy_check_needed_unless_screening_says_no(answer, needed):
    """Only a screening "cannot become pregnant" removes the day-of pregnancy check."""
    assert needs_pregnancy_check({"childbearing_potential": answer}) is needed
    assert needs_pregnancy_check({}) is True


# -- the checklist ---------------------------------------------------------------------------------------


def test_all_ok_patient_passes_every_check_in_order():
    """A prepared IV patient: every item present and OK, in the order a nurse works through them."""
    items = pre_infusion_checks(facts())
    assert [i.key for i in items] == ["consent", "screening", "medications", "weight", "escort", "npo", "pregnancy",
                                      "baseline_vitals", "suicide_screen", "dose_order"]
    assert all(i.grade is Grade.OK for i in items), [(i.key, i.detail) for i in items if i.grade]
    assert blocking(items) == ()


def test_esketamine_adds_rems_and_drops_the_weight_check():
    """SPRAVATO has a REMS item after consent and, being a fixed dose, no weight item."""
    keys = [i.key for i in pre_infusion_checks(facts(protocol=ESK, rems_enrolled=True))]
    assert keys[:2] == ["consent", "rems"] and "weight" not in keys


def test_missing_consent_is_refused():
    """No signed consent is a hard stop that names the treatment."""
    item = checks(consent_on_file=False)["consent"]
    assert item.grade is Grade.REFUSED and not item.overridable
    assert Protocol.IV_INDUCTION.label in item.detail


def test_esketamine_without_rems_is_refused():
    """SPRAVATO cannot be given to a patient not enrolled in the REMS."""
    assert grade("rems", protocol=ESK, rems_enrolled=False) is Grade.REFUSED
    assert grade("rems", protocol=ESK, rems_enrolled=True) is Grade.OK


@pytest.mark.parametrize("key, protocol, expected", [
    ("hypersensitivity", IV, Grade.REFUSED), ("hypersensitivity", ESK, Grade.REFUSED),
    ("aneurysm_avm", IV, Grade.OVERRIDE), ("aneurysm_avm", ESK, Grade.REFUSED),
    ("mania", IV, Grade.WARN),
])
def test_screening_answers_grade_the_screening_item(key, protocol, expected):
    """The screening item takes the worst grade of the "yes" answers for the protocol."""
    assert grade("screening", protocol=protocol, rems_enrolled=True,
                 screening_answers={**ANSWERS, key: "yes"}) is expected


def test_missing_screening_needs_override():
    """No screening on file (answers or date missing) blocks until a physician overrides."""
    assert grade("screening", screening_answers=None) is Grade.OVERRIDE
    assert grade("screening", screened_on=None) is Grade.OVERRIDE


def test_screening_goes_stale_after_the_configured_days():
    """Screening exactly 365 days old is still current; 366 days needs review (override)."""
    days = ClinicSettings().screening_max_age_days
    assert grade("screening", screened_on=TODAY - timedelta(days=days)) is Grade.OK
    item = checks(screened_on=TODAY - timedelta(days=days + 1))["screening"]
    assert item.grade is Grade.OVERRIDE and "older than 365 days" in item.detail


@pytest.mark.parametrize("drug, expected", [
    (MedicationClass.THEOPHYLLINE, Grade.REFUSED), (MedicationClass.MAOI, Grade.OVERRIDE),
    (MedicationClass.BENZODIAZEPINE, Grade.WARN), (MedicationClass.LAMOTRIGINE, Grade.INFO),
    (MedicationClass.OTHER, Grade.OK),
])
def test_interacting_medications(drug, expected):
    """Theophylline is a hard stop, an MAOI needs override, a benzodiazepine warns (reference 10)."""
    assert grade("medications", medication_classes=(drug,)) is expected


def test_worst_medication_decides():
    """With a benzodiazepine and theophylline, the item is refused and both are mentioned."""
    item = checks(medication_classes=(MedicationClass.BENZODIAZEPINE, MedicationClass.THEOPHYLLINE))["medications"]
    assert item.grade is Grade.REFUSED
    assert "Theophylline" in item.detail and "benzodiazepine" in item.detail


def test_weight_missing_or_stale_is_refused():
    """No weight, or one older than the 30-day window, refuses (no dose can be calculated); 30 days is fine."""
    assert grade("weight", weight_measured_on=None) is Grade.REFUSED
    assert grade("weight", weight_measured_on=TODAY - timedelta(days=30)) is Grade.OK
    assert grade("weight", weight_measured_on=TODAY - timedelta(days=31)) is Grade.REFUSED


def test_weight_window_follows_the_clinic_setting():
    """A clinic that requires weighing within 7 days refuses an 8-day-old weight."""
    strict = ClinicSettings().with_changes({"weight_max_age_days": 7})
    items = {i.key: i for i in pre_infusion_checks(facts(weight_measured_on=TODAY - timedelta(days=8)), strict)}
    assert items["weight"].grade is Grade.REFUSED


def test_escort_missing_or_unconfirmed_needs_override():
    """No escort named, or named but not confirmed, blocks until overridden."""
    assert grade("escort", escort_name="") is Grade.OVERRIDE
    item = checks(escort_confirmed=False)["escort"]
    assert item.grade is Grade.OVERRIDE and "Jordan Lee" in item.detail


@pytest.mark.parametrize("npo, expected", [(True, Grade.OK), (False, Grade.OVERRIDE), (None, Grade.OVERRIDE)])
def test_fasting(npo, expected):
    """Fasting not followed, or not asked, needs an override."""
    assert grade("npo", npo_confirmed=npo) is expected


@pytest.mark.parametrize("status, expected", [
    (PregnancyStatus.NEGATIVE, Grade.OK), (PregnancyStatus.POSITIVE, Grade.REFUSED),
    (PregnancyStatus.DECLINED, Grade.OVERRIDE), (None, Grade.OVERRIDE),
])
def test_pregnancy_for_a_patient_who_could_be_pregnant(status, expected):
    """Positive is a hard stop, a declined or missing test needs an override."""
    assert grade("pregnancy", pregnancy_status=status) is expected


def test_pregnancy_not_applicable_to_a_male_patient():
    """A male patient with no screening answer about it needs no pregnancy test."""
    item = checks(sex=Sex.MALE, pregnancy_status=None, screening_answers={**ALL_NO, "childbearing_potential": "unknown"})
    assert item["pregnancy"].grade is Grade.OK and item["pregnancy"].detail == "Not applicable"


def test_screening_answer_about_pregnancy_overrides_recorded_sex():
    """Screening "could become pregnant" applies whatever the sex; "no" removes the check for anyone."""
    assert grade("pregnancy", sex=Sex.MALE, pregnancy_status=None,
                 screening_answers={**ALL_NO, "childbearing_potential": "yes"}) is Grade.OVERRIDE
    assert grade("pregnancy", sex=Sex.FEMALE, pregnancy_status=None, screening_answers=ALL_NO) is Grade.OK
    assert grade("pregnancy", sex=Sex.OTHER, pregnancy_status=None, screening_answers=None) is Grade.OVERRIDE


@pytest.mark.parametrize("sbp, dbp, expected", [(140, 90, Grade.OK), (141, 90, Grade.OVERRIDE),
                                                (140, 91, Grade.OVERRIDE), (120, 80, Grade.OK)])
def test_baseline_blood_pressure_gate(sbp, dbp, expected):
    """Pre-dose BP above 140/90 needs a physician's decision; 140/90 itself passes (SPRAVATO label guide)."""
    vitals = validate_vitals(systolic=sbp, diastolic=dbp, heart_rate=70, spo2=98, resp_rate=14)
    assert grade("baseline_vitals", baseline_vitals=vitals) is expected


def test_no_baseline_vitals_needs_override():
    """A dose cannot start without baseline vital signs unless overridden."""
    assert grade("baseline_vitals", baseline_vitals=None) is Grade.OVERRIDE


def test_unacknowledged_item9_finding_needs_override():
    """A positive PHQ-9 item 9 nobody has acknowledged blocks; even a WARN-level finding is raised to OVERRIDE."""
    finding = Finding("phq9_item9", Grade.WARN, "PHQ-9 item 9 answered 1.")
    item = checks(unacknowledged_suicide_findings=(finding,))["suicide_screen"]
    assert item.grade is Grade.OVERRIDE and item.overridable
    assert "acknowledge" in item.detail


def test_refused_suicide_finding_stays_refused():
    """Raising to OVERRIDE never lowers a finding that is already REFUSED."""
    finding = Finding("cssrs_high_risk", Grade.REFUSED, "High risk.")
    assert grade("suicide_screen", unacknowledged_suicide_findings=(finding,)) is Grade.REFUSED


def test_no_phq9_today_is_a_warning():
    """Without a pre-infusion PHQ-9 the suicide screen warns but does not block."""
    item = checks(phq9_taken=False)["suicide_screen"]
    assert item.grade is Grade.WARN and not item.blocks


def test_no_dose_order_is_refused():
    """Nothing is given until a physician has ordered the dose."""
    assert grade("dose_order", dose_ordered=False) is Grade.REFUSED


def test_blocking_lists_override_and_refused_items_in_order():
    """blocking() keeps OVERRIDE and REFUSED items, in checklist order, and skips WARN/INFO."""
    items = pre_infusion_checks(facts(consent_on_file=False, escort_name="", phq9_taken=False,
                                      medication_classes=(MedicationClass.LAMOTRIGINE,)))
    blocked = blocking(items)
    assert [(i.key, i.grade) for i in blocked] == [("consent", Grade.REFUSED), ("escort", Grade.OVERRIDE)]
    assert [i.overridable for i in blocked] == [False, True]


@pytest.mark.parametrize("g, blocks, overridable", [
    (Grade.OK, False, False), (Grade.INFO, False, False), (Grade.WARN, False, False),
    (Grade.OVERRIDE, True, True), (Grade.REFUSED, True, False),
])
def test_check_item_blocks_and_overridable(g, blocks, overridable):
    """Only OVERRIDE items can be overridden; OVERRIDE and REFUSED both block."""
    item = CheckItem("k", "Title", g, "")
    assert item.blocks is blocks and item.overridable is overridable


# -- grades --------------------------------------------------------------------------------------------


def test_grades_are_ordered_from_ok_to_refused():
    """The worst finding decides, so the order OK < INFO < WARN < OVERRIDE < REFUSED matters."""
    assert sorted(Grade, reverse=True) == [Grade.REFUSED, Grade.OVERRIDE, Grade.WARN, Grade.INFO, Grade.OK]
    assert [g.blocks for g in Grade] == [False, False, False, True, True]
    assert Grade.OVERRIDE.label == "needs physician override" and Grade.REFUSED.label == "refused"
    assert all(g.label for g in Grade)


def test_worst_of_findings():
    """worst() is OK for no findings and the highest grade otherwise."""
    assert worst([]) is Grade.OK
    found = [Finding("a", Grade.WARN, ""), Finding("b", Grade.REFUSED, ""), Finding("c", Grade.INFO, "")]
    assert worst(found) is Grade.REFUSED
    assert worst(iter(found[::2])) is Grade.WARN
