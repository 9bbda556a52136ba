"""What a patient's registration must satisfy: every field checked, every error reported at once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Callable, TypeVar

from clinic_desktop.domain.enums import MedicationClass, Sex, WeightUnit
from clinic_desktop.domain.errors import ValidationError, ValidationErrors
from clinic_desktop.domain.quantities import inches_to_cm, lb_to_kg, to_decimal
from clinic_desktop.domain.records import AllergyEntry, DiagnosisEntry, MedicationEntry
from clinic_desktop.domain.text import checked_email, checked_name, checked_phone, checked_text

#: Oldest plausible date of birth; anything earlier is a typo.
EARLIEST_BIRTH = date(1900, 1, 1)
#: Plausible adult ranges, wide on purpose: the point is to catch typos and unit mix-ups.
WEIGHT_KG_RANGE = (Decimal("20"), Decimal("350"))
HEIGHT_CM_RANGE = (Decimal("100"), Decimal("250"))

#: A patient's own fields, under their column names on the patient row: what the patient form edits, what
#: PatientService saves and what the audit records. The model's other columns are kept by the program (a test
#: names them); diagnoses, allergies and medications are lists kept in tables of their own.
PATIENT_FIELDS = ("given_names", "family_name", "preferred_name", "date_of_birth", "sex", "phone", "email", "address",
                  "emergency_contact_name", "emergency_contact_phone", "emergency_contact_relation", "escort_name",
                  "escort_phone", "referring_clinician_id", "height_cm")
#: Fields whose PatientInput name differs from their column: the height is typed with its unit, stored in cm.
_INPUT_NAMES = {"height_cm": "height"}

T = TypeVar("T")


@dataclass(frozen=True)
class PatientInput:
    """A registration form's contents as typed; `validated` returns the cleaned copy or all the errors."""

    given_names: str
    family_name: str
    date_of_birth: date | str
    sex: Sex | str
    preferred_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    emergency_contact_relation: str = ""
    escort_name: str = ""
    escort_phone: str = ""
    referring_clinician_id: int | None = None
    height: Decimal | str | None = None
    height_unit: str = "cm"
    diagnoses: tuple[DiagnosisEntry, ...] = ()
    allergies: tuple[AllergyEntry, ...] = ()
    medications: tuple[MedicationEntry, ...] = ()

    def validated(self, today: date) -> "PatientInput":
        """A copy with clean values (NFC text, a date, a Sex, height in cm); ValidationErrors lists every problem."""
        errors: list[ValidationError] = []

        def check(fn: Callable[[], T], fallback: T) -> T:
            try:
                return fn()
            except ValidationError as exc:
                errors.append(exc)
                return fallback

        clean = replace(
            self,
            given_names=check(lambda: checked_name(self.given_names, "given_names", "Given name(s)", required=True), ""),
            family_name=check(lambda: checked_name(self.family_name, "family_name", "Family name", required=True), ""),
            preferred_name=check(lambda: checked_name(self.preferred_name, "preferred_name", "Preferred name"), ""),
            date_of_birth=check(lambda: checked_birth_date(self.date_of_birth, today), today),
            sex=check(lambda: checked_sex(self.sex), Sex.OTHER),
            phone=check(lambda: checked_phone(self.phone, "phone"), ""),
            email=check(lambda: checked_email(self.email), ""),
            address=check(lambda: checked_text(self.address, "address", "Address", max_length=500, multiline=True), ""),
            emergency_contact_name=check(lambda: checked_name(self.emergency_contact_name, "emergency_contact_name", "Emergency contact"), ""),
            emergency_contact_phone=check(lambda: checked_phone(self.emergency_contact_phone, "emergency_contact_phone", "Emergency contact phone"), ""),
            emergency_contact_relation=check(lambda: checked_text(self.emergency_contact_relation, "emergency_contact_relation", "Relationship", max_length=60), ""),
            escort_name=check(lambda: checked_name(self.escort_name, "escort_name", "Escort / driver"), ""),
            escort_phone=check(lambda: checked_phone(self.escort_phone, "escort_phone", "Escort phone"), ""),
            height=check(lambda: checked_height_cm(self.height, self.height_unit), None),
            height_unit="cm",
            diagnoses=check(lambda: tuple(_checked_diagnosis(d) for d in self.diagnoses), ()),
            allergies=check(lambda: tuple(_checked_allergy(a) for a in self.allergies), ()),
            medications=check(lambda: tuple(_checked_medication(m) for m in self.medications), ()),
        )
        if errors:
            raise ValidationErrors(errors)
        return clean

    def stored_values(self) -> dict[str, object]:
        """Every PATIENT_FIELDS value under its column name; call it on a `validated` copy (height then in cm)."""
        return {name: getattr(self, input_name(name)) for name in PATIENT_FIELDS}


