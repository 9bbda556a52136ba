"""The preview of a printed sheet: its pages as they will print, zoomable, then printed through the system's
print dialog or saved as a PDF file; each print or save is reported to the caller, who records it."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings, QSize, QStandardPaths, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.paperwork import PrintedSheet
from clinic_desktop.services.user_files import write_output
from clinic_desktop.ui import ops
from clinic_desktop.ui.paperwork.page_stack import ZOOM_STEPS, PageStack
from clinic_desktop.ui.paperwork.pdf_pages import page_sizes, render_each
from clinic_desktop.ui.paperwork.print_job import (
    MAX_PRINT_DPI,
    PrinterPages,
    ask_printer,
    destination,
    pages_to_print,
)
from clinic_desktop.ui.shortcuts import FIT_WIDTH, PREVIEW_PRINT, PREVIEW_SAVE, ZOOM_IN, ZOOM_OUT, Shortcut
from clinic_desktop.ui.widgets import error_label, set_error, text_label

#: Where the last folder a sheet was saved to is remembered.
SAVE_DIR_KEY = "paperwork/save_dir"
#: The heading while the sheet is rendered in the background.
PREPARING = "Preparing the sheet…"


def _prepared(sheet: PrintedSheet) -> tuple[PrintedSheet, list]:
    """On the worker: the rendered sheet with its pages' sizes, so the preview can lay out every page at once."""
    return sheet, page_sizes(sheet.pdf)


