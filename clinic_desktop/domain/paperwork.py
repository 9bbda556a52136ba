"""What each printed sheet shows, as frozen records: the services fill them, printing turns them into PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from clinic_desktop.domain.enums import LabelledEnum, Protocol
from clinic_desktop.domain.records import (
    OutcomeLine,
    ReferringClinician,
    ScoreEntry,
    SeriesScores,
    SeriesSummary,
    SessionSummary,
)
from clinic_desktop.domain.session_records import DoseRecordEntry, NoteEntry, SignatureEntry, VitalsEntry


class SheetKind(LabelledEnum):
    """The sheets the clinic prints."""

    CONSENT = "consent"
    DISCHARGE = "discharge"
    RECORD = "record"
    SUMMARY = "summary"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.CONSENT: "Consent form", cls.DISCHARGE: "Discharge sheet", cls.RECORD: "Infusion record",
                cls.SUMMARY: "Series summary letter"}


@dataclass(frozen=True)
class ClinicLetterhead:
    """The clinic as every sheet prints it (from the clinic profile): who, where, whom to call, on what paper."""

    name: str
    address: str
    phone: str
    #: Where a patient calls out of hours; empty means the main phone.
    after_hours_phone: str = ""
    email: str = ""
    #: "letter" or "a4" (clinic_profile.PaperSize).
    paper: str = "letter"
    emergency_number: str = "911"
    crisis_number: str = "988"
    crisis_line: str = "the Suicide & Crisis Lifeline"
    #: The logo as stored (PNG or JPEG bytes), printed at the left of the letterhead; None prints none.
    logo: bytes | None = None

    @property
    def out_of_hours_phone(self) -> str:
        """The number a patient calls at night: the after-hours line, else the main phone, else ""."""
        return self.after_hours_phone or self.phone


def job_name(kind: "SheetKind", mrn: str) -> str:
    """What a print queue and a PDF's title show: the sheet and the record number, never the patient's name
    (print queues and file managers are seen by people who need not know who is treated here)."""
    return f"{kind.label} MRN {mrn}"


@dataclass(frozen=True)
class PatientIdent:
    """Who a sheet is about: printed on every sheet."""

    name: str
    date_of_birth: date
    mrn: str
    address: str = ""


@dataclass(frozen=True)
class TemplateSection:
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class TextTemplate:
    """A versioned text a clinic can revise without touching code (resources/templates)."""

    kind: str
    version: str
    title: str
    sections: tuple[TemplateSection, ...]


@dataclass(frozen=True)
class PrintContext:
    """When and by whom a sheet was printed, and the clinic's zone for its times."""

    printed_at: datetime
    printed_by: str
    zone_name: str


@dataclass(frozen=True)
class ConsentSheet:
    clinic: ClinicLetterhead
    patient: PatientIdent
    protocol: Protocol
    #: "6 infusions of 0.5 mg/kg over 40 minutes, 3 a week, from 2026-03-02" or the template's description.
    planned_course: str
    template: TextTemplate
    context: PrintContext


@dataclass(frozen=True)
class DischargeSheet:
    clinic: ClinicLetterhead
    patient: PatientIdent
    session: SessionSummary
    protocol: Protocol
    dose_mg: Decimal | None
    mg_per_kg: Decimal | None
    last_vitals: VitalsEntry | None
    discharge_score: ScoreEntry | None
    escort_name: str
    next_appointment: datetime | None
    template: TextTemplate
    context: PrintContext


@dataclass(frozen=True)
class InfusionRecordSheet:
    clinic: ClinicLetterhead
    patient: PatientIdent
    session: SessionSummary
    protocol: Protocol
    dose: DoseRecordEntry | None
    vitals: tuple[VitalsEntry, ...]
    notes: tuple[NoteEntry, ...]
    scores: tuple[ScoreEntry, ...]
    checks_override_reason: str
    checks_override_signature: SignatureEntry | None
    context: PrintContext
    #: The span a record of this session can be dated in (clinical_time.session_window): the chart shows only
    #: the readings inside it. None charts every reading.
    chart_window: tuple[datetime, datetime] | None = None


@dataclass(frozen=True)
class GivenDose:
    """One session of the course as the letter lists it."""

    label: str
    given_at: datetime
    dose_mg: Decimal
    mg_per_kg: Decimal | None
    weight_basis: str
    duration_min: Decimal | None
    peak_bp: str
    cadss: int | None
    adverse_events: tuple[str, ...]


@dataclass(frozen=True)
class SummaryLetter:
    clinic: ClinicLetterhead
    patient: PatientIdent
    referring_clinician: ReferringClinician | None
    diagnoses: tuple[str, ...]
    series: SeriesSummary
    doses: tuple[GivenDose, ...]
    scores: SeriesScores | None
    outcomes: tuple[OutcomeLine, ...]
    medications: tuple[str, ...]
    recommendations: str
    #: The physician who signs the letter ("" leaves a blank signature line).
    signer_name: str
    context: PrintContext
    #: Esketamine: the patient's REMS enrollment ("Enrolled 2026-03-01"), empty otherwise.
    rems_status: str = ""


@dataclass(frozen=True)
class PrintedSheet:
    """A rendered sheet ready to preview, print or save, and what its print record says."""

    kind: SheetKind
    title: str
    template_version: str  #: "" for sheets without a text template
    patient_id: int
    object_type: str  #: "patient", "series" or "session"
    object_id: int
    pdf: bytes
    suggested_filename: str
    #: The patient's record number: the print job and the PDF are named by sheet and MRN (job_name).
    mrn: str = ""
    #: What the sheet leaves out because the clinic has not set it yet (its phone, say), said before printing.
    gaps: tuple[str, ...] = ()

    @property
    def job_name(self) -> str:
        return job_name(self.kind, self.mrn)
