"""Blank signature blocks to sign by hand: who signs, lines with room to write, and date and time lines.

Each block is kept together so a signature never lands on a different page from the name it belongs to.
"""

from __future__ import annotations

from typing import Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Table, TableStyle

from clinic_desktop.printing.layout import TEXT_WIDTH, Styles, para

#: Room to write: a hand-written name needs about 9 mm, a signature more.
LINE_HEIGHT = 28
SIGNATURE_HEIGHT = 38
INK = colors.HexColor("#3c4043")
#: The width inside layout.build_pdf's text frame (a Frame pads 6 pt on each side).
FULL_WIDTH = TEXT_WIDTH - 12


def signature_block(title: str, s: Styles, width: float = FULL_WIDTH, *, note: str = "",
                    lines: Sequence[str] = ("Printed name", "Signature")) -> KeepTogether:
    """`title` over a blank line per label in `lines`, then a Date line and a Time line side by side. `note` is
    a small grey hint under the title."""
    return KeepTogether(signature_parts(title, s, width, note=note, lines=lines))


def signature_parts(title: str, s: Styles, width: float = FULL_WIDTH, *, note: str = "",
                    lines: Sequence[str] = ("Printed name", "Signature")) -> list[Flowable]:
    """The flowables of signature_block(), for placing inside a table cell (see side_by_side)."""
    # Labels keep room for "Printed name" on one line even in a half-width block.
    label_w = max(72.0, min(90.0, width * 0.24))
    time_label_w = 40.0
    rest = width - label_w - time_label_w
    widths = [label_w, rest * 0.55, time_label_w, rest * 0.45]
    rows: list[list[object]] = [[para(label, s.small), "", "", ""] for label in lines]
    rows.append([para("Date", s.small), "", para("Time", s.small), ""])
    heights = [SIGNATURE_HEIGHT if label == "Signature" else LINE_HEIGHT for label in lines] + [LINE_HEIGHT]
    table = Table(rows, colWidths=widths, rowHeights=heights)
    style = [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
             ("RIGHTPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    for row in range(len(lines)):
        style += [("SPAN", (1, row), (3, row)), ("LINEBELOW", (1, row), (3, row), 0.6, INK)]
    last = len(lines)
    style += [("LINEBELOW", (1, last), (1, last), 0.6, INK), ("LINEBELOW", (3, last), (3, last), 0.6, INK),
              ("LEFTPADDING", (2, last), (2, last), 8)]
    table.setStyle(TableStyle(style))
    # Space above, not below: spaceBefore is dropped at the top of a page, and a trailing spacer that does not
    # fit would start an empty page.
    head = [para(title, s.heading.clone("signature-title", spaceBefore=16))]
    if note:
        head.append(para(note, s.small))
    return [*head, table]


def column_width(width: float, count: int, gap: float = 18) -> float:
    """The width to give each of `count` blocks placed side by side in `width`."""
    return (width - gap * (count - 1)) / count


def side_by_side(blocks: Sequence[list[Flowable]], width: float = FULL_WIDTH, gap: float = 18) -> Table:
    """signature_parts() next to each other (e.g. patient and nurse on a one-page sheet), each column_width()
    wide; one table row never splits, so the blocks stay together."""
    inner = column_width(width, len(blocks), gap)
    table = Table([list(blocks)], colWidths=[inner + gap] * (len(blocks) - 1) + [inner])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), gap), ("RIGHTPADDING", (-1, 0), (-1, 0), 0)]))
    return table

