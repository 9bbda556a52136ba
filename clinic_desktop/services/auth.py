"""Signing in and out, the lock screen, accounts, and emergency (break-glass) access."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desktop import logs
from clinic_desktop.domain.access import (
    Action,
    PermissionDenied,
    Principal,
    SignInRequired,
    check_password_rules,
    checked_username,
    sign_in_expired,
)
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import NotFound, RuleViolation, ValidationError
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.domain.text import checked_name, checked_text
from clinic_desktop.services.context import (
    ServiceContext,
    acting_staff,
    load_settings,
    public,
    requires,
    staff_member,
)
from clinic_desktop.services.password_checks import (
    CHANGED,
    Account,
    AuthenticationFailed,
    reauthenticate,
    record_failure,
    refuse_if_locked,
)
from clinic_desktop.storage import models

log = logging.getLogger(__name__)

#: The same words for an unknown user and a wrong password: a stranger learns nothing about which names exist.
WRONG_CREDENTIALS = "The user name or password is not right."


@dataclass(frozen=True)
class UserAccount:
    """An account as the administrator's list shows it."""

    member: StaffMember
    locked_until: datetime | None
    has_password: bool


@dataclass(frozen=True)
class _NewAccount:
    username: str
    full_name: str
    credentials: str
    password_hash: str


@dataclass(frozen=True)
class EmergencyReview:
    """One break-glass session waiting for an administrator's review, with what was done in it."""

    id: int
    staff_name: str
    reason: str
    started_at: datetime
    ends_at: datetime
    actions: tuple[str, ...]


