"""The access policy's words and password rules, without any database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from clinic_desktop.domain.access import (
    ACTION_WORDS,
    Action,
    Principal,
    check_password_rules,
    checked_username,
    is_allowed,
)
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.records import StaffMember

from tests.access_table import ALLOWED, allowed_roles

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


def member(role: StaffRole, is_admin: bool = False) -> StaffMember:
    return StaffMember(1, "Sam Adeyemi", "", role, True, is_admin or role is StaffRole.ADMINISTRATOR)


def test_the_written_out_table_covers_every_action():
    assert set(ALLOWED) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(StaffRole))
def test_each_role_may_do_exactly_what_the_written_out_table_says(action, role):
    """The application's policy against the table in tests/access_table.py, one cell at a time."""
    assert is_allowed(member(role), action, NOW) == (role in allowed_roles(action))


@pytest.mark.parametrize("action", list(Action))
def test_administration_rights_add_to_a_clinical_role_and_an_emergency_adds_the_physicians(action):
    """A nurse with administration rights may do what a nurse or an administrator may; an administrator in a
    break-glass session what an administrator or a physician may, until it ends."""
    roles = allowed_roles(action)
    nurse_admin = member(StaffRole.NURSE, is_admin=True)
    assert is_allowed(nurse_admin, action, NOW) == bool(roles & {StaffRole.NURSE, StaffRole.ADMINISTRATOR})
    emergency = Principal(1, "Sam Adeyemi", "", StaffRole.ADMINISTRATOR, True, True,
                          emergency_until=NOW + timedelta(minutes=1), emergency_id=1)
    assert is_allowed(emergency, action, NOW) == bool(roles & {StaffRole.PHYSICIAN, StaffRole.ADMINISTRATOR})
    assert is_allowed(emergency, action, NOW + timedelta(minutes=1)) == (StaffRole.ADMINISTRATOR in roles)


def test_every_action_has_words_for_a_refusal():
    """A refusal says "may not order a dose", never a code like dose.order."""
    assert set(ACTION_WORDS) == set(Action)


@pytest.mark.parametrize("typed, stored", [("Dana.Whitlock", "dana.whitlock"), ("  rn_2 ", "rn_2")])
def test_user_names_are_case_insensitive_and_trimmed(typed, stored):
    """User names are stored folded, so DANA and dana are the same account."""
    assert checked_username(typed) == stored


@pytest.mark.parametrize("password", ["short1!", "whitlock-2026-x", "Dana-secret-99", "aaaaaaaaaaaa", "abababababab"])
def test_weak_passwords_are_refused_beside_the_password_field(password):
    """Too short, containing the user's names, or one or two characters repeated."""
    with pytest.raises(ValidationError) as caught:
        check_password_rules(password, "whitlock", "Dana Whitlock")
    assert caught.value.field == "password"
