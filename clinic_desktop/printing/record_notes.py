"""The infusion record's monitoring notes and adverse events: notes of any length, in a table that flows from
page to page.

A table row cannot be taller than a page, and ReportLab's own in-row splitting repeats the header in mid-page,
so a long note is cut into parts of a few lines, one row each, with no rule between them: it reads as one cell.
"""

from __future__ import annotations

from typing import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Flowable, Table, TableStyle

from clinic_desktop.domain.enums import NoteKind
from clinic_desktop.domain.monitoring import describe_note
from clinic_desktop.domain.session_records import NoteEntry
from clinic_desktop.printing import formats
from clinic_desktop.printing.layout import Styles, para

#: Characters of a note per table row: about seven lines, so a page break leaves little of a page empty.
NOTE_PART = 420
#: Room a heading needs below it for a couple of rows; with less, it goes to the next page with them.
HEADING_WITH_ROWS = 90
RULE, HEADER_FILL = colors.HexColor("#bdc1c6"), colors.HexColor("#e8eaed")


def notes_section(notes: Sequence[NoteEntry], zone: str, width: float, s: Styles) -> list[Flowable]:
    """"Monitoring notes" (time, kind, the note in words, who) and "Adverse events" (or "None recorded")."""
    notes = sorted(notes, key=lambda n: n.noted_at)
    # Not kept with the whole table (ReportLab would move all of it to a new page), only with its first rows.
    story: list[Flowable] = [CondPageBreak(HEADING_WITH_ROWS),
                             para("Monitoring notes", ParagraphStyle("notes", parent=s.heading, keepWithNext=0))]
    story.append(notes_table(notes, zone, width, s) if notes else para("No monitoring notes were recorded.", s.body))
    story.append(para("Adverse events", s.heading))
    events = [n for n in notes if n.kind is NoteKind.ADVERSE_EVENT]
    if not events:
        return story + [para("None recorded.", s.body)]
    for n in events:
        story.append(para(f"{formats.local(n.noted_at, zone)} — {describe_note(n)} (recorded by {n.recorded_by})",
                          s.body))
    return story


def notes_table(notes: Sequence[NoteEntry], zone: str, width: float, s: Styles) -> Table:
    rows: list[list[object]] = [[para(h, s.cell) for h in ("Time", "Kind", "Note", "Recorded by")]]
    style = [("BOX", (0, 0), (-1, -1), 0.4, RULE), ("LINEBEFORE", (1, 0), (-1, -1), 0.4, RULE),
             ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL), ("LINEBELOW", (0, 0), (-1, 0), 0.4, RULE),
             ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 2),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    for n in notes:
        parts = chunks(describe_note(n))
        for k, part in enumerate(parts):
            first = k == 0
            rows.append([para(formats.local_clock(n.noted_at, zone) if first else "", s.cell),
                         para(n.kind.label if first else "", s.cell), para(part, s.cell),
                         para(n.recorded_by if first else "", s.cell)])
            if k < len(parts) - 1:  # parts of one note sit close, like the lines of one paragraph
                style += [("BOTTOMPADDING", (0, len(rows) - 1), (-1, len(rows) - 1), 0),
                          ("TOPPADDING", (0, len(rows)), (-1, len(rows)), 0)]
        style.append(("LINEBELOW", (0, len(rows) - 1), (-1, len(rows) - 1), 0.4, RULE))  # rule after each note
    table = Table(rows, colWidths=[42, 84, width - 216, 90], repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def chunks(text: str, limit: int = NOTE_PART) -> list[str]:
    """Text cut into parts of at most `limit` characters, at line ends or else at spaces (a word longer than
    half the limit is cut where it must be); nothing is lost or reordered."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            parts, current = _add(parts, current, line[:cut].rstrip(), limit)
            line = line[cut:].lstrip()
        parts, current = _add(parts, current, line, limit)
    return [*parts, current] if current or not parts else parts


def _add(parts: list[str], current: str, line: str, limit: int) -> tuple[list[str], str]:
    joined = f"{current}\n{line}" if current else line
    if len(joined) <= limit or not current:
        return parts, joined
    return [*parts, current], line
