"""Where the log is, for whoever is at the keyboard: the unexpected-error box, and opening the log folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QGridLayout, QMessageBox, QSizePolicy, QSpacerItem, QWidget

SHOW_LOG_FOLDER = "Show log folder"


def unexpected_error_text(log_file: Path | None) -> str:
    where = f"the details are in the log:\n{log_file}" if log_file is not None else \
        "the details could not be written to a log."
    return ("Something went wrong and that action may not have been completed: check before trying again. "
            f"If it happens again, tell your administrator; {where}")


def unexpected_error_box(parent: QWidget | None, log_file: Path | None) -> QMessageBox:
    """The box to show (`exec()`) after an error nobody expected; "Show log folder" opens the log's folder."""
    box = QMessageBox(QMessageBox.Icon.Critical, "Clinic Desktop", unexpected_error_text(log_file),
                      QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    # IT asks for the path: it can be selected and copied.
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if log_file is not None:
        show = box.addButton(SHOW_LOG_FOLDER, QMessageBox.ButtonRole.ActionRole)
        show.clicked.connect(lambda: open_log_folder(log_file.parent))
    box.setDefaultButton(QMessageBox.StandardButton.Ok)
    layout = box.layout()
    if log_file is not None and isinstance(layout, QGridLayout):
        # Wide enough for the path on one line: a path broken at a slash is easy to misread over the phone.
        width = box.fontMetrics().horizontalAdvance(str(log_file)) + 80
        layout.addItem(QSpacerItem(width, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding),
                       layout.rowCount(), 0, 1, layout.columnCount())
    return box


def open_log_folder(folder: Path) -> str:
    """Open the folder in the system's file manager: "" when done, otherwise a sentence saying why not."""
    if not folder.is_dir():
        return f"There is no log yet: it will be written in {folder}."
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return f"The log folder could not be opened here; it is {folder}."
    return ""
