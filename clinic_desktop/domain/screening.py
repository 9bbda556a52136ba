"""The contraindication screening questionnaire (reference 2.1) and the flags its answers raise."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Mapping

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Finding, Grade


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ScreeningQuestion:
    """One question; `racemic` and `esketamine` are the grades a "yes" gives for each product."""

    key: str
    text: str
    racemic: Grade
    esketamine: Grade
    source: str

    def grade_for(self, protocol: Protocol) -> Grade:
        return self.esketamine if protocol.is_esketamine else self.racemic


_R, _O, _W, _I = Grade.REFUSED, Grade.OVERRIDE, Grade.WARN, Grade.INFO

#: The questions, in the order a form asks them. Grades follow the labels (Ketalar, SPRAVATO) where
#: they speak, and clinic exclusion examples otherwise; a clinic reviews them with its physician.
QUESTIONS: tuple[ScreeningQuestion, ...] = (
    ScreeningQuestion("hypersensitivity", "Previous allergic or hypersensitivity reaction to ketamine, esketamine or their excipients", _R, _R, "S20a S12b"),
    ScreeningQuestion("aneurysm_avm", "Aneurysmal vascular disease (aorta, intracranial, peripheral) or arteriovenous malformation", _O, _R, "S20d S12b"),
    ScreeningQuestion("intracerebral_hemorrhage", "History of intracerebral hemorrhage", _O, _R, "S12b"),
    ScreeningQuestion("uncontrolled_hypertension", "Uncontrolled high blood pressure", _O, _O, "S20d S55"),
    ScreeningQuestion("stroke", "History of stroke", _O, _O, "S20d"),
    ScreeningQuestion("cardiac_disease", "Heart disease: poor ventricular function, significant arrhythmia, recent heart attack", _O, _O, "S20d S55"),
    ScreeningQuestion("thyrotoxicosis", "Overactive thyroid (thyrotoxicosis) not controlled", _O, _O, "S20d"),
    ScreeningQuestion("raised_icp", "Raised intracranial pressure (head injury, mass, bleeding, hydrocephalus)", _O, _O, "S20d S49"),
    ScreeningQuestion("raised_iop", "Raised eye pressure: glaucoma, recent eye injury or surgery", _O, _O, "S20d S49"),
    ScreeningQuestion("psychosis", "Current or past psychosis (including during depression)", _O, _O, "S12b S48 S49"),
    ScreeningQuestion("mania", "History of mania or hypomania (bipolar disorder)", _W, _W, "S57 S49"),
    ScreeningQuestion("substance_use", "Substance use disorder, including alcohol, now or in the past", _W, _W, "S12b S49"),
    ScreeningQuestion("neurocognitive", "Dementia or another neurocognitive disorder; symptomatic brain injury", _O, _O, "S48"),
    ScreeningQuestion("seizures", "Epilepsy or seizures in the last year", _W, _W, "S49"),
    ScreeningQuestion("liver_disease", "Liver disease or abnormal liver tests", _W, _W, "S20d"),
    ScreeningQuestion("bladder_symptoms", "Bladder pain, urgency or other urinary symptoms", _W, _W, "S20f"),
    ScreeningQuestion("sleep_apnea", "Sleep apnea or a positive STOP-BANG screen", _W, _W, "S47"),
    ScreeningQuestion("pregnant", "Pregnant, or planning pregnancy or IVF", _O, _O, "S12h S49 S66"),
    ScreeningQuestion("breastfeeding", "Breastfeeding", _O, _O, "S12c S49"),
    ScreeningQuestion("childbearing_potential", "Could become pregnant (a pregnancy test or attestation is needed each treatment day)", _I, _I, "S55"),
)

QUESTION_BY_KEY = {q.key: q for q in QUESTIONS}


def normalise_answers(answers: Mapping[str, str]) -> dict[str, Answer]:
    """Answers for every question (missing ones become UNKNOWN); unknown keys or values are refused."""
    out: dict[str, Answer] = {}
    for key, value in answers.items():
        if key not in QUESTION_BY_KEY:
            raise ValidationError(f"Unknown screening question {key!r}.", key)
        try:
            out[key] = Answer(value)
        except ValueError:
            raise ValidationError(f"Answer {QUESTION_BY_KEY[key].text!r} with yes, no or unknown.", key) from None
    return {q.key: out.get(q.key, Answer.UNKNOWN) for q in QUESTIONS}


def screening_findings(answers: Mapping[str, str], protocol: Protocol) -> tuple[Finding, ...]:
    """Flags for a product: each "yes" at its grade, and unanswered questions that could block as a warning."""
    normal = normalise_answers(answers)
    findings = []
    unanswered = []
    for q in QUESTIONS:
        grade = q.grade_for(protocol)
        if normal[q.key] is Answer.YES:
            findings.append(Finding(f"screen_{q.key}", grade, q.text))
        elif normal[q.key] is Answer.UNKNOWN and grade >= Grade.OVERRIDE:
            unanswered.append(q.text)
    if unanswered:
        findings.append(Finding("screen_unanswered", Grade.WARN,
                                f"{len(unanswered)} screening question(s) not answered: " + "; ".join(unanswered)))
    return tuple(findings)


def needs_pregnancy_check(answers: Mapping[str, str]) -> bool:
    """A day-of pregnancy test/attestation is needed unless the screening says the patient cannot become pregnant."""
    return normalise_answers(answers)["childbearing_potential"] is not Answer.NO
