"""Two workstations edit the same patient: the second save is refused, says who changed it and when, keeps
what was typed, and Reload shows the stored version."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.registry import Services
from clinic_desktop.settings import Locations
from clinic_desktop.storage.database import open_database
from clinic_desktop.ui.main_window import MainWindow
from tests.conftest import ZONE
from tests.ui.session_support import checked_in


@pytest.fixture
def other(db, tmp_path, clock):
    database = open_database(str(db.engine.url), tmp_path / "backups", clock.now())
    yield Services.build(database, clock, ZONE)
    database.close()


def test_stale_patient_edit_shows_the_other_change_and_keeps_the_typing(qtbot, services, other, staff, tmp_path):
    """The front desk renames the patient elsewhere while this nurse edits the phone: the save is refused with
    "Changed by Pat Lindqvist at 09:00", the typed phone stays, and Reload brings in the new name."""
    window = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)))
    qtbot.addWidget(window)
    window.show()
    window.sign_in(staff["nurse"])
    pid, _sid, _ = checked_in(services, staff)
    window.workspace.open_patient(pid)
    form = window.workspace.front_desk.edit_patient(pid)
    form.edits["phone"].setText("555-0142")  # fictional
    seen = other.patients.chart(staff["front_desk"], pid)
    other.patients.update(staff["front_desk"], pid, PatientInput(
        given_names=seen.given_names, family_name="Byron", date_of_birth=seen.date_of_birth.isoformat(),
        sex=seen.sex, escort_name=seen.escort_name), expected_version=seen.row_version)
    assert form.save() is None
    QApplication.processEvents()
    shown = form.errors.form_error
    assert shown.isVisible() and "changed on another workstation" in shown.text()
    assert "Changed by Pat Lindqvist at 09:00. They changed family name from Lovelace to Byron" in shown.text()
    assert form.edits["phone"].text() == "555-0142" and form.edits["family_name"].text() == "Lovelace"
    assert form.reload_button.isVisible()
    form.grab().save("/tmp/h7_patient_conflict.png")
    assert services.patients.chart(staff["nurse"], pid).phone == "", "nothing of the stale form was saved"
    form.reload_button.click()  # asks before discarding the typing: answered "Discard" (tests/ui/conftest.py)
    assert form.edits["family_name"].text() == "Byron" and form.chart.row_version == seen.row_version + 1


def test_an_open_patient_form_catches_up_or_offers_reload(qtbot, services, other, staff, tmp_path):
    """A clean edit form shows the other workstation's rename after a poll; a half-typed one keeps the typing
    and shows "Changed at another workstation" with its Reload button."""
    window = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)))
    qtbot.addWidget(window)
    window.show()
    window.sign_in(staff["nurse"])
    ws = window.workspace
    pid, _sid, _ = checked_in(services, staff)
    ws.open_patient(pid)
    form = ws.front_desk.edit_patient(pid)
    ws.watcher.poll()

    def rename(family: str) -> None:
        seen = other.patients.chart(staff["front_desk"], pid)
        other.patients.update(staff["front_desk"], pid, PatientInput(
            given_names=seen.given_names, family_name=family, date_of_birth=seen.date_of_birth.isoformat(),
            sex=seen.sex, escort_name=seen.escort_name), expected_version=seen.row_version)

    rename("Byron")
    ws.watcher.poll()
    assert form.edits["family_name"].text() == "Byron" and not form.reload_button.isVisible()
    form.edits["phone"].setText("555-0142")  # fictional
    rename("King")
    ws.watcher.poll()
    assert form.edits["family_name"].text() == "Byron" and form.edits["phone"].text() == "555-0142"
    assert form.reload_button.isVisible() and "Changed at another workstation" in form.errors.form_error.text()
