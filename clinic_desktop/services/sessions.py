"""A session's day: check-in, pre-infusion checks and their override, cancellation, no-show."""

from __future__ import annotations


from sqlalchemy.orm import Session

from clinic_desktop.domain.checks import CheckItem, blocking
from clinic_desktop.domain.access import Action
from clinic_desktop.domain.enums import PregnancyStatus, SeriesStatus, SessionStatus
from clinic_desktop.domain.errors import RuleViolation, ValidationError
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.domain.session_flow import require_transition
from clinic_desktop.domain.text import checked_name, checked_phone, checked_text
from clinic_desktop.services import signing
from clinic_desktop.services.audit_values import changes, snapshot
from clinic_desktop.services.password_checks import reauthenticate
from clinic_desktop.services.changes import refuse_if_changed, session_audit_objects
from clinic_desktop.services.context import ServiceContext, acting_staff, get_or_404, load_settings, requires
from clinic_desktop.services.session_records import build_session_detail
from clinic_desktop.services.session_view import (
    Checklist,
    DayAnswers,
    SessionView,
    build_checklist,
    build_day_answers,
    build_session_view,
    current_checks,
    override_token,
    unresolved_blocks,
)
from clinic_desktop.storage import models


#: The day-of-treatment answers an audit entry follows.
DAY_FIELDS = ("escort_name", "escort_phone", "escort_confirmed", "npo_confirmed", "pregnancy_status")


def load_session(session: Session, session_id: int) -> models.TreatmentSession:
    return get_or_404(session, models.TreatmentSession, session_id, "session")


class SessionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.PATIENT_VIEW)
    def detail(self, actor: StaffMember, session_id: int) -> SessionDetail:
        with self._ctx.db.read() as uow:
            detail = build_session_detail(uow.session, load_session(uow.session, session_id),
                                          load_settings(uow.session), self._ctx.db.keyring)
        self._ctx.audit_emergency_view(actor, "session", session_id, detail.patient_id)
        return detail

    @requires(Action.PATIENT_VIEW)
    def screen(self, actor: StaffMember, session_id: int) -> SessionView:
        """Everything the session screen shows, in one read: the detail, the patient's chart, the checklist
        (computed once), the previous dose and the settings in force."""
        with self._ctx.db.read() as uow:
            view = build_session_view(uow.session, load_session(uow.session, session_id), load_settings(uow.session),
                                      self._ctx.db.keyring, self._ctx.today())
        self._ctx.audit_emergency_view(actor, "session", session_id, view.detail.patient_id)
        return view

    @requires(Action.PATIENT_VIEW)
    def checklist(self, actor: StaffMember, session_id: int) -> Checklist:
        """The checklist and what of it still stops the dose (after a save that may change it)."""
        with self._ctx.db.read() as uow:
            return build_checklist(uow.session, load_session(uow.session, session_id), load_settings(uow.session),
                                   self._ctx.today())

    @requires(Action.PATIENT_VIEW)
    def checks(self, actor: StaffMember, session_id: int) -> tuple[CheckItem, ...]:
        """The pre-infusion checklist as it stands now."""
        with self._ctx.db.read() as uow:
            return self._checks(uow.session, load_session(uow.session, session_id))

    @requires(Action.PATIENT_VIEW)
    def open_blocks(self, actor: StaffMember, session_id: int) -> tuple[CheckItem, ...]:
        """The blocking checks that still stop the dose: neither resolved nor covered by a physician's override."""
        with self._ctx.db.read() as uow:
            ts = load_session(uow.session, session_id)
            return tuple(unresolved_blocks(self._checks(uow.session, ts), ts))

    def _checks(self, session: Session, ts: models.TreatmentSession) -> tuple[CheckItem, ...]:
        return current_checks(session, ts, self._ctx.today())

    @requires(Action.SESSION_CHECK_IN)
    def check_in(self, actor: StaffMember, session_id: int, escort_name: str = "", escort_phone: str = "",
                 escort_confirmed: bool = False, npo_confirmed: bool | None = None,
                 pregnancy_status: PregnancyStatus | None = None) -> SessionDetail:
        """The patient has arrived: record today's escort and answers; the series becomes active."""
        name = checked_name(escort_name, "escort_name", "Escort / driver")
        phone = checked_phone(escort_phone, "escort_phone", "Escort phone")
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            ts = load_session(uow.session, session_id)
            require_transition(ts.status, SessionStatus.CHECKED_IN)
            patient = ts.series.patient
            # Today's escort defaults to the patient's usual one.
            ts.escort_name = name or patient.escort_name
            ts.escort_phone = phone or patient.escort_phone
            if escort_confirmed and not ts.escort_name:
                raise ValidationError("Name the escort before confirming them.", "escort_name")
            ts.escort_confirmed = escort_confirmed
            ts.npo_confirmed = npo_confirmed
            ts.pregnancy_status = PregnancyStatus.parse(pregnancy_status, "pregnancy_status") if pregnancy_status else None
            ts.status = SessionStatus.CHECKED_IN
            ts.checked_in_at = self._ctx.now()
            if ts.series.status is SeriesStatus.PLANNED:
                ts.series.status = SeriesStatus.ACTIVE
            self._ctx.audit(uow.session, actor, "update", object_type="session", object_id=ts.id,
                            patient_id=ts.series.patient_id, details={
                                "status": {"old": SessionStatus.SCHEDULED, "new": ts.status},
                                "escort_name": ts.escort_name, "escort_confirmed": ts.escort_confirmed,
                                "npo_confirmed": ts.npo_confirmed, "pregnancy_status": ts.pregnancy_status})
            uow.commit()
            return build_session_detail(uow.session, ts, load_settings(uow.session), self._ctx.db.keyring)

    @requires(Action.SESSION_DAY_ANSWERS)
    def update_day_answers(self, actor: StaffMember, session_id: int, *, escort_confirmed: bool | None = None,
                           npo_confirmed: bool | None = None,
                           pregnancy_status: PregnancyStatus | None = None,
                           expected_version: int | None = None) -> DayAnswers:
        """Tick items of the checklist after check-in (escort arrived, test result back). With
        `expected_version` (the session's row_version the user saw) a change saved elsewhere since is refused.
        Returns the answers as stored, the session's new version and the checklist they lead to."""
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            ts = load_session(uow.session, session_id)
            _refuse_if_stale(uow.session, self._ctx, ts, expected_version,
                             "Your answer was not saved: look at the answers stored now, then answer again if it "
                             "still needs changing.")
            if ts.status is not SessionStatus.CHECKED_IN:
                raise RuleViolation("Day-of-treatment answers are recorded between check-in and the dose.")
            before = snapshot(ts, DAY_FIELDS)
            if escort_confirmed is not None:
                if escort_confirmed and not ts.escort_name:
                    raise ValidationError("Name the escort before confirming them.", "escort_name")
                ts.escort_confirmed = escort_confirmed
            if npo_confirmed is not None:
                ts.npo_confirmed = npo_confirmed
            if pregnancy_status is not None:
                ts.pregnancy_status = PregnancyStatus.parse(pregnancy_status, "pregnancy_status")
            self._ctx.audit(uow.session, actor, "update", object_type="session", object_id=ts.id,
                            patient_id=ts.series.patient_id, details=changes(before, snapshot(ts, DAY_FIELDS)))
            uow.commit()
            return build_day_answers(uow.session, ts, load_settings(uow.session), self._ctx.today())

    @requires(Action.SESSION_DAY_ANSWERS)
    def explain_check(self, actor: StaffMember, session_id: int, key: str, note: str,
                      expected_version: int | None = None) -> DayAnswers:
        """A nurse's word on one checklist item (why a warning is acceptable, what was done about it). With
        `expected_version` (the session's row_version shown) a change saved elsewhere since is refused.
        Returns the explanations as stored, the session's new version and the checklist."""
        text = checked_text(note, "note", "Explanation", required=True, max_length=1000, multiline=True)
        with self._ctx.db.write() as uow:
            staff = acting_staff(uow.session, actor)
            ts = load_session(uow.session, session_id)
            _refuse_if_stale(uow.session, self._ctx, ts, expected_version,
                             "Your explanation was not saved: read the checklist as it is now, then save it again "
                             "if it still applies.")
            if key not in {i.key for i in self._checks(uow.session, ts)}:
                raise ValidationError(f"There is no checklist item {key!r}.", "key")
            if ts.status not in (SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN):
                raise RuleViolation("The checklist is closed once the dose has started.")
            old = (ts.check_notes or {}).get(key)
            ts.check_notes = {**(ts.check_notes or {}), key: {"note": text, "by": staff.id,
                                                              "at": self._ctx.now().isoformat()}}
            self._ctx.audit(uow.session, actor, "update", object_type="session_check", object_id=ts.id,
                            patient_id=ts.series.patient_id,
                            details={"key": key, "note": {"old": old["note"] if old else None, "new": text}})
            uow.commit()
            return build_day_answers(uow.session, ts, load_settings(uow.session), self._ctx.today())

    @requires(Action.CHECKS_OVERRIDE)
    def override_checks(self, actor: StaffMember, session_id: int, reason: str, password: str,
                        expected_version: int | None = None) -> tuple[CheckItem, ...]:
        """A physician lets the dose go ahead despite the overridable blocking checks: a reason and a signature.
        With `expected_version` (the session's row_version shown) a change saved elsewhere since is refused: the
        physician overrides the checklist they read, not one changed under them."""
        text = checked_text(reason, "reason", "Override reason", required=True, max_length=2000, multiline=True)
        check = reauthenticate(self._ctx, actor, password, "signature_confirmed")
        with self._ctx.db.write() as uow:
            staff = check.recheck(uow.session)
            ts = load_session(uow.session, session_id)
            _refuse_if_stale(uow.session, self._ctx, ts, expected_version,
                             "Nothing was signed: read the checklist as it is now, then sign again if the override "
                             "is still needed.")
            items = blocking(self._checks(uow.session, ts))
            hard = [i for i in items if not i.overridable]
            if hard:
                raise RuleViolation("These must be resolved, not overridden: " + "; ".join(
                    f"{i.title}: {i.detail}" for i in hard))
            ts.checks_override_reason = text
            ts.checks_overridden_keys = ",".join(override_token(i) for i in items)
            ts.checks_overridden_by_id = staff.id
            ts.checks_overridden_at = self._ctx.now()
            uow.flush()
            now = self._ctx.now()
            signing.sign(uow.session, self._ctx.db.keyring, "checks_override", ts, staff.id, now,
                         self._ctx.utc_offset_min(now))
            self._ctx.audit(uow.session, actor, "sign", object_type="checks_override", object_id=ts.id,
                            patient_id=ts.series.patient_id, details={
                                "reason": text, "overridden": [f"{i.title}: {i.detail}" for i in items]})
            uow.commit()
            return self._checks(uow.session, ts)

    @requires(Action.SESSION_CANCEL)
    def cancel(self, actor: StaffMember, session_id: int, reason: str,
               expected_version: int | None = None) -> SessionDetail:
        """Cancel one session for a stated reason. With `expected_version` (the session's row_version shown) a
        change saved elsewhere since (moved, checked in) is refused."""
        text = checked_text(reason, "reason", "Reason for cancelling", required=True, max_length=1000, multiline=True)
        return self._finish(actor, session_id, SessionStatus.CANCELLED, text, expected_version)

    @requires(Action.SESSION_CANCEL)
    def mark_no_show(self, actor: StaffMember, session_id: int,
                     expected_version: int | None = None) -> SessionDetail:
        """The patient did not come. Only once the session's time has come: before that the patient has not missed
        it yet (a patient who calls off is a cancellation). With `expected_version` a change saved elsewhere since
        is refused."""
        return self._finish(actor, session_id, SessionStatus.NO_SHOW, "", expected_version)

    def _finish(self, actor: StaffMember, session_id: int, status: SessionStatus, reason: str,
                expected_version: int | None) -> SessionDetail:
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            ts = load_session(uow.session, session_id)
            _refuse_if_stale(uow.session, self._ctx, ts, expected_version,
                             "Nothing was saved; look at the session as it is now and try again.")
            require_transition(ts.status, status)
            if status is SessionStatus.NO_SHOW and ts.scheduled_at > self._ctx.now():
                raise RuleViolation("This session's time has not come yet, so it cannot be a no-show. If the patient "
                                    "called to say they are not coming, cancel it instead.")
            old = ts.status
            ts.status = status
            ts.status_reason = reason
            complete_series_if_done(ts.series)
            self._ctx.audit(uow.session, actor, "update", object_type="session", object_id=ts.id,
                            patient_id=ts.series.patient_id,
                            details={"status": {"old": old, "new": status}, "reason": reason})
            uow.commit()
            return build_session_detail(uow.session, ts, load_settings(uow.session), self._ctx.db.keyring)


def _refuse_if_stale(session: Session, ctx: ServiceContext, ts: models.TreatmentSession,
                     expected_version: int | None, outcome: str) -> None:
    """A session changed elsewhere since the user's screen showed `expected_version`: refused, naming who."""
    refuse_if_changed(session, ctx, "session", ts, expected_version, also=session_audit_objects(ts), outcome=outcome)


def complete_series_if_done(series: models.InfusionSeries) -> None:
    """An active series completes when no session is left to happen and at least one was given.

    A stopped series stays stopped (with its reason) even when its last open session is discharged later.
    """
    statuses = [s.status for s in series.sessions]
    if (series.status in (SeriesStatus.PLANNED, SeriesStatus.ACTIVE) and SessionStatus.DISCHARGED in statuses
            and not any(st.is_open for st in statuses)):
        series.status = SeriesStatus.COMPLETED
