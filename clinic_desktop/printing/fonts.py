"""Fonts that print every patient's name (O'Brien, Zoë, Nguyễn, 王), and text made safe for ReportLab markup.

Paragraph text is XML-like markup to ReportLab; user text must never be read as markup (CVE-2023-33733 came in
that way). `markup()` escapes every character that means something to the parser and wraps the characters the
main font lacks (Chinese, Japanese, Korean) in the fallback font, so no glyph prints as a box.
"""

from __future__ import annotations

from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from clinic_desktop.resources import resource_path

BODY, BOLD, FALLBACK = "ClinicSans", "ClinicSans-Bold", "ClinicFallback"
_FILES = {BODY: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", FALLBACK: "DroidSansFallbackFull.ttf"}


@lru_cache(maxsize=1)
def register_fonts() -> None:
    """Register the bundled fonts once per process (they are embedded, subset, in every PDF)."""
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
    pdfmetrics.registerFontFamily(BODY, normal=BODY, bold=BOLD, italic=BODY, boldItalic=BOLD)


@lru_cache(maxsize=1)
def _body_chars() -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(BODY).face.charToGlyph)


def covered(ch: str) -> bool:
    """True when the main font has a glyph for this character."""
    return ord(ch) in _body_chars() or ch in "\n\t"


def markup(text: str | None) -> str:
    """User (or template) text as literal Paragraph markup: escaped, line breaks kept, missing glyphs from the
    fallback font. Nothing the text contains can become a tag or an attribute."""
    if not text:
        return ""
    out: list[str] = []
    run: list[str] = []
    in_fallback = False

    def flush() -> None:
        if run:
            chunk = escape("".join(run), {'"': "&quot;", "'": "&#39;"})
            out.append(f'<font name="{FALLBACK}">{chunk}</font>' if in_fallback else chunk)
            run.clear()

    for ch in text:
        if ch == "\t" or (ord(ch) < 32 and ch != "\n"):
            ch = " "  # control characters never print; stored text should not hold them anyway
        if ch == "\n":
            flush()
            out.append("<br/>")
            continue
        needs_fallback = not covered(ch)
        if needs_fallback != in_fallback:
            flush()
            in_fallback = needs_fallback
        run.append(ch)
    flush()
    return "".join(out)