class PreviewDialog(QDialog):
    """PreviewDialog(sheet, on_printed): `on_printed("printer: …" | "PDF file: …")` runs after each successful
    print or save. `choose_file(suggested_name) -> path or ""` and `choose_printer(pdf, title) -> QPrinter or
    None` replace the system dialogs (tests drive the preview through them).

    With `sheet=None` the preview opens at once, "Preparing…", and `prepare(make)` renders the sheet in the
    background; its pages appear as each is rendered."""

    def __init__(self, sheet: PrintedSheet | None, on_printed: Callable[[str], None],
                 parent: QWidget | None = None, *, choose_file: Callable[[str], str] | None = None,
                 choose_printer: Callable[[bytes, str], QPrinter | None] | None = None) -> None:
        super().__init__(parent)
        self.sheet: PrintedSheet | None = None
        self._on_printed = on_printed
        self._choose_file = choose_file or self._ask_file
        self._choose_printer = choose_printer or (lambda pdf, title: ask_printer(self, pdf, title))
        #: The destinations printed or saved to while the preview was open, in order.
        self.printed: list[str] = []
        self._printing: PrinterPages | None = None
        self.stack = PageStack()
        self.setWindowTitle("Preview · preparing the sheet")
        layout = QVBoxLayout(self)
        self.title = text_label(PREPARING, name="pageTitle")
        self.facts = text_label("", name="muted")
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        #: Said before anything is printed: a patient would otherwise take home a sheet without the clinic's number.
        self.gaps = text_label("", name="formError")
        self.gaps.setVisible(False)
        layout.addWidget(self.gaps)
        layout.addLayout(self._zoom_bar())
        layout.addWidget(self.stack, 1)
        self.stack.changed.connect(self._show_place)
        self.error = error_label("formError")
        self.status = text_label("", name="muted")
        self.status.setVisible(False)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(self._buttons())
        self._set_ready(False)
        # As tall as the screen allows (pages are tall), wide enough to read a page at about its real size.
        room = self._screen_room()
        self.resize(min(self.fontMetrics().averageCharWidth() * 110, room.width()), room.height())
        if sheet is not None:
            self.prepare(lambda: sheet)

    # --- preparing ---------------------------------------------------------------------------------------
    def prepare(self, make: Callable[[], PrintedSheet],
                failed: Callable[[BaseException], None] | None = None) -> None:
        """Render the sheet with `make()` and read its pages in the background, then show it; `failed(error)`
        instead of the default failure handling when it cannot be made (a refusal, a damaged PDF)."""
        op = ops.Op(self, lambda: _prepared(make())).disable().success(self._show_sheet)
        if failed is not None:
            op.failure(failed)
        op.run()

    def _show_sheet(self, prepared: tuple[PrintedSheet, list]) -> None:
        sheet, sizes = prepared
        self.sheet = sheet
        self.setWindowTitle(f"Preview · {sheet.title}")
        self.title.setText(sheet.title)
        facts = [sheet.kind.label]
        if sheet.template_version:
            facts.append(f"template version {sheet.template_version}")
        facts.append(f"{len(sizes)} page{'s' if len(sizes) != 1 else ''}")
        self.facts.setText(" · ".join(facts))
        if sheet.gaps:
            self.gaps.setText(f"Not on this sheet yet: {'; '.join(sheet.gaps)}. An administrator or physician "
                              "sets them under Administration > Clinic.")
        self.gaps.setVisible(bool(sheet.gaps))
        self.stack.set_pages(sheet.pdf, sizes)
        self._set_ready(True)

    def _set_ready(self, ready: bool) -> None:
        for widget in (self.print_button, self.save_button, self.zoom_in, self.zoom_out, self.fit_button):
            widget.setEnabled(ready)
        if ready:
            self._show_place()

    # --- layout ----------------------------------------------------------------------------------------
    def _zoom_bar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.zoom_out = self._tool("Zoom out", ZOOM_OUT, lambda: self.stack.step_zoom(-1))
        self.zoom_label = text_label("", wrap=False, selectable=False)
        self.zoom_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("300 %") + 16)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in = self._tool("Zoom in", ZOOM_IN, lambda: self.stack.step_zoom(1))
        self.fit_button = self._tool("Fit width", FIT_WIDTH, self.stack.fit_width)
        for widget in (self.zoom_out, self.zoom_label, self.zoom_in, self.fit_button):
            row.addWidget(widget)
        row.addStretch(1)
        self.page_label = text_label("", wrap=False, selectable=False)
        self.page_label.setAccessibleName("Page on show")
        row.addWidget(self.page_label)
        return row

    def _tool(self, text: str, keys: Shortcut, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)
        button.setToolTip(f"{text} ({keys.text()})")
        button.clicked.connect(lambda _checked=False: slot())
        keys.make(self, slot)
        return button

    def _buttons(self) -> QDialogButtonBox:
        box = QDialogButtonBox()
        self.print_button = box.addButton("&Print…", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = box.addButton("&Save as PDF…", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = box.addButton(QDialogButtonBox.StandardButton.Close)
        for button, keys in ((self.print_button, PREVIEW_PRINT), (self.save_button, PREVIEW_SAVE)):
            button.setToolTip(keys.text())
            keys.make(self, button.click)
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_sheet)
        self.save_button.clicked.connect(self.save_pdf)
        box.rejected.connect(self.reject)
        return box

    def _screen_room(self) -> QSize:
        screen = self.screen()
        room = screen.availableGeometry().size() if screen is not None else QSize(1280, 900)
        return QSize(int(room.width() * 0.9), int(room.height() * 0.9))

    # --- zoom and place ------------------------------------------------------------------------------------
    def _show_place(self) -> None:
        if self.sheet is None:
            return
        zoom = self.stack.effective_zoom()
        self.zoom_label.setText(f"{round(zoom * 100)} %")
        self.zoom_label.setToolTip("The page fills the width" if self.stack.zoom is None else "Of the page's real size")
        self.zoom_in.setEnabled(zoom < ZOOM_STEPS[-1] - 0.01)
        self.zoom_out.setEnabled(zoom > ZOOM_STEPS[0] + 0.01)
        self.page_label.setText(f"Page {self.stack.current_page() + 1} of {len(self.stack.pages)}")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.stack.relayout()  # the view has its real width only now
        self.stack.setFocus()

    def done(self, result: int) -> None:
        if self._printing is not None:  # the printer's job is half painted: it finishes first
            self._say("", "Printing: the preview closes once the pages are sent.")
            return
        super().done(result)

    # --- printing and saving -------------------------------------------------------------------------------
    def print_sheet(self) -> str | None:
        """The system print dialog, then the pages to the chosen printer: each rendered in the background at
        the printer's resolution and painted onto the printer here (Qt paints a printer on the GUI thread).
        Returns the destination when printed by the time it returns (operations run inline), else None."""
        sheet = self.sheet
        if sheet is None or self._printing is not None:
            return None
        self._say("", "")
        # The queue shows the job to anyone near the printer: sheet and MRN, never the patient's name.
        printer = self._choose_printer(sheet.pdf, sheet.job_name)
        if printer is None:
            return None
        wanted = pages_to_print(printer, len(self.stack.page_sizes), self.stack.current_page())
        try:
            job = PrinterPages(printer, self.stack.page_sizes, len(wanted))
        except ClinicError as exc:
            self._say(exc.message, "")
            return None
        self._printing = job
        self._say("", f"Printing {len(wanted)} page{'s' if len(wanted) != 1 else ''}…")
        before = len(self.printed)
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        pdf = sheet.pdf
        op: ops.Op = ops.Op(self, lambda: render_each(pdf, wanted, dpi, op.report))
        op.disable(self.print_button, self.save_button).progress(job.add) \
            .success(lambda _none: self._printed(job)).failure(lambda error: self._print_failed(job, error)).run()
        return self.printed[-1] if len(self.printed) > before else None

    def _printed(self, job: PrinterPages) -> None:
        self._printing = None
        try:
            count = job.finish()
        except ClinicError as exc:
            self._say(exc.message, "")
            return
        where = destination(job.printer)
        self._done(where, f"Sent {count} page{'s' if count != 1 else ''} to the {where.replace(': ', ' ', 1)}.")

    def _print_failed(self, job: PrinterPages, error: BaseException) -> None:
        self._printing = None
        job.abort()
        if isinstance(error, ClinicError):
            self._say(error.message, "")
        else:
            self._say("", "")
            ops.report_failure(self, error)

    def save_pdf(self) -> str | None:
        """Ask where, write the sheet's PDF there exactly; the destination, or None (cancelled or failed)."""
        if self.sheet is None:
            return None
        self._say("", "")
        path = self._choose_file(self.sheet.suggested_filename)
        if not path:
            return None
        target = Path(path)
        # The dialog asked before replacing the name chosen; a ".pdf" added here is a name it never saw.
        confirmed = bool(target.suffix)
        if not target.suffix:
            target = target.with_suffix(".pdf")
        try:
            write_output(target, self.sheet.pdf, replace=confirmed)
        except ClinicError as exc:
            self._say(exc.message, "")
            return None
        QSettings().setValue(SAVE_DIR_KEY, str(target.parent))
        return self._done(f"PDF file: {target.name}", f"Saved as {target.name} in {target.parent}.")

    def _done(self, where: str, words: str) -> str | None:
        self.printed.append(where)
        try:
            self._on_printed(where)
        except ClinicError as exc:
            self._say(f"{words} The print was not recorded: {exc.message}", "")
            return where
        self._say("", words)
        return where

    def _say(self, error: str, status: str) -> None:
        set_error(self.error, error)
        self.status.setText(status)
        self.status.setVisible(bool(status))

    def _ask_file(self, suggested: str) -> str:
        folder = QSettings().value(SAVE_DIR_KEY) or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(self, "Save as PDF", str(Path(folder) / suggested),
                                                    "PDF files (*.pdf)")
        return path

    @classmethod
    def show_sheet(cls, sheet: PrintedSheet, on_printed: Callable[[str], None],
                   parent: QWidget | None = None) -> list[str]:
        """Show the preview of a sheet already rendered until closed (its pages are drawn in the background);
        where the sheet was printed or saved meanwhile."""
        dialog = cls(sheet, on_printed, parent)
        dialog.exec()
        return dialog.printed
