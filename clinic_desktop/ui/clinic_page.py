"""The Clinic page: who the clinic is on paper (name, address, phones, email, logo, paper, the emergency and crisis
numbers, the time zone), with the letterhead previewed as sheets will print it before anything is saved."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.access import Action, Principal, is_allowed
from clinic_desktop.domain.clinic_profile import PROFILE_FIELDS, ClinicProfile, PaperSize, zone_names
from clinic_desktop.domain.errors import ClinicError, ConcurrentChange, ValidationError
from clinic_desktop.services.registry import Services
from clinic_desktop.ui import shortcuts
from clinic_desktop.ui.form_support import ErrorMap, ask_discard, snapshot
from clinic_desktop.ui.paperwork.pdf_pages import PdfPages
from clinic_desktop.ui.widgets import FitScrollArea, add_field, error_label, section, text_label

EDITABLE_INTRO = ("What every printed sheet carries. Saved for every workstation at once and recorded in the audit "
                  "log; the preview shows the letterhead before you save.")
READ_ONLY_INTRO = "What every printed sheet carries. A physician or an administrator changes it."
ZONE_NOTE = "A new time zone applies on each workstation the next time Clinic Desktop starts there."
#: The part of the sample page the preview shows, in points from the top: the letterhead and the lines under it
#: (the page's top margin is left out).
PREVIEW_TOP, PREVIEW_BOTTOM = 36.0, 250.0
#: Edits settle this long before the preview is drawn again (a keystroke should not re-render a PDF).
PREVIEW_DELAY_MS = 350
#: Width of the form column in average characters: enough for an address line, not the whole screen.
FORM_WIDTH_CHARS = 64


class ClinicPage(QWidget):
    """The clinic's profile as a form beside a preview of its letterhead; Save and Revert below."""

    message = Signal(str, int)
    #: The profile was saved here (the ClinicProfile now in force).
    saved = Signal(object)

    def __init__(self, services: Services, actor: Callable[[], Principal], parent: QWidget | None = None, *,
                 choose_logo: Callable[[QWidget], str | None] | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._actor = actor
        self._choose_logo = choose_logo or _ask_logo_file
        self._profile = ClinicProfile()
        self._logo: bytes | None = None
        self._saved_logo: bytes | None = None
        self._clean: tuple = ()
        #: The version of the details and logo this page read, sent back with a save (SettingsService.profile_seen).
        self._stamp: str | None = None
        self.fields: dict[str, QWidget] = {}
        self.intro = text_label("", selectable=False, name="muted")
        self.form_error = error_label("formError")
        self.errors = ErrorMap(self.form_error)
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview.setObjectName("letterheadPreview")
        # The picture follows the column's width; it must not widen the page (that would scroll sideways).
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.preview_note = text_label("", selectable=False, name="muted")
        self.logo_thumb = QLabel()
        self.logo_state = text_label("", selectable=False, name="muted")
        self.choose_button = QPushButton("Choose &image…")
        self.remove_button = QPushButton("Re&move logo")
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("primary")
        self.revert_button = QPushButton("Re&vert")
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)

        column = QWidget()
        column.setMaximumWidth(column.fontMetrics().averageCharWidth() * FORM_WIDTH_CHARS)
        form = QVBoxLayout(column)
        form.setContentsMargins(0, 0, 8, 0)
        self._build_fields(form)
        preview_box, preview_layout = section("Letterhead preview")
        preview_layout.addWidget(self.preview)
        preview_layout.addWidget(self.preview_note)
        preview_layout.addStretch(1)
        # The form scrolls; the preview stays in view beside it while the fields below are edited.
        self.scroll = FitScrollArea(column)
        self.scroll.setMaximumWidth(column.maximumWidth() + 24)
        row = QHBoxLayout()
        row.addWidget(self.scroll, 3)
        row.addWidget(preview_box, 4)

        bar = QHBoxLayout()
        bar.addWidget(self.form_error, 1)
        bar.addStretch(0)
        bar.addWidget(self.revert_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(text_label("Clinic", selectable=False, name="pageTitle"))
        layout.addWidget(self.intro)
        layout.addLayout(row, 1)
        layout.addLayout(bar)

        self.save_button.clicked.connect(lambda: self.save())
        shortcuts.FORM_SAVE.make(self, self.save, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.revert_button.clicked.connect(self.revert)
        self.choose_button.clicked.connect(self.choose_logo)
        self.remove_button.clicked.connect(lambda: self.set_logo(None))
        self.refresh()

    # --- building ------------------------------------------------------------------------------------
    def _build_fields(self, form: QVBoxLayout) -> None:
        details, details_layout = section("On every sheet")
        numbers, numbers_layout = section("Numbers printed for emergencies")
        paper, paper_layout = section("Paper, logo and time")
        where = {"emergency_number": numbers_layout, "crisis_number": numbers_layout, "crisis_line": numbers_layout,
                 "paper": paper_layout, "time_zone": paper_layout}
        for spec in PROFILE_FIELDS:
            field = self._editor(spec.name)
            field.setObjectName(spec.name)
            self.fields[spec.name] = field
            target = where.get(spec.name, details_layout)
            self.errors.add(spec.name, add_field(target, spec.label, field), field)
            if spec.hint:
                target.addWidget(text_label(spec.hint, selectable=False, name="muted"))
            if spec.name == "paper":
                self._add_logo_row(paper_layout)
        paper_layout.addWidget(text_label(ZONE_NOTE, selectable=False, name="muted"))
        for box in (details, numbers, paper):
            form.addWidget(box)
        form.addStretch(1)

    def _editor(self, name: str) -> QWidget:
        if name == "address":
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + 12)
            edit.textChanged.connect(self._edited)
            return edit
        if name == "paper":
            combo = QComboBox()
            for size in PaperSize:
                combo.addItem(size.label, size.value)
            combo.currentIndexChanged.connect(self._edited)
            return combo
        if name == "time_zone":
            combo = QComboBox()
            combo.addItem(f"This computer's zone ({self._services.context.zone.key})", "")
            for zone in zone_names():
                combo.addItem(zone, zone)
            combo.setMaxVisibleItems(20)
            combo.currentIndexChanged.connect(self._edited)
            return combo
        edit = QLineEdit()
        edit.textEdited.connect(self._edited)
        edit.returnPressed.connect(lambda: self.save())
        return edit

    def _add_logo_row(self, layout: QVBoxLayout) -> None:
        layout.addSpacing(4)
        layout.addWidget(QLabel("Logo"))
        shown = QHBoxLayout()
        shown.addWidget(self.logo_thumb)
        shown.addWidget(self.logo_state, 1)
        layout.addLayout(shown)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        logo_error = error_label()
        layout.addWidget(logo_error)
        self.errors.add("logo", logo_error, self.choose_button)

    # --- values --------------------------------------------------------------------------------------
    def profile(self) -> ClinicProfile:
        """The profile as typed (unchecked: the service checks it)."""
        values = {}
        for name, field in self.fields.items():
            if isinstance(field, QPlainTextEdit):
                values[name] = field.toPlainText()
            elif isinstance(field, QComboBox):
                values[name] = field.currentData()
            else:
                values[name] = field.text()
        return dataclasses.replace(self._profile, **values)

    def show_profile(self, profile: ClinicProfile, logo: bytes | None) -> None:
        for name in self.fields:
            self._set_field(name, getattr(profile, name))
        self._profile, self._logo, self._saved_logo = profile, logo, logo
        self._show_logo()
        self._clean = snapshot(self)
        self._edited()

    def _set_field(self, name: str, value: str) -> None:
        field = self.fields[name]
        if isinstance(field, QPlainTextEdit):
            field.setPlainText(value)
        elif isinstance(field, QComboBox):
            field.setCurrentIndex(max(field.findData(value), 0))
        else:
            field.setText(value)

    def is_dirty(self) -> bool:
        return snapshot(self) != self._clean or self._logo != self._saved_logo

    # --- the logo ------------------------------------------------------------------------------------
    def choose_logo(self) -> None:
        path = self._choose_logo(self)
        if not path:
            return
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            self.errors.show([ValidationError(f"Cannot read {Path(path).name}: {exc.strerror or exc}.", "logo")])
            return
        self.set_logo(data)

    def set_logo(self, data: bytes | None) -> None:
        """A new logo (checked on preview and on save) or none; nothing is stored until Save."""
        self._logo = data
        self._show_logo()
        self._edited()

    def _show_logo(self) -> None:
        pixmap = QPixmap()
        if self._logo and pixmap.loadFromData(self._logo):
            height = self.fontMetrics().lineSpacing() * 2
            self.logo_thumb.setPixmap(pixmap.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation))
            self.logo_state.setText("Printed at the left of the letterhead.")
        else:
            self.logo_thumb.clear()
            self.logo_state.setText("No logo: sheets print the clinic's name alone." if not self._logo
                                    else "This file is not an image Clinic Desktop can show.")
        self.remove_button.setEnabled(self._logo is not None and self.can_change())

    # --- preview, save, revert -------------------------------------------------------------------------
    def _edited(self) -> None:
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        self._preview_timer.start()

    def update_preview(self) -> None:
        """Draw the letterhead as typed; a field that would be refused is marked instead."""
        self._preview_timer.stop()
        pdf = self.errors.attempt(lambda: self._services.settings.letterhead_preview(
            self._actor(), self.profile(), self._logo))
        if pdf is None:
            self.preview_note.setText("The preview waits until the marked fields are corrected.")
            return
        width = max(self.preview.width(), 320)
        with PdfPages(pdf) as pages:
            scale = width / pages.size(0).width()
            image = pages.image(0, 72.0 * scale * self.devicePixelRatioF())
        ratio = scale * self.devicePixelRatioF()
        top = image.copy(0, int(PREVIEW_TOP * ratio), image.width(), int((PREVIEW_BOTTOM - PREVIEW_TOP) * ratio))
        top.setDevicePixelRatio(self.devicePixelRatioF())
        self.preview.setPixmap(QPixmap.fromImage(top))
        gaps = self.profile().missing()
        self.preview_note.setText(f"Not set yet: {', '.join(gaps)}. Sheets leave out what is not set."
                                  if gaps else f"Printed on {PaperSize(self.profile().paper).label} paper.")

    def save(self) -> bool:
        if not self.can_change() or not self.is_dirty():
            return False
        logo_change = {} if self._logo == self._saved_logo else {"logo": self._logo}
        saved = self.errors.attempt(lambda: self._services.settings.update_profile(
            self._actor(), self.profile(), seen=self._stamp, **logo_change), on_refusal=self._refused)
        if saved is None:
            self.message.emit("Nothing was saved: correct the marked fields.", 8000)
            return False
        self.show_profile(saved, self._logo)
        self._read_stamp()
        self.message.emit("Clinic details saved: sheets printed from now on carry them.", 8000)
        self.saved.emit(saved)
        return True

    def _refused(self, error: ClinicError) -> None:
        """Changed elsewhere since this page read it: the typing stays (the message says who changed what), and
        the version now saved is taken in, so saving again is a choice made knowing it. A logo this user did not
        change becomes the one saved elsewhere, never put back over it."""
        if not isinstance(error, ConcurrentChange):
            return
        try:
            seen = self._services.settings.profile_seen(self._actor())
        except ClinicError:
            return
        typed = self.profile()
        for name in self.fields:  # what this user left alone becomes what was saved elsewhere
            if getattr(typed, name) == getattr(self._profile, name):
                self._set_field(name, getattr(seen.profile, name))
        if self._logo == self._saved_logo:
            self._logo = seen.logo
        self._profile, self._saved_logo, self._stamp = seen.profile, seen.logo, seen.stamp
        self._show_logo()
        self._edited()

    def _read_stamp(self) -> None:
        try:
            self._stamp = self._services.settings.profile_seen(self._actor()).stamp
        except ClinicError as exc:
            self.errors.message(exc.message)

    def revert(self) -> None:
        self.errors.clear()
        self.refresh(keep_edits=False)

    def refresh(self, keep_edits: bool = True) -> None:
        """The profile as stored now (unsaved edits are kept unless `keep_edits` is False)."""
        editable = self.can_change()
        self.intro.setText(EDITABLE_INTRO if editable else READ_ONLY_INTRO)
        for field in (*self.fields.values(), self.choose_button):
            field.setEnabled(editable)
        self.save_button.setVisible(editable)
        self.revert_button.setVisible(editable)
        if keep_edits and self._clean and self.is_dirty():
            return
        try:
            seen = self._services.settings.profile_seen(self._actor())
        except ClinicError as exc:
            self.errors.message(exc.message)
            return
        self.show_profile(seen.profile, seen.logo)
        self._stamp = seen.stamp

    def can_change(self) -> bool:
        return is_allowed(self._actor(), Action.SETTINGS_CHANGE, self._services.context.now())

    def confirm_discard(self) -> bool:
        return not self.is_dirty() or ask_discard(self, "the clinic's details")


def _ask_logo_file(parent: QWidget) -> str | None:
    path, _filter = QFileDialog.getOpenFileName(parent, "Choose the clinic's logo", "", "Images (*.png *.jpg *.jpeg)")
    return path or None
