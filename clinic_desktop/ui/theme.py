"""The application's look: calm, high-contrast, sized in points so it scales with the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # PySide6 is imported on first use, like the rest of the window
    from PySide6.QtGui import QIcon

#: Red used for errors and the emergency banner: 7:1 contrast on white (text) and with white (banner).
ERROR_RED = "#a50e0e"

STYLESHEET = f"""
QWidget {{ font-size: 10.5pt; }}
QLabel#chartName {{ font-size: 17pt; font-weight: 600; }}
QLabel#chartSubtitle {{ font-size: 11pt; color: #3c4043; }}
QLabel#muted {{ color: #5f6368; }}
QLabel#subheading {{ font-weight: 600; margin-top: 6px; }}
QLabel#emptyState {{ color: #5f6368; font-size: 12pt; }}
QLabel#pageTitle {{ font-size: 16pt; font-weight: 600; }}
QLabel#fieldError, QLabel#formError {{ color: {ERROR_RED}; }}
QLabel#verifyBad {{ color: {ERROR_RED}; font-weight: 600; }}
QLabel#verifyGood {{ color: #1e4620; }}
QLabel#emergencyBanner {{ background: {ERROR_RED}; color: #ffffff; font-weight: 600; padding: 6px 12px; }}
QFrame#auditAlarm {{ background: #fce8e6; border-bottom: 3px solid {ERROR_RED}; }}
QLabel#auditAlarmTitle {{ color: {ERROR_RED}; font-weight: 700; }}
QFrame#card {{ background: #ffffff; border: 1px solid #dadce0; border-radius: 8px; }}
QWidget#page, QWidget#pageBody {{ background: #f1f3f4; }}
QPushButton#link {{ border: none; color: #174ea6; text-decoration: underline; padding: 2px; text-align: left; }}
QPushButton#link:focus {{ outline: 1px dotted #174ea6; }}
QPushButton#primary {{ background: #174ea6; color: #ffffff; border-radius: 4px; padding: 6px 16px; font-weight: 600; }}
QPushButton#primary:disabled {{ background: #9aa0a6; }}
QGroupBox {{ font-weight: 600; border: 1px solid #dadce0; border-radius: 6px; margin-top: 12px; padding: 8px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; }}
QGroupBox QLabel {{ font-weight: normal; }}
QWidget#chartBody {{ background: #ffffff; }}
QLineEdit {{ padding: 5px; }}
QTableView {{ gridline-color: #e8eaed; }}
QFrame#settingRow {{ border-bottom: 1px solid #e8eaed; }}
QFrame#settingRow[changed="true"] {{ background: #fef7e0; border-left: 4px solid #b06000; }}
QLabel#changedNote {{ color: #7a4f01; }}
QLineEdit:disabled, QComboBox:disabled {{ color: #3c4043; background: #f1f3f4; }}
QTableView::item:selected, QTreeView::item:selected {{ background: #d2e3fc; color: #202124; }}
"""


#: The icon's pixel sizes shipped as PNG (resources/icons): what docks, task bars and title bars ask for.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def application_icon() -> QIcon:
    """The window and task-bar icon, from the PNGs shipped with the package (SVG support is a Qt plug-in that a
    trimmed bundle may leave out, so the pixel sizes come first)."""
    from PySide6.QtGui import QIcon

    from clinic_desktop.resources import resource_path

    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource_path("icons", f"clinic-desktop-{size}.png")))
    return icon
