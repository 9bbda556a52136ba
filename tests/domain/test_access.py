"""The access policy's words and password rules, without any database."""

from __future__ import annotations

import pytest

from clinic_desktop.domain.access import ACTION_WORDS, Action, check_password_rules, checked_username
from clinic_desktop.domain.errors import ValidationError


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
