"""The printed sheets' texts the clinic may revise (consents, discharge instructions): their kinds, how versions
are numbered and what the administration screens show about each stored version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from clinic_desktop.domain.consent import version_key
from clinic_desktop.domain.enums import LabelledEnum
from clinic_desktop.domain.errors import ValidationError

#: Every kind of text a sheet prints, in the order the screens list them, with the words people use for it.
KINDS: dict[str, str] = {
    "consent-racemic": "Consent form: ketamine (IV and IM)",
    "consent-esketamine": "Consent form: esketamine nasal spray",
    "discharge": "Discharge instructions",
}
#: "2026.1", "2026.10", "3": dotted whole numbers, compared number by number (domain.consent.version_key).
_VERSION = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}$")
#: The stored column holds at most this many characters.
MAX_VERSION_LENGTH = 20


class SheetTextSource(LabelledEnum):
    """Where a stored version came from."""

    SHIPPED = "shipped"
    IMPORTED = "imported"
    EDITED = "edited"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.SHIPPED: "Shipped with the application", cls.IMPORTED: "Imported from a file",
                cls.EDITED: "Edited in the application"}


def is_consent(kind: str) -> bool:
    """A consent form is signed on its version: a new version asks for re-consent."""
    return kind.startswith("consent-")


def checked_kind(kind: object) -> str:
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValidationError(f"{str(kind)[:40]!r} is not a sheet text; the texts are: {', '.join(KINDS)}.", "kind")
    return kind


def checked_version(version: object) -> str:
    text = version.strip() if isinstance(version, str) else ""
    if not _VERSION.match(text) or len(text) > MAX_VERSION_LENGTH:
        raise ValidationError(f"{str(version)[:30]!r} is not a version number: write numbers separated by dots, "
                              "such as 2026.2.", "version")
    return text


def newest(versions: list[str]) -> str | None:
    return max(versions, key=version_key, default=None)


def next_version(current: str | None) -> str:
    """The version after `current`: its last number plus one (2026.1 -> 2026.2, 2026.9 -> 2026.10)."""
    if current is None:
        return "1"
    *head, last = current.split(".")
    return ".".join([*head, str(int(last) + 1)])


def checked_new_version(version: str | None, current: str | None) -> str:
    """The version a new text is stored under: the next one by default, else one above the newest."""
    if version is None or (isinstance(version, str) and not version.strip()):
        return next_version(current)
    chosen = checked_version(version)
    if current is not None and version_key(chosen) <= version_key(current):
        raise ValidationError(f"Version {chosen} is not higher than {current}, the newest version of this text: "
                              f"use {next_version(current)} or higher.", "version")
    return chosen


@dataclass(frozen=True)
class SheetTextVersion:
    """One stored version of a text, as the administration screens and the command line list it."""

    kind: str
    version: str
    source: SheetTextSource
    created_at: datetime
    #: Who stored it ("Sam Adeyemi"); empty for a shipped text, which the application stored itself.
    created_by: str
    #: The title line, as the sheet prints it.
    title: str
    #: SHA-256 of the text (what the audit log records).
    sha256: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class SheetTextDraft:
    """A text checked before it is stored: the version it would get, and what follows from saving it."""

    kind: str
    version: str
    #: The newest version stored now (which the draft would replace for new sheets).
    replaces: str | None
    title: str

    @property
    def consequence(self) -> str:
        """What saving it means, in the words of the confirmation question."""
        if is_consent(self.kind) and self.replaces is not None:
            return (f"New consent forms will be version {self.version}. Patients who signed version "
                    f"{self.replaces} will be asked to re-consent before their next treatment.")
        return f"New {KINDS.get(self.kind, self.kind).lower()} will print version {self.version}."
