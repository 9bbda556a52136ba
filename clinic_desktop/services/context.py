"""What every service needs: the database, the clock, the clinic's time zone, and who is acting."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.domain.access import (
    Action,
    PermissionDenied,
    Principal,
    SignInRequired,
    require,
    sign_in_expired,
)
from clinic_desktop.domain.clinic_profile import PREFIX as PROFILE_PREFIX
from clinic_desktop.domain.clinic_profile import ClinicProfile
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.clinical_time import checked_clinical_day, checked_clinical_time, session_start
from clinic_desktop.domain.clock import Clock
from clinic_desktop.domain.errors import NotFound, RuleViolation
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services.passwords import Passwords
from clinic_desktop.storage import audit_chain, models
from clinic_desktop.storage.database import Database

@dataclass(frozen=True)
class ServiceContext:
    db: Database
    clock: Clock
    #: The clinic's IANA zone: sessions are planned and "today" is decided in local wall-clock time.
    zone: ZoneInfo
    passwords: Passwords = field(default_factory=Passwords)

    def now(self) -> datetime:
        return self.clock.now()

    def utc_offset_min(self, at: datetime) -> int:
        """The clinic's offset from UTC at that moment, in minutes (-300 for 09:00 in New York in winter)."""
        offset = at.astimezone(self.zone).utcoffset()
        return int(offset.total_seconds() // 60) if offset is not None else 0

    def authorize(self, actor: StaffMember, action: Action) -> None:
        """A current sign-in, still matching its account, and then the policy table, which decides."""
        if not isinstance(actor, Principal):
            raise SignInRequired("Sign in first.")
        now = self.now()
        if sign_in_expired(actor, now):
            raise SignInRequired("You have been signed in for 12 hours: sign in again.")
        require(actor, action, now)
        # The one read every call makes anyway: the account's state, with what a reset or a lockout changes.
        with self.db.read() as uow:
            row = uow.session.execute(select(*_ACCOUNT_STATE).where(models.Staff.id == actor.id)).first()
        ended = sign_in_ended(row, actor)
        if ended is not None:
            raise SignInRequired(ended)

    def audit(self, session: Session, actor: StaffMember | None, action: str, *, object_type: str = "",
              object_id: object = "", patient_id: int | None = None, details: dict | None = None,
              username: str = "") -> None:
        """Append to the audit log inside the caller's transaction (it commits or rolls back with the change)."""
        now = self.now()
        emergency = isinstance(actor, Principal) and actor.in_emergency(now)
        if emergency:
            details = {**(details or {}), "emergency_session": actor.emergency_id}
        audit_chain.append(session, self.db.keyring, at=now, utc_offset_min=self.utc_offset_min(now),
                           staff_id=actor.id if actor else None, username=username or (actor.username if actor else ""),
                           patient_id=patient_id, action=action, object_type=object_type, object_id=object_id,
                           details=details, emergency=emergency)

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    def session_time(self, session: Session, ts: models.TreatmentSession, value: datetime | None,
                     field: str) -> datetime:
        """When something in session `ts` happened (now by default), by the one rule for clinical times: never
        naive or in the future, nor before the patient's birth or the clinic's allowance before the session."""
        return checked_clinical_time(value, field, now=self.now(), zone=self.zone,
                                     born=ts.series.patient.date_of_birth,
                                     start=session_start(ts.scheduled_at, ts.checked_in_at),
                                     settings=load_settings(session))

    def patient_time(self, patient: models.Patient, value: datetime | None, field: str) -> datetime:
        """When something in the patient's record outside any session happened (now by default)."""
        return checked_clinical_time(value, field, now=self.now(), zone=self.zone, born=patient.date_of_birth)

    def patient_day(self, patient: models.Patient, value: date | None, field: str, what: str) -> date:
        """The day of a record in the patient's chart (today by default): not after today, not before birth."""
        return checked_clinical_day(value, field, today=self.today(), born=patient.date_of_birth, what=what)

    def audit_emergency_view(self, actor: StaffMember, object_type: str, object_id: int, patient_id: int) -> None:
        """Reading is not audited, except under emergency access, whose review must show what was opened."""
        if isinstance(actor, Principal) and actor.in_emergency(self.now()):
            with self.db.write() as uow:
                self.audit(uow.session, actor, "view", object_type=object_type, object_id=object_id,
                           patient_id=patient_id)
                uow.commit()


def load_settings(session: Session) -> ClinicSettings:
    """The thresholds in force: defaults overlaid with the clinic's stored changes."""
    stored = {row.name: row.value for row in session.execute(select(models.ClinicSetting)).scalars()
              if not row.name.startswith(PROFILE_PREFIX)}
    return ClinicSettings.from_mapping(stored) if stored else ClinicSettings()


def load_profile(session: Session) -> ClinicProfile:
    """The clinic's name, address and phones (stored beside the thresholds)."""
    stored = session.execute(select(models.ClinicSetting).where(
        models.ClinicSetting.name.startswith(PROFILE_PREFIX))).scalars()
    return ClinicProfile.from_mapping({row.name: row.value for row in stored})


#: The name the letterhead logo is stored under in clinic_images.
LOGO = "logo"


def load_logo(session: Session) -> bytes | None:
    """The letterhead logo's image bytes, or None when the clinic has none."""
    return session.execute(select(models.ClinicImage.data).where(models.ClinicImage.name == LOGO)).scalar()


#: An ORM class, and what get_or_404 returns: an instance of it.
Model = TypeVar("Model")


def get_or_404(session: Session, model: type[Model], ident: int, what: str) -> Model:
    """The row, or NotFound with a message that names what was looked for."""
    row = session.get(model, ident)
    if row is None:
        raise NotFound(f"There is no {what} with number {ident}.")
    return row


def requires(action: Action) -> Callable:
    """Mark a service method with the action it performs and check the policy before it runs."""
    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def checked(self: Any, actor: StaffMember, *args: Any, **kwargs: Any) -> Any:
            self._ctx.authorize(actor, action)
            return method(self, actor, *args, **kwargs)

        checked.required_action = action  # type: ignore[attr-defined]
        return checked
    return decorate


def public(method: Callable) -> Callable:
    """Mark a service method that needs no signed-in user (signing in itself, first-run setup)."""
    method.public = True  # type: ignore[attr-defined]
    return method


#: The columns of an account that decide whether a sign-in still holds (see sign_in_ended).
_ACCOUNT_STATE = (models.Staff.active, models.Staff.role, models.Staff.is_admin, models.Staff.password_changed_at,
                  models.Staff.locked_until)
SIGNED_OUT_DISABLED = "Your account was disabled by an administrator: you have been signed out."
SIGNED_OUT_PASSWORD = ("Your password was changed since you signed in (reset by an administrator, or changed at "
                       "another workstation): sign in again with the new password.")
SIGNED_OUT_LOCKED = ("Your account was locked after repeated wrong passwords, so you have been signed out: sign in "
                     "again once the lock ends, or ask an administrator to reset your password.")
SIGNED_OUT_ROLES = "Your roles were changed by an administrator: sign in again."


def sign_in_ended(row: Any, actor: Principal) -> str | None:
    """Why `actor`'s sign-in no longer holds, as a sentence, or None while it does. `row` is the account's row
    (or a row of _ACCOUNT_STATE's columns; None when the account is gone).

    A disabled account, a new password and a lockout end every open sign-in of the account at its next call,
    on every workstation. A lockout counts from when it is imposed until the account's next successful
    password (which clears it): a sign-in made before it does not come back when the lock's time runs out."""
    if row is None or not row.active:
        return SIGNED_OUT_DISABLED
    if row.locked_until is not None:
        return SIGNED_OUT_LOCKED
    if actor.password_changed_since(row.password_changed_at):
        return SIGNED_OUT_PASSWORD
    if (row.role, row.is_admin) != (actor.role, actor.is_admin):
        return SIGNED_OUT_ROLES
    return None


def acting_staff(session: Session, actor: StaffMember) -> models.Staff:
    """The acting staff member's row, re-read inside the write: a disabled account, or roles changed since
    sign-in, stop the action (the permission check before it used the roles the user signed in with)."""
    row = session.get(models.Staff, actor.id)
    if row is None or not row.active:
        raise RuleViolation(f"{actor.full_name} is not an active member of staff and cannot record this.")
    if (row.role, row.is_admin) != (actor.role, actor.is_admin):
        raise PermissionDenied(f"{row.full_name}'s roles changed since signing in: sign in again.")
    if isinstance(actor, Principal):  # a reset or a lockout between the permission check and this write
        ended = sign_in_ended(row, actor)
        if ended is not None:
            raise SignInRequired(ended)
    if isinstance(actor, Principal) and actor.emergency_id is not None:
        emergency = session.get(models.EmergencySession, actor.emergency_id)
        if emergency is None or emergency.staff_id != row.id or emergency.ends_at != actor.emergency_until:
            raise PermissionDenied("The emergency access session is not on record.")
    return row


def staff_member(row: models.Staff) -> StaffMember:
    return StaffMember(row.id, row.full_name, row.credentials, row.role, row.active, row.is_admin,
                       row.username or "")


def staff_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Signature names for a set of staff ids, fetched in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(models.Staff).where(models.Staff.id.in_(wanted))).scalars()
    return {row.id: staff_member(row).signature_name for row in rows}