class AuthService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # --- first run and signing in ----------------------------------------------------------------
    @public
    def needs_first_admin(self) -> bool:
        """True until the first account exists: the application then asks for an administrator."""
        with self._ctx.db.read() as uow:
            return _account_count(uow.session) == 0

    @public
    def create_first_admin(self, username: str, full_name: str, password: str, credentials: str = "",
                           role: StaffRole = StaffRole.ADMINISTRATOR) -> Principal:
        """The first account of a new clinic: an administrator (a physician with administration rights, say)."""
        account = self._account_fields(username, full_name, password, credentials)
        with self._ctx.db.write() as uow:
            if _account_count(uow.session):
                raise PermissionDenied("This clinic already has accounts: an administrator adds new users.")
            row = self._new_account(uow.session, account, role, is_admin=True)
            member = staff_member(row)
            self._ctx.audit(uow.session, member, "user_created", object_type="staff", object_id=row.id,
                            details={"username": row.username, "role": row.role, "is_admin": True, "first": True})
            uow.commit()
        log.info("The first administrator account, %s, was created", member.username)
        return self.login(username, password)

    @public
    def login(self, username: str, password: str) -> Principal:
        """Check the password (an unknown name costs the same time) and lock the account after repeated failures."""
        now = self._ctx.now()
        typed = (username or "").strip().casefold()[:64]
        with self._ctx.db.read() as uow:  # the hash runs with no transaction open (see password_checks)
            row = _by_typed_name(uow.session, typed)
            account = Account.of(row) if row is not None else None
        ok = self._ctx.passwords.verify(account.password_hash if account else None, password or "")
        rehashed = self._rehashed(account.password_hash, password) if ok else None
        with self._ctx.db.write() as uow:
            row = _by_typed_name(uow.session, typed)
            if row is None:
                self._ctx.audit(uow.session, None, "login_failed", username="?", details={
                    "reason": "unknown user", "name_length": name_length_class(typed)})
                uow.commit()
                log.warning("Sign-in refused: an unknown user name")  # not the name: it may be a password
                raise AuthenticationFailed(WRONG_CREDENTIALS)
            if not row.active:
                self._ctx.audit(uow.session, None, "login_failed", username=typed,
                                details={"reason": "account disabled"})
                uow.commit()
                log.warning("Sign-in refused for %s: the account is disabled", typed)
                raise AuthenticationFailed(WRONG_CREDENTIALS)
            refuse_if_locked(self._ctx, uow, row, now)
            if account is None or account.id != row.id or not account.same_credentials(row):
                raise AuthenticationFailed(CHANGED)
            if not ok:
                record_failure(self._ctx, uow, row, now, "login_failed")
                raise AuthenticationFailed(WRONG_CREDENTIALS)
            if rehashed is not None:
                row.password_hash = rehashed
            row.failed_logins, row.locked_until = [], None
            member, password_changed_at = staff_member(row), row.password_changed_at
            self._ctx.audit(uow.session, member, "login", object_type="staff", object_id=row.id)
            uow.commit()
        logs.set_user(member.username)
        log.info("%s signed in", member.username)
        return Principal(**vars(member), signed_in_at=now, password_changed_at=password_changed_at)

    @requires(Action.STAFF_VIEW)
    def logout(self, actor: Principal) -> None:
        self._audit_only(actor, "logout")
        log.info("%s signed out", actor.username)
        if logs.current_user() == actor.username:  # not when a user kept aside behind the lock is signed out
            logs.set_user(None)

    @requires(Action.STAFF_VIEW)
    def lock(self, actor: Principal) -> None:
        """The screen was locked (idle or by hand)."""
        self._audit_only(actor, "lock")
        log.info("%s locked the screen", actor.username)
        logs.set_user(None)

    @requires(Action.STAFF_VIEW)
    def unlock(self, actor: Principal, password: str) -> Principal:
        """The same user unlocks with their password; after 12 hours a full sign-in is required instead."""
        if sign_in_expired(actor, self._ctx.now()):
            raise SignInRequired("You have been signed in for 12 hours: sign in again.")
        self.confirm_password(actor, password, "unlock")
        logs.set_user(actor.username)
        log.info("%s unlocked the screen", actor.username)
        return actor

    @requires(Action.STAFF_VIEW)
    def confirm_password(self, actor: StaffMember, password: str, purpose: str) -> None:
        """The signed-in user's password again (unlock, leaving patient mode); the hash runs outside any write."""
        reauthenticate(self._ctx, actor, password, purpose)

    @requires(Action.STAFF_VIEW)
    def change_password(self, actor: Principal, current: str, new: str) -> Principal:
        """The user's own new password. Returns their sign-in carrying it: use it from now on, since the new
        password ends every sign-in made with the old one (this one's too, and at other workstations)."""
        check = reauthenticate(self._ctx, actor, current, "password_confirmed")
        check_password_rules(new, actor.username or "", actor.full_name)
        stored = self._ctx.passwords.hash(new)  # before the write: the hash takes a few tenths of a second
        with self._ctx.db.write() as uow:
            row = check.recheck(uow.session)
            row.password_hash, row.password_changed_at = stored, self._ctx.now()
            self._ctx.audit(uow.session, actor, "password_changed", object_type="staff", object_id=row.id)
            uow.commit()
            return replace(actor, password_changed_at=row.password_changed_at)

    # --- accounts (administrators) ---------------------------------------------------------------
    @requires(Action.USER_MANAGE)
    def add_user(self, actor: Principal, username: str, full_name: str, role: StaffRole | str, password: str,
                 credentials: str = "", is_admin: bool = False) -> StaffMember:
        kind = StaffRole.parse(role, "role")
        account = self._account_fields(username, full_name, password, credentials)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = self._new_account(uow.session, account, kind, is_admin)
            self._ctx.audit(uow.session, actor, "user_created", object_type="staff", object_id=row.id,
                            details={"username": row.username, "full_name": row.full_name, "role": row.role,
                                     "is_admin": row.is_admin})
            uow.commit()
            log.info("Account %s added (%s%s)", row.username, row.role.value,
                     ", administrator" if row.is_admin else "")
            return staff_member(row)

    @requires(Action.USER_MANAGE)
    def list_users(self, actor: Principal) -> list[UserAccount]:
        with self._ctx.db.read() as uow:
            rows = uow.session.execute(select(models.Staff).order_by(models.Staff.full_name)).scalars()
            return [UserAccount(staff_member(r), r.locked_until, r.password_hash is not None) for r in rows]

    @requires(Action.USER_MANAGE)
    def set_active(self, actor: Principal, username: str, active: bool) -> StaffMember:
        """Disable (or re-enable) an account; the last active administrator cannot be disabled."""
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = _by_username(uow.session, username)
            if not active and row.id == actor.id:
                raise RuleViolation("You cannot disable your own account.")
            if not active and _is_admin(row) and _active_admins(uow.session) <= 1:
                raise RuleViolation("This is the last active administrator; add another before disabling it.")
            old = row.active
            row.active = active
            self._ctx.audit(uow.session, actor, "user_changed", object_type="staff", object_id=row.id,
                            details={"username": row.username, "active": {"old": old, "new": active}})
            uow.commit()
            log.info("Account %s %s", row.username, "enabled" if active else "disabled")
            return staff_member(row)

    @requires(Action.USER_MANAGE)
    def reset_password(self, actor: Principal, username: str, new_password: str) -> StaffMember:
        """Set a new password (the user should change it) and lift any lockout."""
        with self._ctx.db.read() as uow:
            row = _by_username(uow.session, username)
            check_password_rules(new_password, row.username or "", row.full_name)
        stored = self._ctx.passwords.hash(new_password)  # before the write: the hash takes a few tenths of a second
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = _by_username(uow.session, username)
            row.password_hash, row.password_changed_at = stored, self._ctx.now()
            row.failed_logins, row.locked_until = [], None
            self._ctx.audit(uow.session, actor, "password_reset", object_type="staff", object_id=row.id,
                            details={"username": row.username})
            uow.commit()
            log.info("Password of %s reset; any lockout lifted", row.username)
            return staff_member(row)

    # --- emergency access ------------------------------------------------------------------------
    @requires(Action.EMERGENCY_ACCESS)
    def start_emergency(self, actor: Principal, reason: str, password: str) -> Principal:
        """Time-limited access to everything a physician may do, with a stated reason; all of it is flagged."""
        text = checked_text(reason, "reason", "Reason for emergency access", required=True, max_length=1000,
                            multiline=True)
        check = reauthenticate(self._ctx, actor, password, "emergency_confirmed")
        now = self._ctx.now()
        with self._ctx.db.write() as uow:
            check.recheck(uow.session)
            minutes = load_settings(uow.session).emergency_access_minutes
            row = models.EmergencySession(staff_id=actor.id, reason=text, started_at=now,
                                          ends_at=now + timedelta(minutes=minutes), review_note="")
            uow.session.add(row)
            uow.flush()
            principal = replace(actor, emergency_until=row.ends_at, emergency_id=row.id)
            self._ctx.audit(uow.session, principal, "emergency_started", object_type="emergency_session",
                            object_id=row.id, details={"reason": text, "minutes": minutes})
            uow.commit()
            log.warning("%s started emergency access for %d minutes", actor.username, minutes)  # not the reason
            return principal

    @requires(Action.EMERGENCY_REVIEW)
    def pending_emergency_reviews(self, actor: Principal) -> list[EmergencyReview]:
        with self._ctx.db.read() as uow:
            sessions = uow.session.execute(select(models.EmergencySession)
                                           .where(models.EmergencySession.reviewed_at.is_(None))
                                           .order_by(models.EmergencySession.started_at)).scalars().all()
            out = []
            for e in sessions:
                entries = uow.session.execute(select(models.AuditEntry).where(
                    models.AuditEntry.emergency.is_(True), models.AuditEntry.staff_id == e.staff_id,
                    models.AuditEntry.at >= e.started_at, models.AuditEntry.at <= e.ends_at)
                    .order_by(models.AuditEntry.seq)).scalars()
                name = uow.session.get(models.Staff, e.staff_id).full_name
                out.append(EmergencyReview(e.id, name, e.reason, e.started_at, e.ends_at, tuple(
                    f"{x.action} {x.object_type} {x.object_id}".strip() for x in entries)))
            return out

    @requires(Action.EMERGENCY_REVIEW)
    def review_emergency(self, actor: Principal, emergency_id: int, note: str) -> None:
        text = checked_text(note, "note", "Review note", required=True, max_length=2000, multiline=True)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = uow.session.get(models.EmergencySession, emergency_id)
            if row is None:
                raise NotFound(f"There is no emergency access session {emergency_id}.")
            if row.reviewed_at is not None:
                raise RuleViolation("This emergency access has already been reviewed.")
            if row.staff_id == actor.id and _active_admins(uow.session) > 1:
                raise RuleViolation("Another administrator reviews your own emergency access.")
            row.reviewed_by_id, row.reviewed_at, row.review_note = actor.id, self._ctx.now(), text
            self._ctx.audit(uow.session, actor, "emergency_reviewed", object_type="emergency_session",
                            object_id=row.id, details={"note": text})
            uow.commit()

    # ---------------------------------------------------------------------------------------------
    def _account_fields(self, username: str, full_name: str, password: str, credentials: str) -> _NewAccount:
        """A new account's checked fields and its password's hash, made before the write opens."""
        name = checked_username(username)
        person = checked_name(full_name, "full_name", "Full name", required=True)
        creds = checked_text(credentials, "credentials", "Credentials", max_length=40)
        check_password_rules(password, name, person)
        return _NewAccount(name, person, creds, self._ctx.passwords.hash(password))

    def _new_account(self, session: Session, account: _NewAccount, role: StaffRole, is_admin: bool) -> models.Staff:
        if session.execute(select(models.Staff.id).where(models.Staff.username == account.username)).first():
            raise ValidationError(f"The user name {account.username!r} is taken.", "username")
        now = self._ctx.now()
        row = models.Staff(full_name=account.full_name, credentials=account.credentials, role=role, active=True,
                           created_at=now, username=account.username, password_hash=account.password_hash,
                           password_changed_at=now, is_admin=is_admin or role is StaffRole.ADMINISTRATOR,
                           failed_logins=[])
        session.add(row)
        session.flush()
        return row

    def _rehashed(self, stored: str | None, password: str) -> str | None:
        """Stored with weaker parameters than today's policy: the hash at today's cost, to store instead."""
        if stored and self._ctx.passwords.needs_rehash(stored):
            return self._ctx.passwords.hash(password)
        return None

    def _audit_only(self, actor: Principal, action: str) -> None:
        with self._ctx.db.write() as uow:
            self._ctx.audit(uow.session, actor, action, object_type="staff", object_id=actor.id)
            uow.commit()


