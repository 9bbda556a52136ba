"""Helpers shared by the screen tests."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget


def visible_texts(widget: QWidget) -> list[str]:
    """Texts of every label a person could read in `widget` now (shown, with all its ancestors shown)."""
    QApplication.processEvents()
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]


def audit_actions(services, admin) -> list[str]:
    """Every audited action, oldest first."""
    return [row.action for row in reversed(services.audit.entries(admin, limit=1000).rows)]


def sign_in_through_the_page(qtbot, window, username: str, password: str) -> None:
    """Type into the sign-in page and press Enter, as a person would."""
    page = window.sign_in_page
    assert window.stack.currentWidget() is page
    page.username.setText(username)
    page.password.clear()
    qtbot.keyClicks(page.password, password)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)


def while_dialog_open(kind: type[QDialog], action: Callable[[QDialog], None]) -> list[QDialog]:
    """Run `action(dialog)` once the modal dialog of `kind` is up (its exec() blocks the test otherwise)."""
    seen: list[QDialog] = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(10, act)
            return
        seen.append(dialog)
        action(dialog)
    QTimer.singleShot(0, act)
    return seen
