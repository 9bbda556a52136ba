"""Dose orders (physician), and giving the dose: start with lot and expiry, stop with volumes and waste witness."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.domain.body import bmi, ideal_body_weight_kg
from clinic_desktop.domain.dosing import DoseCalculation, DoseOrderInput, calculate_dose
from clinic_desktop.domain.enums import Protocol, Route, SessionStatus, WeightBasis
from clinic_desktop.domain.errors import ClinicError, RuleViolation, ValidationError
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.interactions import medication_findings
from clinic_desktop.domain.quantities import to_decimal
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.domain.session_records import DoseRecordEntry
from clinic_desktop.domain.session_flow import require_transition
from clinic_desktop.domain.text import checked_text
from clinic_desktop.domain.access import Action, is_allowed
from clinic_desktop.services import signing
from clinic_desktop.services.audit_values import changes, snapshot
from clinic_desktop.services.password_checks import AuthenticationFailed, PasswordCheck, reauthenticate
from clinic_desktop.services.changes import dose_audit_objects, refuse_if_changed
from clinic_desktop.services.chart import latest_weight
from clinic_desktop.services.context import (
    ServiceContext,
    acting_staff,
    get_or_404,
    load_settings,
    requires,
    staff_member,
)
from clinic_desktop.services.session_records import build_session_detail
from clinic_desktop.services.sessions import current_checks, load_session, unresolved_blocks
from clinic_desktop.services.tolerance import PreviousDose, previous_dose
from clinic_desktop.storage import models

#: The fields of the order and of the administration that audit entries and amendments follow.
ORDER_FIELDS = signing.SIGNED_FIELDS["dose_order"]
ADMINISTRATION_FIELDS = signing.SIGNED_FIELDS["administration"] + ("volume_wasted_ml", "waste_witness_id")


class WitnessNotConfirmed(AuthenticationFailed):
    """The waste witness's own password was refused (or their account is locked): nothing was signed."""

    field = "witness_password"  #: where a form shows it: beside the witness's password, not the giver's


@dataclass(frozen=True)
class DoseOrderForm:
    """The order form: mg/kg (racemic) or mg (esketamine), weight basis, vial, diluent and duration."""

    mg_per_kg: Decimal | str | None = None
    dose_mg: Decimal | str | None = None
    weight_basis: WeightBasis = WeightBasis.ACTUAL
    vial_mg_per_ml: Decimal | str | None = None
    diluent_ml: Decimal | str = Decimal(0)
    duration_min: Decimal | str | None = None
    override_reason: str = ""


