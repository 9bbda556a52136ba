"""Qt fixtures: window settings kept in a temp folder, so tests never touch a real user's layout."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path, qapp):
    QCoreApplication.setOrganizationName("clinic_desktop_tests")
    QCoreApplication.setApplicationName("clinic_desktop_tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield
    QSettings().clear()


@pytest.fixture
def make_window(qtbot, services, tmp_path):
    """A main window over the test database, shown (offscreen) and closed after the test."""
    from clinic_desktop.settings import Locations
    from clinic_desktop.ui.main_window import MainWindow

    def make() -> MainWindow:
        window = MainWindow(services, Locations(tmp_path, str(services.context.db.engine.url)))
        qtbot.addWidget(window)
        window.show()
        return window
    return make

