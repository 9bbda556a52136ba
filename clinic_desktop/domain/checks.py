"""Pre-infusion checks (reference 2.2): given the patient, the session and the settings, what is missing or blocking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Mapping

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import MedicationClass, PregnancyStatus, Protocol, Sex
from clinic_desktop.domain.grading import Finding, Grade, worst
from clinic_desktop.domain.interactions import medication_findings
from clinic_desktop.domain.screening import Answer, normalise_answers, screening_findings
from clinic_desktop.domain.vitals import VitalSigns, predose_findings


@dataclass(frozen=True)
class CheckItem:
    """One line of the checklist: OK, or what is wrong and how hard it blocks (see Grade)."""

    key: str
    title: str
    grade: Grade
    detail: str

    @property
    def blocks(self) -> bool:
        return self.grade.blocks

    @property
    def overridable(self) -> bool:
        """A physician may override it with a reason; REFUSED items must be resolved instead."""
        return self.grade is Grade.OVERRIDE


@dataclass(frozen=True)
class PreInfusionFacts:
    """What the checks look at, gathered by the session service for one session."""

    protocol: Protocol
    sex: Sex
    today: date
    consent_on_file: bool
    rems_enrolled: bool
    screening_answers: Mapping[str, str] | None
    screened_on: date | None
    medication_classes: tuple[MedicationClass, ...]
    escort_name: str
    escort_confirmed: bool
    npo_confirmed: bool | None
    pregnancy_status: PregnancyStatus | None
    baseline_vitals: VitalSigns | None
    weight_measured_on: date | None
    dose_ordered: bool
    #: Today's pre-infusion PHQ-9 item 9 and C-SSRS: the findings that still need a clinician's acknowledgement.
    phq9_taken: bool = False
    unacknowledged_suicide_findings: tuple[Finding, ...] = field(default_factory=tuple)
    #: Why the consent on file no longer counts (signed on an older form); empty when it is current.
    consent_outdated: str = ""


def pre_infusion_checks(facts: PreInfusionFacts, settings: ClinicSettings | None = None) -> tuple[CheckItem, ...]:
    """Every check in the order a nurse works through them; each present even when OK, so it can be ticked."""
    s = settings or ClinicSettings()
    items = [_consent(facts)]
    if facts.protocol.is_esketamine:
        items.append(_item("rems", "SPRAVATO REMS enrollment", () if facts.rems_enrolled else
                           (Finding("rems_missing", Grade.REFUSED, "The patient is not enrolled in the SPRAVATO REMS."),),
                           "Enrolled"))
    items += [_screening(facts, s), _item("medications", "Interacting medications",
                                          medication_findings(facts.medication_classes, facts.protocol),
                                          "None on the medication list")]
    if facts.protocol.weight_based:
        items.append(_weight(facts, s))
    items += [_escort(facts), _npo(facts), _pregnancy(facts),
              _item("baseline_vitals", "Baseline vital signs", predose_findings(facts.baseline_vitals, s),
                    "Recorded and within the pre-dose limits"),
              _suicide_screen(facts),
              _item("dose_order", "Dose ordered", () if facts.dose_ordered else
                    (Finding("dose_not_ordered", Grade.REFUSED, "No dose has been ordered by a physician yet."),),
                    "Ordered")]
    return tuple(items)


def blocking(items: tuple[CheckItem, ...]) -> tuple[CheckItem, ...]:
    return tuple(i for i in items if i.blocks)


def _item(key: str, title: str, findings: tuple[Finding, ...] | list[Finding], ok_detail: str) -> CheckItem:
    if not findings:
        return CheckItem(key, title, Grade.OK, ok_detail)
    return CheckItem(key, title, worst(findings), " ".join(f.message for f in findings))


def _consent(facts: PreInfusionFacts) -> CheckItem:
    if not facts.consent_on_file:
        problems = (Finding("consent_missing", Grade.REFUSED,
                            f"No signed consent on file for {facts.protocol.label}."),)
    elif facts.consent_outdated:
        problems = (Finding("consent_outdated", Grade.REFUSED, facts.consent_outdated),)
    else:
        problems = ()
    return _item("consent", "Signed consent", problems, "On file for this treatment, on the current form")


def _screening(facts: PreInfusionFacts, s: ClinicSettings) -> CheckItem:
    if facts.screening_answers is None or facts.screened_on is None:
        return CheckItem("screening", "Contraindication screening", Grade.OVERRIDE,
                         "No contraindication screening on file.")
    findings = list(screening_findings(facts.screening_answers, facts.protocol))
    if facts.screened_on < facts.today - timedelta(days=s.screening_max_age_days):
        findings.append(Finding("screening_stale", Grade.OVERRIDE,
                                f"Screening dated {facts.screened_on:%Y-%m-%d} is older than "
                                f"{s.screening_max_age_days} days; review it with the patient."))
    return _item("screening", "Contraindication screening", findings, "No contraindications reported")


def _weight(facts: PreInfusionFacts, s: ClinicSettings) -> CheckItem:
    if facts.weight_measured_on is None:
        return CheckItem("weight", "Current weight", Grade.REFUSED, "No weight recorded: weigh the patient.")
    if facts.weight_measured_on < facts.today - timedelta(days=s.weight_max_age_days):
        return CheckItem("weight", "Current weight", Grade.REFUSED,
                         f"Last weight is from {facts.weight_measured_on:%Y-%m-%d}, more than "
                         f"{s.weight_max_age_days} days ago: weigh the patient.")
    return CheckItem("weight", "Current weight", Grade.OK, f"Weighed {facts.weight_measured_on:%Y-%m-%d}")


def _escort(facts: PreInfusionFacts) -> CheckItem:
    if not facts.escort_name:
        return CheckItem("escort", "Escort / driver home", Grade.OVERRIDE,
                         "No escort named for today: the patient must not drive or leave alone.")
    if not facts.escort_confirmed:
        return CheckItem("escort", "Escort / driver home", Grade.OVERRIDE,
                         f"Escort {facts.escort_name} has not been confirmed for today.")
    return CheckItem("escort", "Escort / driver home", Grade.OK, f"{facts.escort_name}, confirmed")


def _npo(facts: PreInfusionFacts) -> CheckItem:
    if facts.npo_confirmed is None:
        return CheckItem("npo", "Fasting (NPO) instructions followed", Grade.OVERRIDE, "Not yet asked.")
    if not facts.npo_confirmed:
        return CheckItem("npo", "Fasting (NPO) instructions followed", Grade.OVERRIDE,
                         "The patient has not followed the fasting instructions.")
    return CheckItem("npo", "Fasting (NPO) instructions followed", Grade.OK, "Confirmed")


def _pregnancy_needed(facts: PreInfusionFacts) -> bool:
    if facts.screening_answers is not None:
        answer = normalise_answers(facts.screening_answers)["childbearing_potential"]
        if answer is not Answer.UNKNOWN:
            return answer is Answer.YES
    return facts.sex is not Sex.MALE


def _pregnancy(facts: PreInfusionFacts) -> CheckItem:
    title = "Pregnancy test or attestation"
    if not _pregnancy_needed(facts):
        return CheckItem("pregnancy", title, Grade.OK, "Not applicable")
    status = facts.pregnancy_status
    if status is PregnancyStatus.NEGATIVE:
        return CheckItem("pregnancy", title, Grade.OK, "Negative today")
    if status is PregnancyStatus.POSITIVE:
        return CheckItem("pregnancy", title, Grade.REFUSED, "Positive pregnancy test: ketamine is not given.")
    if status is PregnancyStatus.DECLINED:
        return CheckItem("pregnancy", title, Grade.OVERRIDE, "The patient declined the test today.")
    return CheckItem("pregnancy", title, Grade.OVERRIDE, "Not yet done today.")


def _suicide_screen(facts: PreInfusionFacts) -> CheckItem:
    title = "Suicide risk screen (PHQ-9 item 9, C-SSRS)"
    if facts.unacknowledged_suicide_findings:
        return _item("suicide_screen", title, tuple(
            Finding(f.code, max(f.grade, Grade.OVERRIDE), f.message + " A clinician must review and acknowledge it.")
            for f in facts.unacknowledged_suicide_findings), "")
    if not facts.phq9_taken:
        return CheckItem("suicide_screen", title, Grade.WARN, "No PHQ-9 recorded before today's infusion.")
    return CheckItem("suicide_screen", title, Grade.OK, "Screened; nothing needing review")
