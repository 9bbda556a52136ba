"""A password reset, a disabled account and a lockout end the account's open sign-ins at their next call (on
every workstation), with a sentence that says why; nothing of the refused call is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from clinic_desktop.domain.access import SignInRequired
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.services.context import (
    SIGNED_OUT_DISABLED,
    SIGNED_OUT_LOCKED,
    SIGNED_OUT_PASSWORD,
    acting_staff,
)
from clinic_desktop.storage import models
from tests.conftest import PASSWORD

NEW_PASSWORD = "plum tuesday lantern 42"
PATIENT = PatientInput(given_names="Ada", family_name="Lovelace", date_of_birth="1980-05-01", sex="female")


def _refused(call, *args) -> str:
    with pytest.raises(SignInRequired) as caught:
        call(*args)
    return caught.value.message


def _patients(services, staff) -> int:
    return services.patients.count(staff["physician"])


def test_an_administrators_password_reset_ends_the_users_open_sign_in(services, staff, clock):
    nurse = services.auth.login("whitlock", PASSWORD)
    clock.advance(minutes=3)
    services.auth.reset_password(staff["admin"], "whitlock", NEW_PASSWORD)
    assert _refused(services.patients.register, nurse, PATIENT) == SIGNED_OUT_PASSWORD
    assert _refused(services.patients.count, nurse) == SIGNED_OUT_PASSWORD  # reads too, not only writes
    assert _patients(services, staff) == 0
    again = services.auth.login("whitlock", NEW_PASSWORD)
    assert services.patients.register(again, PATIENT).mrn


def test_the_password_time_is_compared_exactly_not_by_the_clocks(services, staff, db, clock):
    """Set to an earlier time (another workstation's clock running behind): the sign-in still ends, since
    what it saw at sign-in is compared for equality, not as before or after."""
    nurse = staff["nurse"]
    with db.session() as session:
        session.get(models.Staff, nurse.id).password_changed_at = clock.now() - timedelta(hours=1)
        session.commit()
    assert _refused(services.patients.count, nurse) == SIGNED_OUT_PASSWORD


def test_disabling_an_account_ends_its_open_sign_ins(services, staff):
    nurse = staff["nurse"]
    services.auth.set_active(staff["admin"], "whitlock", False)
    assert _refused(services.patients.register, nurse, PATIENT) == SIGNED_OUT_DISABLED
    assert _patients(services, staff) == 0


def test_a_lockout_ends_the_accounts_open_sign_ins_and_they_stay_ended(services, staff, clock):
    """Five wrong passwords typed at another workstation's sign-in page lock the account: the nurse signed in
    here is refused at the next call, and still after the lock's 15 minutes; the right password then gives a
    new sign-in that works."""
    nurse = staff["nurse"]
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            services.auth.login("whitlock", "not the password")
    assert _refused(services.patients.register, nurse, PATIENT) == SIGNED_OUT_LOCKED
    clock.advance(minutes=16)
    assert _refused(services.patients.register, nurse, PATIENT) == SIGNED_OUT_LOCKED
    again = services.auth.login("whitlock", PASSWORD)
    assert services.patients.register(again, PATIENT).mrn


def test_wrong_passwords_at_the_lock_screen_lock_and_end_the_sign_in(services, staff):
    """The lockout reached through the signed-in user's own password prompts (unlock, a signature) ends their
    sign-in too: the sixth try is not even checked."""
    nurse = staff["nurse"]
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            services.auth.confirm_password(nurse, "not the password", "unlock")
    assert _refused(services.auth.confirm_password, nurse, PASSWORD, "unlock") == SIGNED_OUT_LOCKED


def test_a_users_own_password_change_keeps_the_sign_in_it_returns_and_ends_the_others(services, staff, clock):
    here = services.auth.login("whitlock", PASSWORD)
    elsewhere = services.auth.login("whitlock", PASSWORD)
    clock.advance(minutes=1)
    here = services.auth.change_password(here, PASSWORD, NEW_PASSWORD)
    assert services.patients.register(here, PATIENT).mrn
    assert _refused(services.patients.count, elsewhere) == SIGNED_OUT_PASSWORD


def test_a_reset_between_the_permission_check_and_the_write_is_caught_inside_it(services, staff, clock):
    """The row a write re-reads (acting_staff) is checked the same way, so a reset that lands after the
    permission check still stops the write."""
    nurse = services.auth.login("whitlock", PASSWORD)
    clock.advance(minutes=1)
    services.auth.reset_password(staff["admin"], "whitlock", NEW_PASSWORD)
    with services.context.db.write() as uow, pytest.raises(SignInRequired) as caught:
        acting_staff(uow.session, nurse)
    assert caught.value.message == SIGNED_OUT_PASSWORD


def test_the_check_costs_no_extra_query(services, staff, db):
    """Every call already read the account's row for the permission check: the reset and lockout state come
    in the same statement, so a call reads the staff table exactly once."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        services.patients.count(staff["nurse"])
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len([s for s in statements if "FROM staff" in s]) == 1, statements
