"""A filled text template as flowables: numbered headings, paragraphs, and "•" lines set as a bulleted list."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from clinic_desktop.domain.paperwork import TextTemplate
from clinic_desktop.printing.fonts import markup
from clinic_desktop.printing.layout import Styles, para

#: A template paragraph starting with this prints as a list item (the plain-text file reads the same way).
BULLET = "•"


def bullet_style(s: Styles) -> ParagraphStyle:
    return ParagraphStyle("bullet", parent=s.body, leftIndent=14, bulletIndent=3, spaceAfter=2)


def sections(template: TextTemplate, s: Styles) -> list[Flowable]:
    """Each section's heading (kept with its first paragraph by the heading style) and its paragraphs."""
    item = bullet_style(s)
    after_list = ParagraphStyle("after-list", parent=s.body, spaceBefore=5)
    story: list[Flowable] = []
    for section in template.sections:
        if section.heading:
            story.append(para(section.heading, s.heading))
        in_list = False
        for text in section.paragraphs:
            if text.startswith(BULLET):
                # The bullet glyph is ours, the item text goes through markup() like any other text.
                story.append(Paragraph(markup(text[len(BULLET):].strip()), item, bulletText=BULLET))
                in_list = True
            else:
                story.append(para(text, after_list if in_list else s.body))
                in_list = False
    return story
