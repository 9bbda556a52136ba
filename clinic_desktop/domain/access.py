"""Who may do what: every service action, the roles allowed to do it, and the password rules.

One declarative table (PERMISSIONS) is the whole policy; the services check it on every call and a test
fails if a service action is missing from it.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError, ValidationError
from clinic_desktop.domain.records import StaffMember


class PermissionDenied(ClinicError):
    """The signed-in user's roles do not allow the action; nothing was done."""


class SignInRequired(ClinicError):
    """No valid sign-in: none at all, more than 12 hours old, or for an account since disabled or changed."""


class Action(enum.StrEnum):
    # Patients and their record
    PATIENT_VIEW = "patient.view"
    PATIENT_REGISTER = "patient.register"
    PATIENT_UPDATE = "patient.update"
    WEIGHT_RECORD = "weight.record"
    SCREENING_RECORD = "screening.record"
    CONSENT_RECORD = "consent.record"
    REMS_RECORD = "rems.record"
    CLINICIAN_MANAGE = "clinician.manage"
    # Scheduling and the day
    SERIES_PLAN = "series.plan"
    SERIES_STOP = "series.stop"
    SESSION_CHECK_IN = "session.check_in"
    SESSION_DAY_ANSWERS = "session.day_answers"
    SESSION_CANCEL = "session.cancel"
    CHECKS_OVERRIDE = "checks.override"
    # The dose (controlled substance)
    DOSE_ORDER = "dose.order"
    DOSE_AMEND_ORDER = "dose.amend_order"
    DOSE_ADMINISTER = "dose.administer"
    DOSE_AMEND_ADMINISTRATION = "dose.amend_administration"
    WASTE_WITNESS = "waste.witness"
    # Monitoring and outcomes
    VITALS_RECORD = "vitals.record"
    NOTE_ADD = "note.add"
    SCALE_RECORD = "scale.record"
    SCALE_ACKNOWLEDGE = "scale.acknowledge"
    DISCHARGE = "session.discharge"
    PRINT = "paperwork.print"
    # Administration
    STAFF_VIEW = "staff.view"
    USER_MANAGE = "user.manage"
    CHAIR_MANAGE = "chair.manage"
    SETTINGS_VIEW = "settings.view"
    SETTINGS_CHANGE = "settings.change"
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    EMERGENCY_ACCESS = "emergency.start"
    EMERGENCY_REVIEW = "emergency.review"
    BACKUP_MANAGE = "backup.manage"
    SHEET_TEXT_MANAGE = "sheet_text.manage"


FD, RN, MD, ADMIN = StaffRole.FRONT_DESK, StaffRole.NURSE, StaffRole.PHYSICIAN, StaffRole.ADMINISTRATOR
_EVERYONE = frozenset(StaffRole)
_CLINICAL = frozenset({RN, MD})
_DESK_AND_CLINICAL = frozenset({FD, RN, MD})

