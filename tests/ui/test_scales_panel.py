"""The scales section: patient mode for PHQ-9 and GAD-7, MADRS and C-SSRS for clinicians, and alerts that stay
until a clinician acknowledges them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from clinic_desktop.domain.enums import Timepoint
from clinic_desktop.settings import Locations
from clinic_desktop.ui.main_window import MainWindow
from clinic_desktop.ui.session_screen.scales_panel import ScalesPanel

from tests.conftest import PASSWORD
from tests.services.service_support import Clinic
from tests.ui.ui_support import visible_texts
from tests.ui.session_support import hosted

PHQ9_ITEM9 = [1, 1, 2, 1, 0, 1, 1, 0, 1]  # total 8, item 9 answered "several days"


@pytest.fixture
def day(services, staff, clock):
    """A checked-in patient's first session: (patient chart, session id)."""
    clinic = Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id)
    patient = clinic.patient(given_names="Zoë", family_name="Nguyễn")
    sid = clinic.plan(patient.id).sessions[0].id
    services.sessions.check_in(staff["nurse"], sid, escort_confirmed=True, npo_confirmed=True)
    return patient, sid


def _panel(qtbot, services, staff, sid, who="nurse", parent=None) -> ScalesPanel:
    panel = ScalesPanel(services, lambda: staff[who], sid, parent)
    if parent is None:
        qtbot.addWidget(panel)
    hosted(panel, services, staff[who], sid)
    return panel


@pytest.fixture
def window(qtbot, services, staff, tmp_path, day):
    """The main window, a nurse signed in, the session screen open (its header names the patient) on Scales."""
    win = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)), staff["nurse"])
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    patient, sid = day
    screen = win.workspace.open_session(sid)
    screen.show_section("scales")
    win.scales = screen.panels["scales"]
    return win


def _shows_patient(window, patient) -> bool:
    return any(patient.mrn in text or "Nguyễn" in text for text in visible_texts(window))