class DoseService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.PATIENT_VIEW)
    def preview(self, actor: StaffMember, session_id: int, form: DoseOrderForm) -> DoseCalculation:
        """The calculator: what this order would be and how it grades, without saving anything."""
        with self._ctx.db.read() as uow:
            return self._calculate(uow.session, load_session(uow.session, session_id), form)[0]

    @requires(Action.PATIENT_VIEW)
    def previous(self, actor: StaffMember, session_id: int) -> PreviousDose | None:
        """The patient's last dose before this session and how it was tolerated (shown beside the order)."""
        with self._ctx.db.read() as uow:
            return previous_dose(uow.session, load_session(uow.session, session_id))

    @requires(Action.DOSE_ORDER)
    def order(self, actor: StaffMember, session_id: int, form: DoseOrderForm, password: str) -> DoseRecordEntry:
        """A physician's order, signed with their password. Refused doses are never saved; an override needs
        the physician's reason. A signed order is changed only by an amendment."""
        reason = _override_reason(form)
        check = reauthenticate(self._ctx, actor, password, "signature_confirmed")
        with self._ctx.db.write() as uow:
            staff = check.recheck(uow.session)
            ts = load_session(uow.session, session_id)
            if ts.status not in (SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN):
                raise RuleViolation(f"A dose cannot be ordered for a session that is {ts.status.label.lower()}.")
            if ts.dose_record is not None:
                raise RuleViolation("This session already has a signed order; change it with an amendment.")
            calc, weight_kg = self._checked_calculation(uow.session, ts, form, reason)
            row = models.DoseRecord(session=ts, created_at=self._ctx.now())
            _fill_order(row, ts.series.protocol, form, calc, weight_kg, reason)
            row.ordered_by_id, row.ordered_at = staff.id, self._ctx.now()
            uow.session.add(row)
            uow.flush()
            self._sign(uow.session, "dose_order", row, staff.id)
            self._ctx.audit(uow.session, actor, "create", object_type="dose_order", object_id=row.id,
                            patient_id=ts.series.patient_id, details={"new": snapshot(row, ORDER_FIELDS)})
            self._ctx.audit(uow.session, actor, "sign", object_type="dose_order", object_id=row.id,
                            patient_id=ts.series.patient_id, details={"meaning": "Ordered by"})
            uow.commit()
            return self._entry(uow.session, ts)

    @requires(Action.DOSE_AMEND_ORDER)
    def amend_order(self, actor: StaffMember, session_id: int, form: DoseOrderForm, reason: str,
                    password: str, expected_version: int | None = None) -> DoseRecordEntry:
        """Change a signed order: the old values stay in the history, the reason and a new signature are kept.
        With `expected_version` (the dose record's row_version shown) a change saved elsewhere since is refused."""
        why = checked_text(reason, "reason", "Reason for the amendment", required=True, max_length=2000,
                           multiline=True)
        override = _override_reason(form)
        check = reauthenticate(self._ctx, actor, password, "signature_confirmed")
        with self._ctx.db.write() as uow:
            staff = check.recheck(uow.session)
            ts = load_session(uow.session, session_id)
            row = _dose_or_refuse(ts)
            _refuse_if_stale(uow.session, self._ctx, row, expected_version)
            calc, weight_kg = self._checked_calculation(uow.session, ts, form, override)
            before = snapshot(row, ORDER_FIELDS)
            _fill_order(row, ts.series.protocol, form, calc, weight_kg, override)
            row.ordered_by_id, row.ordered_at = staff.id, self._ctx.now()
            self._amend(uow.session, actor, ts, "dose_order", row, before, ORDER_FIELDS, why)
            uow.commit()
            return self._entry(uow.session, ts)

    @requires(Action.DOSE_ADMINISTER)
    def start(self, actor: StaffMember, session_id: int, lot_number: str, lot_expiry: date,
              started_at: datetime | None = None) -> DoseRecordEntry:
        """The dose starts: every blocking check resolved or overridden, a lot in date."""
        lot = checked_text(lot_number, "lot_number", "Lot number", required=True, max_length=40)
        with self._ctx.db.write() as uow:
            staff = acting_staff(uow.session, actor)
            ts = load_session(uow.session, session_id)
            when = self._ctx.session_time(uow.session, ts, started_at, "started_at")
            if lot_expiry < when.astimezone(self._ctx.zone).date():
                raise ValidationError(f"This lot expired on {lot_expiry:%Y-%m-%d}: use another vial.", "lot_expiry")
            require_transition(ts.status, SessionStatus.INFUSING)
            open_items = unresolved_blocks(current_checks(uow.session, ts, self._ctx.today()), ts)
            if open_items:
                raise RuleViolation("Resolve these first (or a physician overrides them): " + "; ".join(
                    f"{i.title}: {i.detail}" for i in open_items))
            dose = ts.dose_record
            dose.lot_number, dose.lot_expiry, dose.started_at = lot, lot_expiry, when
            dose.administered_by_id = staff.id
            ts.status = SessionStatus.INFUSING
            self._ctx.audit(uow.session, actor, "update", object_type="administration", object_id=dose.id,
                            patient_id=ts.series.patient_id, details={
                                "started": {"lot_number": lot, "lot_expiry": lot_expiry, "started_at": when},
                                "status": {"old": SessionStatus.CHECKED_IN, "new": SessionStatus.INFUSING}})
            uow.commit()
            return self._entry(uow.session, ts)

    @requires(Action.DOSE_ADMINISTER)
    def stop(self, actor: StaffMember, session_id: int, *, password: str, stopped_at: datetime | None = None,
             volume_given_ml: Decimal | str | None = None, volume_wasted_ml: Decimal | str = Decimal(0),
             witness_id: int | None = None, witness_password: str | None = None) -> DoseRecordEntry:
        """The dose ends: what was given (signed by the person giving it) and what was wasted (signed by a
        second clinician, present with their own password)."""
        with self._ctx.db.read() as uow:
            ts = load_session(uow.session, session_id)
            when = self._ctx.session_time(uow.session, ts, stopped_at, "stopped_at")
            require_transition(ts.status, SessionStatus.RECOVERING)
            dose = ts.dose_record
            if when < dose.started_at:
                raise ValidationError("The stop time is before the start time.", "stopped_at")
            given, wasted = _checked_volumes(dose, volume_given_ml, volume_wasted_ml)
            witness = self._checked_witness(uow.session, actor, dose, witness_id) if wasted > 0 else None
        check = reauthenticate(self._ctx, actor, password, "signature_confirmed")
        witnessed = self._witness_confirmed(witness, witness_password) if witness is not None else None
        with self._ctx.db.write() as uow:
            staff = check.recheck(uow.session)
            if witnessed is not None:
                try:
                    witnessed.recheck(uow.session)
                except ClinicError as exc:
                    raise WitnessNotConfirmed(f"The witness's password was refused: {exc.message}") from None
            ts = load_session(uow.session, session_id)
            require_transition(ts.status, SessionStatus.RECOVERING)
            dose = ts.dose_record
            dose.stopped_at, dose.volume_given_ml, dose.volume_wasted_ml = when, given, wasted
            dose.waste_witness_id = witness.id if witness else None
            ts.status = SessionStatus.RECOVERING
            uow.flush()
            patient_id = ts.series.patient_id
            self._sign(uow.session, "administration", dose, staff.id)
            self._ctx.audit(uow.session, actor, "sign", object_type="administration", object_id=dose.id,
                            patient_id=patient_id, details={"meaning": "Administered by",
                                                            "new": snapshot(dose, ADMINISTRATION_FIELDS)})
            if witness is not None:
                self._sign(uow.session, "waste", dose, witness.id)
                self._ctx.audit(uow.session, witness, "sign", object_type="waste", object_id=dose.id,
                                patient_id=patient_id, details={"meaning": "Witnessed by", "volume_wasted_ml": wasted})
            uow.commit()
            return self._entry(uow.session, ts)

    @requires(Action.DOSE_AMEND_ADMINISTRATION)
    def amend_administration(self, actor: StaffMember, session_id: int, reason: str, password: str, *,
                             lot_number: str | None = None, lot_expiry: date | None = None,
                             started_at: datetime | None = None, stopped_at: datetime | None = None,
                             volume_given_ml: Decimal | str | None = None,
                             expected_version: int | None = None) -> DoseRecordEntry:
        """Correct a signed administration record; the original values stay visible in the history. With
        `expected_version` (the dose record's row_version shown) a change saved elsewhere since is refused."""
        why = checked_text(reason, "reason", "Reason for the amendment", required=True, max_length=2000,
                           multiline=True)
        check = reauthenticate(self._ctx, actor, password, "signature_confirmed")
        with self._ctx.db.write() as uow:
            check.recheck(uow.session)
            ts = load_session(uow.session, session_id)
            dose = _dose_or_refuse(ts)
            _refuse_if_stale(uow.session, self._ctx, dose, expected_version)
            if not signing.is_signed(uow.session, "administration", dose.id):
                raise RuleViolation("The administration is not signed yet: there is nothing to amend.")
            before = snapshot(dose, ADMINISTRATION_FIELDS)
            if lot_number is not None:
                dose.lot_number = checked_text(lot_number, "lot_number", "Lot number", required=True, max_length=40)
            if lot_expiry is not None:
                dose.lot_expiry = lot_expiry
            if started_at is not None:
                dose.started_at = self._ctx.session_time(uow.session, ts, started_at, "started_at")
            if stopped_at is not None:
                dose.stopped_at = self._ctx.session_time(uow.session, ts, stopped_at, "stopped_at")
            if dose.stopped_at < dose.started_at:
                raise ValidationError("The stop time is before the start time.", "stopped_at")
            if volume_given_ml is not None:
                dose.volume_given_ml = _checked_volumes(dose, volume_given_ml, dose.volume_wasted_ml or 0)[0]
            self._amend(uow.session, actor, ts, "administration", dose, before, ADMINISTRATION_FIELDS, why)
            uow.commit()
            return self._entry(uow.session, ts)

    # ---------------------------------------------------------------------------------------------
    def _checked_calculation(self, session: Session, ts: models.TreatmentSession, form: DoseOrderForm,
                             reason: str) -> tuple[DoseCalculation, Decimal | None]:
        calc, weight_kg = self._calculate(session, ts, form)
        if calc.refused:
            raise RuleViolation("This dose cannot be ordered: " + " ".join(
                f.message for f in calc.findings if f.grade is Grade.REFUSED))
        if calc.needs_override and not reason:
            raise ValidationError("This order needs a physician override: " + " ".join(
                f.message for f in calc.findings if f.grade is Grade.OVERRIDE) + " Give the reason.",
                "override_reason")
        return calc, weight_kg

    def _witness_confirmed(self, witness: StaffMember, password: str | None) -> PasswordCheck:
        try:
            return reauthenticate(self._ctx, witness, password or "", "witness_confirmed")
        except AuthenticationFailed as exc:
            raise WitnessNotConfirmed(f"The witness's password was refused: {exc.message}") from None

    def _checked_witness(self, session: Session, actor: StaffMember, dose: models.DoseRecord,
                         witness_id: int | None) -> StaffMember:
        if witness_id is None:
            raise ValidationError("Wasted drug needs a witness.", "witness_id")
        if witness_id in (actor.id, dose.administered_by_id):
            raise ValidationError("The waste witness must be someone other than the person giving the dose.",
                                  "witness_id")
        witness = staff_member(get_or_404(session, models.Staff, witness_id, "staff member"))
        if not witness.active or not is_allowed(witness, Action.WASTE_WITNESS, self._ctx.now()):
            raise ValidationError("The witness must be an active nurse or physician.", "witness_id")
        return witness

    def _sign(self, session: Session, record_type: str, row: object, staff_id: int) -> None:
        now = self._ctx.now()
        signing.sign(session, self._ctx.db.keyring, record_type, row, staff_id, now, self._ctx.utc_offset_min(now))

    def _amend(self, session: Session, actor: StaffMember, ts: models.TreatmentSession, record_type: str,
               row: object, before: dict, fields: tuple[str, ...], reason: str) -> None:
        diff = changes(before, snapshot(row, fields))
        if not diff:
            raise ValidationError("Nothing was changed: an amendment needs a change.", "reason")
        session.flush()
        now = self._ctx.now()
        sig = signing.sign(session, self._ctx.db.keyring, record_type, row, actor.id, now,
                           self._ctx.utc_offset_min(now))
        session.add(models.Amendment(record_type=record_type, record_id=row.id, changes=diff, reason=reason,
                                     amended_by_id=actor.id, amended_at=now, signature_id=sig.id))
        self._ctx.audit(session, actor, "amend", object_type=record_type, object_id=row.id,
                        patient_id=ts.series.patient_id, details={"changes": diff, "reason": reason})

    def _entry(self, session: Session, ts: models.TreatmentSession) -> DoseRecordEntry:
        return build_session_detail(session, ts, load_settings(session), self._ctx.db.keyring).dose

    def _calculate(self, session: Session, ts: models.TreatmentSession,
                   form: DoseOrderForm) -> tuple[DoseCalculation, Decimal | None]:
        settings = load_settings(session)
        series = ts.series
        patient = series.patient
        weight = latest_weight(session, patient.id)
        dosing_weight = _dosing_weight(patient, weight.weight_kg if weight else None, WeightBasis.parse(form.weight_basis, "weight_basis"))
        bmi_value = bmi(weight.weight_kg, patient.height_cm) if weight and patient.height_cm else None
        previous = _previous_doses(session, patient.id, ts.id)
        order = DoseOrderInput(
            protocol=series.protocol, weight_kg=dosing_weight, weight_basis=WeightBasis.parse(form.weight_basis, "weight_basis"),
            weight_measured_on=weight.measured_on if weight else None, today=self._ctx.today(), bmi=bmi_value,
            mg_per_kg=form.mg_per_kg, dose_mg=form.dose_mg, vial_mg_per_ml=form.vial_mg_per_ml,
            diluent_ml=form.diluent_ml, duration_min=form.duration_min,
            is_first_esketamine_dose=not any(p is Protocol.ESKETAMINE for _, p in previous),
            previous_dose_times=tuple(t for t, _ in previous), dose_time=self._ctx.now())
        calc = calculate_dose(order, settings)
        interactions = medication_findings((m.drug_class for m in patient.medications if m.active), series.protocol)
        return replace(calc, findings=calc.findings + interactions), dosing_weight


