"""A sheet's PDF turned into page images with PDFium (pypdfium2): Qt's own PDF module ships in a separate
PySide6 wheel, while PDFium renders exactly what a printer or a PDF reader shows, at any resolution."""

from __future__ import annotations

from types import TracebackType

from PySide6.QtCore import QSizeF
from PySide6.QtGui import QImage

from clinic_desktop.domain.errors import ClinicError

#: PDF user space: 72 units per inch.
POINTS_PER_INCH = 72.0
#: PDFium's pixel layouts (bitmap.mode) as QImage formats, for little-endian machines (every platform this
#: application ships for): PDFium's "BGRX" bytes B, G, R, x are QImage's RGB32 word 0xffRRGGBB in memory.
QIMAGE_FORMATS = {"BGRX": QImage.Format.Format_RGB32, "BGRA": QImage.Format.Format_ARGB32,
                  "BGR": QImage.Format.Format_BGR888, "L": QImage.Format.Format_Grayscale8}


class UnreadablePdf(ClinicError):
    """The bytes are not a PDF PDFium can open (a sheet is always built by the application, so this is a fault)."""


class PdfPages:
    """An open PDF, used as a context manager: `count`, each page's size in points, and a page as a QImage.

    PDFium keeps native memory per document and page, so both are closed as soon as they are done with."""

    def __init__(self, pdf: bytes) -> None:
        # Loaded on the first preview or print rather than when the window opens.
        import pypdfium2 as pdfium

        try:
            self._doc = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise UnreadablePdf(f"The sheet cannot be shown: its PDF is damaged ({exc}).") from exc

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._doc.close()

    @property
    def count(self) -> int:
        return len(self._doc)

    def size(self, index: int) -> QSizeF:
        """The page's width and height in points (1/72 inch)."""
        page = self._doc[index]
        try:
            width, height = page.get_size()
        finally:
            page.close()
        return QSizeF(width, height)

    def image(self, index: int, dpi: float) -> QImage:
        """Page `index` (from 0) rendered at `dpi` dots per inch on white, as an RGB32 image of its own."""
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
