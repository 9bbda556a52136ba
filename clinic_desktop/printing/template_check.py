"""The checks a new sheet text must pass before it is stored: what the parser tolerates in a shipped file is
refused here with the line and the problem, so nothing odd ever reaches paper."""

from __future__ import annotations

import re

from clinic_desktop.domain.paperwork import TextTemplate
from clinic_desktop.domain.sheet_texts import is_consent
from clinic_desktop.printing.placeholders import CONSENT_ONLY, PLACEHOLDERS
from clinic_desktop.printing.templates import HEADING, SEPARATOR, TemplateError, parse, split

#: About ten times the longest shipped text: a file far longer is not a sheet's text.
MAX_TEXT_LENGTH = 100_000
#: The only header line the format has.
HEADER_KEYS = ("title",)
#: Control characters (tab excepted) and bidirectional overrides print as nothing or reorder the words.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")


def checked(kind: str, version: str, text: str) -> TextTemplate:
    """The parsed text, or a TemplateError whose message names the line and what to change."""
    if not isinstance(text, str) or not text.strip():
        raise TemplateError("The text is empty.")
    text = text.lstrip("\ufeff")
    if len(text) > MAX_TEXT_LENGTH:
        raise TemplateError(f"The text is too long ({len(text):,} characters; at most {MAX_TEXT_LENGTH:,}).")
    parts = split(text)
    if parts is None:
        raise TemplateError(f"The header must end with a line '{SEPARATOR}': the text starts with a line "
                            f"'title: …' and then a line '{SEPARATOR}'.")
    head, body = parts
    for number, line in enumerate(head + [SEPARATOR] + body, start=1):
        _check_line(kind, number, line)
    _check_header(head)
    first_body_line = len(head) + 2
    _check_body(body, first_body_line)
    template = parse(kind, version, text)
    if is_consent(kind):
        _check_consent(template)
    return template


def _check_line(kind: str, number: int, line: str) -> None:
    if _UNPRINTABLE.search(line):
        raise TemplateError(f"Line {number} holds a control character that cannot be printed: retype the line.")
    for name in _PLACEHOLDER.findall(line):
        if name not in PLACEHOLDERS or (name in CONSENT_ONLY and not is_consent(kind)):
            usable = ", ".join(f"{{{n}}}" for n in PLACEHOLDERS if n not in CONSENT_ONLY or is_consent(kind))
            raise TemplateError(f"Line {number}: {{{name}}} is not a placeholder this sheet fills. The "
                                f"placeholders are {usable}.")
    if "{" in _PLACEHOLDER.sub("", line) or "}" in _PLACEHOLDER.sub("", line):
        raise TemplateError(f"Line {number} has a '{{' or '}}' that is not part of a placeholder (a placeholder is "
                            "written like {clinic_name}).")


def _check_header(head: list[str]) -> None:
    titles = 0
    for number, line in enumerate(head, start=1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon or key.strip() not in HEADER_KEYS:
            raise TemplateError(f"Line {number}: {line.strip()[:40]!r} is not a header line. Above the line "
                                f"'{SEPARATOR}' there is only 'title: …'.")
        titles += 1
        if titles > 1:
            raise TemplateError(f"Line {number} is a second 'title:' line; keep one.")
        if not value.strip():
            raise TemplateError(f"Line {number}: the title is empty; write the sheet's title after 'title:'.")
    if titles == 0:
        raise TemplateError(f"The header needs a 'title:' line (the sheet's title) above the line '{SEPARATOR}'.")


def _check_body(body: list[str], first: int) -> None:
    if not any(line.strip() for line in body):
        raise TemplateError(f"There is no text after the line '{SEPARATOR}'.")
    open_heading: tuple[int, str] | None = None
    for number, line in enumerate(body, start=first):
        if line.startswith(HEADING):
            heading = line[len(HEADING):].strip()
            if not heading:
                raise TemplateError(f"Line {number}: the heading is empty; write its words after '#'.")
            if open_heading is not None:
                _empty_section(*open_heading)
            open_heading = (number, heading)
        elif line.lstrip().startswith("#"):
            raise TemplateError(f"Line {number}: a heading starts with '{HEADING}' (a hash, then a space) at the "
                                "start of the line, e.g. '# 1. What this treatment is'.")
        elif line.strip():
            open_heading = None
    if open_heading is not None:
        _empty_section(*open_heading)


def _empty_section(number: int, heading: str) -> None:
    raise TemplateError(f"Line {number}: the section '{heading[:60]}' has no text under its heading.")


def _check_consent(template: TextTemplate) -> None:
    """A consent form is information in sections, then the statement the patient signs: the last section, which
    prints with the signature lines and so needs its own heading (e.g. '# Your agreement')."""
    headed = [s for s in template.sections if s.heading]
    if len(headed) < 2 or not template.sections[-1].heading:
        raise TemplateError("A consent form needs at least two sections with headings ('# …' lines): the "
                            "information, and last the statement the patient signs (e.g. '# Your agreement'), "
                            "which prints together with the signature lines.")
