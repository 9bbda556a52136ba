"""A sheet's pages one under another in a scroll area: fitted to the width or zoomed, each rendered in the
background only while it is in or near the view (the page on show first), and which page is on show."""

from __future__ import annotations

from PySide6.QtCore import QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPaintEvent, QPainter, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from clinic_desktop.ui import ops
from clinic_desktop.ui.paperwork.pdf_pages import POINTS_PER_INCH, render_each

#: Zoom steps, as a fraction of the page's real size on screen.
ZOOM_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
#: Room between pages and around them, in pixels.
GAP = 16


class PageView(QWidget):
    """One page at its display size: its rendered image once it is near the view, white until then."""

    def __init__(self, number: int, count: int) -> None:
        super().__init__()
        self.image: QImage | None = None
        self.rendered_dpi = 0.0
        self.setAccessibleName(f"Page {number} of {count}")

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if self.image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.rect(), self.image)
        painter.setPen(Qt.GlobalColor.darkGray)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))


class PageStack(QScrollArea):
    """PageStack(): empty until `set_pages(pdf, sizes)`; `changed` after the zoom or the page on show changed,
    `pageShown(index)` when a page's image has arrived."""

    changed = Signal()
    pageShown = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pdf = b""
        #: None: the pages fill the width; else the zoom as a fraction of the page's real size.
        self.zoom: float | None = None
        self.page_sizes: list[QSizeF] = []
        self.pages: list[PageView] = []
        #: The resolution each page has been asked for and not yet received, by index.
        self._asked: dict[int, float] = {}
        body = QWidget()
        body.setObjectName("previewBody")
        body.setStyleSheet("QWidget#previewBody { background: #e8eaed; }")
        self._column = QVBoxLayout(body)
        self._column.setContentsMargins(GAP, GAP, GAP, GAP)
        self._column.setSpacing(GAP)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setWidgetResizable(True)
        # Always there, so "fit width" fits the same width whether or not the pages are taller than the view.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setWidget(body)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Page Up/Down and the arrows scroll the pages
        self.setAccessibleName("Pages")
        self.verticalScrollBar().valueChanged.connect(lambda _value: self.show_visible())
        self._relayout_timer = QTimer(self, singleShot=True, interval=80)
        self._relayout_timer.timeout.connect(self.relayout)

    def set_pages(self, pdf: bytes, sizes: list[QSizeF]) -> None:
        """The sheet to show (its page sizes read beforehand, off the GUI thread): blank pages at once, each
        page's picture as it is rendered."""
        self._pdf, self.page_sizes = pdf, list(sizes)
        self.pages = [PageView(i + 1, len(sizes)) for i in range(len(sizes))]
        for page in self.pages:
            self._column.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
        self.relayout()

    # --- zoom ----------------------------------------------------------------------------------------------
    def real_size_scale(self) -> float:
        """Screen pixels per point at 100 %: the page as large as on paper."""
        return self.logicalDpiX() / POINTS_PER_INCH

    def scale(self) -> float:
        """Screen pixels per point now (fit width: the widest page fills the view)."""
        if self.zoom is not None:
            return self.zoom * self.real_size_scale()
        room = self.viewport().width() - 2 * GAP
        widest = max((s.width() for s in self.page_sizes), default=1.0)
        return max(room, 100) / widest

    def effective_zoom(self) -> float:
        return self.scale() / self.real_size_scale()

    def step_zoom(self, direction: int) -> None:
        """The next zoom step up (1) or down (-1) from the zoom on show, fit width included."""
        now = self.effective_zoom()
        if direction > 0:
            self.zoom = next((z for z in ZOOM_STEPS if z > now + 0.01), ZOOM_STEPS[-1])
        else:
            self.zoom = next((z for z in reversed(ZOOM_STEPS) if z < now - 0.01), ZOOM_STEPS[0])
        self.relayout()

    def fit_width(self) -> None:
        self.zoom = None
        self.relayout()

    # --- pages ---------------------------------------------------------------------------------------------
    def relayout(self) -> None:
        """Size every page for the zoom, keep the same place of the same page in view, render what shows."""
        bar = self.verticalScrollBar()
        page = self.pages[self.current_page()] if self.pages else None
        within = (bar.value() - page.y()) / page.height() if page is not None and page.height() > 0 else 0.0
        scale = self.scale()
        for view, size in zip(self.pages, self.page_sizes):
            view.setFixedSize(round(size.width() * scale), round(size.height() * scale))
        # The pages' new positions and the scroll range now, not at the scroll area's next layout pass.
        body = self.widget()
        body.layout().activate()
        body.resize(body.sizeHint().expandedTo(self.viewport().size()))
        if page is not None:
            bar.setValue(page.y() + round(within * page.height()))
        self.show_visible()

    def current_page(self) -> int:
        """The page on show (from 0): the last one whose top is above the upper third of the view."""
        mark = self.verticalScrollBar().value() + self.viewport().height() // 3
        current = 0
        for index, page in enumerate(self.pages):
            if page.y() <= mark:
                current = index
        return current

    def _dpi(self) -> float:
        return self.scale() * POINTS_PER_INCH * self.devicePixelRatioF()

    def _near(self) -> list[int]:
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        return [i for i, page in enumerate(self.pages)
                if page.y() + page.height() >= top - page.height() and page.y() <= bottom + page.height()]

    def show_visible(self) -> None:
        """Ask the worker for the pages in or next to the view at the current size (the page on show first)
        and drop the others' images, so a long record at a large zoom holds only a few pages of pixels. Only
        once the stack is on screen: before, its width (and so the resolution) is not yet its own."""
        dpi, near = self._dpi(), self._near()
        if self.isVisible():
            current = self.current_page()
            stale = sorted((i for i in near if self._wants(i, dpi)), key=lambda i: (i != current, i))
            if stale:
                self._ask(stale, dpi)
        for index, page in enumerate(self.pages):
            if index not in near:
                page.image, page.rendered_dpi = None, 0.0
        self.changed.emit()

    def _wants(self, index: int, dpi: float) -> bool:
        page, asked = self.pages[index], self._asked.get(index)
        has = page.image is not None and abs(page.rendered_dpi - dpi) <= 0.5
        return not has and (asked is None or abs(asked - dpi) > 0.5)

    def _ask(self, indexes: list[int], dpi: float) -> None:
        for index in indexes:
            self._asked[index] = dpi
        pdf = self._pdf
        op: ops.Op = ops.Op(self, lambda: render_each(pdf, indexes, dpi, lambda i, image: op.report(i, dpi, image)))
        op.disable().progress(self._arrived).failure(self._failed).run()

    def _arrived(self, index: int, dpi: float, image: QImage) -> None:
        """A page rendered by the worker: shown if it is still wanted at that size (the zoom may have changed,
        or the page scrolled away, meanwhile)."""
        if self._asked.get(index) == dpi:
            del self._asked[index]
        if index >= len(self.pages) or abs(self._dpi() - dpi) > 0.5 or index not in self._near():
            return
        image.setDevicePixelRatio(self.devicePixelRatioF())
        page = self.pages[index]
        page.image, page.rendered_dpi = image, dpi
        page.update()
        self.pageShown.emit(index)

    def _failed(self, error: BaseException) -> None:
        self._asked.clear()
        ops.report_failure(self.window(), error)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.show_visible()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.zoom is None:
            self._relayout_timer.start()  # once the resizing stops, not at every step of it
