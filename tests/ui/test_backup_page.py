"""The Backup and Restore page: the list, Back up now with its progress bar, and restoring with the password."""

from __future__ import annotations

from typing import Callable

import pytest
from PySide6.QtWidgets import QDialog, QLabel

from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.ui.backup_page import COLUMNS, RestoreDialog
from tests.conftest import PASSWORD
from tests.ui.ui_support import while_dialog_open


def _answer(password: str | None) -> Callable[[QDialog], None]:
    def act(dialog: QDialog) -> None:
        if password is None:
            dialog.reject()
        else:
            dialog.password.setText(password)
            dialog.accept()
    return act


def rows(page) -> list[dict[str, str]]:
    return [{COLUMNS[c]: page.table.item(r, c).text() for c in range(len(COLUMNS))}
            for r in range(page.table.rowCount())]


def register(services, who, family: str) -> None:
    services.patients.register(who, PatientInput(given_names="Ada", family_name=family,
                                                 date_of_birth="1980-05-01", sex="female"))


@pytest.fixture
def window(make_window, staff):
    window = make_window()
    window.sign_in(staff["admin"])
    return window


@pytest.fixture
def page(window):
    window.menus.backups.trigger()
    page = window.workspace.backups
    assert page is not None and window.workspace.tabs.currentWidget() is page
    return page


def test_only_administrators_see_the_menu_entry(make_window, staff):
    """A nurse's Administration menu has no Backup and restore; the workspace refuses to open the page."""
    window = make_window()
    window.sign_in(staff["nurse"])
    assert not window.menus.backups.isVisible()
    assert window.workspace.show_backups() is None


def test_back_up_now_shows_progress_and_adds_a_verified_row(page, services, staff, qtbot):
    """The bar is shown while pages are copied; afterwards the new manual backup is listed as verified."""
    for i in range(90):  # enough pages for several steps of the backup API
        register(services, staff["nurse"], f"Patient-{i}")
    assert rows(page) == []
    seen: list[tuple[bool, int, int]] = []
    page.progress.valueChanged.connect(lambda v: seen.append((page.progress.isVisible(), v,
                                                              page.progress.maximum())))
    with qtbot.waitSignal(page.backedUp) as taken:
        page.back_up_now()
    made = taken.args[0]
    steps = [s for s in seen if s[1] > 0]
    assert made is not None and len(steps) > 1 and all(visible for visible, _v, _m in steps)
    assert [v for _s, v, _m in steps] == sorted(v for _s, v, _m in steps) and steps[-1][1] == steps[-1][2]
    assert not page.progress.isVisible()
    listed = rows(page)
    assert len(listed) == 1 and listed[0]["Kind"] == "manual" and listed[0]["Verified"] == "yes"
    assert listed[0]["File"] == made.file_name and listed[0]["Taken"] == "2026-03-02 09:00"


def test_restore_with_the_password_signs_everyone_out(window, page, services, staff):
    """Confirm with the password: the later patient is gone and the window returns to the sign-in page."""
    page.back_up_now()
    register(services, staff["nurse"], "Later")
    page.table.selectRow(0)
    dialogs = while_dialog_open(RestoreDialog, _answer(PASSWORD))
    page.restore_selected()
    warning = " ".join(label.text() for label in dialogs[0].findChildren(QLabel))
    assert "no longer in the database" in warning and "must sign in again" in warning
    assert window.current is None and window.sessions == {}
    assert window.stack.currentWidget() is window.sign_in_page
    fresh = services.auth.login("adeyemi", PASSWORD)
    assert services.patients.count(staff["nurse"]) == 0 and fresh.username == "adeyemi"


def test_a_wrong_password_shows_an_error_and_restores_nothing(window, page, services, staff):
    """The refusal is on the page; the user is still signed in; the later patient is still there."""
    page.back_up_now()
    register(services, staff["nurse"], "Later")
    page.table.selectRow(0)
    while_dialog_open(RestoreDialog, _answer("not the password at all"))
    page.restore_selected()
    assert page.error.isVisible() and "password is not right" in page.error.text()
    assert window.current is not None and services.patients.count(staff["nurse"]) == 1


def test_cancelling_the_warning_restores_nothing(page, services, staff):
    """Cancel in the restore dialog: no restore, no safety copy listed."""
    page.back_up_now()
    page.table.selectRow(0)
    while_dialog_open(RestoreDialog, _answer(None))
    page.restore_selected()
    assert [r["Kind"] for r in rows(page)] == ["manual"]


def test_a_backup_runs_in_the_background_and_the_window_stays_usable(worker, window, page, services, staff, qtbot):
    """With the real worker: the bar moves by signal while the copy runs, a 10 ms timer keeps ticking, only the
    page's own buttons wait, and the new backup is listed at the end."""
    from PySide6.QtCore import QTimer

    for i in range(60):
        register(services, staff["nurse"], f"Patient-{i}")
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    during: list[tuple[bool, bool, bool]] = []

    def moved(value: int) -> None:
        if value > 0 and not during:
            during.append((page.backup_button.isEnabled(), window.workspace.tabs.isEnabled(), page.isEnabled()))
    page.progress.valueChanged.connect(moved)
    timer.start()
    with qtbot.waitSignal(page.backedUp, timeout=20_000) as taken:
        page.back_up_now()
        assert not page.backup_button.isEnabled() and page.progress.isVisible(), "busy at once"
    timer.stop()
    assert ticks, "the GUI thread ran while the worker copied"
    assert during == [(False, True, True)], "the page's buttons wait; the window and the page stay enabled"
    assert rows(page)[0]["File"] == taken.args[0].file_name and page.backup_button.isEnabled()


def test_the_automatic_backup_disables_nothing_and_closing_waits_for_it(worker, window, services, staff):
    """The daily backup runs on the worker with the window enabled; closing the window meanwhile waits for
    it, so the backup is complete (listed and verified) before the database can be closed."""
    assert services.backups.automatic.due(services.context.now())
    window.backup_timer.check()
    assert window.isEnabled() and window.centralWidget().isEnabled()
    window.close()
    assert not services.backups.automatic.due(services.context.now()), "finished when close() returned"
    entries = services.backups.list(staff["admin"])
    assert [e.kind.value for e in entries] == ["automatic"] and entries[0].verified
