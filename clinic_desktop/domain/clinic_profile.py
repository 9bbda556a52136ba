"""Who the clinic is on paper: the name, address and phone numbers every printed sheet carries."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Mapping

from clinic_desktop.domain.errors import ValidationError, ValidationErrors
from clinic_desktop.domain.text import checked_phone, checked_text

#: Stored among the clinic settings under this prefix (the thresholds never start with it).
PREFIX = "profile."


@dataclass(frozen=True)
class ClinicProfile:
    name: str = "Ketamine Infusion Clinic"
    address: str = "Set the clinic's address in Clinic settings"
    phone: str = ""
    #: Where a patient calls out of hours (printed on discharge sheets); empty means the main phone.
    after_hours_phone: str = ""

    def validated(self) -> "ClinicProfile":
        errors: list[ValidationError] = []
        values = {}
        for name, check in (("name", lambda v: checked_text(v, "name", "Clinic name", required=True, max_length=120)),
                            ("address", lambda v: checked_text(v, "address", "Clinic address", max_length=200,
                                                               multiline=True)),
                            ("phone", lambda v: checked_phone(v, "phone", "Clinic phone")),
                            ("after_hours_phone", lambda v: checked_phone(v, "after_hours_phone",
                                                                          "After-hours phone"))):
            try:
                values[name] = check(getattr(self, name))
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationErrors(errors)
        return ClinicProfile(**values)

    def to_mapping(self) -> dict[str, str]:
        return {PREFIX + f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_mapping(cls, stored: Mapping[str, str]) -> "ClinicProfile":
        names = {f.name for f in fields(cls)}
        return cls(**{k[len(PREFIX):]: v for k, v in stored.items() if k.startswith(PREFIX) and k[len(PREFIX):] in names})
