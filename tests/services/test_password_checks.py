"""Passwords are verified with no write transaction open, and an account changed meanwhile stops the action."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.auth import WRONG_CREDENTIALS, AuthenticationFailed
from clinic_desktop.services.doses import WitnessNotConfirmed
from clinic_desktop.services.password_checks import CHANGED, reauthenticate
from clinic_desktop.storage import models
from tests.conftest import PASSWORD
from tests.services.signing_support import IV_ORDER, ordered_and_started, ready_session

pytestmark = pytest.mark.sqlite_only  # the write lock observed is SQLite's (PostgreSQL locks rows instead)


def _during_verify(services, monkeypatch, action) -> list:
    """Run `action()` inside every password verification (while the hash runs); returns what each gave."""
    real = services.context.passwords.verify
    seen = []

    def verify(stored, password):
        seen.append(action())
        return real(stored, password)

    monkeypatch.setattr(services.context.passwords, "verify", verify)
    return seen


def _write_lock_free(db) -> bool:
    """Whether another connection can take the database's write lock right now (it does not wait)."""
    con = sqlite3.connect(db.sqlite_path, timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        con.close()


def _change_account(db, staff_id: int, **values) -> None:
    """Another workstation changes the account (an administrator disables it, say)."""
    with db.session() as s:
        row = s.get(models.Staff, staff_id)
        for name, value in values.items():
            setattr(row, name, value)
        s.commit()


def _count(db, model) -> int:
    with db.read() as uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


def _audit_count(db) -> int:
    return _count(db, models.AuditEntry)


# --- the hash runs with the write lock free --------------------------------------------------------------

def test_sign_in_unlock_and_a_signature_hash_with_the_write_lock_free(services, staff, db, monkeypatch):
    """During each verification a second connection's BEGIN IMMEDIATE succeeds at once."""
    _pid, sid = ready_session(services, staff)
    free = _during_verify(services, monkeypatch, lambda: _write_lock_free(db))
    services.auth.login("whitlock", PASSWORD)
    services.auth.unlock(staff["nurse"], PASSWORD)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    with pytest.raises(AuthenticationFailed):
        services.auth.login("whitlock", "not the password")
    assert free == [True, True, True, True]


def test_a_stop_with_a_witness_hashes_both_passwords_with_the_write_lock_free(services, staff, db, clock,
                                                                                monkeypatch):
    """The nurse's and the witness's passwords: two verifications, neither inside a write."""
    _pid, sid = ordered_and_started(services, staff, clock)
    free = _during_verify(services, monkeypatch, lambda: _write_lock_free(db))
    services.doses.stop(staff["nurse"], sid, password=PASSWORD, volume_given_ml="90.8", volume_wasted_ml="10",
                        witness_id=staff["nurse2"].id, witness_password=PASSWORD)
    assert free == [True, True]


def test_adding_a_user_hashes_the_new_password_with_the_write_lock_free(services, staff, db, monkeypatch):
    """A new account's hash is made before its write opens."""
    real = services.context.passwords.hash
    free = []
    monkeypatch.setattr(services.context.passwords, "hash",
                        lambda password: (free.append(_write_lock_free(db)), real(password))[1])
    services.auth.add_user(staff["admin"], "mokoro", "Mina Okoro", "nurse", "plum tuesday lantern 42")
    services.auth.reset_password(staff["admin"], "mokoro", "pear wednesday candle 17")
    assert free == [True, True]


# --- the account changes while the password is being checked ---------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    ({"active": False}, "This account is disabled."),
    ({"role": StaffRole.NURSE}, CHANGED),
    ({"password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$c29tZWhhc2g"}, CHANGED),
])
def test_an_order_is_refused_when_the_account_changes_during_the_check(services, staff, db, monkeypatch, change,
                                                                       message):
    """Disabled, given another role or a new password between the read and the write: refused, nothing written."""
    _pid, sid = ready_session(services, staff)
    before = _audit_count(db)
    md = staff["physician"]
    _during_verify(services, monkeypatch, lambda: _change_account(db, md.id, **change))
    with pytest.raises(AuthenticationFailed) as caught:
        services.doses.order(md, sid, IV_ORDER, PASSWORD)
    assert caught.value.message == message
    assert (_count(db, models.DoseRecord), _count(db, models.Signature), _audit_count(db)) == (0, 0, before)


