"""The log seen from the window: the unexpected-error box, Help > Show log folder and Keyboard shortcuts, the
shortcut list against every shortcut a built window has, and what an error through the GUI leaves in the log."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace

import pytest
from PySide6.QtCore import QUrl, qWarning
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from clinic_desktop import app, logs
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.settings import Locations
from clinic_desktop.storage import models
from clinic_desktop.ui import shortcuts
from clinic_desktop.ui.error_report import SHOW_LOG_FOLDER, unexpected_error_box
from clinic_desktop.ui.main_window import MainWindow
from clinic_desktop.ui.shortcuts_dialog import ShortcutsDialog
from tests.conftest import PASSWORD
from tests.log_support import log_file  # noqa: F401 (the fixture)
from tests.ui.session_support import checked_in

GIVEN, FAMILY = "Quirinella", "Thistlewaite"


@pytest.fixture
def opened(monkeypatch) -> list[QUrl]:
    """What QDesktopServices.openUrl was asked to open (nothing is really opened)."""
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url) or True)
    return urls


def test_the_error_box_names_the_log_and_shows_its_folder(qtbot, log_file, opened):
    """One sentence naming the log file; "Show log folder" opens the folder the file is in."""
    box = unexpected_error_box(None, log_file.path)
    qtbot.addWidget(box)
    assert box.text().endswith(f"tell your administrator; the details are in the log:\n{log_file.path}")
    [show] = [b for b in box.buttons() if b.text() == SHOW_LOG_FOLDER]
    show.click()
    assert opened == [QUrl.fromLocalFile(str(log_file.path.parent))]


def test_without_a_log_the_error_box_says_so_and_offers_no_folder(qtbot):
    """When the log could not be opened, the box says the details were not written and has no folder button."""
    box = unexpected_error_box(None, None)
    qtbot.addWidget(box)
    assert "the details could not be written to a log" in box.text()
    assert [b.text() for b in box.buttons() if b.text() == SHOW_LOG_FOLDER] == []


def _window(qtbot, services, tmp_path, principal=None) -> MainWindow:
    window = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)), principal)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def test_help_shows_the_log_folder_or_says_there_is_none_yet(qtbot, services, staff, tmp_path, opened):
    """Help > Show log folder opens the data folder's logs/; before there is one the status bar says where."""
    window = _window(qtbot, services, tmp_path, staff["nurse"])
    window.menus.log_folder.trigger()
    assert opened == [] and str(tmp_path / "logs") in window.statusBar().currentMessage()
    logs.configure(tmp_path / "logs")
    try:
        window.menus.log_folder.trigger()
    finally:
        logs.stop()
    assert opened == [QUrl.fromLocalFile(str(tmp_path / "logs"))]


def test_help_lists_every_shortcut_with_the_platforms_key_names(qtbot, services, staff, tmp_path):
    """Help > Keyboard shortcuts opens one list: keys as this platform writes them, what, where."""
    window = _window(qtbot, services, tmp_path, staff["nurse"])
    assert [a.text() for a in window.menus.help.actions() if a.text()][:2] == ["&Keyboard shortcuts",
                                                                               "Show &log folder"]
    window.menus.keyboard.trigger()
    qtbot.waitUntil(lambda: window.findChild(ShortcutsDialog) is not None)
    dialog = window.findChild(ShortcutsDialog)
    rows = dialog.rows()
    assert (QKeySequence("Ctrl+L").toString(QKeySequence.SequenceFormat.NativeText), "Lock the screen",
            shortcuts.WINDOW) in rows
    printing = QKeySequence(QKeySequence.StandardKey.Print).toString(QKeySequence.SequenceFormat.NativeText)
    assert (printing, shortcuts.SESSION_PRINT.does, "Session screen") in rows
    assert len(rows) == len(shortcuts.on_this_platform()) and all(all(cell for cell in row) for row in rows)
    dialog.close()


def _every_shortcut(window: MainWindow) -> list[QAction | QShortcut]:
    found: list[QAction | QShortcut] = []
    for top in [window, *QApplication.topLevelWidgets()]:
        found += [a for a in top.findChildren(QAction) if not a.shortcut().isEmpty()]
        found += top.findChildren(QShortcut)
    return list({id(o): o for o in found}.values())


def _unlisted(window: MainWindow, listed: set[str]) -> list[str]:
    """Each shortcut that is not in the list, or whose keys differ from the list's."""
    problems = []
    for obj in _every_shortcut(window):
        keys = obj.shortcut() if isinstance(obj, QAction) else obj.key()
        name = shortcuts.tag_of(obj)
        described = f"{type(obj).__name__} {keys.toString()} on {obj.parent().metaObject().className()}"
        if name not in listed:
            problems.append(f"{described}: not in the list")
        elif keys != shortcuts.BY_NAME[name].sequence():
            problems.append(f"{described}: the list says {shortcuts.BY_NAME[name].text()}")
    return problems


