"""Staff, patients and what is known about a patient before any treatment: contacts, history, screening."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_desktop.domain.enums import MedicationClass, Protocol, Sex, StaffRole, WeightUnit
from clinic_desktop.storage.models.base import Base, CreatedAt, Sealed, enum_column
from clinic_desktop.storage.types import ExactDecimal, UTCDateTime, search_key_column_type


class Staff(Sealed, Base):
    """A member of staff: everyone who orders, gives, records or witnesses is one of these."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    #: Post-nominal letters printed after the name on signatures: "RN", "MD".
    credentials: Mapped[str] = mapped_column(String(40), default="")
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole, "staff_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Declared here rather than by the CreatedAt mixin so the columns keep the order migrations gave them.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Sign-in name, stored folded to lower case; None for staff who never sign in.
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Argon2id hash (PHC string); never the password.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Administration rights (users, settings, audit) on top of the job role.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Times of recent failed sign-ins (at most the lockout count), and the lock they caused.
    failed_logins: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReferringClinician(CreatedAt, Sealed, Base):
    """A clinician outside the clinic who refers patients and receives the summary letter."""

    __tablename__ = "referring_clinicians"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    practice: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    fax: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")


class Patient(CreatedAt, Sealed, Base):
    __tablename__ = "patients"
    __table_args__ = (
        # Keyset-paged list order and name-prefix search both walk this index.
        Index("ix_patients_family_key_given_key_id", "family_key", "given_key", "id"),
        # Each given name's patients in list order, for a search by the start of the given names (0007).
        Index("ix_patients_given_key_family_key_id", "given_key", "family_key", "id"),
        Index("ix_patients_date_of_birth", "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(16), unique=True)
    given_names: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    preferred_name: Mapped[str] = mapped_column(String(120), default="")
    #: Folded copies of the names (see domain.text.search_key), kept in step by the service.
    given_key: Mapped[str] = mapped_column(search_key_column_type())
    family_key: Mapped[str] = mapped_column(search_key_column_type())
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, "sex"))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(120), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(40), default="")
    emergency_contact_relation: Mapped[str] = mapped_column(String(60), default="")
    escort_name: Mapped[str] = mapped_column(String(120), default="")
    escort_phone: Mapped[str] = mapped_column(String(40), default="")
    referring_clinician_id: Mapped[int | None] = mapped_column(ForeignKey("referring_clinicians.id"))
    height_cm: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    #: SPRAVATO REMS patient enrollment (needed before the first esketamine dose).
    rems_enrolled_on: Mapped[date | None] = mapped_column(Date)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    referring_clinician: Mapped[ReferringClinician | None] = relationship()
    diagnoses: Mapped[list[Diagnosis]] = relationship(back_populates="patient", cascade="all, delete-orphan",
                                                      order_by="Diagnosis.id")
    allergies: Mapped[list[Allergy]] = relationship(back_populates="patient", cascade="all, delete-orphan",
                                                    order_by="Allergy.id")
    medications: Mapped[list[Medication]] = relationship(back_populates="patient", cascade="all, delete-orphan",
                                                         order_by="Medication.id")

    # Optimistic concurrency: a save over a change made elsewhere raises instead of overwriting it.
    __mapper_args__ = {"version_id_col": row_version}


class Diagnosis(Sealed, Base):
    __tablename__ = "diagnoses"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    #: ICD-10-CM code when known, e.g. "F33.2".
    code: Mapped[str] = mapped_column(String(16), default="")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    patient: Mapped[Patient] = relationship(back_populates="diagnoses")


class Allergy(Sealed, Base):
    __tablename__ = "allergies"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    substance: Mapped[str] = mapped_column(String(120))
    reaction: Mapped[str] = mapped_column(String(200), default="")

    patient: Mapped[Patient] = relationship(back_populates="allergies")


class Medication(Sealed, Base):
    __tablename__ = "medications"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Dose and frequency as prescribed, e.g. "1 mg at night".
    dose: Mapped[str] = mapped_column(String(120), default="")
    drug_class: Mapped[MedicationClass] = mapped_column(enum_column(MedicationClass, "medication_class"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    patient: Mapped[Patient] = relationship(back_populates="medications")


class WeightMeasurement(CreatedAt, Sealed, Base):
    """A dated weight. Stored in kg exactly (a pound value converts without rounding)."""

    __tablename__ = "weight_measurements"
    __table_args__ = (Index("ix_weight_measurements_patient_id_measured_on", "patient_id", "measured_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    measured_on: Mapped[date] = mapped_column(Date)
    weight_kg: Mapped[Decimal] = mapped_column(ExactDecimal())
    #: The unit it was entered in, so it is shown back the way it was weighed.
    entered_unit: Mapped[WeightUnit] = mapped_column(enum_column(WeightUnit, "weight_unit"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class ScreeningRecord(CreatedAt, Sealed, Base):
    """Contraindication screening answers (domain.screening.QUESTIONS keys -> yes/no/unknown)."""

    __tablename__ = "screening_records"
    __table_args__ = (Index("ix_screening_records_patient_id_screened_on", "patient_id", "screened_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    screened_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class ConsentRecord(CreatedAt, Sealed, Base):
    """A signed consent for a route/product; the template version decides when re-consent is needed."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_patient_id_protocol", "patient_id", "protocol"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    protocol: Mapped[Protocol] = mapped_column(enum_column(Protocol, "protocol"))
    template_version: Mapped[str] = mapped_column(String(32))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Who signed the form: the patient, or a legal representative named with their relation.
    signer_name: Mapped[str] = mapped_column(String(200), default="", server_default=text("''"),
                                             sort_order=10)  # after created_at, as the migration adds it
    signer_relation: Mapped[str] = mapped_column(String(120), default="", server_default=text("''"),
                                                 sort_order=10)