#: The policy. Front desk registers, schedules, checks in and prints; a nurse charts and gives the dose; a
#: physician does all a nurse does and orders, overrides and signs; an administrator manages users,
#: settings and the audit, and touches patient records only with a clinical role or in an emergency.
PERMISSIONS: dict[Action, frozenset[StaffRole]] = {
    Action.PATIENT_VIEW: _DESK_AND_CLINICAL,
    Action.PATIENT_REGISTER: _DESK_AND_CLINICAL,
    Action.PATIENT_UPDATE: _DESK_AND_CLINICAL,
    Action.WEIGHT_RECORD: _CLINICAL,
    Action.SCREENING_RECORD: _CLINICAL,
    Action.CONSENT_RECORD: _DESK_AND_CLINICAL,
    Action.REMS_RECORD: frozenset({FD, MD}),
    Action.CLINICIAN_MANAGE: _DESK_AND_CLINICAL,
    Action.SERIES_PLAN: _DESK_AND_CLINICAL,
    Action.SERIES_STOP: _DESK_AND_CLINICAL,
    Action.SESSION_CHECK_IN: _DESK_AND_CLINICAL,
    Action.SESSION_DAY_ANSWERS: _DESK_AND_CLINICAL,
    Action.SESSION_CANCEL: _DESK_AND_CLINICAL,
    Action.CHECKS_OVERRIDE: frozenset({MD}),
    Action.DOSE_ORDER: frozenset({MD}),
    Action.DOSE_AMEND_ORDER: frozenset({MD}),
    Action.DOSE_ADMINISTER: _CLINICAL,
    Action.DOSE_AMEND_ADMINISTRATION: _CLINICAL,
    Action.WASTE_WITNESS: _CLINICAL,
    Action.VITALS_RECORD: _CLINICAL,
    Action.NOTE_ADD: _CLINICAL,
    Action.SCALE_RECORD: _DESK_AND_CLINICAL,  # front desk hands the PHQ-9 tablet over; clinician scales check roles
    Action.SCALE_ACKNOWLEDGE: _CLINICAL,
    Action.DISCHARGE: _CLINICAL,
    Action.PRINT: _DESK_AND_CLINICAL,
    Action.STAFF_VIEW: _EVERYONE,
    Action.USER_MANAGE: frozenset({ADMIN}),
    Action.CHAIR_MANAGE: frozenset({ADMIN}),
    Action.SETTINGS_VIEW: _EVERYONE,
    Action.SETTINGS_CHANGE: frozenset({MD, ADMIN}),
    Action.AUDIT_VIEW: frozenset({ADMIN}),
    Action.AUDIT_EXPORT: frozenset({ADMIN}),
    Action.EMERGENCY_ACCESS: frozenset({ADMIN}),
    Action.EMERGENCY_REVIEW: frozenset({ADMIN}),
    Action.BACKUP_MANAGE: frozenset({ADMIN}),
    Action.SHEET_TEXT_MANAGE: frozenset({ADMIN}),
}

#: What an emergency (break-glass) session adds: everything a physician may do.
EMERGENCY_ROLES = frozenset({MD})


@dataclass(frozen=True)
class Principal(StaffMember):
    """A signed-in member of staff, as the services see them; `emergency_until` is set during break-glass."""

    signed_in_at: datetime | None = None
    emergency_until: datetime | None = None
    emergency_id: int | None = None
    #: When the account's password was set, as read at sign-in: a new password (an administrator's reset, or
    #: the user's change at another workstation) ends this sign-in. None: not known, see `password_changed_since`.
    password_changed_at: datetime | None = None

    def password_changed_since(self, stored: datetime | None) -> bool:
        """Whether the account's password, set at `stored`, is no longer the one this sign-in was made with.
        Compared exactly when the sign-in recorded it (no clocks involved); otherwise by time."""
        if self.password_changed_at is not None:
            return stored != self.password_changed_at
        return stored is not None and (self.signed_in_at is None or stored > self.signed_in_at)

    def in_emergency(self, now: datetime) -> bool:
        return self.emergency_until is not None and now < self.emergency_until


def roles_of(member: StaffMember) -> frozenset[StaffRole]:
    """A member's roles: their job role, plus administration rights when they hold them."""
    return frozenset({member.role} | ({ADMIN} if member.is_admin else set()))


def effective_roles(member: StaffMember, now: datetime) -> frozenset[StaffRole]:
    roles = roles_of(member)
    if isinstance(member, Principal) and member.in_emergency(now):
        roles |= EMERGENCY_ROLES
    return roles


def is_allowed(member: StaffMember, action: Action, now: datetime) -> bool:
    return bool(effective_roles(member, now) & PERMISSIONS[action])


def require(member: StaffMember, action: Action, now: datetime) -> None:
    if not member.active:
        raise PermissionDenied(f"{member.full_name}'s account is disabled.")
    if not is_allowed(member, action, now):
        raise PermissionDenied(f"{member.full_name} ({', '.join(sorted(r.label for r in roles_of(member)))}) "
                               f"may not {ACTION_WORDS[action]}.")


