"""Two workstations save the clinic settings or the clinic's details over each other: the stale save is refused on
the page with who changed what, the typing stays, and saving again (knowing the other change) goes through."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from tests.ui.test_clinic_page import open_page, png_file, type_into
from tests.ui.test_settings_page import _page as open_settings


def test_a_stale_settings_save_is_refused_with_who_changed_what_and_keeps_the_typing(qtbot, make_window, services,
                                                                                       other, staff, tmp_path):
    """The page read the default 0.75; the physician elsewhere saves 0.7; this page's 0.6 is refused naming them
    and their change, the 0.6 stays typed beside "saved value 0.7", and a second Save stores 0.6."""
    window, page = open_settings(make_window, staff["admin"])
    row = page.rows["iv_override_above_mg_per_kg"]
    row.editor.setText("0.6")
    row.editor.textEdited.emit("0.6")
    other.settings.update(staff["physician"], {"iv_override_above_mg_per_kg": "0.7"},
                          seen=other.settings.seen(staff["physician"]).stamps)
    assert page.save() is False
    assert page.error.isVisible()
    assert page.error.text().startswith("This setting was changed on another workstation after you opened it. "
                                        "Changed by Dr Imani Okafor, MD at 09:00. They changed iv override above "
                                        "mg per kg from 0.75 to 0.7. Nothing was saved; your entries are kept")
    assert row.editor.text() == "0.6" and row.note.text() == "Changed — saved value 0.7"
    assert services.settings.current(staff["admin"]).iv_override_above_mg_per_kg == Decimal("0.7")
    page.grab().save(str(tmp_path / "settings_conflict.png"))
    assert page.save() is True
    assert other.settings.current(staff["physician"]).iv_override_above_mg_per_kg == Decimal("0.6")


def test_a_first_save_at_the_default_made_elsewhere_first_is_refused_not_an_error(qtbot, make_window, services,
                                                                                    other, staff):
    """Both pages show the default; the other workstation stores the first value; this page's first value is a
    stale save refused on the page (no database error), naming the other change."""
    _window, page = open_settings(make_window, staff["admin"])
    row = page.rows["obesity_bmi"]
    row.editor.setText("34")
    row.editor.textEdited.emit("34")
    other.settings.update(staff["physician"], {"obesity_bmi": "33"}, seen={})
    assert page.save() is False
    assert "They changed obesity bmi from 30 to 33" in page.error.text() and row.editor.text() == "34"
    assert services.settings.current(staff["admin"]).obesity_bmi == 33


def test_a_stale_clinic_details_save_is_refused_and_keeps_the_typing(qtbot, make_window, services, other, staff,
                                                                      tmp_path):
    """The phone and a logo saved elsewhere while this page's name was typed: refused beside the form with who
    changed what; the typed name stays, the untouched phone shows the other's; saving again keeps the other phone
    and logo (this page changed neither)."""
    _window, page = open_page(make_window, staff["admin"])
    type_into(qtbot, page, "name", "Harbor View Clinic")
    seen = other.settings.profile_seen(staff["admin"])
    logo = png_file(tmp_path).read_bytes()
    other.settings.update_profile(staff["admin"], dataclasses.replace(seen.profile, phone="(503) 555-0101"),
                                  logo=logo, seen=seen.stamp)  # fictional
    assert page.save() is False
    shown = page.errors.form_error
    assert shown.isVisible() and shown.text().startswith(
        "This clinic profile was changed on another workstation after you opened it. Changed by Sam Adeyemi at "
        "09:00.")
    assert "555-0101" in shown.text() and page.fields["name"].text() == "Harbor View Clinic"
    assert page.fields["phone"].text() == "(503) 555-0101", "a field left alone shows the value saved elsewhere"
    assert services.settings.profile(staff["admin"]).name == seen.profile.name
    page.grab().save(str(tmp_path / "clinic_conflict.png"))
    assert page.save() is True
    now = other.settings.profile_seen(staff["admin"])
    assert (now.profile.name, now.profile.phone, now.logo) == ("Harbor View Clinic", "(503) 555-0101", logo)