def test_every_shortcut_of_a_built_window_is_in_the_list(qtbot, services, staff, tmp_path):
    """Physician-administrator with every page open, then a nurse at a session screen: each QAction with keys
    and each QShortcut is listed by Help > Keyboard shortcuts with the same keys."""
    listed = ShortcutsDialog().names()
    _, sid, _ = checked_in(services, staff)
    with services.context.db.session() as session:  # a physician who also administers the clinic
        session.get(models.Staff, staff["physician"].id).is_admin = True
        session.commit()
    window = _window(qtbot, services, tmp_path, replace(staff["physician"], is_admin=True))
    workspace = window.workspace
    for show in (workspace.show_users, workspace.show_settings, workspace.show_audit, workspace.show_backups,
                 workspace.show_reviews, workspace.show_board, workspace.new_patient):
        show()
    assert window.findChildren(QShortcut), "the new-patient form has its Ctrl+S"
    assert _unlisted(window, listed) == []
    window.sign_in(staff["nurse"])
    screen = window.workspace.open_session(sid)
    assert screen is not None
    screen.show_section("checks")
    next(iter(screen.checks.rows.values())).start_editing("")  # a row's editor (and its keys) is made when opened
    shortcut_names = {shortcuts.tag_of(s) for s in window.findChildren(QShortcut)}
    assert {"session_print", "check_save", "check_cancel", "form_save"} <= shortcut_names
    assert _unlisted(window, listed) == []


def test_patient_mode_and_preview_shortcuts_are_in_the_list(qtbot, services, staff, tmp_path):
    """The staff strip of patient mode and the print preview take their keys from the list too."""
    from tests.ui.test_paperwork_ui import a_sheet
    from clinic_desktop.ui.paperwork.preview_dialog import PreviewDialog

    listed = ShortcutsDialog().names()
    _, sid, _ = checked_in(services, staff)
    window = _window(qtbot, services, tmp_path, staff["nurse"])
    screen = window.workspace.open_session(sid)
    screen.show_section("scales")
    page = screen.panels["scales"].start_patient_form("phq9")
    assert window.stack.currentWidget() is page
    preview = PreviewDialog(a_sheet(), lambda _where: None, window)
    qtbot.addWidget(preview)
    names = {shortcuts.tag_of(s) for s in [*page.findChildren(QShortcut), *preview.findChildren(QShortcut)]}
    assert {"staff_strip_close", "preview_print", "preview_save", "zoom_in", "zoom_out", "fit_width"} <= names
    assert _unlisted(window, listed) == []


def test_an_error_through_the_window_logs_the_traceback_and_user_but_no_password_or_name(
        qtbot, services, staff, tmp_path, log_file, monkeypatch):
    """Signed in at the window, a patient registered, a failed statement carrying the name and a plain bug go
    through the GUI's error hook: the log has both tracebacks and the user name, never the password or name."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    window = _window(qtbot, services, tmp_path)
    window.sign_in_page.username.setText("whitlock")
    window.sign_in_page.password.setText(PASSWORD)
    window.sign_in_page.sign_in_button.click()
    assert window.principal is not None and window.principal.username == "whitlock"
    services.patients.register(window.principal, PatientInput(given_names=GIVEN, family_name=FAMILY,
                                                              date_of_birth="1980-05-01", sex="female"))
    hook = app._unexpected_error_hook(window)
    try:
        with services.context.db.write() as uow:
            uow.session.execute(text("INSERT INTO patients (mrn, given_names, family_name) VALUES (:m, :g, :f)"),
                                {"m": "ZZ-2", "g": GIVEN, "f": FAMILY})
    except IntegrityError:
        hook(*sys.exc_info())
    try:
        raise RuntimeError("a slot met a case nobody foresaw")
    except RuntimeError:
        hook(*sys.exc_info())
    assert shown == [shown[0]] * 2 and str(log_file.path) in shown[0]
    logged = log_file.text()
    errors = log_file.lines("ERROR")
    assert len(errors) == 2 and all(" whitlock clinic_desktop.app: Unexpected error" in line for line in errors)
    assert logged.count("Traceback") >= 2 and "IntegrityError" in logged and "RuntimeError: a slot met" in logged
    assert PASSWORD not in logged and GIVEN not in logged and FAMILY not in logged


def test_qt_warnings_go_to_the_log(log_file):
    """A Qt warning lands in the log at warning level, under the logger "qt"."""
    previous = app._forward_qt_messages()
    try:
        qWarning("QFont: a test warning from Qt")
    finally:
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(previous)
    [line] = log_file.lines("a test warning from Qt")
    assert " WARNING " in line and " qt: QFont: a test warning from Qt" in line
    logging.getLogger("qt").debug("debug lines stay out")
    assert log_file.lines("debug lines stay out") == []


def test_an_unreachable_server_is_logged_once_not_at_every_look(qtbot, services, staff, log_file, monkeypatch):
    """Looking for other workstations' changes fails for a while: one traceback, then one line when it works."""
    from clinic_desktop.ui.change_hub import ChangeHub
    from clinic_desktop.ui.change_watcher import ChangeWatcher

    watcher = ChangeWatcher(ChangeHub(services), services, lambda: staff["nurse"])
    watcher.poll()  # takes the marker
    working = services.changes.changed_since
    monkeypatch.setattr(services.changes, "changed_since", lambda *_a: (_ for _ in ()).throw(OSError("no route")))
    for _ in range(5):
        watcher.poll()
    monkeypatch.setattr(services.changes, "changed_since", working)
    watcher.poll()
    assert len(log_file.lines("Looking for changes at other workstations failed")) == 1
    assert log_file.text().count("OSError: no route") == 1
    assert len(log_file.lines("Looking for changes at other workstations works again")) == 1
