"""Signing in: password storage, rules, lockout, bounded failure state, accounts, unlock, emergency access."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import RuleViolation, ValidationError
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services import passwords
from clinic_desktop.services.audit import AuditFilter
from clinic_desktop.services.auth import WRONG_CREDENTIALS, AuthenticationFailed, SignInRequired
from clinic_desktop.storage import models
from tests.conftest import PASSWORD

NEW_PASSWORD = "plum tuesday lantern 42"
PATIENT = PatientInput(given_names="Ada", family_name="Lovelace", date_of_birth="1980-05-01", sex="female")


def _row(db, username: str) -> models.Staff:
    """The account's row, detached with its columns loaded."""
    with db.session() as s:
        row = s.execute(select(models.Staff).where(models.Staff.username == username)).scalar_one()
        s.expunge(row)
        return row


def _audit(services, admin, action: str):
    return services.audit.entries(admin, AuditFilter(action=action)).rows


def _fail(services, username: str, password: str = "not the password") -> str:
    with pytest.raises(AuthenticationFailed) as caught:
        services.auth.login(username, password)
    return str(caught.value)


# --- storage of passwords ------------------------------------------------------------------------------

@pytest.mark.production_passwords
def test_passwords_are_argon2id_at_or_above_the_owasp_minimum(services, staff, db):
    """A new account's stored hash is $argon2id$ with m >= 19456 KiB, t >= 2, p >= 1, and not the password."""
    services.auth.add_user(staff["admin"], "mokoro", "Mina Okoro", "nurse", NEW_PASSWORD)
    stored = _row(db, "mokoro").password_hash
    assert stored.startswith("$argon2id$") and NEW_PASSWORD not in stored
    p = passwords.parameters(stored)
    assert (p.memory_cost >= 19456, p.time_cost >= 2, p.parallelism >= 1) == (True, True, True)
    with pytest.raises(ValueError):
        passwords.HashPolicy(memory_kib=16384, time_cost=2, parallelism=1)


def test_the_application_hashes_at_the_production_cost(tmp_path):
    """What the program opens uses the default policy (the cheaper cost of most tests is injected by them)."""
    from clinic_desktop.app import open_services

    services, _locations = open_services(str(tmp_path), None)
    try:
        assert services.context.passwords.policy == passwords.HashPolicy()
    finally:
        services.context.db.close()


@pytest.mark.production_passwords
def test_a_weaker_stored_hash_is_rehashed_at_login(services, staff, db):
    """An OWASP-minimum hash is replaced by one with the policy's parameters on the next sign-in."""
    weak = passwords.Passwords(passwords.HashPolicy(memory_kib=19456, time_cost=2, parallelism=1)).hash(PASSWORD)
    with db.session() as s:
        s.get(models.Staff, staff["nurse"].id).password_hash = weak
        s.commit()
    services.auth.login("whitlock", PASSWORD)
    p, policy = passwords.parameters(_row(db, "whitlock").password_hash), services.context.passwords.policy
    assert (p.memory_cost, p.time_cost, p.parallelism) == (policy.memory_kib, policy.time_cost, policy.parallelism)
    assert services.auth.login("whitlock", PASSWORD).username == "whitlock"


@pytest.mark.parametrize("bad", ["short pw", "x" * 257, "mokoro-likes-cats", "okoro rules 2026!",
                                 "aaaaaaaaaaaa", "abababababab"])
def test_password_rules(services, staff, bad):
    """Too short, too long, the user's own (user) name, one or two characters repeated: refused on "password"."""
    with pytest.raises(ValidationError) as caught:
        services.auth.add_user(staff["admin"], "mokoro", "Mina Okoro", "nurse", bad)
    assert caught.value.field == "password"


# --- signing in ------------------------------------------------------------------------------------------

def test_login_success_is_audited(services, staff):
    """The right password gives a Principal with the sign-in time, and a "login" entry names the user."""
    principal = services.auth.login("  Whitlock ", PASSWORD)
    assert (principal.id, principal.signed_in_at) == (staff["nurse"].id, services.context.now())
    rows = _audit(services, staff["admin"], "login")
    assert [r.user for r in rows] == ["Dana Whitlock"]


