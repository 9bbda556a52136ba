"""The session screen: its header and sections, the pre-infusion checks and how they hold back the dose, and the
physician's signed override."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.domain.records import AllergyEntry
from clinic_desktop.ui.session_screen import session_screen as session_screen_module
from clinic_desktop.ui.session_screen.checks_panel import ChecksPanel
from tests.ui.session_support import IV_ORDER, LOT_EXPIRY, PASSWORD, Acting, checked_in, screen_for
from tests.ui.ui_support import visible_texts


def _tab_titles(screen) -> list[str]:
    return [screen.tabs.tabText(i) for i in range(screen.tabs.count())]


def _status(services, staff, sid) -> SessionStatus:
    return services.sessions.detail(staff["nurse"], sid).summary.status


def _start(qtbot, screen) -> None:
    """The nurse types the lot and expiry and presses "Start the dose now"."""
    admin = screen.dose.administration
    admin.lot.setText("LOT-7")
    admin.expiry.setText("2027-01")
    qtbot.waitUntil(lambda: admin.start_button.height() > 0)  # laid out once its tab is on show
    qtbot.mouseClick(admin.start_button, Qt.MouseButton.LeftButton)


def test_the_screen_shows_the_header_and_every_section(qtbot, services, staff):
    """A checked-in session: name, MRN, age, allergy badge, protocol, "Session 1 of 6", chair, status, escort."""
    _pid, sid, _ = checked_in(services, staff, allergies=(AllergyEntry("Latex", "hives"),))
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    texts = visible_texts(screen)
    mrn = services.sessions.detail(staff["nurse"], sid).mrn
    assert "Lovelace, Ada" in texts and "Allergy: Latex (hives)" in texts
    subtitle = next(t for t in texts if t.startswith("MRN "))
    for part in (mrn, "45 years", "IV racemic ketamine, induction", "Session 1 of 6", "Chair 1"):
        assert part in subtitle
    assert "Checked in 09:00" in texts and "Escort: Tom Lovelace — confirmed" in texts
    titles = _tab_titles(screen)
    assert titles[0].startswith("Checks") and {"Dose", "Discharge", "Record"} <= set(titles)
    assert screen.tabs.currentWidget() is screen.pages["checks"], "a checked-in session opens at its checks"


def test_the_header_counts_the_infusion_minutes_from_the_clock(qtbot, services, staff, clock):
    """While infusing, the header says for how long, from the injected clock, and keeps counting."""
    _pid, sid, _ = checked_in(services, staff)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    clock.advance(minutes=23)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    assert screen.status_badge.text() == "Infusing for 23 min"
    clock.advance(minutes=5)
    screen.timer.timeout.emit()
    assert screen.status_badge.text() == "Infusing for 28 min"


def test_blocking_items_are_listed_and_hold_the_start_until_resolved(qtbot, services, staff):
    """Fasting not asked: the item says so in words and the start is refused; answering it lets the dose start."""
    _pid, sid, _ = checked_in(services, staff, npo=None)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    checks: ChecksPanel = screen.checks
    npo = checks.rows["npo"]
    assert npo.tag.text() == "✗ Needs physician override" and "Not yet asked." in visible_texts(npo)
    assert checks.rows["consent"].tag.text() == "✓ OK"
    assert checks.open_keys == {"npo"} and screen.tabs.tabText(0) == "Checks (1 to resolve)"
    screen.show_section("dose")
    with qtbot.waitSignal(screen.message) as said:
        _start(qtbot, screen)
    assert said.args[0].startswith("Resolve these first") and "Fasting (NPO)" in said.args[0]
    assert _status(services, staff, sid) is SessionStatus.CHECKED_IN
    assert "Resolve these first" in screen.dose.administration.errors.form_error.text()
    screen.show_section("checks")
    checks.npo.setCurrentIndex(checks.npo.findData(True))
    checks.npo.activated.emit(checks.npo.currentIndex())
    assert checks.rows["npo"].tag.text() == "✓ OK" and checks.open_keys == set()
    assert screen.tabs.tabText(0) == "Checks"
    _start(qtbot, screen)
    assert _status(services, staff, sid) is SessionStatus.INFUSING
    assert screen.status_badge.text() == "Infusing for 0 min"


def test_a_physicians_signed_override_lets_the_start_proceed(qtbot, services, staff):
    """The reason is required, a wrong password is refused beside the field, the right one signs the override."""
    _pid, sid, _ = checked_in(services, staff, npo=None)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    acting = Acting(staff["physician"])
    screen = screen_for(qtbot, services, acting, sid)
    checks = screen.checks
    assert checks.override_form.isVisible() and "Fasting (NPO) instructions followed" in checks.override_text.text()
    qtbot.keyClicks(checks.sign.password, PASSWORD)
    qtbot.keyClick(checks.sign.password, Qt.Key.Key_Return)
    assert checks.reason_error.isVisible() and "reason" in checks.reason_error.text().lower()
    checks.reason.setPlainText("Fasting since midnight, confirmed by phone")
    qtbot.keyClicks(checks.sign.password, "not my password")
    qtbot.keyClick(checks.sign.password, Qt.Key.Key_Return)
    assert checks.sign.error.text() == "Not signed: That password is not right."
    assert services.sessions.detail(staff["nurse"], sid).checks_override_reason == ""
    assert checks.sign.password.text() == "", "a refused password is not left on the screen"
    qtbot.keyClicks(checks.sign.password, PASSWORD)
    qtbot.keyClick(checks.sign.password, Qt.Key.Key_Return)
    texts = visible_texts(checks)
    assert "Reason: Fasting since midnight, confirmed by phone" in texts
    assert any(t.startswith("Override approved by Dr Imani Okafor, MD — 2026-03-02 09:00") for t in texts)
    assert checks.rows["npo"].tag.text() == "✓ Overridden by physician" and not checks.override_form.isVisible()
    acting.principal = staff["nurse"]
    screen.reload()
    _start(qtbot, screen)
    assert _status(services, staff, sid) is SessionStatus.INFUSING


def test_refused_items_cannot_be_overridden_and_say_so(qtbot, services, staff):
    """No consent on file: the physician sees no override form and is told what to resolve before overriding."""
    _pid, sid, _ = checked_in(services, staff, consent=False, npo=None)
    screen = screen_for(qtbot, services, Acting(staff["physician"]), sid)
    checks = screen.checks
    assert checks.rows["consent"].tag.text() == "✗ Refused"
    assert not checks.override_form.isVisible()
    words = checks.override_text.text()
    assert words.startswith("Refused, so no override is possible, not even by a physician; resolve first: ")
    assert "Signed consent (No signed consent on file" in words and "Dose ordered" in words
    assert words.endswith("Then a physician can override: Fasting (NPO) instructions followed.")


def test_a_nurse_sees_who_may_override_but_no_override_form(qtbot, services, staff):
    """Overriding is a physician's: the nurse is told so, and the form is not there."""
    _pid, sid, _ = checked_in(services, staff, npo=None)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    assert not screen.checks.override_form.isVisible()
    assert screen.checks.override_text.text().startswith("A physician can override")


def test_an_item_is_explained_and_the_note_shows_under_it(qtbot, services, staff):
    """"Explain" opens an editor under the item; the saved note shows with who wrote it and when."""
    _pid, sid, _ = checked_in(services, staff)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    row = screen.checks.rows["suicide_screen"]
    qtbot.mouseClick(row.explain, Qt.MouseButton.LeftButton)
    assert row.editing and screen.is_dirty() is False
    qtbot.mouseClick(row.save, Qt.MouseButton.LeftButton)
    assert screen.checks.rows["suicide_screen"].note_error.text() == "Explanation is required."
    row.note.setPlainText("Discussed with the patient; <b>no</b> thoughts of self-harm")
    assert screen.is_dirty()
    qtbot.mouseClick(row.save, Qt.MouseButton.LeftButton)
    note = "Explained by Dana Whitlock, RN, 09:00: Discussed with the patient; <b>no</b> thoughts of self-harm"
    assert note in visible_texts(screen.checks.rows["suicide_screen"]), "user text shows literally"
    assert not screen.checks.rows["suicide_screen"].editing and not screen.is_dirty()


def test_the_workspace_opens_the_session_screen_and_reuses_its_tab(qtbot, services, staff, make_window):
    """Opening a session from the chart shows the session screen; opening it again brings the same tab."""
    _pid, sid, _ = checked_in(services, staff)
    window = make_window()
    window.sign_in(staff["nurse"])
    screen = window.workspace.open_session(sid)
    assert screen is not None and window.workspace.tabs.currentWidget() is screen
    assert window.workspace.open_session(sid) is screen


def test_closing_a_session_with_unsaved_entries_asks_first(qtbot, services, staff, make_window, monkeypatch):
    """A typed override reason: closing the tab asks; keeping the entries keeps the tab, discarding closes it."""
    _pid, sid, _ = checked_in(services, staff, npo=None)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    window = make_window()
    window.sign_in(staff["physician"])
    tabs = window.workspace.tabs
    screen = window.workspace.open_session(sid)
    screen.checks.reason.setPlainText("Fasting confirmed by phone")
    answers = []
    monkeypatch.setattr(session_screen_module, "ask_discard", lambda parent, what: answers.append(what) or False)
    tabs.tabCloseRequested.emit(tabs.indexOf(screen))
    assert answers == ["this session"] and tabs.indexOf(screen) >= 0
    monkeypatch.setattr(session_screen_module, "ask_discard", lambda parent, what: True)
    tabs.tabCloseRequested.emit(tabs.indexOf(screen))
    assert tabs.indexOf(screen) < 0
