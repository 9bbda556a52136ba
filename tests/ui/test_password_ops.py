"""Password checks run in the background: the window keeps running during a real sign-in and a real signature,
the form that started one is disabled and says so meanwhile, and a refused password keeps what was typed."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from clinic_desktop.ui.password_op import CHECKING
from tests.conftest import PASSWORD
from tests.ui.session_support import Acting, checked_in, screen_for
from tests.ui.ui_support import sign_in_through_the_page


class _Ticks(list):
    """A 10 ms timer on the GUI thread; the list grows each time it fires."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(lambda: self.append(1))
        self.timer.start()


def test_a_real_sign_in_runs_on_the_worker_while_the_window_keeps_ticking(worker, qtbot, services, staff,
                                                                          make_window):
    """Enter on the sign-in page: the form is disabled, the button says the password is being checked, the
    GUI timer keeps firing during the Argon2 hash, and then the user is signed in with the form as it was."""
    window = make_window()
    page = window.sign_in_page
    ticks = _Ticks()
    sign_in_through_the_page(qtbot, window, "whitlock", PASSWORD)
    assert window.principal is None, "the check runs on the worker, not inside the key press"
    assert (page.sign_in_button.text(), page.sign_in_button.isEnabled(), page.username.isEnabled(),
            page.password.isEnabled()) == (CHECKING, False, False, False)
    ticks.clear()
    qtbot.waitUntil(lambda: window.principal is not None, timeout=20_000)
    assert ticks, "the GUI thread ran while the password was hashed"
    assert window.principal.username == "whitlock"
    assert (page.sign_in_button.text(), page.sign_in_button.isEnabled(), page.username.isEnabled()) == (
        "Sign in", True, True)


def test_a_wrong_password_on_the_worker_comes_back_beside_the_form(worker, qtbot, services, staff, make_window):
    """Refused on the worker: the message under the form, the name kept, the password cleared, focus on it."""
    window = make_window()
    page = window.sign_in_page
    sign_in_through_the_page(qtbot, window, "whitlock", "not the password")
    qtbot.waitUntil(lambda: page.sign_in_button.isEnabled(), timeout=20_000)
    assert page.error.text() == "The user name or password is not right."
    assert (page.username.text(), page.password.text(), window.principal) == ("whitlock", "", None)


def test_a_signed_order_disables_its_form_while_the_worker_signs(worker, qtbot, services, staff):
    """The order form is disabled and its button says so while the signature's password is checked; then the
    signed order replaces the form."""
    _pid, sid, _ = checked_in(services, staff)
    screen = screen_for(qtbot, services, Acting(staff["physician"]), sid)
    screen.show_section("dose")
    qtbot.waitUntil(lambda: screen.dose.form is not None, timeout=20_000)  # the screen is read on the worker
    form = screen.dose.form
    form.mg_per_kg.setText("0.5")
    form.diluent.setText("100")
    form.duration.setText("40")
    form.vial.setCurrentIndex(form.vial.findData("50"))
    ticks = _Ticks()
    qtbot.keyClicks(form.sign.password, PASSWORD)
    qtbot.keyClick(form.sign.password, Qt.Key.Key_Return)
    assert (form.isEnabled(), form.sign.button.text()) == (False, CHECKING)
    ticks.clear()
    qtbot.waitUntil(lambda: screen.dose.form is None, timeout=20_000)
    assert ticks
    assert services.sessions.detail(staff["nurse"], sid).dose.dose_mg == 40


def test_a_wrong_signature_password_keeps_the_typed_order(qtbot, services, staff):
    """Refused: the message beside the password, the order's fields as typed, the form enabled again."""
    _pid, sid, _ = checked_in(services, staff)
    screen = screen_for(qtbot, services, Acting(staff["physician"]), sid)
    screen.show_section("dose")
    form = screen.dose.form
    form.mg_per_kg.setText("0.5")
    form.diluent.setText("100")
    form.duration.setText("40")
    qtbot.keyClicks(form.sign.password, "not my password")
    qtbot.keyClick(form.sign.password, Qt.Key.Key_Return)
    assert form.sign.error.text() == "Not signed: That password is not right."
    assert (form.mg_per_kg.text(), form.diluent.text(), form.duration.text()) == ("0.5", "100", "40")
    assert form.isEnabled() and form.sign.button.text() != CHECKING
    assert services.sessions.detail(staff["nurse"], sid).dose is None
