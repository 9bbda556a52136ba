"""Controlled vocabularies of the clinical record. Values are stable strings: they are stored."""

from __future__ import annotations

import enum
from typing import Self

from clinic_desktop.domain.errors import ValidationError


class LabelledEnum(enum.StrEnum):
    """A stored string value with a human label (the label may change; the value never does)."""

    @property
    def label(self) -> str:
        return self._labels().get(self, self.value.replace("_", " ").capitalize())

    @classmethod
    def _labels(cls) -> dict:
        return {}

    @classmethod
    def parse(cls, value: object, field: str) -> Self:
        """The member for a stored value (or the member itself); a ValidationError naming the choices otherwise."""
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(m.value for m in cls)
            raise ValidationError(f"{str(value)[:40]!r} is not one of: {choices}.", field) from None


class Sex(LabelledEnum):
    """Sex recorded for dosing formulas (Devine IBW differs by sex) and pregnancy screening."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"  #: intersex or not stated; IBW then needs a physician's choice of formula


class Route(LabelledEnum):
    IV = "iv"
    IM = "im"
    INTRANASAL = "intranasal"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.IV: "Intravenous infusion", cls.IM: "Intramuscular", cls.INTRANASAL: "Intranasal"}


class Protocol(LabelledEnum):
    """A treatment course's route and product (reference 1.1)."""

    IV_INDUCTION = "iv_induction"
    IV_MAINTENANCE = "iv_maintenance"
    IM = "im_racemic"
    ESKETAMINE = "intranasal_esketamine"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.IV_INDUCTION: "IV racemic ketamine, induction",
            cls.IV_MAINTENANCE: "IV racemic ketamine, maintenance",
            cls.IM: "IM racemic ketamine",
            cls.ESKETAMINE: "Intranasal esketamine (SPRAVATO)",
        }

    @property
    def route(self) -> Route:
        return {
            Protocol.IV_INDUCTION: Route.IV,
            Protocol.IV_MAINTENANCE: Route.IV,
            Protocol.IM: Route.IM,
            Protocol.ESKETAMINE: Route.INTRANASAL,
        }[self]

    @property
    def is_esketamine(self) -> bool:
        return self is Protocol.ESKETAMINE

    @property
    def weight_based(self) -> bool:
        """Racemic ketamine is dosed in mg/kg; esketamine in fixed mg doses."""
        return not self.is_esketamine


class MedicationClass(LabelledEnum):
    """Classes that matter for ketamine interactions (reference section 10)."""

    BENZODIAZEPINE = "benzodiazepine"
    OPIOID = "opioid"
    MAOI = "maoi"
    STIMULANT = "stimulant"
    LAMOTRIGINE = "lamotrigine"
    THEOPHYLLINE = "theophylline"
    THYROID_HORMONE = "thyroid_hormone"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict:
        return {
            cls.MAOI: "MAOI",
            cls.STIMULANT: "Psychostimulant",
            cls.THEOPHYLLINE: "Theophylline / aminophylline",
            cls.THYROID_HORMONE: "Thyroid hormone",
        }


class SeriesStatus(LabelledEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"


class SessionStatus(LabelledEnum):
    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    INFUSING = "infusing"
    RECOVERING = "recovering"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.CHECKED_IN: "Checked in", cls.NO_SHOW: "No-show"}

    @property
    def is_open(self) -> bool:
        """Still on today's board: not yet discharged, cancelled or missed."""
        return self in (SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN, SessionStatus.INFUSING,
                        SessionStatus.RECOVERING)


class VitalsPhase(LabelledEnum):
    BASELINE = "baseline"
    DURING = "during"
    AFTER = "after"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.BASELINE: "Baseline", cls.DURING: "During infusion", cls.AFTER: "After infusion"}


class NoteKind(LabelledEnum):
    DISSOCIATION = "dissociation"
    SEDATION = "sedation"
    SIDE_EFFECT = "side_effect"
    ADVERSE_EVENT = "adverse_event"
    FREE_TEXT = "free_text"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.DISSOCIATION: "Dissociation (CADSS)", cls.SEDATION: "Sedation (MOAA/S)", cls.FREE_TEXT: "Note"}


class StaffRole(LabelledEnum):
    FRONT_DESK = "front_desk"
    NURSE = "nurse"
    PHYSICIAN = "physician"
    ADMINISTRATOR = "administrator"


class WeightBasis(LabelledEnum):
    """Which weight a dose was calculated on (reference 1.2: the record must say)."""

    ACTUAL = "actual"
    IDEAL = "ideal"
    ADJUSTED = "adjusted"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.ACTUAL: "Actual body weight", cls.IDEAL: "Ideal body weight (Devine)",
                cls.ADJUSTED: "Adjusted body weight"}


class WeightUnit(LabelledEnum):
    KG = "kg"
    LB = "lb"


class AlertAction(LabelledEnum):
    """What was done about an out-of-range vital sign (reference 3.3)."""

    CONTINUE = "continue"
    SLOW = "slow"
    PAUSE = "pause"
    STOP = "stop"
    MEDICATION_GIVEN = "medication_given"
    PHYSICIAN_NOTIFIED = "physician_notified"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.CONTINUE: "Continue and re-check", cls.SLOW: "Infusion slowed", cls.PAUSE: "Infusion paused",
                cls.STOP: "Infusion stopped", cls.MEDICATION_GIVEN: "Medication given",
                cls.PHYSICIAN_NOTIFIED: "Physician notified"}


class PregnancyStatus(LabelledEnum):
    """Day-of-treatment pregnancy test or attestation."""

    NOT_APPLICABLE = "not_applicable"
    NEGATIVE = "negative"
    POSITIVE = "positive"
    DECLINED = "declined"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.NOT_APPLICABLE: "Not applicable", cls.NEGATIVE: "Negative test / attested not pregnant"}


class Timepoint(LabelledEnum):
    """When in a session a scale was taken; outcomes use the pre-infusion scores."""

    PRE = "pre"
    DURING = "during"
    POST = "post"
    VISIT = "visit"  #: not tied to an infusion (intake, follow-up)

    @classmethod
    def _labels(cls) -> dict:
        return {cls.PRE: "Before infusion", cls.DURING: "During infusion", cls.POST: "After infusion",
                cls.VISIT: "Visit"}


class Rater(LabelledEnum):
    PATIENT = "patient"  #: self-report, entered by or with staff
    CLINICIAN = "clinician"
