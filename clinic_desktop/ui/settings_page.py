"""The clinic's thresholds by section: everyone reads them; physicians and administrators change them (the
security settings only administrators), all changes saved together or not at all."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Action, Principal, is_allowed, roles_of
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError, ConcurrentChange, ValidationError, ValidationErrors
from clinic_desktop.services.registry import Services
from clinic_desktop.ui.settings_rows import SettingRow, value_text
from clinic_desktop.ui.shortcuts import SETTINGS_SAVE
from clinic_desktop.ui.widgets import FitScrollArea, error_label, section, set_error, text_label

#: Sections only an administrator changes (the service refuses anyone else; the page says so first).
ADMIN_SECTIONS = ("Security",)
EDITABLE_INTRO = ("The thresholds behind the checks and alerts. Changes are saved together or not at all, apply "
                  "from then on, and are recorded in the audit log.")
READ_ONLY_INTRO = "You can read these settings. A physician or an administrator changes them."
ADMIN_ONLY_NOTE = "Only an administrator changes these settings."
#: The widest the rows grow, in average characters (a label, its value, unit and reset button).
MAX_WIDTH_CHARS = 150
#: How many saved changes the status bar names (the audit log has them all).
SAID_IN_STATUS = 3


class SettingsPage(QWidget):
    """Every setting as a row, grouped by section in a scroll area; Save changes and Revert below."""

    message = Signal(str, int)
    #: The settings in force after a save (e.g. the idle lock takes its new time at once).
    saved = Signal(object)

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self.rows: dict[str, SettingRow] = {}
        #: The version of each setting as this page read it, sent back with a save (see SettingsService.seen).
        self._stamps: dict[str, str] = {}
        self.admin_notes: list[QWidget] = []
        self.intro = text_label("", selectable=False, name="muted")
        self.error = error_label("formError")
        self.pending = text_label("", selectable=False, name="muted")
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.setAutoDefault(False)
        self.save_button = QPushButton("&Save changes")
        self.save_button.setObjectName("primary")
        SETTINGS_SAVE.on(self.save_button)
        body, column = QWidget(), QWidget()
        # Not wider than the rows need: on a wide screen the value stays near its label.
        column.setMaximumWidth(column.fontMetrics().averageCharWidth() * MAX_WIDTH_CHARS)
        self._sections = QVBoxLayout(column)
        self._sections.setContentsMargins(0, 0, 8, 0)
        centre = QHBoxLayout(body)
        centre.setContentsMargins(0, 0, 0, 0)
        centre.addWidget(column, 1)
        centre.addStretch(0)
        self.scroll = FitScrollArea(body)

        bar = QHBoxLayout()
        bar.addWidget(self.pending, 1)
        bar.addWidget(self.revert_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(text_label("Clinic settings", selectable=False, name="pageTitle"))
        layout.addWidget(self.intro)
        layout.addWidget(self.error)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bar)

        self.save_button.clicked.connect(lambda: self.save())
        self.revert_button.clicked.connect(self.revert)
        self._build()

    # --- building ----------------------------------------------------------------------------------
    def _build(self) -> None:
        try:
            seen = self._services.settings.seen(self._actor())
            current, self._stamps = seen.settings, dict(seen.stamps)
        except ClinicError as exc:
            set_error(self.error, exc.message)
            current = None
        defaults = ClinicSettings()
        sections: dict[str, QVBoxLayout] = {}
        for info in ClinicSettings.infos():
            if info.section not in sections:
                box, sections[info.section] = section(info.section)
                box.setObjectName(f"section {info.section}")
                if info.section in ADMIN_SECTIONS:
                    note = text_label(ADMIN_ONLY_NOTE, selectable=False, name="muted")
                    self.admin_notes.append(note)
                    sections[info.section].addWidget(note)
                self._sections.addWidget(box)
            saved = getattr(current or defaults, info.name)
            row = SettingRow(info, saved, getattr(defaults, info.name))
            row.edited.connect(self._update_pending)
            sections[info.section].addWidget(row)
            self.rows[info.name] = row
        self._sections.addStretch(1)
        if current is None:
            for row in self.rows.values():
                row.setEnabled(False)  # defaults on show but not the clinic's values: nothing to edit from
        self.sync_access()

    # --- who may change what -------------------------------------------------------------------------
    def can_change(self) -> bool:
        return is_allowed(self._actor(), Action.SETTINGS_CHANGE, self._services.context.now())

    def can_change_section(self, name: str) -> bool:
        if name in ADMIN_SECTIONS:
            return self.can_change() and StaffRole.ADMINISTRATOR in roles_of(self._actor())
        return self.can_change()

    def sync_access(self) -> None:
        """Inputs and buttons for what this user may change now (also after their rights change)."""
        editable = self.can_change()
        for row in self.rows.values():
            allowed = self.can_change_section(row.info.section)
            if not allowed and row.is_changed():
                row.show_value(row.saved)  # rights lost with edits pending: they could not be saved
            row.set_editable(allowed)
        for note in self.admin_notes:
            note.setVisible(editable and not self.can_change_section(ADMIN_SECTIONS[0]))
        self.intro.setText(EDITABLE_INTRO if editable else READ_ONLY_INTRO)
        self.save_button.setVisible(editable)
        self.revert_button.setVisible(editable)
        self._update_pending()

    # --- edits ---------------------------------------------------------------------------------------
    def changes(self) -> dict[str, str]:
        """Only what was changed (in rows this user may edit), as typed: the service parses, so Decimals stay exact."""
        return {name: row.text() for name, row in self.rows.items() if row.editor.isEnabled() and row.is_changed()}

    def has_changes(self) -> bool:
        return bool(self.changes())

    def _update_pending(self) -> None:
        count = len(self.changes())
        self.pending.setText(f"{count} unsaved change{'s' if count != 1 else ''}." if count else "No unsaved changes.")
        self.pending.setVisible(not self.save_button.isHidden())  # nothing to count for a reader
        self.save_button.setEnabled(count > 0)
        self.revert_button.setEnabled(count > 0)

    def revert(self) -> None:
        """Discard every edit: the saved values again, no errors."""
        for row in self.rows.values():
            row.show_value(row.saved)
        set_error(self.error, "")
        self._update_pending()

    def refresh(self) -> None:
        """The values in force now (someone else may have saved); unsaved edits are kept, and stay based on the
        version they were typed over, so saving them over a change made elsewhere is refused."""
        self._take_in(edits_seen_it=False)

    def _take_in(self, edits_seen_it: bool) -> bool:
        """Read the values in force and their versions. `edits_seen_it`: the user has been shown the newer
        values beside their edits (a refused save), so their next save may go over them."""
        try:
            seen = self._services.settings.seen(self._actor())
        except ClinicError as exc:
            set_error(self.error, exc.message)
            return False
        for name, row in self.rows.items():
            if not row.is_changed():
                row.show_value(getattr(seen.settings, name))
            else:
                row.saved_elsewhere(getattr(seen.settings, name))
            if edits_seen_it or not row.is_changed():
                self._stamps.pop(name, None)
                if name in seen.stamps:
                    self._stamps[name] = seen.stamps[name]
        self.sync_access()
        return True

    def save(self) -> bool:
        """Send the changed values; on a refusal mark each field and save nothing. True when saved."""
        changes = self.changes()
        set_error(self.error, "")
        for row in self.rows.values():
            row.set_error("")
        if not changes:
            return False
        before = {name: value_text(self.rows[name].saved) for name in changes}
        try:
            updated = self._services.settings.update(self._actor(), changes, seen=dict(self._stamps))
        except ConcurrentChange as exc:
            # Changed elsewhere since this page read it: the typing stays, the values now saved come in
            # beside it (Revert shows them), and saving again is a choice made knowing them.
            self._take_in(edits_seen_it=True)
            set_error(self.error, exc.message)
            self.message.emit(exc.message, 8000)
            return False
        except ValidationErrors as exc:
            self._show_errors(exc.errors)
            return False
        except ValidationError as exc:
            self._show_errors([exc])
            return False
        except ClinicError as exc:
            set_error(self.error, exc.message)
            self.message.emit(exc.message, 8000)
            return False
        for name, row in self.rows.items():
            row.show_value(getattr(updated, name))
        self._take_in(edits_seen_it=True)  # the versions this save made
        said = "; ".join(f"{self.rows[n].info.label}: {before[n]} → {value_text(getattr(updated, n))}"
                         for n in list(changes)[:SAID_IN_STATUS])
        more = f"; and {len(changes) - SAID_IN_STATUS} more" if len(changes) > SAID_IN_STATUS else ""
        self.message.emit(f"Saved {len(changes)} setting{'s' if len(changes) != 1 else ''}. {said}{more}", 10000)
        self.saved.emit(updated)
        return True

    def _show_errors(self, errors: list[ValidationError]) -> None:
        first = None
        for e in errors:
            row = self.rows.get(e.field)
            if row is None:
                set_error(self.error, e.message)
                continue
            row.set_error(e.message)
            first = first or row
        if first is not None:
            self.scroll.ensureWidgetVisible(first)
            first.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        set_error(self.error, self.error.text() or "Nothing was saved: correct the marked settings.")
        self.message.emit("Nothing was saved: correct the marked settings.", 8000)

    def confirm_discard(self) -> bool:
        """Before closing with unsaved edits: True to go ahead (discarding them)."""
        if not self.has_changes():
            return True
        answer = QMessageBox.question(self, "Unsaved changes", "Discard the unsaved changes to the clinic settings?",
                                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard
