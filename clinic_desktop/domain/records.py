"""Frozen records the services hand to screens and printing (never ORM objects): staff, patients and their
charts, series and scores. One session's full record (dose, vitals, notes, signatures) is in session_records.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from clinic_desktop.domain.enums import (
    MedicationClass,
    Protocol,
    Rater,
    SeriesStatus,
    SessionStatus,
    Sex,
    StaffRole,
    Timepoint,
    WeightUnit,
)
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.grading import Finding, Grade


@dataclass(frozen=True)
class StaffMember:
    id: int
    full_name: str
    credentials: str
    role: StaffRole
    active: bool = True
    #: Administration rights (users, settings, audit), held by administrators and optionally by others.
    is_admin: bool = False
    username: str = ""

    @property
    def signature_name(self) -> str:
        """How the name appears on a signature line: "Dana Whitlock, RN"."""
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name


@dataclass(frozen=True)
class Chair:
    """A treatment chair as the board, planning and the chairs page show it."""

    id: int
    name: str
    #: False once retired: off the board and out of planning, still named by its past sessions.
    active: bool = True
    #: Its column on the board, counting from 1 at the left; 0 for a retired chair.
    position: int = 0
    #: Open sessions booked in it from today on (what must move before it can be retired).
    booked: int = 0


@dataclass(frozen=True)
class ReferringClinician:
    id: int
    full_name: str
    practice: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""


@dataclass(frozen=True)
class PatientRow:
    """One line of the patient list: only what the list shows."""

    id: int
    mrn: str
    family_name: str
    given_names: str
    preferred_name: str
    date_of_birth: date
    sex: Sex
    phone: str

    @property
    def display_name(self) -> str:
        """"Family, Given" as a clinic list sorts and reads names."""
        return f"{self.family_name}, {self.given_names}"


@dataclass(frozen=True)
class PatientPage:
    """A page of the patient list; `after` fetches the next page (None when this was the last)."""

    rows: tuple[PatientRow, ...]
    after: tuple[Any, ...] | None


@dataclass(frozen=True)
class DiagnosisEntry:
    description: str
    code: str = ""
    is_primary: bool = False


@dataclass(frozen=True)
class AllergyEntry:
    substance: str
    reaction: str = ""


@dataclass(frozen=True)
class MedicationEntry:
    name: str
    drug_class: MedicationClass
    dose: str = ""
    active: bool = True


@dataclass(frozen=True)
class WeightEntry:
    measured_on: date
    weight_kg: Decimal
    entered_unit: WeightUnit


@dataclass(frozen=True)
class ScreeningSummary:
    screened_on: date
    recorded_by: str
    answers: dict[str, str]
    #: Flags for the series' protocol (or IV racemic when there is no series yet).
    findings: tuple[Finding, ...]
    protocol: Protocol


@dataclass(frozen=True)
class ConsentEntry:
    id: int
    protocol: Protocol
    template_version: str
    signed_at: datetime
    withdrawn_at: datetime | None
    #: Who signed: the patient, or a legal representative (then `signer_relation` says who they are).
    signer_name: str = ""
    signer_relation: str = ""
    witness: str = ""
    recorded_by: str = ""


@dataclass(frozen=True)
class SessionSummary:
    id: int
    series_id: int
    sequence: int
    of_planned: int
    scheduled_at: datetime
    chair: str
    status: SessionStatus
    dose_mg: Decimal | None = None
    mg_per_kg: Decimal | None = None
    discharged_at: datetime | None = None
    #: The version shown: a move saved with it is refused if another workstation changed the session since.
    row_version: int = 1

    @property
    def label(self) -> str:
        return f"Session {self.sequence} of {self.of_planned}"


@dataclass(frozen=True)
class SeriesSummary:
    id: int
    protocol: Protocol
    planned_sessions: int
    start_date: date
    target_dose: Decimal
    status: SeriesStatus
    stop_reason: str
    chair: str
    weekdays: tuple[int, ...]
    sessions: tuple[SessionSummary, ...] = ()
    #: The version shown (see SessionSummary.row_version).
    row_version: int = 1

    @property
    def target_dose_label(self) -> str:
        unit = "mg" if self.protocol.is_esketamine else "mg/kg"
        return f"{self.target_dose} {unit}"

    @property
    def sessions_done(self) -> int:
        return sum(1 for s in self.sessions if s.status is SessionStatus.DISCHARGED)


@dataclass(frozen=True)
class ScoreEntry:
    """One scored scale response, with its band and alert as the domain computed them."""

    id: int
    instrument: str
    name: str
    total: int
    band: str | None
    taken_at: datetime
    timepoint: Timepoint
    rater: Rater
    session_id: int | None
    findings: tuple[Finding, ...] = ()
    acknowledged: bool = False

    @property
    def alert(self) -> bool:
        return any(f.grade >= Grade.WARN for f in self.findings)


@dataclass(frozen=True)
class OutcomeLine:
    """Baseline to latest for one scale over one series."""

    series_id: int
    instrument: str
    name: str
    baseline: int
    latest: int
    percent_change: Decimal | None
    status: str
    n_points: int


@dataclass(frozen=True)
class ScorePoint:
    """One pre-infusion total, placed by the session it was taken before."""

    sequence: int  #: the session's number in its series ("session k of N")
    taken_at: datetime
    instrument: str  #: "phq9", "gad7" or "madrs"
    total: int


@dataclass(frozen=True)
class SeriesScores:
    """Every pre-infusion PHQ-9, GAD-7 and MADRS total of one series, in session order."""

    series_id: int
    protocol: Protocol
    start_date: date
    planned_sessions: int
    points: tuple[ScorePoint, ...] = ()


@dataclass(frozen=True)
class PatientChart:
    """Everything the chart screen shows for one patient, loaded in one unit of work."""

    id: int
    mrn: str
    given_names: str
    family_name: str
    preferred_name: str
    date_of_birth: date
    sex: Sex
    phone: str
    email: str
    address: str
    emergency_contact_name: str
    emergency_contact_phone: str
    emergency_contact_relation: str
    escort_name: str
    escort_phone: str
    referring_clinician: ReferringClinician | None
    height_cm: Decimal | None
    rems_enrolled_on: date | None
    row_version: int
    diagnoses: tuple[DiagnosisEntry, ...] = ()
    allergies: tuple[AllergyEntry, ...] = ()
    medications: tuple[MedicationEntry, ...] = ()
    latest_weight: WeightEntry | None = None
    bmi: Decimal | None = None
    screening: ScreeningSummary | None = None
    consents: tuple[ConsentEntry, ...] = ()
    series: tuple[SeriesSummary, ...] = ()
    latest_scores: tuple[ScoreEntry, ...] = ()
    outcomes: tuple[OutcomeLine, ...] = ()
    #: Pre-infusion scores per series, oldest series first (the outcomes chart).
    outcome_points: tuple[SeriesScores, ...] = ()
    #: The thresholds in force when the chart was read (remission cut-offs, response percentage).
    outcome_settings: ClinicSettings = field(default_factory=ClinicSettings)

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_names}"

    def age_on(self, day: date) -> int:
        years = day.year - self.date_of_birth.year
        return years - ((day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day))