def test_wrong_password_and_unknown_user_look_the_same_and_are_both_audited(services, staff):
    """Same words for both; both leave a login_failed entry (the unknown name only as its length class, since
    people type passwords into the name box and the log is permanent)."""
    assert _fail(services, "whitlock") == _fail(services, "nobody-here") == WRONG_CREDENTIALS
    rows = _audit(services, staff["admin"], "login_failed")
    assert sorted(r.user for r in rows) == ["?", "Dana Whitlock"]
    unknown = next(r for r in rows if r.user == "?")
    assert unknown.details == {"reason": "unknown user", "name_length": "9-16 characters"}


def _unknown_name_entry(services, db, typed: str) -> dict:
    """Everything the audit log stored for a failed sign-in with `typed` as the name, but its place in the
    chain (seq, time, links): what a reader, or someone holding the audit key, has to go on."""
    _fail(services, typed)
    with db.read() as uow:
        entry = uow.session.execute(select(models.AuditEntry).order_by(models.AuditEntry.seq.desc())
                                    .limit(1)).scalar_one()
        return {column: getattr(entry, column) for column in ("staff_id", "username", "patient_id", "action",
                                                              "object_type", "object_id", "details", "emergency")}


@pytest.mark.parametrize(("typed", "other", "length_class"), [
    # A password typed into the name box, and a different string of the same length class.
    ("correct horse battery staple", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "17-32 characters"),
    ("Tr0ub4dor&3", "qqqqqqqqqqqqqqqq", "9-16 characters"),
    ("p@ss", "x", "1-8 characters"),
    ("a very long passphrase that someone typed into the name box", "y" * 40, "more than 32 characters"),
])
def test_a_password_typed_as_the_name_cannot_be_recovered_from_the_log(services, staff, db, typed, other,
                                                                        length_class):
    """The entry is the same for any string of the same length class, so no guess (with or without the audit
    key, which the old keyed fingerprint needed) can be checked against it: there is nothing to recover."""
    first, second = _unknown_name_entry(services, db, typed), _unknown_name_entry(services, db, other)
    assert first == second
    assert first["details"] == {"reason": "unknown user", "name_length": length_class}
    assert typed.casefold() not in str(first) and typed not in str(first)


@pytest.mark.production_passwords
def test_unknown_users_take_about_as_long_as_wrong_passwords(services, staff):
    """A dummy hash is verified for an unknown name: interleaved median times within a factor of two."""
    # Interleaved so a busy machine slows both alike; four wrong passwords stay below the lockout.
    def timed(name: str) -> float:
        start = time.perf_counter()
        _fail(services, name)
        return time.perf_counter() - start

    _fail(services, "warm-up-unknown")
    wrong, unknown = [], []
    for n in range(4):
        wrong.append(timed("lindqvist"))
        unknown.append(timed(f"no-such-person-{n}"))
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.5 < ratio < 2.0, (unknown, wrong)


def test_five_failures_lock_the_account_for_fifteen_minutes(services, staff, clock):
    """The right password is then refused with the time the lock ends; 15 minutes later it works."""
    for _ in range(5):
        clock.advance(minutes=1)
        _fail(services, "whitlock")
    message = _fail(services, "whitlock", PASSWORD)
    assert "locked" in message and "09:20" in message  # locked at 09:05 New York time, for 15 minutes
    clock.advance(minutes=14)
    assert "locked" in _fail(services, "whitlock", PASSWORD)
    clock.advance(minutes=1)
    assert services.auth.login("whitlock", PASSWORD).username == "whitlock"
    assert _audit(services, staff["admin"], "login_refused_locked")


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(services, staff, clock):
    """Five failures four minutes apart never have five inside one window."""
    for _ in range(5):
        _fail(services, "whitlock")
        clock.advance(minutes=4)
    assert services.auth.login("whitlock", PASSWORD).username == "whitlock"