#: The length classes an unknown sign-in name is kept as (upper bounds, characters).
NAME_LENGTH_CLASSES = (8, 16, 32)


def name_length_class(typed: str) -> str:
    """What the audit log keeps of a sign-in name that matches no account: its length class, nothing else.

    People type their password into the name box, and the log is permanent and read by administrators (and
    is in every backup). A keyed hash of the name, however truncated, lets whoever holds the audit key try
    candidate passwords against it offline at the speed of HMAC, and a slow hash heavily truncated still
    confirms a guess for anyone with a dictionary. A length class gives such a guess nothing to check
    against: every string of the same class leaves the same entry. What is lost is telling repeated attempts
    with one unknown name from attempts with different ones; the entries' times still show a burst of
    failures, which is what an administrator acts on."""
    length = len(typed)
    if length == 0:
        return "empty"
    low = 1
    for high in NAME_LENGTH_CLASSES:
        if length <= high:
            return f"{low}-{high} characters"
        low = high + 1
    return f"more than {NAME_LENGTH_CLASSES[-1]} characters"


def _account_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(models.Staff)
                           .where(models.Staff.username.is_not(None))).scalar_one()


def _by_typed_name(session: Session, typed: str) -> models.Staff | None:
    return session.execute(select(models.Staff).where(models.Staff.username == typed)).scalar()


def _by_username(session: Session, username: str) -> models.Staff:
    row = session.execute(select(models.Staff).where(models.Staff.username == checked_username(username))).scalar()
    if row is None:
        raise NotFound(f"There is no user {username!r}.")
    return row


def _is_admin(row: models.Staff) -> bool:
    return row.is_admin or row.role is StaffRole.ADMINISTRATOR


def _active_admins(session: Session) -> int:
    return session.execute(select(func.count()).select_from(models.Staff).where(
        models.Staff.active.is_(True),
        (models.Staff.is_admin.is_(True)) | (models.Staff.role == StaffRole.ADMINISTRATOR))).scalar_one()
