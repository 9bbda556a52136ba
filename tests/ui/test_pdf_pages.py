"""PDF pages as images (PDFium), and how a print job maps PDF pages onto printer pages."""

from __future__ import annotations

import io

import pytest
from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from clinic_desktop.ui.paperwork.pdf_pages import PdfPages, UnreadablePdf, page_count, render_pages
from clinic_desktop.ui.paperwork.print_job import fitted, pages_to_print


def letter_pdf(pages: int) -> bytes:
    """`pages` Letter pages, each with a red bar at its top left, 1 in from the left and 1.5 in from the top."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=LETTER)
    for n in range(1, pages + 1):
        c.setFillColorRGB(1, 0, 0)
        c.rect(72, 792 - 144, 216, 36, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.drawString(72, 400, f"Page {n}")
        c.showPage()
    c.save()
    return buffer.getvalue()


def test_each_page_renders_to_an_image_of_its_size_at_the_resolution():
    """Two Letter pages at 72 dpi are 612 × 792 pixels, at 144 dpi twice that; white paper, red ink where drawn
    red (PDFium's byte order read the right way round)."""
    pdf = letter_pdf(2)
    assert page_count(pdf) == 2
    images = render_pages(pdf, 72)
    assert [(i.width(), i.height()) for i in images] == [(612, 792), (612, 792)]
    sharp = render_pages(pdf, 144)[0]
    assert (sharp.width(), sharp.height()) == (1224, 1584)
    assert sharp.format() is QImage.Format.Format_RGB32
    assert sharp.pixelColor(10, 10) == QColor("white")
    assert sharp.pixelColor(2 * 150, 2 * 126) == QColor("red")  # inside the bar, 1.75 in from the top


def test_page_sizes_are_in_points_and_a_damaged_pdf_says_so():
    """The page size reads in points (1/72 in); bytes that are not a PDF raise an error a person can read."""
    with PdfPages(letter_pdf(1)) as pages:
        assert pages.count == 1 and pages.size(0) == QSizeF(612, 792)
    with pytest.raises(UnreadablePdf, match="damaged"):
        PdfPages(b"%PDF-1.4 this is not really a PDF")


def _printer(*, paper: QPageSize.PageSizeId = QPageSize.PageSizeId.Letter, full_page: bool = True) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(paper))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(full_page)
    return printer


def test_pages_to_print_follow_the_printers_range():
    """All pages by default; a from-to range, clamped to the sheet; the page on show for "current page"."""
    printer = _printer()
    assert pages_to_print(printer, 4, 0) == range(4)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert pages_to_print(printer, 4, 0) == range(1, 3)
    printer.setFromTo(3, 9)
    assert pages_to_print(printer, 4, 0) == range(2, 4)
    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
    assert pages_to_print(printer, 4, 2) == range(2, 3)


def test_a_letter_page_prints_at_its_real_size_and_shrinks_to_fit_smaller_paper():
    """Letter on Letter, full page: 1:1 at the printer's resolution. On Legal it keeps its size (never enlarged),
    centred; on A4 (narrower) it shrinks to the width; with margins it fits inside them."""
    letter = QSizeF(612, 792)
    printer = _printer()
    dpi = printer.resolution()
    assert fitted(letter, printer, dpi) == QRectF(0, 0, 8.5 * dpi, 11 * dpi)
    legal = fitted(letter, _printer(paper=QPageSize.PageSizeId.Legal), dpi)
    assert (legal.width(), legal.height()) == (8.5 * dpi, 11 * dpi) and legal.y() == 1.5 * dpi
    a4 = _printer(paper=QPageSize.PageSizeId.A4)
    paper = a4.pageRect(QPrinter.Unit.DevicePixel)
    target = fitted(letter, a4, dpi)
    assert target.width() == pytest.approx(paper.width())
    assert target.height() < paper.height() and target.center().y() == pytest.approx(paper.center().y())
    margins = _printer(full_page=False)
    inner = margins.pageRect(QPrinter.Unit.DevicePixel)
    assert inner.width() < 8.5 * dpi  # the printer keeps margins
    target = fitted(letter, margins, dpi)
    assert target.x() >= 0 and target.y() >= 0  # the painter's origin is the page rectangle's corner
    assert target.right() <= inner.width() + 0.5 and target.bottom() <= inner.height() + 0.5
