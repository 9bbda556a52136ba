"""Treatment: chairs, infusion series, their sessions, and the dose record of each session."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_desktop.domain.enums import PregnancyStatus, Protocol, SeriesStatus, SessionStatus, WeightBasis
from clinic_desktop.domain.grading import Grade
from clinic_desktop.storage.models.base import Base, CreatedAt, Sealed, enum_column
from clinic_desktop.storage.models.people import Patient
from clinic_desktop.storage.types import ExactDecimal, UTCDateTime


class Chair(Sealed, Base):
    """A treatment chair (or room): the board shows one column per active chair."""

    __tablename__ = "chairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    #: False once retired: the board hides it, its sessions keep naming it.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Left-to-right order of the board's columns (the clinic arranges them as the room is laid out).
    position: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class InfusionSeries(CreatedAt, Sealed, Base):
    """A planned course (induction or maintenance) and the pattern its sessions were scheduled on."""

    __tablename__ = "infusion_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    protocol: Mapped[Protocol] = mapped_column(enum_column(Protocol, "protocol"))
    planned_sessions: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    #: Target dose: mg/kg for racemic ketamine, mg for esketamine (see protocol).
    target_dose: Mapped[Decimal] = mapped_column(ExactDecimal())
    #: Weekdays the sessions fall on, Monday = 0, as "0,2,4".
    weekdays: Mapped[str] = mapped_column(String(20))
    session_time: Mapped[time] = mapped_column(Time)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))
    status: Mapped[SeriesStatus] = mapped_column(enum_column(SeriesStatus, "series_status"))
    stop_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    patient: Mapped[Patient] = relationship()
    sessions: Mapped[list[TreatmentSession]] = relationship(back_populates="series", order_by="TreatmentSession.sequence")

    __mapper_args__ = {"version_id_col": row_version}


class TreatmentSession(Sealed, Base):
    """One visit in a chair: scheduled, checked in, infusing, recovering, discharged (or cancelled, no-show)."""

    __tablename__ = "treatment_sessions"
    __table_args__ = (
        UniqueConstraint("series_id", "sequence", name="uq_treatment_sessions_series_id_sequence"),
        Index("ix_treatment_sessions_scheduled_at", "scheduled_at"),
        Index("ix_treatment_sessions_chair_id_scheduled_at", "chair_id", "scheduled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("infusion_series.id", ondelete="CASCADE"))
    #: "Session k of N": k, counting from 1 in the series.
    sequence: Mapped[int] = mapped_column(Integer)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("chairs.id"))
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus, "session_status"))
    status_reason: Mapped[str] = mapped_column(Text, default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discharged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: Who takes the patient home today (may differ from the usual escort).
    escort_name: Mapped[str] = mapped_column(String(120), default="")
    escort_phone: Mapped[str] = mapped_column(String(40), default="")
    escort_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    npo_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    pregnancy_status: Mapped[PregnancyStatus | None] = mapped_column(enum_column(PregnancyStatus, "pregnancy_status"))
    #: A physician's override of blocking pre-infusion checks, with the reason and the checks it covered.
    checks_override_reason: Mapped[str] = mapped_column(Text, default="")
    checks_overridden_keys: Mapped[str] = mapped_column(String(400), default="")
    checks_overridden_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    checks_overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    # Declared here rather than by the CreatedAt mixin so the columns keep the order migrations gave them.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: A nurse's explanation per checklist item ({key: {"note", "by", "at"}}), e.g. why a warning is acceptable.
    check_notes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))

    series: Mapped[InfusionSeries] = relationship(back_populates="sessions")
    chair: Mapped[Chair | None] = relationship()
    dose_record: Mapped[DoseRecord | None] = relationship(back_populates="session", uselist=False)

    __mapper_args__ = {"version_id_col": row_version}


class DoseRecord(CreatedAt, Sealed, Base):
    """The dose order for a session and, once given, its administration (controlled-substance record)."""

    __tablename__ = "dose_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id", ondelete="CASCADE"), unique=True)
    # --- the order ---
    mg_per_kg: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    weight_basis: Mapped[WeightBasis | None] = mapped_column(enum_column(WeightBasis, "weight_basis"))
    weight_kg_used: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    dose_mg: Mapped[Decimal] = mapped_column(ExactDecimal())
    vial_mg_per_ml: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    drug_volume_ml: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    diluent_ml: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    total_volume_ml: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    duration_min: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    pump_rate_ml_per_h: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    ordered_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The worst grade of the dose rules when ordered; OVERRIDE means a physician overrode it.
    override_level: Mapped[Grade] = mapped_column(enum_column(Grade, "override_level"))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    #: The rule codes that were overridden or warned about, comma-separated.
    finding_codes: Mapped[str] = mapped_column(String(400), default="")
    # --- the administration ---
    lot_number: Mapped[str] = mapped_column(String(40), default="")
    lot_expiry: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    volume_given_ml: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    volume_wasted_ml: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    administered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    waste_witness_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    session: Mapped[TreatmentSession] = relationship(back_populates="dose_record")

    __mapper_args__ = {"version_id_col": row_version}
