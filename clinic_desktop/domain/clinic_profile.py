"""Who the clinic is on paper: the name, address, phone numbers, paper and the numbers every printed sheet carries."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Callable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from clinic_desktop.domain.enums import LabelledEnum
from clinic_desktop.domain.errors import ValidationError, ValidationErrors
from clinic_desktop.domain.text import checked_email, checked_phone, checked_text

#: Stored among the clinic settings under this prefix (the thresholds never start with it).
PREFIX = "profile."
#: The name a new database starts with: printed until the clinic gives its own, and reported as not set.
DEFAULT_NAME = "Ketamine Infusion Clinic"
#: A short number to call in an emergency or a crisis (911, 112, 988, 116 123): digits, spaces and dashes.
_SHORT_NUMBER = re.compile(r"^[0-9][0-9 \-]{1,14}$")


class PaperSize(LabelledEnum):
    """The paper every sheet is laid out on (the clinic's printers hold one kind)."""

    LETTER = "letter"
    A4 = "a4"

    @classmethod
    def _labels(cls) -> dict:
        return {cls.LETTER: "Letter (8.5 × 11 in)", cls.A4: "A4 (210 × 297 mm)"}


@dataclass(frozen=True)
class ProfileField:
    """One field of the profile as forms and the command line show it."""

    name: str
    label: str
    #: The command-line option that sets it (`clinic-desktop clinic set --phone ...`).
    option: str
    hint: str = ""


#: Every field of the profile, in the order the Clinic page and `clinic show` list them.
PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("name", "Clinic name", "--name"),
    ProfileField("address", "Address", "--address", "Street, town and postal code; printed under the name."),
    ProfileField("phone", "Main phone", "--phone", "Printed on every sheet; patients call it with questions."),
    ProfileField("after_hours_phone", "After-hours phone", "--after-hours-phone",
                 "Where a patient calls at night; empty means the main phone."),
    ProfileField("email", "Email", "--email"),
    ProfileField("paper", "Paper size", "--paper"),
    ProfileField("emergency_number", "Emergency number", "--emergency-number",
                 "Printed on discharge sheets: 911 in the US and Canada, 112 in Europe."),
    ProfileField("crisis_number", "Crisis line number", "--crisis-number",
                 "For thoughts of suicide: 988 in the US and Canada."),
    ProfileField("crisis_line", "Crisis line name", "--crisis-line"),
    ProfileField("time_zone", "Time zone", "--time-zone",
                 "The clinic's IANA zone, e.g. America/Chicago; empty means this computer's zone."),
)


def checked_short_number(value: str | None, field: str, label: str) -> str:
    text = checked_text(value, field, label, required=True, max_length=15)
    if not _SHORT_NUMBER.match(text):
        raise ValidationError(f"{label} should be the number people dial, like 911 or 112.", field)
    return text


def checked_zone(value: str | None, field: str = "time_zone") -> str:
    """An IANA time zone name ("America/Chicago"), or "" for this computer's zone."""
    text = checked_text(value, field, "Time zone", max_length=60)
    if not text:
        return ""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{text!r} is not a time zone this computer knows; use a name like "
                              "America/New_York or Europe/London.", field) from None
    return text


def zone_names() -> list[str]:
    """Every IANA zone name this computer knows, sorted (for the Clinic page's list)."""
    return sorted(available_timezones())


#: How each field is checked before anything is kept.
_CHECKS: dict[str, Callable[[str], str]] = {
    "name": lambda v: checked_text(v, "name", "Clinic name", required=True, max_length=120),
    "address": lambda v: checked_text(v, "address", "Clinic address", max_length=200, multiline=True),
    "phone": lambda v: checked_phone(v, "phone", "Clinic phone"),
    "after_hours_phone": lambda v: checked_phone(v, "after_hours_phone", "After-hours phone"),
    "email": lambda v: checked_email(v, "email", "Clinic email"),
    "paper": lambda v: PaperSize.parse(v, "paper").value,
    "emergency_number": lambda v: checked_short_number(v, "emergency_number", "Emergency number"),
    "crisis_number": lambda v: checked_short_number(v, "crisis_number", "Crisis line number"),
    "crisis_line": lambda v: checked_text(v, "crisis_line", "Crisis line name", required=True, max_length=80),
    "time_zone": checked_zone,
}


@dataclass(frozen=True)
class ClinicProfile:
    name: str = DEFAULT_NAME
    address: str = ""
    phone: str = ""
    #: Where a patient calls out of hours (printed on discharge sheets); empty means the main phone.
    after_hours_phone: str = ""
    email: str = ""
    paper: str = PaperSize.LETTER.value
    #: The US numbers by default (reference 6.2); a clinic elsewhere sets its own.
    emergency_number: str = "911"
    crisis_number: str = "988"
    crisis_line: str = "the Suicide & Crisis Lifeline"
    #: "" means the computer's own zone; a clinic with several workstations sets it so all of them agree.
    time_zone: str = ""

    def validated(self) -> "ClinicProfile":
        errors: list[ValidationError] = []
        values = {}
        for f in fields(self):
            try:
                values[f.name] = _CHECKS[f.name](getattr(self, f.name))
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationErrors(errors)
        return ClinicProfile(**values)

    @property
    def paper_size(self) -> PaperSize:
        return PaperSize(self.paper)

    def missing(self) -> tuple[str, ...]:
        """What a new clinic has not set yet that patients would miss on paper, in words."""
        gaps = []
        if self.name == DEFAULT_NAME:
            gaps.append("the clinic's name")
        if not self.address:
            gaps.append("its address")
        if not self.phone:
            gaps.append("its phone number")
        return tuple(gaps)

    def to_mapping(self) -> dict[str, str]:
        return {PREFIX + f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_mapping(cls, stored: Mapping[str, str]) -> "ClinicProfile":
        names = {f.name for f in fields(cls)}
        return cls(**{k[len(PREFIX):]: v for k, v in stored.items() if k.startswith(PREFIX) and k[len(PREFIX):] in names})
