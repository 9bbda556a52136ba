"""Two workstations save the clinic settings or the clinic's details over each other: the stale save is refused,
names who changed what, and leaves the other change as it was; the first save of a setting at its default made
on two workstations at once is a stale save, never a database error (on SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from clinic_desktop.domain.errors import ConcurrentChange
from clinic_desktop.services import clinic_settings as settings_module
from clinic_desktop.services.registry import Services
from clinic_desktop.storage.database import open_database

from tests.conftest import ZONE
from tests.printing.test_letterhead import tiny_png as png_bytes


@pytest.fixture
def other(db, tmp_path, clock, passwords):
    """The second workstation: its own engine and services over the same database and audit key."""
    database = open_database(db.engine.url.render_as_string(hide_password=False), tmp_path / "backups", clock.now())
    yield Services.build(database, clock, ZONE, passwords)
    database.close()


def test_a_stale_setting_save_is_refused_naming_who_changed_it_and_to_what(services, other, staff):
    """Both read the default; the physician elsewhere stores 0.7 first; the administrator's 0.6, saved on what
    they read, is refused with the physician's name and change, and 0.7 stays."""
    seen = services.settings.seen(staff["admin"])
    assert seen.stamps == {}  # every setting at its default: no rows yet
    other.settings.update(staff["physician"], {"iv_override_above_mg_per_kg": "0.7"},
                          seen=other.settings.seen(staff["physician"]).stamps)
    with pytest.raises(ConcurrentChange, match=r"This setting was changed on another workstation after you opened "
                                               r"it\. Changed by Dr Imani Okafor, MD at 09:00\. They changed iv "
                                               r"override above mg per kg from 0\.75 to 0\.7\. Nothing was saved; "
                                               r"your entries are kept"):
        services.settings.update(staff["admin"], {"iv_override_above_mg_per_kg": "0.6"}, seen=seen.stamps)
    assert services.settings.current(staff["admin"]).iv_override_above_mg_per_kg == Decimal("0.7")


def test_a_stale_save_over_a_changed_value_is_refused_and_a_fresh_one_goes_through(services, other, staff):
    """A stored (non-default) setting changed elsewhere: refused on the old stamp, saved on the new one."""
    services.settings.update(staff["admin"], {"min_hours_between_doses": "30"})
    seen = services.settings.seen(staff["admin"])
    assert set(seen.stamps) == {"min_hours_between_doses"}
    other.settings.update(staff["physician"], {"min_hours_between_doses": "36"},
                          seen=other.settings.seen(staff["physician"]).stamps)
    with pytest.raises(ConcurrentChange, match="from 30 to 36"):
        services.settings.update(staff["admin"], {"min_hours_between_doses": "48"}, seen=seen.stamps)
    assert services.settings.current(staff["admin"]).min_hours_between_doses == 36
    fresh = services.settings.seen(staff["admin"])
    services.settings.update(staff["admin"], {"min_hours_between_doses": "48"}, seen=fresh.stamps)
    assert other.settings.current(staff["physician"]).min_hours_between_doses == 48


def test_changes_to_different_settings_on_two_workstations_both_stand(services, other, staff):
    """Only the settings a save changes are compared: another setting saved elsewhere does not refuse it."""
    seen = services.settings.seen(staff["admin"])
    other.settings.update(staff["physician"], {"obesity_bmi": "32"}, seen=other.settings.seen(staff["physician"]).stamps)
    services.settings.update(staff["admin"], {"max_sessions_per_7_days": "2"}, seen=seen.stamps)
    now = other.settings.current(staff["physician"])
    assert (now.obesity_bmi, now.max_sessions_per_7_days) == (32, 2)


def test_a_setting_put_back_to_its_default_elsewhere_refuses_a_stale_save(services, other, staff):
    """The row deleted elsewhere (back to the default) is a change too."""
    services.settings.update(staff["admin"], {"obesity_bmi": "35"})
    seen = services.settings.seen(staff["admin"])
    other.settings.update(staff["physician"], {"obesity_bmi": "30"}, seen=other.settings.seen(staff["physician"]).stamps)
    with pytest.raises(ConcurrentChange, match="obesity bmi from 35 to 30"):
        services.settings.update(staff["admin"], {"obesity_bmi": "40"}, seen=seen.stamps)


def test_the_first_save_of_a_default_setting_at_the_same_moment_is_a_stale_save(services, other, staff, db,
                                                                                   monkeypatch):
    """The other workstation stores the first value while this save is already inside its transaction and has
    found no row: PostgreSQL lets both insert the same key; the second is refused as stale, not an IntegrityError.
    (SQLite queues the two writes whole, so the later one always finds the row: the tests above.)"""
    if db.is_sqlite:
        pytest.skip("SQLite's write lock queues the two saves; the race needs PostgreSQL's concurrent writers")
    seen = services.settings.seen(staff["admin"])
    real_load = settings_module.load_settings
    raced: list[bool] = []

    def load_after_the_other_commits(session):
        if not raced:
            raced.append(True)
            other.settings.update(staff["physician"], {"obesity_bmi": "33"},
                                  seen=other.settings.seen(staff["physician"]).stamps)
        return real_load(session)

    monkeypatch.setattr(settings_module, "load_settings", load_after_the_other_commits)
    with pytest.raises(ConcurrentChange, match=r"Changed by Dr Imani Okafor, MD at 09:00\. They changed obesity "
                                               r"bmi from 30 to 33"):
        services.settings.update(staff["admin"], {"obesity_bmi": "34"}, seen=seen.stamps)
    monkeypatch.undo()
    assert raced and services.settings.current(staff["admin"]).obesity_bmi == 33


def test_a_stale_clinic_details_save_is_refused_with_who_changed_what(services, other, staff):
    """Both read the details; the phone changed elsewhere; the name saved on the old read is refused, naming the
    phone's change, and the phone stays."""
    seen = services.settings.profile_seen(staff["admin"])
    theirs = other.settings.profile_seen(staff["admin"])
    other.settings.update_profile(staff["admin"], dataclasses.replace(theirs.profile, phone="555-0101"),
                                  seen=theirs.stamp)  # fictional
    with pytest.raises(ConcurrentChange, match=r"This clinic profile was changed on another workstation after you "
                                               r"opened it\. Changed by Sam Adeyemi at 09:00\. They changed phone"
                                               r" from .* to 555-0101\. Nothing was saved; your entries are "
                                               r"kept"):
        services.settings.update_profile(staff["admin"], dataclasses.replace(seen.profile, name="Lakeside Clinic"),
                                         seen=seen.stamp)
    now = services.settings.profile(staff["admin"])
    assert (now.phone, now.name) == ("555-0101", seen.profile.name)


def test_a_stale_logo_save_is_refused_and_the_other_logo_stays(services, other, staff):
    """A logo stored elsewhere since this form read the details: this form's logo is refused."""
    seen = services.settings.profile_seen(staff["admin"])
    theirs = png_bytes(40, 20)
    other.settings.set_logo(staff["admin"], theirs, seen=other.settings.profile_seen(staff["admin"]).stamp)
    with pytest.raises(ConcurrentChange, match=r"Changed by Sam Adeyemi at 09:00\. They changed logo from nothing "
                                               r"to an image\."):
        services.settings.set_logo(staff["admin"], png_bytes(60, 30), seen=seen.stamp)
    assert services.settings.logo(staff["admin"]) == theirs