def test_patient_mode_hides_the_record_and_needs_a_staff_password(qtbot, window, services, staff, day):
    """While the patient answers, nothing of the chart shows; a wrong password keeps the form, a right one saves."""
    patient, sid = day
    said: list[str] = []
    window.scales.message.connect(said.append)
    assert _shows_patient(window, patient)
    page = window.scales.start_patient_form("phq9")
    assert window.stack.currentWidget() is page and not window.menuBar().isVisible()
    assert not _shows_patient(window, patient)
    texts = visible_texts(window)
    assert "Question 1 of 9" in texts and "Little interest or pleasure in doing things" in texts
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Find patient: not in patient mode
    assert not _shows_patient(window, patient) and window.stack.currentWidget() is page
    for number, value in enumerate(PHQ9_ITEM9, start=1):
        qtbot.mouseClick(page.single_groups[number - 1].buttons[value], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.views.currentIndex() == 2  # the thank-you page
    page.staff.finish_button.click()
    page.staff.password.setText("not the password")
    qtbot.keyClick(page.staff.password, Qt.Key.Key_Return)
    assert page.staff.error.text() == "That password is not right."
    assert window.stack.currentWidget() is page and not _shows_patient(window, patient)
    assert services.sessions.detail(staff["nurse"], sid).scores == ()
    qtbot.keyClicks(page.staff.password, PASSWORD)
    with qtbot.waitSignal(window.scales.changed):
        qtbot.keyClick(page.staff.password, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.workspace and window.menuBar().isVisible()
    score = services.sessions.detail(staff["nurse"], sid).scores[0]
    assert (score.instrument, score.total, score.timepoint, score.alert) == ("phq9", 8, Timepoint.PRE, True)
    assert said[-1] == "PHQ-9 recorded: 8 (mild). Alert: a clinician must acknowledge it."


def test_all_on_one_page_and_cancel_with_another_nurses_password(qtbot, window, services, staff, day):
    """GAD-7 on one page; cancelling needs a nurse's or physician's password, not the front desk's."""
    patient, sid = day
    page = window.scales.start_patient_form("gad7")
    page.all_button.click()
    assert page.views.currentIndex() == 1
    page.all_groups[0].buttons[2].click()
    assert page.answers[0] == 2 and page.single_groups[0].buttons[2].isChecked()
    page.staff.finish_button.click()
    assert page.staff.error.text() == "Question 2 is not answered yet." and page.staff.strip.isHidden()
    page.staff.cancel_button.click()
    page.staff.username.setText("lindqvist")  # front desk
    page.staff.password.setText(PASSWORD)
    page.staff.confirm_button.click()
    assert "nurse or a physician" in page.staff.error.text() and window.stack.currentWidget() is page
    page.staff.username.setText("ferreira")  # the other nurse
    page.staff.password.setText(PASSWORD)
    page.staff.confirm_button.click()
    assert window.stack.currentWidget() is window.workspace
    assert services.sessions.detail(staff["nurse"], sid).scores == ()
    assert _shows_patient(window, patient) and window.scales.isVisible()


def test_phq9_item9_alert_stays_until_a_clinician_acknowledges_it(qtbot, services, staff, day):
    """An item-9 answer shows a prominent alert; front desk cannot acknowledge it, a nurse can, and it goes."""
    patient, sid = day
    services.monitoring.record_scale(staff["front_desk"], patient.id, "phq9", PHQ9_ITEM9, Timepoint.PRE, sid)
    desk = _panel(qtbot, services, staff, sid, who="front_desk")
    desk.show()
    assert desk.alerts_box.isVisible() and desk.acknowledge_buttons == {}
    assert any("PHQ-9 item 9" in text for text in visible_texts(desk.alerts_box))
    nurse = _panel(qtbot, services, staff, sid)
    nurse.show()
    [(score_id, button)] = nurse.acknowledge_buttons.items()
    with qtbot.waitSignal(nurse.message) as said:
        button.click()
    assert said.args == ["PHQ-9 alert acknowledged by Dana Whitlock, RN."]
    assert not nurse.alerts_box.isVisible() and nurse.pending_alerts() == []
    assert services.sessions.detail(staff["nurse"], sid).scores[0].acknowledged
    assert any("alert acknowledged" in text for text in visible_texts(nurse.results_box))


def test_madrs_on_one_page_with_total_and_band(qtbot, services, staff, day):
    """MADRS shows its running total and band, and saves as a clinician rating before the infusion."""
    patient, sid = day
    panel = _panel(qtbot, services, staff, sid, who="physician")
    form = panel.madrs
    form.grid.set_answers([3, 3, 2, 2, 1, 2, 2, 2, 2, 0])
    assert form.total.text() == "Total 19 of 60  ·  mild"
    form.save_button.click()
    score = services.sessions.detail(staff["nurse"], sid).scores[0]
    assert (score.instrument, score.total, score.band, score.timepoint) == ("madrs", 19, "mild", Timepoint.PRE)


def test_cssrs_skip_logic_and_high_risk_alert(qtbot, services, staff, day):
    """Questions 3-5 open only after a yes to question 2; a high-risk result raises an alert."""
    patient, sid = day
    panel = _panel(qtbot, services, staff, sid)
    form, rows = panel.cssrs, panel.cssrs.grid.rows
    assert not rows[2].isEnabled() and not rows[4].isEnabled()
    form.grid.rows[0].set_value(True)
    rows[5].set_value(False)
    form.grid.changed.emit()
    assert rows[6].value() is False and not rows[6].isEnabled()  # no behaviour ever: none recently
    rows[1].buttons[1].click()  # question 2: yes
    assert rows[2].isEnabled() and rows[3].isEnabled() and rows[4].isEnabled()
    form.save_button.click()
    assert "item 3" in form.error.text() and "must be answered" in form.error.text()
    for number, answer in ((3, False), (4, True), (5, False)):
        rows[number - 1].set_value(answer)
    form.save_button.click()
    assert [s.band for s in panel.pending_alerts()] == ["high"]
    assert panel.alerts_box.isVisibleTo(panel)


def test_locking_during_patient_mode_comes_back_to_the_form(qtbot, window, day):
    """The idle lock hides the form too; unlocking returns to the patient's form, not to the record."""
    patient, sid = day
    page = window.scales.start_patient_form("phq9")
    page.answer(1, 2)
    window.lock()
    assert window.stack.currentWidget() is window.lock_page
    window.lock_page.password.setText(PASSWORD)
    window.lock_page.submit()
    assert window.stack.currentWidget() is page and page.answers[0] == 2
    assert not window.menuBar().isVisible() and not _shows_patient(window, patient)
