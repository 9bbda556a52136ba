"""The sheet texts' format (consent, discharge), the parser, and the texts shipped in resources/templates.

The clinic's texts live in the database (services/sheet_texts.py), seeded from the shipped files named
`<kind>-<version>.txt` (e.g. `consent-racemic-2026.1.txt`). A text reads:

    title: Consent to treatment with intravenous ketamine
    ---
    # 1. What this treatment is
    A paragraph. Blank lines separate paragraphs.

    Another paragraph, with {placeholders} filled from the sheet (e.g. {clinic_name}).

    • A paragraph starting with "•" prints as an item of a bulleted list.

The newest version of a kind is used for new sheets; the version is printed on every page and stored with a
signed consent, so a new version asks for re-consent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from clinic_desktop.domain.consent import version_key
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.paperwork import TemplateSection, TextTemplate
from clinic_desktop.resources import resource_path

TEMPLATE_DIR = resource_path("templates")
_NAME = re.compile(r"^(?P<kind>[a-z0-9-]+?)-(?P<version>\d+(?:\.\d+)*)\.txt$")
#: The line that ends the header.
SEPARATOR = "---"
#: A line starting with this starts a section; the rest of the line is its heading.
HEADING = "# "


class TemplateError(ClinicError):
    """A template is missing or malformed: the message names the text (or file) and the problem."""


@dataclass(frozen=True)
class ShippedText:
    """A text as the application ships it (seeded into every clinic database that lacks it)."""

    kind: str
    version: str
    text: str


def shipped(folder: Path | None = None) -> tuple[ShippedText, ...]:
    """Every shipped text, by kind and then oldest version first."""
    folder = folder or TEMPLATE_DIR
    found = [(m.group("kind"), m.group("version"), p) for p in folder.glob("*.txt") if (m := _NAME.match(p.name))]
    found.sort(key=lambda item: (item[0], version_key(item[1])))
    return tuple(ShippedText(kind, version, _read(path)) for kind, version, path in found)


def versions(kind: str, folder: Path | None = None) -> list[str]:
    """Every version of a kind shipped (or in `folder`), oldest first."""
    folder = folder or TEMPLATE_DIR
    found = [m.group("version") for p in folder.glob(f"{kind}-*.txt") if (m := _NAME.match(p.name))
             and m.group("kind") == kind]
    return sorted(found, key=version_key)


def latest(kind: str, folder: Path | None = None) -> TextTemplate:
    """The newest shipped text of a kind (sheets print the database's newest: services/sheet_text_store.py)."""
    folder = folder or TEMPLATE_DIR
    all_versions = versions(kind, folder)
    if not all_versions:
        raise TemplateError(f"There is no {kind!r} template in {folder}.")
    return load(kind, all_versions[-1], folder)


def load(kind: str, version: str, folder: Path | None = None) -> TextTemplate:
    return _load(kind, version, folder or TEMPLATE_DIR)


@lru_cache(maxsize=64)
def _load(kind: str, version: str, folder: Path) -> TextTemplate:
    path = folder / f"{kind}-{version}.txt"
    return parse(kind, version, _read(path), path.name)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"Cannot read the template {path.name}: {exc.strerror or exc}.") from None


def split(text: str) -> tuple[list[str], list[str]] | None:
    """(header lines, body lines) of a text, or None when no line '---' ends a header."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines):
        if line.rstrip() == SEPARATOR:
            return lines[:number], lines[number + 1:]
    return None


def parse(kind: str, version: str, text: str, name: str = "") -> TextTemplate:
    """A text in the format above as a TextTemplate; a TemplateError naming `name` (default "KIND VERSION") and
    the problem when it has no header or no title. (template_check.checked adds the stricter checks a new
    text must pass before it is stored.)"""
    name = name or f"{kind} {version}"
    parts = split(text.lstrip("\ufeff"))
    if parts is None:
        raise TemplateError(f"{name}: the header must end with a line '{SEPARATOR}'.")
    head, body = parts
    meta = dict(line.split(":", 1) for line in head if ":" in line)
    title = meta.get("title", "").strip()
    if not title:
        raise TemplateError(f"{name}: the header needs a 'title:' line.")
    sections: list[TemplateSection] = []
    heading, paragraphs, current = "", [], []

    def end_paragraph() -> None:
        if current:
            paragraphs.append(" ".join(line.strip() for line in current))
            current.clear()

    for line in body:
        if line.startswith(HEADING):
            end_paragraph()
            if heading or paragraphs:
                sections.append(TemplateSection(heading, tuple(paragraphs)))
            heading, paragraphs = line[len(HEADING):].strip(), []
        elif not line.strip():
            end_paragraph()
        else:
            current.append(line)
    end_paragraph()
    if heading or paragraphs:
        sections.append(TemplateSection(heading, tuple(paragraphs)))
    return TextTemplate(kind, version, title, tuple(sections))


#: Where a paragraph's sentences end (after ".", "!", "?" or ":" and a space).
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def filled(template: TextTemplate, values: Mapping[str, str]) -> TextTemplate:
    """The template with {placeholders} replaced. A sentence whose placeholder has no value (a phone number the
    clinic has not set) is left out rather than printed as "call us at ."; a paragraph left empty goes too.
    Unknown placeholders stay visible, never an error on paper."""
    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)

    def fill_paragraph(text: str) -> str:
        kept = [fill(sentence) for sentence in _SENTENCE_END.split(text)
                if all(values.get(name, "?") != "" for name in _PLACEHOLDER.findall(sentence))]
        return " ".join(kept)

    return TextTemplate(template.kind, template.version, fill(template.title), tuple(
        TemplateSection(fill(s.heading), tuple(p for p in map(fill_paragraph, s.paragraphs) if p))
        for s in template.sections))
