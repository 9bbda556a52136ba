"""The access policy at its edges: the instant an emergency or a sign-in ends, administration rights held beside a
job role, the exact length limits of a password, and the words a refused person reads."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from clinic_desktop.domain.access import (
    Action,
    PermissionDenied,
    Principal,
    check_password_rules,
    checked_username,
    effective_roles,
    is_allowed,
    require,
    roles_of,
    sign_in_expired,
)
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.records import StaffMember

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


def member(role: StaffRole, *, is_admin: bool = False, active: bool = True, **principal) -> Principal:
    return Principal(7, "Robin Ashdown", "", role, active=active, is_admin=is_admin, username="rashdown",
                     **principal)


def test_an_emergency_ends_at_its_end_time_not_a_moment_later():
    """Break-glass access lasts until `emergency_until`, exclusive: at that instant the physician rights are gone."""
    admin = member(StaffRole.ADMINISTRATOR, emergency_until=NOW)
    assert admin.in_emergency(NOW - timedelta(seconds=1))
    assert not admin.in_emergency(NOW)
    assert is_allowed(admin, Action.DOSE_ORDER, NOW - timedelta(seconds=1))
    assert not is_allowed(admin, Action.DOSE_ORDER, NOW)


def test_an_emergency_adds_physician_rights_and_keeps_the_members_own():
    admin = member(StaffRole.ADMINISTRATOR, emergency_until=NOW + timedelta(hours=1))
    assert effective_roles(admin, NOW) == {StaffRole.ADMINISTRATOR, StaffRole.PHYSICIAN}
    require(admin, Action.DOSE_ORDER, NOW)  # the emergency's physician right
    require(admin, Action.AUDIT_VIEW, NOW)  # and still their own


def test_an_emergency_is_checked_at_the_time_of_the_call():
    """The same emergency allows a dose order before it ends and refuses it after, through require()."""
    admin = member(StaffRole.ADMINISTRATOR, emergency_until=NOW + timedelta(minutes=30))
    require(admin, Action.DOSE_ORDER, NOW)
    with pytest.raises(PermissionDenied):
        require(admin, Action.DOSE_ORDER, NOW + timedelta(minutes=30))


def test_a_plain_staff_member_has_no_emergency():
    """A StaffMember that is not a signed-in Principal has its own roles only."""
    nurse = StaffMember(3, "Dana Whitlock", "RN", StaffRole.NURSE)
    assert effective_roles(nurse, NOW) == {StaffRole.NURSE}


def test_administration_rights_are_held_beside_the_job_role():
    assert roles_of(member(StaffRole.NURSE)) == {StaffRole.NURSE}
    assert roles_of(member(StaffRole.NURSE, is_admin=True)) == {StaffRole.NURSE, StaffRole.ADMINISTRATOR}
    assert not is_allowed(member(StaffRole.NURSE), Action.USER_MANAGE, NOW)
    assert is_allowed(member(StaffRole.NURSE, is_admin=True), Action.USER_MANAGE, NOW)


def test_a_refusal_names_the_person_their_roles_and_the_action():
    with pytest.raises(PermissionDenied) as caught:
        require(member(StaffRole.FRONT_DESK, is_admin=True), Action.VITALS_RECORD, NOW)
    assert caught.value.message == "Robin Ashdown (Administrator, Front desk) may not chart vital signs."


def test_a_disabled_account_is_refused_even_for_what_its_role_allows():
    with pytest.raises(PermissionDenied) as caught:
        require(member(StaffRole.PHYSICIAN, active=False), Action.PATIENT_VIEW, NOW)
    assert caught.value.message == "Robin Ashdown's account is disabled."


def test_a_sign_in_lasts_twelve_hours_and_not_one_second_more():
    signed_in = member(StaffRole.NURSE, signed_in_at=NOW)
    assert not sign_in_expired(signed_in, NOW + timedelta(hours=12) - timedelta(seconds=1))
    assert sign_in_expired(signed_in, NOW + timedelta(hours=12))
    assert sign_in_expired(member(StaffRole.NURSE), NOW)  # never signed in


def test_a_password_of_exactly_ten_characters_is_long_enough():
    check_password_rules("Qx7-vemo#2", "rashdown", "Robin Ashdown")  # 10: accepted
    with pytest.raises(ValidationError) as caught:
        check_password_rules("Qx7-vemo#", "rashdown", "Robin Ashdown")  # 9
    assert (caught.value.message, caught.value.field) == ("Choose a password of at least 10 characters.", "password")


def test_a_password_of_exactly_256_characters_is_not_too_long():
    long_enough = ("Qx7-vemo#2" * 26)[:256]
    check_password_rules(long_enough, "rashdown", "Robin Ashdown")
    with pytest.raises(ValidationError) as caught:
        check_password_rules(long_enough + "z", "rashdown", "Robin Ashdown")
    assert (caught.value.message, caught.value.field) == ("A password can have at most 256 characters.", "password")


def test_a_password_holding_a_name_part_of_three_letters_is_refused():
    """Name parts of three letters or more count ("Lee" in "Ann Lee, MD"), commas split them, shorter ones not."""
    with pytest.raises(ValidationError) as caught:
        check_password_rules("Qx7-LEE-vemo#2", "alee", "Ann Lee,MD")
    assert (caught.value.message, caught.value.field) == (
        "The password must not contain your name or user name.", "password")
    check_password_rules("Qx7-md-vemo#2", "alee", "Jo Lee,MD")  # "Jo" and "MD" are too short to count
    with pytest.raises(ValidationError):
        check_password_rules("Qx7-lee,md-2", "alee", "Lee,Md")  # the whole "lee,md" is not one name part


def test_a_password_of_three_different_characters_is_allowed():
    check_password_rules("abcabcabca", "rashdown", "Robin Ashdown")
    with pytest.raises(ValidationError) as caught:
        check_password_rules("abababababab", "rashdown", "Robin Ashdown")
    assert (caught.value.message, caught.value.field) == (
        "The password must not be one or two characters repeated.", "password")


@pytest.mark.parametrize("typed", ["", None, "a", ".dana", "dana whitlock", "x" * 65])
def test_an_unusable_user_name_is_refused_beside_the_user_name_field(typed):
    with pytest.raises(ValidationError) as caught:
        checked_username(typed)
    assert caught.value.field == "username"
    assert caught.value.message == ("A user name is 2 to 64 letters, digits, dots, dashes or underscores, "
                                    "starting with a letter or digit.")


def test_user_names_of_two_and_of_sixty_four_characters_are_accepted():
    assert checked_username("RN") == "rn"
    assert checked_username("x" * 64) == "x" * 64