#: How a refusal names the action to a person ("... may not order a dose"); a test keeps it complete.
ACTION_WORDS: dict[Action, str] = {
    Action.PATIENT_VIEW: "open patient records", Action.PATIENT_REGISTER: "register patients",
    Action.PATIENT_UPDATE: "edit patient details", Action.WEIGHT_RECORD: "record weights",
    Action.SCREENING_RECORD: "record contraindication screening", Action.CONSENT_RECORD: "record consents",
    Action.REMS_RECORD: "record REMS enrollment", Action.CLINICIAN_MANAGE: "add referring clinicians",
    Action.SERIES_PLAN: "plan or reschedule series", Action.SERIES_STOP: "stop a series",
    Action.SESSION_CHECK_IN: "check patients in", Action.SESSION_DAY_ANSWERS: "answer the day's checklist",
    Action.SESSION_CANCEL: "cancel sessions", Action.CHECKS_OVERRIDE: "override pre-infusion checks",
    Action.DOSE_ORDER: "order a dose", Action.DOSE_AMEND_ORDER: "amend a dose order",
    Action.DOSE_ADMINISTER: "give a dose", Action.DOSE_AMEND_ADMINISTRATION: "amend an administration record",
    Action.WASTE_WITNESS: "witness waste", Action.VITALS_RECORD: "chart vital signs", Action.NOTE_ADD: "add notes",
    Action.SCALE_RECORD: "record rating scales", Action.SCALE_ACKNOWLEDGE: "acknowledge scale alerts",
    Action.DISCHARGE: "discharge patients", Action.PRINT: "print paperwork", Action.STAFF_VIEW: "see the staff list",
    Action.USER_MANAGE: "manage user accounts", Action.CHAIR_MANAGE: "manage chairs",
    Action.SETTINGS_VIEW: "see the clinic's settings", Action.SETTINGS_CHANGE: "change the clinic's thresholds",
    Action.AUDIT_VIEW: "see the audit log", Action.AUDIT_EXPORT: "export the audit log",
    Action.EMERGENCY_ACCESS: "open emergency access", Action.EMERGENCY_REVIEW: "review emergency access",
    Action.BACKUP_MANAGE: "take or restore backups",
    Action.SHEET_TEXT_MANAGE: "revise the consent and discharge texts",
}

# --- passwords -------------------------------------------------------------------------------------------

#: NIST SP 800-63B asks for at least 8; a shared clinic workstation deserves a little more.
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def check_password_rules(password: str, username: str, full_name: str) -> None:
    """Length, not made of the user's own name, not one repeated character."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters.", "password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(f"A password can have at most {MAX_PASSWORD_LENGTH} characters.", "password")
    folded = unicodedata.normalize("NFKC", password).casefold()
    names = [username.casefold()] + [part.casefold() for part in full_name.replace(",", " ").split() if len(part) >= 3]
    if any(name and name in folded for name in names):
        raise ValidationError("The password must not contain your name or user name.", "password")
    if len(set(folded)) <= 2:
        raise ValidationError("The password must not be one or two characters repeated.", "password")

# --- sign-in -----------------------------------------------------------------------------------------------

#: 5 failed sign-ins within 15 minutes lock the account for 15 minutes (GNU Health and common practice).
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_DURATION = timedelta(minutes=15)
#: However active, a user signs in again after 12 hours (shared clinical workstations).
FORCED_SIGN_IN_AFTER = timedelta(hours=12)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def checked_username(text: str) -> str:
    """User names are case-insensitive: stored folded, letters, digits, dot, dash and underscore."""
    name = (text or "").strip().casefold()
    if not _USERNAME.match(name):
        raise ValidationError("A user name is 2 to 64 letters, digits, dots, dashes or underscores, "
                              "starting with a letter or digit.", "username")
    return name


def sign_in_expired(principal: Principal, now: datetime) -> bool:
    return principal.signed_in_at is None or now - principal.signed_in_at >= FORCED_SIGN_IN_AFTER