def input_name(field: str) -> str:
    """The PatientInput attribute (and the form's error key) that carries the column `field`."""
    return _INPUT_NAMES.get(field, field)


def checked_birth_date(value: date | str, today: date) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError("Date of birth should be a real date written YYYY-MM-DD.", "date_of_birth") from None
    if value > today:
        raise ValidationError("Date of birth cannot be in the future.", "date_of_birth")
    if value < EARLIEST_BIRTH:
        raise ValidationError(f"Date of birth before {EARLIEST_BIRTH:%Y} is not plausible.", "date_of_birth")
    return value


def checked_sex(value: Sex | str) -> Sex:
    try:
        return Sex(value)
    except ValueError:
        raise ValidationError("Sex must be female, male or other.", "sex") from None


def checked_height_cm(value: Decimal | str | None, unit: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = to_decimal(value, "height", "Height")
    if unit == "in":
        number = inches_to_cm(number)
    elif unit != "cm":
        raise ValidationError("Height is entered in cm or in.", "height")
    low, high = HEIGHT_CM_RANGE
    if not low <= number <= high:
        raise ValidationError(f"Height must be between {low} and {high} cm (about 39 to 98 in).", "height")
    return number


def checked_weight_kg(value: Decimal | str, unit: WeightUnit | str) -> Decimal:
    """Weight in kg, exactly: pounds convert without rounding so they can be shown back unchanged."""
    number = to_decimal(value, "weight", "Weight")
    try:
        unit = WeightUnit(unit)
    except ValueError:
        raise ValidationError("Weight is entered in kg or lb.", "weight") from None
    kg = lb_to_kg(number) if unit is WeightUnit.LB else number
    low, high = WEIGHT_KG_RANGE
    if not low <= kg <= high:
        shown = f"{number} {unit.value}"
        raise ValidationError(f"Weight must be between {low} and {high} kg (44 to 772 lb); {shown} was entered.",
                              "weight")
    return kg


def _checked_diagnosis(d: DiagnosisEntry) -> DiagnosisEntry:
    return DiagnosisEntry(checked_text(d.description, "diagnoses", "Diagnosis", required=True),
                          checked_text(d.code, "diagnoses", "Diagnosis code", max_length=16), bool(d.is_primary))


def _checked_allergy(a: AllergyEntry) -> AllergyEntry:
    return AllergyEntry(checked_text(a.substance, "allergies", "Allergy", required=True, max_length=120),
                        checked_text(a.reaction, "allergies", "Reaction"))


def _checked_medication(m: MedicationEntry) -> MedicationEntry:
    try:
        drug_class = MedicationClass(m.drug_class)
    except ValueError:
        raise ValidationError(f"Unknown medication class {m.drug_class!r}.", "medications") from None
    return MedicationEntry(checked_text(m.name, "medications", "Medication", required=True, max_length=120),
                           drug_class, checked_text(m.dose, "medications", "Medication dose", max_length=120),
                           bool(m.active))