def test_an_order_is_refused_when_the_account_is_locked_during_the_check(services, staff, db, monkeypatch, clock):
    """Locked meanwhile (five failures elsewhere): the lockout message, and no dose order or signature."""
    _pid, sid = ready_session(services, staff)
    md = staff["physician"]
    _during_verify(services, monkeypatch,
                   lambda: _change_account(db, md.id, locked_until=clock.now() + timedelta(minutes=15)))
    with pytest.raises(AuthenticationFailed) as caught:
        services.doses.order(md, sid, IV_ORDER, PASSWORD)
    assert "locked" in caught.value.message
    assert (_count(db, models.DoseRecord), _count(db, models.Signature)) == (0, 0)


def test_a_witness_disabled_during_their_check_stops_the_whole_stop(services, staff, db, clock, monkeypatch):
    """The witness's account disabled while their password is checked: nothing signed, the session still infusing."""
    _pid, sid = ordered_and_started(services, staff, clock)
    witness = staff["nurse2"]
    calls = []

    def disable_the_witness_at_their_check():
        calls.append(None)
        if len(calls) == 2:  # the first check is the nurse's, the second the witness's
            _change_account(db, witness.id, active=False)

    _during_verify(services, monkeypatch, disable_the_witness_at_their_check)
    with pytest.raises(WitnessNotConfirmed):
        services.doses.stop(staff["nurse"], sid, password=PASSWORD, volume_given_ml="90.8",
                            volume_wasted_ml="10", witness_id=witness.id, witness_password=PASSWORD)
    assert _count(db, models.Signature) == 1  # the order's only
    with db.read() as uow:
        assert uow.session.get(models.TreatmentSession, sid).status.value == "infusing"


def test_a_sign_in_while_the_password_is_reset_elsewhere_is_refused_and_counts_no_failure(services, staff, db,
                                                                                         monkeypatch):
    """The password checked is no longer the account's: refused with the reason, the failure list untouched."""
    nurse = staff["nurse"]
    _during_verify(services, monkeypatch, lambda: _change_account(db, nurse.id, password_hash="$argon2id$other"))
    with pytest.raises(AuthenticationFailed) as caught:
        services.auth.login("whitlock", PASSWORD)
    assert caught.value.message == CHANGED
    with db.read() as uow:
        assert uow.session.get(models.Staff, nurse.id).failed_logins == []


def test_a_sign_in_while_the_account_is_disabled_elsewhere_is_refused_as_disabled(services, staff, db,
                                                                                  monkeypatch):
    """Disabled during the check: the usual refusal, audited as a disabled account."""
    _during_verify(services, monkeypatch, lambda: _change_account(db, staff["nurse"].id, active=False))
    with pytest.raises(AuthenticationFailed) as caught:
        services.auth.login("whitlock", PASSWORD)
    assert caught.value.message == WRONG_CREDENTIALS


def test_the_actions_own_write_rechecks_the_account(services, staff, db):
    """Confirmed, then disabled before the action's write: recheck refuses inside that write."""
    md = staff["physician"]
    check = reauthenticate(services.context, md, PASSWORD, "signature_confirmed")
    with db.write() as uow:
        assert check.recheck(uow.session).id == md.id
    _change_account(db, md.id, password_hash="$argon2id$new")
    with db.write() as uow, pytest.raises(AuthenticationFailed, match="changed at another workstation"):
        check.recheck(uow.session)
    _change_account(db, md.id, active=False)
    with db.write() as uow, pytest.raises(ClinicError, match="not an active member"):
        check.recheck(uow.session)
