"""A password checked outside the write transaction, then the account re-checked inside it.

Argon2 takes a few tenths of a second by design. Hashed inside a write transaction it would hold the
database's write lock that long, and every other workstation's saves would wait behind it. So the pattern is:
read the account, verify the password with no transaction open, then, in the write that records the outcome
(and again in the write of the action it confirms), re-read the account and refuse if it was disabled, locked,
given other roles or a new password meanwhile.

    check = reauthenticate(ctx, actor, password, "signature_confirmed")
    with ctx.db.write() as uow:
        staff = check.recheck(uow.session)
        ...
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from clinic_desktop.domain.access import LOCKOUT_DURATION, LOCKOUT_FAILURES, LOCKOUT_WINDOW
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services.context import ServiceContext, acting_staff, staff_member
from clinic_desktop.storage import models
from clinic_desktop.storage.unit_of_work import UnitOfWork

#: The sign-in logger: failed attempts and lockouts read as one story with the sign-ins in the log.
log = logging.getLogger("clinic_desktop.services.auth")

DISABLED = "This account is disabled."
WRONG_PASSWORD = "That password is not right."
#: The account changed between reading its password and the write: the password checked may no longer be its.
CHANGED = ("This account was changed at another workstation while its password was being checked (a new "
           "password or other roles): nothing was saved. Try again.")


class AuthenticationFailed(ClinicError):
    """Sign-in, unlock or a signature was refused; the message says what to do."""


@dataclass(frozen=True)
class Account:
    """What a password was verified against: the account's state as read before hashing."""

    id: int
    password_hash: str | None
    active: bool
    role: StaffRole
    is_admin: bool

    @classmethod
    def of(cls, row: models.Staff) -> "Account":
        return cls(row.id, row.password_hash, row.active, row.role, row.is_admin)

    def same_credentials(self, row: models.Staff) -> bool:
        """Still the password and the roles that were checked (a reset or a role change voids the check)."""
        return (row.password_hash, row.role, row.is_admin) == (self.password_hash, self.role, self.is_admin)


@dataclass(frozen=True)
class PasswordCheck:
    """A password confirmed for `member`; `recheck` inside the action's write makes sure it still holds."""

    ctx: ServiceContext
    member: StaffMember
    account: Account

    def recheck(self, session: Session) -> models.Staff:
        """The member's row, if it is still active, unlocked, with the same roles and password; else refused."""
        row = acting_staff(session, self.member)
        if locked(row, self.ctx.now()):
            raise AuthenticationFailed(locked_message(self.ctx, row))
        if not self.account.same_credentials(row):
            raise AuthenticationFailed(CHANGED)
        return row


def reauthenticate(ctx: ServiceContext, actor: StaffMember, password: str, purpose: str) -> PasswordCheck:
    """The password again, for unlocking and signing, hashed with no transaction open. Failures count toward
    the lockout and are audited; they commit on their own, so a refused signature still leaves its trace."""
    with ctx.db.read() as uow:
        row = uow.session.get(models.Staff, actor.id)
        account = Account.of(row) if row is not None else None
        was_locked = row is not None and locked(row, ctx.now())
    if account is None or not account.active:
        raise AuthenticationFailed(DISABLED)
    if was_locked:
        with ctx.db.write() as uow:  # no hash for a locked account: the refusal is recorded at once
            refuse_if_locked(ctx, uow, uow.session.get(models.Staff, actor.id), ctx.now(), purpose)
    ok = ctx.passwords.verify(account.password_hash, password or "")
    now = ctx.now()
    with ctx.db.write() as uow:
        row = uow.session.get(models.Staff, actor.id)
        if row is None or not row.active:
            raise AuthenticationFailed(DISABLED)
        refuse_if_locked(ctx, uow, row, now, purpose)
        if not account.same_credentials(row):
            raise AuthenticationFailed(CHANGED)
        if not ok:
            record_failure(ctx, uow, row, now, f"{purpose}_failed")
            raise AuthenticationFailed(WRONG_PASSWORD)
        row.failed_logins, row.locked_until = [], None
        ctx.audit(uow.session, actor, purpose, object_type="staff", object_id=row.id)
        uow.commit()
    return PasswordCheck(ctx, actor, account)


def locked(row: models.Staff, now: datetime) -> bool:
    return row.locked_until is not None and now < row.locked_until


def locked_message(ctx: ServiceContext, row: models.Staff) -> str:
    local = row.locked_until.astimezone(ctx.zone)
    return (f"This account is locked after {LOCKOUT_FAILURES} failed attempts; try again after {local:%H:%M} or "
            "ask an administrator to reset it.")


def refuse_if_locked(ctx: ServiceContext, uow: UnitOfWork, row: models.Staff, now: datetime,
                     purpose: str = "login") -> None:
    """A locked account is refused (the right password too), and the refusal is audited."""
    if locked(row, now):
        ctx.audit(uow.session, staff_member(row), "login_refused_locked", object_type="staff", object_id=row.id)
        uow.commit()
        log.warning("%s refused: the account %s is locked until %s", purpose, row.username,
                    row.locked_until.isoformat(timespec="minutes"))
        raise AuthenticationFailed(locked_message(ctx, row))


def record_failure(ctx: ServiceContext, uow: UnitOfWork, row: models.Staff, now: datetime,
                   action: str) -> None:
    """Keep at most the last few failure times (bounded), and lock when they all fall in the window."""
    recent = [t for t in (row.failed_logins or []) if now - datetime.fromisoformat(t) < LOCKOUT_WINDOW]
    recent = (recent + [now.isoformat()])[-LOCKOUT_FAILURES:]
    row.failed_logins = recent
    is_locked = len(recent) >= LOCKOUT_FAILURES
    if is_locked:
        row.locked_until = now + LOCKOUT_DURATION
    ctx.audit(uow.session, staff_member(row), action, object_type="staff", object_id=row.id,
              details={"failures_in_window": len(recent), "locked": is_locked})
    uow.commit()
    log.warning("%s: wrong password for %s (%d of %d allowed in %d minutes)", action, row.username, len(recent),
                LOCKOUT_FAILURES, LOCKOUT_WINDOW.total_seconds() // 60)
    if is_locked:
        log.warning("Account %s locked until %s after %d failed attempts", row.username,
                    row.locked_until.isoformat(timespec="minutes"), len(recent))
