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
