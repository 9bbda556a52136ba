"""The Clinic settings page: every setting by section, saving only what changed (all or nothing), exact decimals,
read-only for those who may not change them, and the security settings for administrators only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.ui.settings_rows import UNSOURCED_TEXT
from tests.ui.ui_support import audit_actions, visible_texts

SECTIONS = ("Dosing", "Vital signs", "Scales", "Discharge", "Screening", "Charting", "Security")


def _page(make_window, principal):
    window = make_window()
    window.sign_in(principal)
    window.menus.settings.trigger()
    page = window.workspace.clinic_settings
    assert page is not None and window.workspace.tabs.currentWidget() is page
    return window, page


@pytest.fixture
def admin_page(make_window, staff):
    return _page(make_window, staff["admin"])


def test_every_setting_is_shown_by_section_with_unit_range_and_source(qtbot, admin_page):
    """One row per setting, in the seven sections; unsourced defaults say so in words on the row."""
    _window, page = admin_page
    assert set(page.rows) == {info.name for info in ClinicSettings.infos()}
    assert [page.findChild(object, f"section {name}").title() for name in SECTIONS] == list(SECTIONS)
    row = page.rows["iv_override_above_mg_per_kg"]
    assert row.editor.text() == "0.75"
    assert row.details.text() == "Allowed 0.1 to 1.0 mg/kg · default 0.75 · source S3 S5"
    assert row.warning is None
    unsourced = page.rows["max_sessions_per_7_days"]
    assert unsourced.warning is not None and unsourced.warning.text() == UNSOURCED_TEXT
    assert page.rows["discharge_scale"].editor.currentText() == "aldrete"
    assert page.rows["discharge_scale"].details.text().startswith("One of: aldrete, padss")
    assert not page.save_button.isEnabled() and page.pending.text() == "No unsaved changes."


def test_a_changed_value_is_highlighted_saved_and_audited(qtbot, admin_page, services, staff):
    """Editing marks the row (and says what was saved before); Save sends it; the service and the audit agree."""
    window, page = admin_page
    row = page.rows["sbp_high"]
    row.editor.setText("170")
    row.editor.textEdited.emit("170")
    assert row.property("changed") is True and row.note.text() == "Changed — saved value 180"
    assert page.changes() == {"sbp_high": "170"}
    assert page.pending.text() == "1 unsaved change."
    page.save_button.click()
    assert services.settings.current(staff["nurse"]).sbp_high == 170
    assert row.property("changed") is False and not row.note.isVisible()
    assert page.changes() == {}
    assert window.statusBar().currentMessage() == "Saved 1 setting. Systolic alert at or above: 180 → 170"
    assert audit_actions(services, staff["admin"])[-1] == "setting_change"
    entry = services.audit.entries(staff["admin"], limit=1).rows[0]
    assert entry.details == {"sbp_high": {"old": 180, "new": 170}}


def test_decimals_round_trip_exactly(qtbot, admin_page, services, staff):
    """0.75 typed over as 0.7 is saved as Decimal("0.7") and shown as 0.7 again (no float on the way)."""
    _window, page = admin_page
    row = page.rows["iv_override_above_mg_per_kg"]
    row.set_text("0.7")
    assert page.save()
    saved = services.settings.current(staff["physician"]).iv_override_above_mg_per_kg
    assert saved == Decimal("0.7") and str(saved) == "0.7"
    assert row.editor.text() == "0.7" and not row.is_changed()


def test_an_invalid_value_shows_its_error_beside_the_field_and_saves_nothing(qtbot, admin_page, services, staff):
    """Two edits, one out of range: the error sits under that row, the other edit is kept but not saved."""
    _window, page = admin_page
    page.rows["hr_high"].set_text("500")
    page.rows["sbp_low"].set_text("95")
    assert not page.save()
    assert page.rows["hr_high"].error.text() == "Heart rate alert above must be between 80 and 200 /min."
    assert page.rows["sbp_low"].error.text() == ""
    assert page.error.text() == "Nothing was saved: correct the marked settings."
    assert page.rows["hr_high"].error.text() in visible_texts(page)
    current = services.settings.current(staff["admin"])
    assert (current.hr_high, current.sbp_low) == (120, 90)
    assert "setting_change" not in audit_actions(services, staff["admin"])
    assert page.changes() == {"hr_high": "500", "sbp_low": "95"}
    page.rows["hr_high"].set_text("130")
    assert page.rows["hr_high"].error.text() == "", "the message went with the value it was about"


def test_settings_that_disagree_with_each_other_are_refused_together(qtbot, admin_page, services, staff):
    """An override threshold above the refusal threshold: the message names the field it belongs to."""
    _window, page = admin_page
    page.rows["iv_override_above_mg_per_kg"].set_text("0.9")
    page.rows["iv_refuse_above_mg_per_kg"].set_text("0.8")
    assert not page.save()
    assert "cannot be above the IV refusal" in page.rows["iv_override_above_mg_per_kg"].error.text()
    assert services.settings.current(staff["admin"]).iv_refuse_above_mg_per_kg == Decimal("1.0")


def test_revert_and_reset_to_default(qtbot, admin_page, services, staff):
    """Revert drops every edit; Reset to default puts the default in the box, and saving it stores no difference."""
    _window, page = admin_page
    services.settings.update(staff["admin"], {"recheck_minutes": 7})
    page.refresh()
    row = page.rows["recheck_minutes"]
    assert row.editor.text() == "7" and not row.reset_button.isHidden()
    page.rows["spo2_low"].set_text("90")
    page.revert()
    assert page.changes() == {} and page.rows["spo2_low"].editor.text() == "92"
    row.reset_button.click()
    assert row.editor.text() == "5" and page.changes() == {"recheck_minutes": "5"}
    assert row.reset_button.isHidden(), "nothing more to reset"
    assert page.save()
    assert services.settings.current(staff["admin"]).changed_from_default() == {}


def test_a_choice_setting_uses_a_list(qtbot, admin_page, services, staff):
    """The discharge score is chosen from its allowed values."""
    _window, page = admin_page
    page.rows["discharge_scale"].editor.setCurrentText("padss")
    assert page.changes() == {"discharge_scale": "padss"}
    assert page.save()
    assert services.settings.current(staff["admin"]).discharge_scale == "padss"


def test_a_nurse_sees_the_page_read_only(qtbot, make_window, staff):
    """Everyone may read the settings: a nurse finds them in the menu, every input disabled, no save button."""
    window, page = _page(make_window, staff["nurse"])
    assert "Administration" in window.menus.visible_titles()
    assert all(not row.editor.isEnabled() for row in page.rows.values())
    assert all(row.reset_button.isHidden() for row in page.rows.values())
    assert page.save_button.isHidden() and page.revert_button.isHidden()
    assert "A physician or an administrator changes them." in page.intro.text()
    assert page.rows["sbp_high"].editor.text() == "180"


def test_a_physician_cannot_edit_the_security_settings(qtbot, make_window, services, staff):
    """A physician changes clinical thresholds but not the idle lock or emergency access; the section says why."""
    _window, page = _page(make_window, staff["physician"])
    assert page.rows["sbp_high"].editor.isEnabled()
    for name in ("idle_lock_minutes", "emergency_access_minutes"):
        assert not page.rows[name].editor.isEnabled()
    assert "Only an administrator changes these settings." in visible_texts(page)
    page.rows["sbp_high"].set_text("175")
    assert page.save()
    assert services.settings.current(staff["physician"]).sbp_high == 175


def test_an_administrator_edits_the_security_settings(qtbot, admin_page, services, staff):
    """The administrator may: the idle lock changes and the note about administrators is not shown."""
    _window, page = admin_page
    assert "Only an administrator changes these settings." not in visible_texts(page)
    page.rows["idle_lock_minutes"].set_text("5")
    assert page.save()
    assert services.settings.current(staff["admin"]).idle_lock_minutes == 5


def test_closing_the_tab_keeps_unsaved_edits_unless_discarded(qtbot, admin_page, monkeypatch):
    """Closing with edits asks first; Cancel keeps the tab and the edits."""
    from PySide6.QtWidgets import QMessageBox
    window, page = admin_page
    page.rows["sbp_high"].set_text("170")
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Cancel)
    tabs = window.workspace.tabs
    tabs.tabCloseRequested.emit(tabs.indexOf(page))
    assert window.workspace.clinic_settings is page and page.changes() == {"sbp_high": "170"}
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Discard)
    tabs.tabCloseRequested.emit(tabs.indexOf(page))
    assert window.workspace.clinic_settings is None


def test_a_new_idle_lock_time_applies_at_once(qtbot, admin_page, clock):
    """The administrator shortens the idle lock to 1 minute: 2 idle minutes later the screen is locked."""
    window, page = admin_page
    page.rows["idle_lock_minutes"].set_text("1")
    assert page.save()
    clock.advance(minutes=2)
    assert window.idle.check()
    assert window.stack.currentWidget() is window.lock_page
