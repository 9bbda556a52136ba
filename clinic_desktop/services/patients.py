"""Registering and editing patients, their weights, screening and consents; finding them again."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.domain.consent import template_kind
from clinic_desktop.domain.enums import Protocol, WeightUnit
from clinic_desktop.domain.errors import ConcurrentChange, NotFound, ValidationError
from clinic_desktop.domain.patients import PatientInput, checked_weight_kg
from clinic_desktop.domain.records import (
    ConsentEntry,
    PatientChart,
    PatientPage,
    PatientRow,
    ReferringClinician,
    ScreeningSummary,
    SeriesScores,
    StaffMember,
    WeightEntry,
)
from clinic_desktop.domain.screening import normalise_answers
from clinic_desktop.domain.text import checked_email, checked_name, checked_phone, checked_text, format_mrn, search_key
from clinic_desktop.services.chart import (
    build_chart,
    consent_entry,
    printed_name,
    referring_clinician_record,
    screening_summary,
)
from clinic_desktop.domain.access import Action
from clinic_desktop.services import scoring
from clinic_desktop.services.audit_values import changes, patient_snapshot
from clinic_desktop.services.changes import refuse_if_changed
from clinic_desktop.services.chart_view import ChartView, build_chart_view
from clinic_desktop.services.context import ServiceContext, acting_staff, get_or_404, requires, staff_member
from clinic_desktop.services.sheet_text_store import stored_versions
from clinic_desktop.storage import models, patient_queries

#: Rows per page of the patient list: a screenful or two, fetched as the user scrolls.
PAGE_SIZE = 100
_MRN_ATTEMPTS = 5


class PatientService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # --- finding -------------------------------------------------------------------------------
    @requires(Action.PATIENT_VIEW)
    def search(self, actor: StaffMember, query: str = "", after: tuple[Any, ...] | None = None, limit: int = PAGE_SIZE) -> PatientPage:
        """A page of patients matching `query` (name prefix, MRN, or date of birth): in name order, or in MRN
        order for digits (`patient_queries.order_for`); `limit` bounds the page, never the whole list."""
        with self._ctx.db.read() as uow:
            rows = patient_queries.search_rows(uow.session, query, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        page = tuple(PatientRow(r.id, r.mrn, r.family_name, r.given_names, r.preferred_name, r.date_of_birth,
                                r.sex, r.phone) for r in rows)
        cursor = tuple(getattr(rows[-1], c.key) for c in patient_queries.order_for(query)) if more else None
        return PatientPage(page, cursor)

    @requires(Action.PATIENT_VIEW)
    def count(self, actor: StaffMember, query: str = "") -> int:
        with self._ctx.db.read() as uow:
            return patient_queries.count_matches(uow.session, query)

    @requires(Action.PATIENT_VIEW)
    def chart(self, actor: StaffMember, patient_id: int) -> PatientChart:
        with self._ctx.db.read() as uow:
            chart = build_chart(uow.session, get_or_404(uow.session, models.Patient, patient_id, "patient"),
                                self._ctx.today())
        self._ctx.audit_emergency_view(actor, "patient", patient_id, patient_id)
        return chart

    @requires(Action.PATIENT_VIEW)
    def chart_view(self, actor: StaffMember, patient_id: int) -> ChartView:
        """Everything the chart view shows, in one read: the chart and each treatment's consent status."""
        with self._ctx.db.read() as uow:
            view = build_chart_view(uow.session, get_or_404(uow.session, models.Patient, patient_id, "patient"),
                                    self._ctx.today())
        self._ctx.audit_emergency_view(actor, "patient", patient_id, patient_id)
        return view

    @requires(Action.PATIENT_VIEW)
    def outcome_points(self, actor: StaffMember, patient_id: int) -> tuple[SeriesScores, ...]:
        """Every pre-infusion PHQ-9, GAD-7 and MADRS total per series, oldest series first (also on the chart)."""
        with self._ctx.db.read() as uow:
            get_or_404(uow.session, models.Patient, patient_id, "patient")
            points = scoring.outcome_points(uow.session, patient_id)
        self._ctx.audit_emergency_view(actor, "patient", patient_id, patient_id)
        return points

    @requires(Action.PATIENT_VIEW)
    def find_by_mrn(self, actor: StaffMember, mrn: str) -> PatientChart:
        with self._ctx.db.read() as uow:
            row = uow.session.execute(select(models.Patient).where(models.Patient.mrn == mrn.strip())).scalar()
            if row is None:
                raise NotFound(f"There is no patient with MRN {mrn.strip()!r}.")
            return build_chart(uow.session, row, self._ctx.today())

    # --- registering and editing ---------------------------------------------------------------
    @requires(Action.PATIENT_REGISTER)
    def register(self, actor: StaffMember, data: PatientInput) -> PatientChart:
        """A new patient with a new MRN; every field is validated first and nothing is saved on error."""
        clean = data.validated(self._ctx.today())
        for attempt in range(_MRN_ATTEMPTS):
            with self._ctx.db.write() as uow:
                acting_staff(uow.session, actor)
                _check_clinician(uow.session, clean.referring_clinician_id)
                row = models.Patient(mrn=format_mrn(patient_queries.next_mrn_sequence(uow.session)),
                                     created_at=self._ctx.now(), row_version=1)
                _apply(row, clean)
                uow.session.add(row)
                try:
                    uow.flush()
                except IntegrityError:
                    # Another workstation took the same number between our read and write: try the next one.
                    if attempt == _MRN_ATTEMPTS - 1:
                        raise
                    continue
                self._ctx.audit(uow.session, actor, "create", object_type="patient", object_id=row.id,
                                patient_id=row.id, details={"new": patient_snapshot(row)})
                uow.commit()
                return build_chart(uow.session, row, self._ctx.today())
        raise AssertionError("unreachable")

    @requires(Action.PATIENT_UPDATE)
    def update(self, actor: StaffMember, patient_id: int, data: PatientInput, expected_version: int) -> PatientChart:
        """Save an edit made on `expected_version`; a change saved elsewhere in between is not overwritten."""
        clean = data.validated(self._ctx.today())
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = get_or_404(uow.session, models.Patient, patient_id, "patient")
            refuse_if_changed(uow.session, self._ctx, "patient", row, expected_version,
                              outcome="Your entries are kept; reload to see the other change.")
            _check_clinician(uow.session, clean.referring_clinician_id)
            before = patient_snapshot(row)
            with uow.session.no_autoflush:  # one UPDATE of the patient row, so the version moves by one
                _apply(row, clean)
            # Diagnoses, allergies and medications live in other tables: an edit of only those would not
            # UPDATE the patient row, so its version would not move and a stale form could overwrite them.
            flag_modified(row, "family_name")
            try:
                uow.flush()
            except StaleDataError:
                raise ConcurrentChange("This patient was changed on another workstation while you saved.") from None
            self._ctx.audit(uow.session, actor, "update", object_type="patient", object_id=row.id,
                            patient_id=row.id, details=changes(before, patient_snapshot(row)))
            uow.commit()
            return build_chart(uow.session, row, self._ctx.today())

    @requires(Action.WEIGHT_RECORD)
    def record_weight(self, actor: StaffMember, patient_id: int, value: Decimal | str, unit: WeightUnit | str,
                      measured_on: date | None = None) -> WeightEntry:
        kg = checked_weight_kg(value, unit)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            patient = get_or_404(uow.session, models.Patient, patient_id, "patient")
            day = self._ctx.patient_day(patient, measured_on, "measured_on", "A weight")
            row = models.WeightMeasurement(patient_id=patient_id, measured_on=day, weight_kg=kg,
                                           entered_unit=WeightUnit(unit), recorded_by_id=actor.id,
                                           created_at=self._ctx.now())
            uow.session.add(row)
            uow.flush()
            self._ctx.audit(uow.session, actor, "create", object_type="weight", object_id=row.id,
                            patient_id=patient_id, details={"new": {"weight_kg": kg, "entered_unit": row.entered_unit,
                                                                    "entered_value": value, "measured_on": day}})
            uow.commit()
            return WeightEntry(row.measured_on, row.weight_kg, row.entered_unit)

    @requires(Action.SCREENING_RECORD)
    def record_screening(self, actor: StaffMember, patient_id: int, answers: Mapping[str, str], notes: str = "",
                         screened_on: date | None = None) -> ScreeningSummary:
        """Contraindication screening answers; every question is stored (unanswered ones as "unknown")."""
        normal = {k: v.value for k, v in normalise_answers(answers).items()}
        text = checked_text(notes, "notes", "Screening notes", max_length=4000, multiline=True)
        with self._ctx.db.write() as uow:
            staff = acting_staff(uow.session, actor)
            patient = get_or_404(uow.session, models.Patient, patient_id, "patient")
            day = self._ctx.patient_day(patient, screened_on, "screened_on", "Screening")
            row = models.ScreeningRecord(patient_id=patient_id, screened_on=day, answers=normal, notes=text,
                                         recorded_by_id=staff.id, created_at=self._ctx.now())
            uow.session.add(row)
            uow.flush()
            self._ctx.audit(uow.session, actor, "create", object_type="screening", object_id=row.id,
                            patient_id=patient_id, details={"new": {"screened_on": day, "answers": normal,
                                                                    "notes": text}})
            uow.commit()
            return screening_summary(uow.session, patient, row)

    @requires(Action.CONSENT_RECORD)
    def record_consent(self, actor: StaffMember, patient_id: int, protocol: Protocol, template_version: str,
                       signed_at: datetime | None = None, witness_id: int | None = None, signer_name: str = "",
                       signer_relation: str = "") -> ConsentEntry:
        """A consent form signed on paper: which form (template version), for which treatment, signed by whom
        (the patient unless `signer_relation` names a legal representative), witnessed by whom, and when."""
        version = checked_text(template_version, "template_version", "Consent template version", required=True,
                               max_length=32)
        relation = checked_text(signer_relation, "signer_relation", "Signer's relation to the patient",
                                max_length=120)
        signer = checked_name(signer_name, "signer_name", "Signed by", max_length=200, required=bool(relation))
        treatment = Protocol.parse(protocol, "protocol")
        with self._ctx.db.write() as uow:
            staff = acting_staff(uow.session, actor)
            patient = get_or_404(uow.session, models.Patient, patient_id, "patient")
            when = self._ctx.patient_time(patient, signed_at, "signed_at")
            if version not in stored_versions(uow.session, template_kind(treatment)):
                raise ValidationError(f"There is no consent form version {version} for {treatment.label}: the "
                                      "versions are those under Administration > Sheet texts.", "template_version")
            witness = get_or_404(uow.session, models.Staff, witness_id, "staff member") if witness_id else None
            if witness is not None and not witness.active:
                raise ValidationError(f"{witness.full_name} is no longer an active staff member.", "witness_id")
            row = models.ConsentRecord(patient_id=patient_id, protocol=treatment, template_version=version,
                                       signed_at=when, witness_id=witness_id, recorded_by_id=actor.id,
                                       signer_name=signer or printed_name(patient),
                                       signer_relation=relation, created_at=self._ctx.now())
            uow.session.add(row)
            uow.flush()
            self._ctx.audit(uow.session, actor, "create", object_type="consent", object_id=row.id,
                            patient_id=patient_id, details={"new": {
                                "protocol": row.protocol, "template_version": version, "signed_at": when,
                                "witness_id": witness_id, "signer_name": row.signer_name,
                                "signer_relation": relation}})
            uow.commit()
            names = {staff.id: staff_member(staff).signature_name}
            if witness is not None:
                names[witness.id] = staff_member(witness).signature_name
            return consent_entry(row, names)

    @requires(Action.REMS_RECORD)
    def record_rems_enrollment(self, actor: StaffMember, patient_id: int,
                               enrolled_on: date | None = None) -> PatientChart:
        """The patient's SPRAVATO REMS enrollment form is signed (needed before the first esketamine dose)."""
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = get_or_404(uow.session, models.Patient, patient_id, "patient")
            day = self._ctx.patient_day(row, enrolled_on, "enrolled_on", "REMS enrollment")
            old = row.rems_enrolled_on
            row.rems_enrolled_on = day
            self._ctx.audit(uow.session, actor, "update", object_type="patient", object_id=row.id,
                            patient_id=row.id, details={"rems_enrolled_on": {"old": old, "new": day}})
            uow.commit()
            return build_chart(uow.session, row, self._ctx.today())

    # --- referring clinicians ------------------------------------------------------------------
    @requires(Action.CLINICIAN_MANAGE)
    def add_referring_clinician(self, actor: StaffMember, full_name: str, practice: str = "", address: str = "", phone: str = "",
                                fax: str = "", email: str = "") -> ReferringClinician:
        row = models.ReferringClinician(
            full_name=checked_name(full_name, "full_name", "Clinician name", required=True),
            practice=checked_text(practice, "practice", "Practice"),
            address=checked_text(address, "address", "Address", max_length=500, multiline=True),
            phone=checked_phone(phone, "phone"), fax=checked_phone(fax, "fax", "Fax"),
            email=checked_email(email), created_at=self._ctx.now())
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            uow.session.add(row)
            uow.flush()
            self._ctx.audit(uow.session, actor, "create", object_type="referring_clinician", object_id=row.id,
                            details={"new": {"full_name": row.full_name, "practice": row.practice}})
            uow.commit()
            return referring_clinician_record(row)

    @requires(Action.PATIENT_VIEW)
    def referring_clinicians(self, actor: StaffMember) -> list[ReferringClinician]:
        with self._ctx.db.read() as uow:
            rows = uow.session.execute(select(models.ReferringClinician)
                                       .order_by(models.ReferringClinician.full_name)).scalars()
            return [referring_clinician_record(r) for r in rows]


def _check_clinician(session: Session, clinician_id: int | None) -> None:
    if clinician_id is not None and session.get(models.ReferringClinician, clinician_id) is None:
        raise ValidationError("Choose a referring clinician from the list.", "referring_clinician_id")


def _apply(row: models.Patient, clean: PatientInput) -> None:
    """Copy validated input onto the row, keeping the folded search keys in step with the names."""
    for name, value in clean.stored_values().items():
        setattr(row, name, value)
    row.given_key = search_key(clean.given_names)
    row.family_key = search_key(clean.family_name)
    row.diagnoses = [models.Diagnosis(description=d.description, code=d.code, is_primary=d.is_primary)
                     for d in clean.diagnoses]
    row.allergies = [models.Allergy(substance=a.substance, reaction=a.reaction) for a in clean.allergies]
    row.medications = [models.Medication(name=m.name, dose=m.dose, drug_class=m.drug_class, active=m.active)
                       for m in clean.medications]
