"""Frozen records the services hand to screens and printing (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from clinic_desktop.domain.enums import (
    AlertAction,
    MedicationClass,
    NoteKind,
    PregnancyStatus,
    Protocol,
    Rater,
    SeriesStatus,
    SessionStatus,
    Sex,
    StaffRole,
    Timepoint,
    VitalsPhase,
    WeightBasis,
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
    id: int
    name: str


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


@dataclass(frozen=True)
class SignatureEntry:
    """A signature as shown and printed: meaning, printed name, date and time with offset, and its state."""

    meaning: str
    name: str
    signed_at: datetime
    utc_offset_min: int
    status: str

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    @property
    def local_time(self) -> datetime:
        """When it was signed, in the signing workstation's local time (with that offset)."""
        return self.signed_at.astimezone(timezone(timedelta(minutes=self.utc_offset_min)))


@dataclass(frozen=True)
class AmendmentEntry:
    """A change to a signed record: what it was, what it became, why, and who signed the change."""

    record_type: str
    changes: dict
    reason: str
    amended_by: str
    amended_at: datetime


@dataclass(frozen=True)
class DoseRecordEntry:
    id: int
    mg_per_kg: Decimal | None
    weight_basis: WeightBasis | None
    weight_kg_used: Decimal | None
    dose_mg: Decimal
    vial_mg_per_ml: Decimal | None
    drug_volume_ml: Decimal | None
    diluent_ml: Decimal | None
    total_volume_ml: Decimal | None
    duration_min: Decimal | None
    pump_rate_ml_per_h: Decimal | None
    ordered_by: str
    ordered_at: datetime
    override_level: Grade
    override_reason: str
    finding_codes: tuple[str, ...]
    lot_number: str = ""
    lot_expiry: date | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    volume_given_ml: Decimal | None = None
    volume_wasted_ml: Decimal | None = None
    administered_by: str = ""
    waste_witness: str = ""
    signatures: tuple[SignatureEntry, ...] = ()
    amendments: tuple[AmendmentEntry, ...] = ()
    #: The version shown: an amendment made on it is refused once another workstation changed the record.
    row_version: int = 1

    def signed(self, meaning: str) -> SignatureEntry | None:
        """The current signature with this meaning ("Ordered by", ...), if any."""
        return next((s for s in reversed(self.signatures) if s.meaning == meaning
                     and s.status != "superseded by an amendment"), None)


@dataclass(frozen=True)
class VitalsEntry:
    id: int
    taken_at: datetime
    phase: VitalsPhase
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    resp_rate: int | None
    temperature_c: Decimal | None
    recorded_by: str
    alert_action: AlertAction | None = None
    alert_note: str = ""
    alerts: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoteEntry:
    id: int
    noted_at: datetime
    kind: NoteKind
    values: dict[str, Any]
    text: str
    recorded_by: str


@dataclass(frozen=True)
class SessionDetail:
    """A session with everything charted in it: what the session screen and the infusion record show."""

    summary: SessionSummary
    patient_id: int
    patient_name: str
    mrn: str
    protocol: Protocol
    escort_name: str
    escort_phone: str
    escort_confirmed: bool
    npo_confirmed: bool | None
    pregnancy_status: PregnancyStatus | None
    checked_in_at: datetime | None
    dose: DoseRecordEntry | None = None
    vitals: tuple[VitalsEntry, ...] = ()
    notes: tuple[NoteEntry, ...] = ()
    scores: tuple[ScoreEntry, ...] = ()
    row_version: int = 1
    #: Checklist explanations by item key: (note, who, when).
    check_notes: dict[str, tuple[str, str, datetime]] = field(default_factory=dict)
    #: The physician's override of blocking checks, if any: reason, and its signature.
    checks_override_reason: str = ""
    checks_override_signature: SignatureEntry | None = None