def test_a_flood_of_unknown_names_changes_no_staff_row(services, staff, db, monkeypatch):
    """2,000 distinct unknown names leave every staff row exactly as it was (no per-name failure state)."""
    monkeypatch.setattr(services.context.passwords, "verify", lambda stored, password: False)  # speed only

    def staff_table():
        with db.read() as uow:
            return [(r.id, r.username, r.password_hash, r.failed_logins, r.locked_until, r.active)
                    for r in uow.session.execute(select(models.Staff).order_by(models.Staff.id)).scalars()]

    before = staff_table()
    for n in range(2000):
        _fail(services, f"intruder{n:04d}")
    assert staff_table() == before
    monkeypatch.undo()
    assert services.auth.login("whitlock", PASSWORD).username == "whitlock"


def test_a_real_accounts_failure_list_stays_at_most_five(services, staff, db, clock):
    """Wrong passwords every two minutes for an hour: the stored list never holds more than five times."""
    longest = 0
    for _ in range(30):
        clock.advance(minutes=2)
        _fail(services, "whitlock")
        longest = max(longest, len(_row(db, "whitlock").failed_logins))
    assert longest == 5


def test_an_administrators_password_reset_lifts_a_lock(services, staff, clock):
    """Locked out, reset by an administrator: the new password works at once."""
    for _ in range(5):
        _fail(services, "whitlock")
    assert "locked" in _fail(services, "whitlock", PASSWORD)
    services.auth.reset_password(staff["admin"], "whitlock", NEW_PASSWORD)
    assert services.auth.login("whitlock", NEW_PASSWORD).username == "whitlock"
    assert "locked" not in _fail(services, "whitlock", PASSWORD)


# --- accounts --------------------------------------------------------------------------------------------

def test_a_disabled_account_cannot_sign_in(services, staff):
    """Disabled by an administrator: the usual refusal, audited with the reason."""
    services.auth.set_active(staff["admin"], "whitlock", False)
    assert _fail(services, "whitlock", PASSWORD) == WRONG_CREDENTIALS
    assert _audit(services, staff["admin"], "login_failed")[0].details == {"reason": "account disabled"}
    services.auth.set_active(staff["admin"], "whitlock", True)
    assert services.auth.login("whitlock", PASSWORD).active


def test_the_last_administrator_cannot_be_disabled(services, staff):
    """Not by themselves, nor by a second administrator who was disabled in between."""
    admin = staff["admin"]
    with pytest.raises(RuleViolation):
        services.auth.set_active(admin, "adeyemi", False)
    services.auth.add_user(admin, "okeke", "Chidi Okeke", "administrator", NEW_PASSWORD)
    second = services.auth.login("okeke", NEW_PASSWORD)
    services.auth.set_active(admin, "okeke", False)
    with pytest.raises((RuleViolation, PermissionDenied, SignInRequired)):
        services.auth.set_active(second, "adeyemi", False)
    assert services.auth.login("adeyemi", PASSWORD).active


def test_first_admin_setup_only_on_an_empty_database(services):
    """The first account is an administrator; once any account exists, setup is refused."""
    assert services.auth.needs_first_admin()
    first = services.auth.create_first_admin("boss", "Rosa Achterberg", NEW_PASSWORD, "MD", StaffRole.PHYSICIAN)
    assert first.is_admin and first.role is StaffRole.PHYSICIAN and first.signed_in_at is not None
    assert not services.auth.needs_first_admin()
    with pytest.raises(PermissionDenied):
        services.auth.create_first_admin("intruder", "Eve Intruder", NEW_PASSWORD)
    assert [u.member.username for u in services.auth.list_users(first)] == ["boss"]


def test_first_admin_setup_is_refused_when_the_fixture_accounts_exist(services, staff):
    """A database with accounts never offers first-run setup."""
    assert not services.auth.needs_first_admin()
    with pytest.raises(PermissionDenied):
        services.auth.create_first_admin("intruder", "Eve Intruder", NEW_PASSWORD)


# --- the lock screen -------------------------------------------------------------------------------------

def test_lock_and_unlock_with_the_password(services, staff):
    """Unlock needs the same user's password; both are audited."""
    nurse = staff["nurse"]
    services.auth.lock(nurse)
    with pytest.raises(AuthenticationFailed):
        services.auth.unlock(nurse, "not the password")
    assert services.auth.unlock(nurse, PASSWORD) == nurse
    assert _audit(services, staff["admin"], "lock") and _audit(services, staff["admin"], "unlock")
    assert _audit(services, staff["admin"], "unlock_failed")


def test_unlock_after_twelve_hours_needs_a_full_sign_in(services, staff, clock):
    """After 12 hours the lock screen refuses even the right password: sign in again."""
    clock.advance(hours=12)
    with pytest.raises(SignInRequired):
        services.auth.unlock(staff["nurse"], PASSWORD)
    assert services.auth.login("whitlock", PASSWORD).signed_in_at == clock.now()


# --- emergency (break-glass) access ----------------------------------------------------------------------

def test_emergency_access_needs_a_reason_and_the_password(services, staff, db):
    """No reason or the wrong password: refused, and no emergency session is opened."""
    with pytest.raises(ValidationError):
        services.auth.start_emergency(staff["admin"], "  ", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        services.auth.start_emergency(staff["admin"], "Code blue in chair 2", "not the password")
    with pytest.raises(PermissionDenied):
        services.auth.start_emergency(staff["physician"], "Code blue in chair 2", PASSWORD)
    with db.read() as uow:
        assert uow.session.execute(select(models.EmergencySession)).first() is None


def test_emergency_access_lasts_the_configured_minutes(services, staff, clock):
    """The window is settings.emergency_access_minutes long."""
    services.settings.update(staff["admin"], {"emergency_access_minutes": 30})
    principal = services.auth.start_emergency(staff["admin"], "Code blue in chair 2", PASSWORD)
    minutes = services.settings.current(principal).emergency_access_minutes
    assert minutes == 30 and principal.emergency_until - clock.now() == timedelta(minutes=minutes)
    assert principal.in_emergency(clock.now())
    clock.advance(minutes=30)
    assert not principal.in_emergency(clock.now())


def test_emergency_actions_are_flagged_listed_and_cleared_by_another_admins_review(services, staff, clock):
    """Work done in the window is emergency=True in the log, listed for review, and a second admin clears it."""
    admin = staff["admin"]
    principal = services.auth.start_emergency(admin, "Code blue in chair 2", PASSWORD)
    chart = services.patients.register(principal, PATIENT)
    created = [r for r in _audit(services, admin, "create") if r.object_type == "patient"]
    assert [(r.emergency, r.details.get("emergency_session")) for r in created] == [(True, principal.emergency_id)]
    assert not any(r.emergency for r in _audit(services, admin, "login_failed"))
    pending = services.auth.pending_emergency_reviews(admin)
    assert [p.id for p in pending] == [principal.emergency_id]
    assert f"create patient {chart.id}" in pending[0].actions and pending[0].reason == "Code blue in chair 2"
    services.patients.chart(principal, chart.id)
    services.patients.chart(staff["nurse"], chart.id)  # ordinary reading is not audited
    assert f"view patient {chart.id}" in services.auth.pending_emergency_reviews(admin)[0].actions
    assert [r.emergency for r in _audit(services, admin, "view")] == [True]
    services.auth.add_user(admin, "okeke", "Chidi Okeke", "administrator", NEW_PASSWORD)
    with pytest.raises(RuleViolation):
        services.auth.review_emergency(admin, principal.emergency_id, "Reviewed my own access")
    second = services.auth.login("okeke", NEW_PASSWORD)
    services.auth.review_emergency(second, principal.emergency_id, "Justified: physician was in theatre")
    assert services.auth.pending_emergency_reviews(second) == []
    with pytest.raises(RuleViolation):
        services.auth.review_emergency(second, principal.emergency_id, "again")
