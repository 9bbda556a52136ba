"""The page every sheet shares: letterhead, patient identifiers, and a footer with the template version and
"page k of n" on every page; paragraph styles sized for reading, not for squeezing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Sequence

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from clinic_desktop.domain.paperwork import ClinicLetterhead, PatientIdent
from clinic_desktop.printing.fonts import BODY, BOLD, markup, register_fonts
from clinic_desktop.printing.logo import logo_image

MARGIN = 18 * mm
GREY = colors.HexColor("#5f6368")
#: The paper sizes a clinic chooses from (clinic_profile.PaperSize values), width and height in points.
PAPER = {"letter": LETTER, "a4": A4}
#: The text is laid out this wide on every paper, centred: Letter gets MARGIN at each side and A4, 17 pt
#: narrower, 15 mm (well inside what office printers reach), so one layout serves both.
TEXT_WIDTH = LETTER[0] - 2 * MARGIN


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    right: ParagraphStyle


def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle("body", fontName=BODY, fontSize=10, leading=13.5, spaceAfter=4)
    return Styles(
        title=ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=6),
        heading=ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=8,
                               spaceAfter=3, keepWithNext=True),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=GREY),
        cell=ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5, spaceAfter=0),
        right=ParagraphStyle("right", parent=body, alignment=TA_RIGHT, fontSize=9, leading=12),
    )


def para(text: str | None, style: ParagraphStyle) -> Paragraph:
    """A paragraph of literal text (see fonts.markup): never interpreted as markup."""
    return Paragraph(markup(text), style)


def letterhead(clinic: ClinicLetterhead, patient: PatientIdent | None, s: Styles) -> Table:
    """The logo (if any), clinic name, address and contacts on the left; the patient's identifiers on the right."""
    left = [para(clinic.name, s.title)]
    if clinic.address:
        left.append(para(clinic.address, s.small))
    contacts = [f"Phone {clinic.phone}" if clinic.phone else "", clinic.email]
    if any(contacts):  # an unset phone prints nothing rather than a dangling "Phone"
        left.append(para(" · ".join(c for c in contacts if c), s.small))
    right = []
    if patient is not None:
        right = [para(patient.name, ParagraphStyle("pname", parent=s.right, fontName=BOLD, fontSize=11)),
                 para(f"Date of birth {patient.date_of_birth.isoformat()}", s.right),
                 para(f"MRN {patient.mrn}", s.right)]
    logo = logo_image(clinic.logo)
    if logo is None:
        table = Table([[left, right]], colWidths=[TEXT_WIDTH * 0.58, TEXT_WIDTH * 0.42])
    else:
        gap = 4 * mm
        table = Table([[logo, left, right]], colWidths=[logo.drawWidth + gap, TEXT_WIDTH * 0.58 - logo.drawWidth - gap,
                                                        TEXT_WIDTH * 0.42])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 0.8, GREY),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 6), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def grid(rows: Sequence[Sequence[object]], widths: Sequence[object], s: Styles, header: bool = True) -> Table:
    """A table of literal text that splits across pages and repeats its header row."""
    data = [[c if isinstance(c, Flowable) else para("" if c is None else str(c), s.cell) for c in row]
            for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bdc1c6")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eaed")))
    table.setStyle(TableStyle(style))
    return table


def build_pdf(story: list[Flowable], *, title: str, footer: str, paper: str = "letter") -> bytes:
    """Lay the story out on the clinic's paper (TEXT_WIDTH wide, centred); every page's footer says `footer` and
    "Page k of n". `title` is the PDF's title as file managers show it: the sheet and MRN, never a name."""
    register_fonts()
    buffer = io.BytesIO()
    page_width, _page_height = PAPER[paper]
    side = (page_width - TEXT_WIDTH) / 2
    doc = BaseDocTemplate(buffer, pagesize=PAPER[paper], leftMargin=side, rightMargin=side, topMargin=MARGIN,
                          bottomMargin=MARGIN + 6 * mm, title=title, author="clinic_desktop")
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=_numbered_canvas(footer, side))
    return buffer.getvalue()


def _numbered_canvas(footer: str, side: float) -> type:
    class NumberedCanvas(pdfcanvas.Canvas):
        """Holds pages until the end, so each can say how many there are in all."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:  # ReportLab's Canvas arguments
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(BODY, 8)
                self.setFillColor(GREY)
                width, _height = self._pagesize
                self.drawString(side, MARGIN - 2 * mm, footer)
                self.drawRightString(width - side, MARGIN - 2 * mm, f"Page {number} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas
