"""The clinic's letterhead: defaults, a validated update kept beside the thresholds, and who may change it."""

from __future__ import annotations

import pytest

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.clinic_profile import ClinicProfile
from clinic_desktop.domain.errors import ValidationErrors


def test_a_new_clinic_has_a_default_letterhead_until_it_sets_its_own(services, staff):
    """The default name prints until an administrator sets the real one; thresholds are unaffected."""
    assert services.settings.profile(staff["nurse"]) == ClinicProfile()
    new = ClinicProfile("Harbor View Ketamine Clinic", "12 Quay Street\nFairview, OR 97024", "(503) 555-0142",
                        "(503) 555-0199")
    assert services.settings.update_profile(staff["admin"], new) == new
    assert services.settings.profile(staff["front_desk"]) == new
    assert services.settings.current(staff["nurse"]).discharge_score_min == 9


def test_bad_entries_are_all_reported_and_nothing_is_kept(services, staff):
    """An empty name and a phone with letters: both fields named, the old letterhead stays."""
    with pytest.raises(ValidationErrors) as caught:
        services.settings.update_profile(staff["admin"], ClinicProfile("", "x", "call us", ""))
    assert {e.field for e in caught.value.errors} == {"name", "phone"}
    assert services.settings.profile(staff["admin"]) == ClinicProfile()


def test_only_physicians_and_administrators_change_the_letterhead(services, staff):
    """Front desk reads it (it prints it) but cannot change it; the change is audited."""
    with pytest.raises(PermissionDenied):
        services.settings.update_profile(staff["front_desk"], ClinicProfile("Other name"))
    services.settings.update_profile(staff["physician"], ClinicProfile("Harbor View Clinic"))
    entries = [r for r in services.audit.entries(staff["admin"]).rows if r.object_type == "clinic_profile"]
    assert entries and entries[0].details["profile.name"] == {"old": ClinicProfile().name, "new": "Harbor View Clinic"}


def png(width: int = 120, height: int = 60) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (26, 115, 232)).save(out, "PNG")
    return out.getvalue()


def profile_entries(services, admin) -> list:
    return [r for r in services.audit.entries(admin).rows if r.object_type == "clinic_profile"]


def test_every_profile_field_is_kept_and_read_back(services, staff):
    """Email, paper, the emergency and crisis numbers and the time zone are stored like the name and phones."""
    new = ClinicProfile("Harbor View Clinic", "", "(503) 555-0142", "", "desk@harborview.example", "a4", "112",
                        "116 123", "Samaritans", "Europe/Dublin")
    services.settings.update_profile(staff["admin"], new)
    assert services.settings.profile(staff["nurse"]) == new


def test_the_logo_is_stored_replaced_and_removed_with_an_audit_entry_each(services, staff):
    """Each change of logo is audited with the image's SHA-256 and size, never its bytes."""
    import hashlib

    admin, first, second = staff["admin"], png(), png(64, 64)
    services.settings.set_logo(admin, first)
    assert services.settings.logo(staff["front_desk"]) == first
    services.settings.set_logo(admin, second)
    services.settings.set_logo(admin, None)
    assert services.settings.logo(admin) is None
    logos = [e.details["logo"] for e in reversed(profile_entries(services, admin))]
    assert logos == [{"old": None, "new": {"sha256": hashlib.sha256(first).hexdigest(), "size": len(first)}},
                     {"old": {"sha256": hashlib.sha256(first).hexdigest(), "size": len(first)},
                      "new": {"sha256": hashlib.sha256(second).hexdigest(), "size": len(second)}},
                     {"old": {"sha256": hashlib.sha256(second).hexdigest(), "size": len(second)}, "new": None}]


@pytest.mark.parametrize(("data", "words"), (
    (b"GIF89a" + b"\0" * 40, "PNG or JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"broken" * 10, "damaged"),
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 1_000_001, "at most 1 MB"),
))
def test_a_file_that_is_not_a_usable_logo_is_refused_beside_the_logo(services, staff, data, words):
    """A GIF, a damaged PNG, an empty file and a 1 MB+ file: a sentence for the logo field, nothing stored."""
    from clinic_desktop.domain.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.settings.set_logo(staff["admin"], data)
    assert refused.value.field == "logo" and words in refused.value.message
    assert services.settings.logo(staff["admin"]) is None


def test_a_bad_logo_saves_none_of_the_profile_either(services, staff):
    """The profile and its logo are one save: a refused logo leaves the name unchanged too."""
    from clinic_desktop.domain.errors import ValidationError

    with pytest.raises(ValidationError):
        services.settings.update_profile(staff["admin"], ClinicProfile("New Name Clinic"), logo=b"not an image")
    assert services.settings.profile(staff["admin"]) == ClinicProfile()
    assert profile_entries(services, staff["admin"]) == []


@pytest.mark.parametrize(("field", "value", "words"), (
    ("paper", "legal", "letter, a4"),
    ("emergency_number", "nine-one-one", "the number people dial"),
    ("crisis_number", "", "required"),
    ("time_zone", "Mars/Olympus_Mons", "not a time zone"),
    ("email", "desk at clinic", "name@example.org"),
))
def test_each_new_profile_field_is_checked(services, staff, field, value, words):
    """Every field refuses what would print wrong, naming the field."""
    import dataclasses

    with pytest.raises(ValidationErrors) as refused:
        services.settings.update_profile(staff["admin"], dataclasses.replace(ClinicProfile(), **{field: value}))
    assert [e.field for e in refused.value.errors] == [field] and words in refused.value.errors[0].message


def test_the_letterhead_preview_checks_like_a_save_and_stores_nothing(services, staff):
    """The preview renders a PDF of the typed values, refuses bad ones the same way, and changes nothing."""
    pdf = services.settings.letterhead_preview(staff["admin"], ClinicProfile("Preview Clinic", phone="503-555-0100"),
                                               png())
    assert pdf.startswith(b"%PDF")
    with pytest.raises(ValidationErrors):
        services.settings.letterhead_preview(staff["admin"], ClinicProfile("", phone="x"), None)
    assert services.settings.profile(staff["admin"]) == ClinicProfile() and services.settings.logo(staff["admin"]) is None


def test_a_new_clinic_says_what_its_sheets_still_miss():
    """The default name, no address and no phone are what a new clinic must still set."""
    assert ClinicProfile().missing() == ("the clinic's name", "its address", "its phone number")
    assert ClinicProfile("Harbor View Clinic", "12 Quay Street", "(503) 555-0142").missing() == ()


def test_the_clinic_time_zone_is_used_at_the_next_start(tmp_path):
    """Services opened on a database whose profile names a zone plan in that zone, whatever the computer's."""
    from zoneinfo import ZoneInfo

    from clinic_desktop.app import open_services
    from clinic_desktop.services.clinic_settings import configured_zone

    services, _locations = open_services(str(tmp_path), None, zone=None)
    assert configured_zone(services.context.db) is None
    admin = services.auth.create_first_admin("admin", "Ada Admin", "Correct-Horse-42", role="physician")
    services.settings.update_profile(admin, ClinicProfile("Zone Clinic", time_zone="Pacific/Auckland"))
    services.context.db.close()
    again, _locations = open_services(str(tmp_path), None)
    assert again.context.zone == ZoneInfo("Pacific/Auckland")
    again.context.db.close()
