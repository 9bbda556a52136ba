"""Printing a sheet's PDF through Qt: each PDF page rendered at the printer's resolution (in the background,
pdf_pages.render_each) and painted onto one printer page, fitted into the page rectangle the printer reports."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.ui.paperwork.pdf_pages import POINTS_PER_INCH, PdfPages

#: Pages are rendered at the printer's resolution up to this: a Letter page at 1200 dpi would be over half a
#: gigabyte of pixels, while 300 dpi is what office laser printers resolve text at.
MAX_PRINT_DPI = 300


class PrintFailed(ClinicError):
    """The printer (or the print-to-file target) refused the job; nothing, or not all of it, was printed."""


def ask_printer(parent: QWidget | None, pdf: bytes, title: str) -> QPrinter | None:
    """The system print dialog, set up for this sheet (its paper size, its pages); None when cancelled."""
    with PdfPages(pdf) as pages:
        count, size = pages.count, pages.size(0)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    # The sheet's own paper (Letter) by default rather than the locale's; full page, since the PDF carries
    # its own margins and would otherwise shrink by the printer's.
    printer.setPageSize(QPageSize(size, QPageSize.Unit.Point))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title}")
    dialog.setMinMax(1, count)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage, True)
    return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


def pages_to_print(printer: QPrinter, count: int, current_page: int) -> range:
    """The 0-based page indexes the printer asks for: all, a from-to range (clamped), or the page on show."""
    mode = printer.printRange()
    if mode is QPrinter.PrintRange.CurrentPage:
        return range(current_page, current_page + 1)
    if mode is QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = min(max(printer.fromPage(), 1), count)
        last = min(max(printer.toPage() or count, first), count)
        return range(first - 1, last)
    return range(count)


def fitted(page_points: QSizeF, printer: QPrinter, dpi: float) -> QRectF:
    """Where one PDF page goes in the painter's coordinates: its natural size at the printer's resolution,
    shrunk (never enlarged) to fit the page rectangle and centred in it."""
    page = printer.pageRect(QPrinter.Unit.DevicePixel)
    # Without full-page mode the painter's origin is the page rectangle's corner, not the paper's.
    area = page if printer.fullPage() else QRectF(0, 0, page.width(), page.height())
    natural = QSizeF(page_points.width() * dpi / POINTS_PER_INCH, page_points.height() * dpi / POINTS_PER_INCH)
    scale = min(1.0, area.width() / natural.width(), area.height() / natural.height())
    width, height = natural.width() * scale, natural.height() * scale
    return QRectF(area.x() + (area.width() - width) / 2, area.y() + (area.height() - height) / 2, width, height)


class PrinterPages:
    """One print job, painted page by page on the GUI thread (where Qt paints a printer) as the worker hands
    over each rendered page: `add(index, image)` for each, then `finish()` (or `abort()`)."""

    def __init__(self, printer: QPrinter, sizes: list[QSizeF], expected: int) -> None:
        self.printer = printer
        self._sizes = sizes
        self._expected = expected
        self._count = 0
        self._painter = QPainter()
        if not self._painter.begin(printer):
            raise PrintFailed(f"The printer could not start the job{_where(printer)}.")
        self._painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self._failed: PrintFailed | None = None

    def add(self, index: int, image: QImage) -> None:
        if self._failed is not None:
            return
        if self._count and not self.printer.newPage():
            self._failed = PrintFailed(f"The printer stopped after {self._count} of {self._expected} pages"
                                       f"{_where(self.printer)}.")
            return
        self._painter.drawImage(fitted(self._sizes[index], self.printer, self.printer.resolution()), image)
        self._count += 1

    def finish(self) -> int:
        """End the job; the number of pages printed (PrintFailed when the printer refused)."""
        if self._painter.isActive():
            self._painter.end()
        if self._failed is not None:
            raise self._failed
        if self.printer.printerState() is QPrinter.PrinterState.Error:
            raise PrintFailed(f"The printer reported an error{_where(self.printer)}.")
        return self._count

    def abort(self) -> None:
        """The pages could not be rendered: nothing half-done goes to the printer."""
        if self._painter.isActive():
            self.printer.abort()
            self._painter.end()


def destination(printer: QPrinter) -> str:
    """What the print record says: "printer: HP LaserJet", or "PDF file: consent.pdf" for a print to file."""
    if printer.outputFormat() is QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
        return f"PDF file: {Path(printer.outputFileName()).name}"
    return f"printer: {printer.printerName() or 'system default'}"


def _where(printer: QPrinter) -> str:
    target = printer.outputFileName() if printer.outputFormat() is QPrinter.OutputFormat.PdfFormat \
        else printer.printerName()
    return f" ({target})" if target else ""