def _dosing_weight(patient: models.Patient, actual_kg: Decimal | None, basis: WeightBasis) -> Decimal | None:
    if basis is WeightBasis.ACTUAL or actual_kg is None:
        return actual_kg
    if basis is WeightBasis.IDEAL:
        if patient.height_cm is None:
            raise ValidationError("Ideal body weight needs the patient's height.", "weight_basis")
        return ideal_body_weight_kg(patient.sex, patient.height_cm)
    raise ValidationError("Adjusted body weight needs a formula the clinic has not set; dose on actual or ideal "
                          "body weight.", "weight_basis")


def _previous_doses(session: Session, patient_id: int, exclude_session_id: int) -> list[tuple[datetime, Protocol]]:
    """Start times and protocols of the patient's doses actually given, for frequency and first-dose rules."""
    rows = session.execute(
        select(models.DoseRecord.started_at, models.InfusionSeries.protocol)
        .join(models.TreatmentSession, models.DoseRecord.session_id == models.TreatmentSession.id)
        .join(models.InfusionSeries, models.TreatmentSession.series_id == models.InfusionSeries.id)
        .where(models.InfusionSeries.patient_id == patient_id, models.DoseRecord.started_at.is_not(None),
               models.TreatmentSession.id != exclude_session_id)).all()
    return [(r.started_at, r.protocol) for r in rows]


