"""Frozen records of one session with everything charted in it (signatures, amendments, the dose record,
vital signs, notes), as the session screen and the infusion record show them; built by
services/session_records.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from clinic_desktop.domain.enums import AlertAction, NoteKind, PregnancyStatus, Protocol, VitalsPhase, WeightBasis
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.records import ScoreEntry, SessionSummary


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
