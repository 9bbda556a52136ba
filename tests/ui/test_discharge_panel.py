"""The discharge section: the recovery score totalled as items are chosen, refusals in words (score, escort,
observation time), and the session shown discharged with its time."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clinic_desktop.domain.enums import SessionStatus
from tests.ui.session_support import Acting, checked_in, given, screen_for
from tests.ui.ui_support import visible_texts


def _choose(panel, answers) -> None:
    """Click the answer of each item, as a nurse would."""
    for group, value in zip(panel.groups, answers):
        group.button(value).click()


def _discharge(qtbot, panel) -> str:
    """Press "Discharge the patient"; what the panel then says ("" when it says nothing is wrong)."""
    qtbot.waitUntil(lambda: panel.discharge_button.height() > 0)
    qtbot.mouseClick(panel.discharge_button, Qt.MouseButton.LeftButton)
    return panel.errors.form_error.text() if panel.errors.form_error.isVisible() else ""


def _recovering(qtbot, services, staff, clock):
    _pid, sid, _ = checked_in(services, staff)
    given(services, staff, clock, sid)  # stopped at 09:40; observation until 10:10
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    screen.show_section("discharge")
    return sid, screen, screen.discharge


def test_discharge_is_refused_below_9_and_allowed_at_10_after_observation(qtbot, services, staff, clock):
    """8/10 is refused; 10/10 too early is refused until 10:10; after the clock moves on, the patient leaves."""
    sid, screen, panel = _recovering(qtbot, services, staff, clock)
    assert panel.score_box.title() == "Modified Aldrete recovery score"
    assert "Observation: at least 30 min after the infusion stopped, until 10:10." in visible_texts(panel)
    _choose(panel, [2, 2, 2])
    assert "3 of 5 items answered; the total shows when every item is answered." in visible_texts(panel)
    _choose(panel, [2, 1, 2, 1, 2])
    assert any(t.startswith("Total 8 of 10: not yet fit for discharge (clinic minimum 9)")
               for t in visible_texts(panel))
    panel.escort.setChecked(True)
    assert _discharge(qtbot, panel) == ("Modified Aldrete 8/10 is below the clinic's discharge score of 9: "
                                        "continue observation.")
    _choose(panel, [2, 2, 2, 2, 2])
    assert any(t.startswith("Total 10 of 10: fit for discharge") for t in visible_texts(panel))
    with qtbot.waitSignal(screen.message) as said:
        refusal = _discharge(qtbot, panel)
    assert refusal == "Observation continues until 10:10 (30 minutes)." and said.args == [refusal]
    assert services.sessions.detail(staff["nurse"], sid).summary.status is SessionStatus.RECOVERING
    clock.advance(minutes=30)
    assert _discharge(qtbot, panel) == ""
    assert services.sessions.detail(staff["nurse"], sid).summary.status is SessionStatus.DISCHARGED
    assert "Discharged Mon 2026-03-02 10:10." in visible_texts(panel)
    assert "Modified Aldrete 10 of 10 (fit for discharge)." in visible_texts(panel)
    assert screen.status_badge.text() == "Discharged 10:10"
    assert not panel.score_box.isVisible() and not screen.is_dirty()


def test_the_escort_must_be_confirmed_present(qtbot, services, staff, clock):
    """A full score after the observation time is still refused until the escort box is ticked."""
    sid, _screen, panel = _recovering(qtbot, services, staff, clock)
    clock.advance(minutes=30)
    _choose(panel, [2] * 5)
    assert panel.escort.text() == "Escort present to take the patient home: Tom Lovelace"
    assert _discharge(qtbot, panel) == "The patient may leave only with their escort present."
    panel.escort.setChecked(True)
    assert _discharge(qtbot, panel) == ""
    assert services.sessions.detail(staff["nurse"], sid).summary.status is SessionStatus.DISCHARGED


def test_the_clinics_padss_setting_changes_the_items(qtbot, services, staff, clock):
    """With PADSS chosen in the clinic settings, its items are scored and the discharge records PADSS."""
    services.settings.update(staff["physician"], {"discharge_scale": "padss"})
    sid, _screen, panel = _recovering(qtbot, services, staff, clock)
    assert panel.score_box.title() == "PADSS recovery score"
    assert "Intake and output" in visible_texts(panel)
    clock.advance(minutes=31)
    _choose(panel, [2, 2, 2, 2, 1])
    panel.escort.setChecked(True)
    assert _discharge(qtbot, panel) == ""
    scores = services.sessions.detail(staff["nurse"], sid).scores
    assert [(s.instrument, s.total) for s in scores if s.instrument == "padss"] == [("padss", 9)]


def test_before_the_dose_the_discharge_section_says_when_it_applies(qtbot, services, staff):
    """Checked in, no dose yet: the items cannot be chosen and the button is disabled, with the reason in words."""
    _pid, sid, _ = checked_in(services, staff)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    screen.show_section("discharge")
    panel = screen.discharge
    assert "The recovery score and discharge come after the dose has stopped." in visible_texts(panel)
    assert not panel.discharge_button.isEnabled()
    assert not any(b.isEnabled() for g in panel.groups for b in g.buttons())
