"""What is observed during and after a session: vital signs, monitoring notes and rating-scale answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desktop.domain.enums import AlertAction, NoteKind, Rater, Timepoint, VitalsPhase
from clinic_desktop.storage.models.base import Base, CreatedAt, Sealed, enum_column
from clinic_desktop.storage.types import ExactDecimal, UTCDateTime


class VitalSignsReading(CreatedAt, Sealed, Base):
    """One timed set of vital signs. Millions of these: only ever read by session, in time order."""

    __tablename__ = "vital_signs"
    __table_args__ = (Index("ix_vital_signs_session_id_taken_at", "session_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    phase: Mapped[VitalsPhase] = mapped_column(enum_column(VitalsPhase, "vitals_phase"))
    systolic: Mapped[int | None] = mapped_column(Integer)
    diastolic: Mapped[int | None] = mapped_column(Integer)
    heart_rate: Mapped[int | None] = mapped_column(Integer)
    spo2: Mapped[int | None] = mapped_column(Integer)
    resp_rate: Mapped[int | None] = mapped_column(Integer)
    temperature_c: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    #: Set when the reading raised an alert: what the nurse did about it.
    alert_action: Mapped[AlertAction | None] = mapped_column(enum_column(AlertAction, "alert_action"))
    alert_note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class ScaleResponse(CreatedAt, Sealed, Base):
    """Answers to one rating scale (PHQ-9, GAD-7, MADRS, CADSS, ...) with the total computed when saved."""

    __tablename__ = "scale_responses"
    __table_args__ = (
        Index("ix_scale_responses_patient_id_instrument_taken_at", "patient_id", "instrument", "taken_at"),
        Index("ix_scale_responses_session_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id", ondelete="CASCADE"))
    #: The scale's code in domain.scales ("phq9", "gad7", ...).
    instrument: Mapped[str] = mapped_column(String(32))
    answers: Mapped[list[Any]] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timepoint: Mapped[Timepoint] = mapped_column(enum_column(Timepoint, "timepoint"))
    rater: Mapped[Rater] = mapped_column(enum_column(Rater, "rater"))
    #: The staff member who rated (clinician scales) or entered the patient's own answers.
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    #: Alerts (item 9, high C-SSRS risk) need a clinician's acknowledgement.
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MonitoringNote(CreatedAt, Sealed, Base):
    """A timed observation: dissociation, sedation, side effects, an adverse event, or free text."""

    __tablename__ = "monitoring_notes"
    __table_args__ = (Index("ix_monitoring_notes_session_id_noted_at", "session_id", "noted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id", ondelete="CASCADE"))
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[NoteKind] = mapped_column(enum_column(NoteKind, "note_kind"))
    #: Structured values by kind (see domain.monitoring): scores, effects, event details.
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")
    scale_response_id: Mapped[int | None] = mapped_column(ForeignKey("scale_responses.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
