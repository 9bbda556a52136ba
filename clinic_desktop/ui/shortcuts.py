"""Every keyboard shortcut of the application, in one list: the menus and widgets take their keys from here,
and Help > Keyboard shortcuts shows this list, so what the window does and what it says it does agree.

Each QAction or QShortcut made with `Shortcut.on` / `Shortcut.make` is tagged with the entry's name, which is
how a test finds any shortcut that bypassed this list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QWidget

#: The dynamic property naming a QAction's or QShortcut's entry in ALL.
TAG = "clinicShortcut"
StandardKey = QKeySequence.StandardKey

# Where a shortcut works.
WINDOW = "Main window, signed in"
FORMS = "Any form with a Save button"
SESSION = "Session screen"
PATIENT_MODE = "Patient mode, staff password strip"
CHECKLIST = "Pre-infusion checklist, writing an explanation"
PREVIEW = "Print preview"


@dataclass(frozen=True)
class Shortcut:
    """One shortcut: its keys (a standard key follows the platform's convention), what it does and where."""

    name: str
    keys: str | StandardKey
    does: str
    where: str

    def sequence(self) -> QKeySequence:
        return QKeySequence(self.keys)

    def text(self) -> str:
        """The keys as this platform writes them (Ctrl+P here, ⌘P on a Mac)."""
        return self.sequence().toString(QKeySequence.SequenceFormat.NativeText)

    def on(self, target: QAction | QAbstractButton) -> None:
        """Give a menu action or a button these keys."""
        target.setShortcut(self.sequence())
        target.setProperty(TAG, self.name)

    def make(self, parent: QWidget, slot: Callable[[], object], *,
             context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut) -> QShortcut:
        """A QShortcut with these keys on `parent`, calling `slot`."""
        shortcut = QShortcut(self.sequence(), parent, context=context)
        shortcut.setProperty(TAG, self.name)
        shortcut.activated.connect(lambda: slot())
        return shortcut

    def matches(self, event: QKeyEvent) -> bool:
        """For keys a widget reads itself (Esc that no field used)."""
        return QKeySequence(event.keyCombination()) == self.sequence()


def tag_of(obj: QObject) -> str:
    return obj.property(TAG) or ""


LOCK = Shortcut("lock", "Ctrl+L", "Lock the screen", WINDOW)
BOARD = Shortcut("board", "Ctrl+T", "Show today's board", WINDOW)
NEW_PATIENT = Shortcut("new_patient", StandardKey.New, "Register a new patient", WINDOW)
FIND_PATIENT = Shortcut("find_patient", StandardKey.Find, "Find a patient (the search box)", WINDOW)
REFRESH = Shortcut("refresh", StandardKey.Refresh, "Refresh the patient list", WINDOW)
QUIT = Shortcut("quit", StandardKey.Quit, "Quit Clinic Desktop", WINDOW)
FORM_SAVE = Shortcut("form_save", "Ctrl+S", "Save", FORMS)
FORM_ENTER = Shortcut("form_enter", "Return", "Save (in a one-line field)", FORMS)
FORM_CANCEL = Shortcut("form_cancel", "Esc", "Cancel without saving (asks first if something was typed)", FORMS)
SETTINGS_SAVE = Shortcut("settings_save", "Ctrl+S", "Save the changed settings", "Clinic settings")
SESSION_PRINT = Shortcut("session_print", StandardKey.Print,
                         "Print the discharge sheet (before the dose stops: the infusion record)", SESSION)
CHECK_SAVE = Shortcut("check_save", "Ctrl+Return", "Save the explanation", CHECKLIST)
CHECK_CANCEL = Shortcut("check_cancel", "Esc", "Stop writing the explanation", CHECKLIST)
STAFF_STRIP_CLOSE = Shortcut("staff_strip_close", "Esc", "Close the strip; the patient goes on", PATIENT_MODE)
SIGN_IN_BACK = Shortcut("sign_in_back", "Esc", "Back to the lock screen", "Sign-in page, when switching user")
REFERRER_CLOSE = Shortcut("referrer_close", "Esc", "Close the new referring clinician panel", "Patient form")
PREVIEW_PRINT = Shortcut("preview_print", StandardKey.Print, "Print the sheet", PREVIEW)
PREVIEW_SAVE = Shortcut("preview_save", StandardKey.Save, "Save the sheet as a PDF file", PREVIEW)
ZOOM_IN = Shortcut("zoom_in", StandardKey.ZoomIn, "Zoom in", PREVIEW)
ZOOM_OUT = Shortcut("zoom_out", StandardKey.ZoomOut, "Zoom out", PREVIEW)
FIT_WIDTH = Shortcut("fit_width", "Ctrl+0", "Fit the page to the width", PREVIEW)
DIALOG_CLOSE = Shortcut("dialog_close", "Esc", "Close the dialog without saving", "Any dialog")
CHAIR_UP = Shortcut("chair_up", "Alt+Up", "Move the chosen chair one place left on the board", "Chairs page")
CHAIR_DOWN = Shortcut("chair_down", "Alt+Down", "Move the chosen chair one place right on the board", "Chairs page")

#: In the order Help > Keyboard shortcuts lists them.
ALL: tuple[Shortcut, ...] = (
    LOCK, BOARD, NEW_PATIENT, FIND_PATIENT, REFRESH, QUIT,
    FORM_SAVE, FORM_ENTER, FORM_CANCEL, SETTINGS_SAVE, REFERRER_CLOSE,
    SESSION_PRINT, CHECK_SAVE, CHECK_CANCEL, STAFF_STRIP_CLOSE,
    PREVIEW_PRINT, PREVIEW_SAVE, ZOOM_IN, ZOOM_OUT, FIT_WIDTH,
    SIGN_IN_BACK, DIALOG_CLOSE, CHAIR_UP, CHAIR_DOWN,
)
BY_NAME = {s.name: s for s in ALL}


def on_this_platform() -> list[Shortcut]:
    """The entries that have keys here (a standard key can have none: Quit on Windows is Alt+F4, the system's)."""
    return [s for s in ALL if not s.sequence().isEmpty()]
