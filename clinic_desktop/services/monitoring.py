"""Charting during and after the dose: vital signs with alerts, notes, rating scales, discharge."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.domain import scales
from clinic_desktop.domain.enums import (
    AlertAction,
    NoteKind,
    Rater,
    SessionStatus,
    Timepoint,
    VitalsPhase,
)
from clinic_desktop.domain.errors import RuleViolation, ValidationError
from clinic_desktop.domain.monitoring import checked_note
from clinic_desktop.domain.records import ScoreEntry, StaffMember
from clinic_desktop.domain.session_records import NoteEntry, SessionDetail, VitalsEntry
from clinic_desktop.domain.session_flow import require_transition
from clinic_desktop.domain.text import checked_text
from clinic_desktop.domain.vitals import assess, validate_vitals
from clinic_desktop.domain.access import Action, PermissionDenied, is_allowed
from clinic_desktop.services.audit_values import snapshot
from clinic_desktop.services.context import (
    ServiceContext,
    acting_staff,
    get_or_404,
    load_settings,
    requires,
    staff_names,
)
from clinic_desktop.services.scoring import score_entry
from clinic_desktop.services.session_records import (
    baseline_of,
    build_session_detail,
    note_entries,
    note_entry,
    session_vitals,
    vitals_entry,
)
from clinic_desktop.services.sessions import complete_series_if_done, load_session
from clinic_desktop.storage import models

#: The fields of a reading that its audit entry records.
VITALS_FIELDS = ("session_id", "taken_at", "phase", "systolic", "diastolic", "heart_rate", "spo2", "resp_rate",
                 "temperature_c", "alert_action", "alert_note")
#: Sessions in which vitals and notes can be charted (after check-in, until discharge).
CHARTING = (SessionStatus.CHECKED_IN, SessionStatus.INFUSING, SessionStatus.RECOVERING)


class MonitoringService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.VITALS_RECORD)
    def record_vitals(self, actor: StaffMember, session_id: int, phase: VitalsPhase, values: Mapping[str, Any],
                      taken_at: datetime | None = None, alert_action: AlertAction | None = None,
                      alert_note: str = "") -> VitalsEntry:
        """A reading; when it is out of range the action taken must be recorded with it (reference 3.3)."""
        reading = validate_vitals(**values)
        action = AlertAction.parse(alert_action, "alert_action") if alert_action else None
        note = checked_text(alert_note, "alert_note", "Action note", max_length=2000, multiline=True)
        with self._ctx.db.write() as uow:
            staff = acting_staff(uow.session, actor)
            ts = self._charting_session(uow.session, session_id)
            when = self._ctx.session_time(uow.session, ts, taken_at, "taken_at")
            settings = load_settings(uow.session)
            phase = VitalsPhase.parse(phase, "phase")
            _check_phase_time(phase, when, ts.dose_record)
            baseline = None if phase is VitalsPhase.BASELINE else baseline_of(session_vitals(uow.session, ts.id))
            assessment = assess(reading, baseline, settings)
            if assessment.requires_action and action is None:
                raise ValidationError("Out of range: " + "; ".join(a.message.rstrip(".") for a in assessment.alerts)
                                      + ". Record the action taken.", "alert_action")
            row = models.VitalSignsReading(
                session_id=ts.id, taken_at=when, phase=phase, systolic=reading.systolic, diastolic=reading.diastolic,
                heart_rate=reading.heart_rate, spo2=reading.spo2, resp_rate=reading.resp_rate,
                temperature_c=reading.temperature_c, alert_action=action,
                alert_note=note, recorded_by_id=staff.id, created_at=self._ctx.now())
            uow.session.add(row)
            uow.flush()
            self._ctx.audit(uow.session, actor, "create", object_type="vital_signs", object_id=row.id,
                            patient_id=ts.series.patient_id, details={"new": snapshot(row, VITALS_FIELDS)})
            uow.commit()
            return vitals_entry(uow.session, row, baseline, settings)

    @requires(Action.NOTE_ADD)
    def add_note(self, actor: StaffMember, session_id: int, kind: NoteKind, values: Mapping[str, Any] | None = None,
                 text: str = "", noted_at: datetime | None = None) -> NoteEntry:
        clean_values, clean_text = checked_note(NoteKind.parse(kind, "kind"), values or {}, text)
        with self._ctx.db.write() as uow:
            staff = acting_staff(uow.session, actor)
            ts = self._charting_session(uow.session, session_id)
            when = self._ctx.session_time(uow.session, ts, noted_at, "noted_at")
            row = models.MonitoringNote(session_id=ts.id, noted_at=when, kind=NoteKind.parse(kind, "kind"),
                                        values=clean_values, text=clean_text, recorded_by_id=staff.id,
                                        created_at=self._ctx.now())
            uow.session.add(row)
            uow.flush()
            self._ctx.audit(uow.session, actor, "create", object_type="note", object_id=row.id,
                            patient_id=ts.series.patient_id,
                            details={"new": {"kind": row.kind, "values": clean_values, "text": clean_text}})
            uow.commit()
            return note_entry(row, staff_names(uow.session, {staff.id}))

    @requires(Action.PATIENT_VIEW)
    def notes(self, actor: StaffMember, session_id: int) -> tuple[NoteEntry, ...]:
        """The session's notes in time order (after a scale that is charted as a note too)."""
        with self._ctx.db.read() as uow:
            return note_entries(uow.session, load_session(uow.session, session_id).id)

    @requires(Action.SCALE_RECORD)
    def record_scale(self, actor: StaffMember, patient_id: int, instrument: str, answers: Sequence[Any],
                     timepoint: Timepoint, session_id: int | None = None,
                     taken_at: datetime | None = None) -> ScoreEntry:
        """Score and store a scale; CADSS and MOAA/S in a session also appear as monitoring notes."""
        with self._ctx.db.write() as uow:
            staff = acting_staff(uow.session, actor)
            settings = load_settings(uow.session)
            definition = scales.get_scale(instrument)
            rise_baseline = self._rise_baseline(uow.session, definition, session_id)
            result = scales.score(instrument, answers, settings, rise_baseline)
            if definition.rater is Rater.CLINICIAN and not is_allowed(actor, Action.NOTE_ADD, self._ctx.now()):
                raise PermissionDenied(f"{definition.name} is rated by a nurse or physician.")
            patient = get_or_404(uow.session, models.Patient, patient_id, "patient")
            ts = load_session(uow.session, session_id) if session_id is not None else None
            if ts is not None and ts.series.patient_id != patient_id:
                raise ValidationError("That session belongs to another patient.", "session_id")
            when = (self._ctx.session_time(uow.session, ts, taken_at, "taken_at") if ts is not None
                    else self._ctx.patient_time(patient, taken_at, "taken_at"))
            row = models.ScaleResponse(patient_id=patient_id, session_id=session_id, instrument=result.code,
                                       answers=list(result.answers), total=result.total, taken_at=when,
                                       timepoint=Timepoint.parse(timepoint, "timepoint"), rater=definition.rater,
                                       recorded_by_id=staff.id, created_at=self._ctx.now())
            uow.session.add(row)
            uow.flush()
            if session_id is not None and definition.note_kind is not None:
                uow.session.add(models.MonitoringNote(
                    session_id=session_id, noted_at=when, kind=definition.note_kind,
                    values={"total": result.total, "band": result.band}, text="", scale_response_id=row.id,
                    recorded_by_id=staff.id, created_at=self._ctx.now()))
            self._ctx.audit(uow.session, actor, "create", object_type="scale_response", object_id=row.id,
                            patient_id=patient_id, details={"new": {
                                "instrument": result.code, "answers": list(result.answers), "total": result.total,
                                "timepoint": row.timepoint, "session_id": session_id}})
            uow.commit()
            return score_entry(row, settings, rise_baseline)

    @requires(Action.SCALE_ACKNOWLEDGE)
    def acknowledge(self, actor: StaffMember, score_id: int) -> ScoreEntry:
        """A clinician has reviewed an alerting answer (item 9, C-SSRS) with the patient."""
        with self._ctx.db.write() as uow:
            staff = acting_staff(uow.session, actor)
            row = get_or_404(uow.session, models.ScaleResponse, score_id, "scale response")
            if row.acknowledged_at is not None:
                raise RuleViolation("This alert has already been acknowledged.")
            row.acknowledged_by_id, row.acknowledged_at = staff.id, self._ctx.now()
            self._ctx.audit(uow.session, actor, "update", object_type="scale_response", object_id=row.id,
                            patient_id=row.patient_id, details={"acknowledged": {"old": None, "new": row.acknowledged_at}})
            uow.commit()
            return score_entry(row, load_settings(uow.session))

    @requires(Action.DISCHARGE)
    def discharge(self, actor: StaffMember, session_id: int, answers: Sequence[int], escort_present: bool,
                  at: datetime | None = None) -> SessionDetail:
        """Discharge at the clinic's score threshold, after the minimum observation, with the escort present."""
        with self._ctx.db.write() as uow:
            staff = acting_staff(uow.session, actor)
            ts = load_session(uow.session, session_id)
            when = self._ctx.session_time(uow.session, ts, at, "discharged_at")
            require_transition(ts.status, SessionStatus.DISCHARGED)
            settings = load_settings(uow.session)
            result = scales.score(settings.discharge_scale, answers, settings)
            if not result.fit_for_discharge:
                out_of = scales.get_scale(result.code).max_total
                raise RuleViolation(f"{result.name} {result.total}/{out_of} is below the clinic's discharge score of "
                                    f"{settings.discharge_score_min}: continue observation.")
            if not escort_present:
                raise RuleViolation("The patient may leave only with their escort present.")
            observe = (settings.esketamine_min_observation_min if ts.series.protocol.is_esketamine
                       else settings.iv_min_observation_min)
            dose = ts.dose_record
            anchor = dose.started_at if ts.series.protocol.is_esketamine else dose.stopped_at
            earliest = anchor + timedelta(minutes=observe)
            if when < earliest:
                local = earliest.astimezone(self._ctx.zone)
                raise RuleViolation(f"Observation continues until {local:%H:%M} ({observe} minutes).")
            uow.session.add(models.ScaleResponse(
                patient_id=ts.series.patient_id, session_id=ts.id, instrument=result.code,
                answers=list(result.answers), total=result.total, taken_at=when, timepoint=Timepoint.POST,
                rater=Rater.CLINICIAN, recorded_by_id=staff.id, created_at=self._ctx.now()))
            ts.status, ts.discharged_at, ts.discharged_by_id = SessionStatus.DISCHARGED, when, staff.id
            complete_series_if_done(ts.series)
            self._ctx.audit(uow.session, actor, "update", object_type="session", object_id=ts.id,
                            patient_id=ts.series.patient_id, details={
                                "status": {"old": SessionStatus.RECOVERING, "new": SessionStatus.DISCHARGED},
                                "discharged_at": when, result.code: result.total, "escort_present": True})
            uow.commit()
            return build_session_detail(uow.session, ts, settings, self._ctx.db.keyring)

    # ---------------------------------------------------------------------------------------------
    @staticmethod
    def _charting_session(session: Session, session_id: int) -> models.TreatmentSession:
        ts = load_session(session, session_id)
        if ts.status not in CHARTING:
            raise RuleViolation(f"Nothing can be charted in a session that is {ts.status.label.lower()}.")
        return ts

    @staticmethod
    def _rise_baseline(session: Session, definition: scales.ScaleDefinition, session_id: int | None) -> int | None:
        """The session's first total at the scale's `rise_from` timepoint (BPRS: before the infusion), against
        which a rise is judged; None for scales that do not judge a rise."""
        if definition.rise_from is None or session_id is None:
            return None
        return session.execute(select(models.ScaleResponse.total).where(
            models.ScaleResponse.session_id == session_id, models.ScaleResponse.instrument == definition.code,
            models.ScaleResponse.timepoint == definition.rise_from).order_by(models.ScaleResponse.taken_at).limit(1)
        ).scalar()


def _check_phase_time(phase: VitalsPhase, taken_at: datetime, dose: models.DoseRecord | None) -> None:
    """A reading's phase must agree with its time: baseline before the dose, during it, or after it stopped."""
    started = dose.started_at if dose else None
    stopped = dose.stopped_at if dose else None
    if phase is VitalsPhase.BASELINE and started is not None and taken_at >= started:
        raise ValidationError("A baseline reading must be taken before the dose started.", "phase")
    if phase is VitalsPhase.DURING and (started is None or taken_at < started or (stopped and taken_at > stopped)):
        raise ValidationError("A reading during the infusion must fall between its start and stop.", "phase")
    if phase is VitalsPhase.AFTER and (stopped is None or taken_at < stopped):
        raise ValidationError("A reading after the infusion must be taken after the dose stopped.", "phase")