def _override_reason(form: DoseOrderForm) -> str:
    return checked_text(form.override_reason, "override_reason", "Override reason", max_length=2000, multiline=True)


def _refuse_if_stale(session: Session, ctx: ServiceContext, dose: models.DoseRecord,
                     expected_version: int | None) -> None:
    """An amendment written against a dose record that another workstation changed since: refused, naming who."""
    refuse_if_changed(session, ctx, "dose record", dose, expected_version, object_type="dose_order",
                      also=dose_audit_objects(dose), outcome="Nothing was amended or signed: read the dose record "
                      "as it is now, then amend it again if it still needs correcting.")


def _dose_or_refuse(ts: models.TreatmentSession) -> models.DoseRecord:
    if ts.dose_record is None:
        raise RuleViolation("This session has no dose order.")
    return ts.dose_record


def _fill_order(row: models.DoseRecord, protocol: Protocol, form: DoseOrderForm, calc: DoseCalculation,
                weight_kg: Decimal | None, override_reason: str) -> None:
    racemic = protocol.weight_based
    row.mg_per_kg = to_decimal(form.mg_per_kg, "mg_per_kg", "Dose") if racemic else None
    row.weight_basis = WeightBasis.parse(form.weight_basis, "weight_basis") if racemic else None
    row.weight_kg_used = weight_kg if racemic else None
    row.dose_mg = calc.dose_mg
    row.vial_mg_per_ml = to_decimal(form.vial_mg_per_ml, "vial_mg_per_ml", "Vial strength") if racemic else None
    row.drug_volume_ml = calc.drug_volume_ml
    row.diluent_ml = to_decimal(form.diluent_ml, "diluent_ml", "Diluent") if racemic else None
    row.total_volume_ml = calc.total_volume_ml
    row.duration_min = (to_decimal(form.duration_min, "duration_min", "Duration")
                        if protocol.route is Route.IV else None)
    row.pump_rate_ml_per_h = calc.pump_rate_ml_per_h
    row.finding_codes = ",".join(f.code for f in calc.findings if f.grade >= Grade.WARN)[:400]
    row.override_level = calc.grade if calc.grade >= Grade.WARN else Grade.OK
    row.override_reason = override_reason if calc.needs_override else ""


def _checked_volumes(dose: models.DoseRecord, given: Decimal | str | None,
                     wasted: Decimal | str) -> tuple[Decimal | None, Decimal]:
    """Given and wasted volumes cannot be negative or account for more than was prepared."""
    wasted_ml = to_decimal(wasted if wasted not in (None, "") else 0, "volume_wasted_ml", "Volume wasted")
    given_ml = None if given in (None, "") else to_decimal(given, "volume_given_ml", "Volume given")
    prepared = dose.total_volume_ml
    if prepared is None:  # esketamine: counted in devices, not volumes
        return None, Decimal(0)
    if given_ml is None:
        raise ValidationError("Enter the volume given.", "volume_given_ml")
    if given_ml < 0 or wasted_ml < 0:
        raise ValidationError("Volumes cannot be negative.", "volume_given_ml" if given_ml < 0 else "volume_wasted_ml")
    if given_ml + wasted_ml > prepared:
        raise ValidationError(f"Given ({given_ml} mL) and wasted ({wasted_ml} mL) add up to more than the "
                              f"{prepared} mL prepared.", "volume_wasted_ml")
    return given_ml, wasted_ml
