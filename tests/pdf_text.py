"""Reading printed sheets back in tests: each page's extracted text, and text with line wrapping undone."""

from __future__ import annotations

import io

import pypdf


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Whitespace-normalised text, so words wrapped onto the next line still match."""
    return " ".join(text.split())


def body(pages: list[str], footer_starts: tuple[str, ...]) -> str:
    """All pages' text without their footer lines, so a paragraph that runs onto the next page reads whole."""
    return flat("\n".join(line for page in pages for line in page.splitlines()
                          if not line.startswith((*footer_starts, "Page "))))


def assert_template_printed_in_order(template, text: str) -> None:
    """The whole filled template is in `text`: title, then every heading in order with its paragraphs, and no
    placeholder left unfilled."""
    assert template.title in text
    position = 0
    for section in template.sections:
        position = text.index(flat(section.heading), position)
        for paragraph in section.paragraphs:
            assert flat(paragraph.removeprefix("•")) in text
    assert "{" not in text
