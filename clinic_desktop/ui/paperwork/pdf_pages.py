"""A sheet's PDF turned into page images with PDFium (pypdfium2): Qt's own PDF module ships in a separate
PySide6 wheel, while PDFium renders exactly what a printer or a PDF reader shows, at any resolution.

Pages are rendered on the background worker (a QImage may be made off the GUI thread; a QPixmap may not).
PDFium itself is not thread-safe, so every call into it holds one lock, whichever thread makes it."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Callable, Iterable

from PySide6.QtCore import QSizeF
from PySide6.QtGui import QImage

from clinic_desktop.domain.errors import ClinicError

#: PDF user space: 72 units per inch.
POINTS_PER_INCH = 72.0
#: PDFium's pixel layouts (bitmap.mode) as QImage formats, for little-endian machines (every platform this
#: application ships for): PDFium's "BGRX" bytes B, G, R, x are QImage's RGB32 word 0xffRRGGBB in memory.
QIMAGE_FORMATS = {"BGRX": QImage.Format.Format_RGB32, "BGRA": QImage.Format.Format_ARGB32,
                  "BGR": QImage.Format.Format_BGR888, "L": QImage.Format.Format_Grayscale8}


#: Held around every PDFium call: the library keeps global state and must not be entered from two threads.
_PDFIUM = threading.RLock()


class UnreadablePdf(ClinicError):
    """The bytes are not a PDF PDFium can open (a sheet is always built by the application, so this is a fault)."""


class PdfPages:
    """An open PDF, used as a context manager: `count`, each page's size in points, and a page as a QImage.

    PDFium keeps native memory per document and page, so both are closed as soon as they are done with."""

    def __init__(self, pdf: bytes) -> None:
        # Loaded on the first preview or print rather than when the window opens.
        import pypdfium2 as pdfium

        try:
            with _PDFIUM:
                self._doc = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise UnreadablePdf(f"The sheet cannot be shown: its PDF is damaged ({exc}).") from exc

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with _PDFIUM:
            self._doc.close()

    @property
    def count(self) -> int:
        with _PDFIUM:
            return len(self._doc)

    def size(self, index: int) -> QSizeF:
        """The page's width and height in points (1/72 inch)."""
        with _PDFIUM:
            page = self._doc[index]
            try:
                width, height = page.get_size()
            finally:
                page.close()
        return QSizeF(width, height)

    def sizes(self) -> list[QSizeF]:
        return [self.size(i) for i in range(self.count)]

    def image(self, index: int, dpi: float) -> QImage:
        """Page `index` (from 0) rendered at `dpi` dots per inch on white, as an RGB32 image of its own."""
        with _PDFIUM:
            return self._image(index, dpi)

    def _image(self, index: int, dpi: float) -> QImage:
        page = self._doc[index]
        try:
            # Four bytes a pixel on opaque white: RGB32, the format Qt paints fastest.
            bitmap = page.render(scale=dpi / POINTS_PER_INCH, prefer_bgrx=True, fill_color=(255, 255, 255, 255))
            try:
                view = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QIMAGE_FORMATS[bitmap.mode])
                # The QImage above only borrows PDFium's buffer: copy before the bitmap is freed.
                return view.copy()
            finally:
                bitmap.close()
        finally:
            page.close()


def page_count(pdf: bytes) -> int:
    with PdfPages(pdf) as pages:
        return pages.count


def render_pages(pdf: bytes, dpi: float) -> list[QImage]:
    """Every page of `pdf` at `dpi`, in order."""
    with PdfPages(pdf) as pages:
        return [pages.image(i, dpi) for i in range(pages.count)]


def page_sizes(pdf: bytes) -> list[QSizeF]:
    """Each page's size in points, in order."""
    with PdfPages(pdf) as pages:
        return pages.sizes()


def render_each(pdf: bytes, indexes: Iterable[int], dpi: float, report: Callable[[int, QImage], None]) -> None:
    """Render the pages `indexes` at `dpi` one at a time, handing each to `report(index, image)` as it is done
    (from the worker: the first page reaches the screen or the printer while the next is rendered)."""
    with PdfPages(pdf) as pages:
        for index in indexes:
            report(index, pages.image(index, dpi))
