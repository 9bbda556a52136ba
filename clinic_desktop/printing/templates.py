"""Versioned sheet texts in resources/templates, so a clinic revises its consent without touching code.

A template file is named `<kind>-<version>.txt` (e.g. `consent-iv-2026.1.txt`) and reads:

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
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from clinic_desktop.domain.consent import version_key
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.paperwork import TemplateSection, TextTemplate
from clinic_desktop.resources import resource_path

TEMPLATE_DIR = resource_path("templates")
_NAME = re.compile(r"^(?P<kind>[a-z0-9-]+?)-(?P<version>\d+(?:\.\d+)*)\.txt$")


class TemplateError(ClinicError):
    """A template is missing or malformed: the message names the file and the problem."""


def versions(kind: str, folder: Path | None = None) -> list[str]:
    """Every version of a kind on disk, oldest first."""
    folder = folder or TEMPLATE_DIR
    found = [m.group("version") for p in folder.glob(f"{kind}-*.txt") if (m := _NAME.match(p.name))
             and m.group("kind") == kind]
    return sorted(found, key=version_key)


def latest(kind: str, folder: Path | None = None) -> TextTemplate:
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
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"Cannot read the template {path.name}: {exc.strerror or exc}.") from None
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise TemplateError(f"{path.name}: the header must end with a line '---'.")
    meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    title = meta.get("title", "").strip()
    if not title:
        raise TemplateError(f"{path.name}: the header needs a 'title:' line.")
    sections: list[TemplateSection] = []
    heading, paragraphs, current = "", [], []

    def end_paragraph() -> None:
        if current:
            paragraphs.append(" ".join(line.strip() for line in current))
            current.clear()

    for line in body.splitlines():
        if line.startswith("# "):
            end_paragraph()
            if heading or paragraphs:
                sections.append(TemplateSection(heading, tuple(paragraphs)))
            heading, paragraphs = line[2:].strip(), []
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
