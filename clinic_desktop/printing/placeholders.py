"""The values a sheet gives its template's {placeholders}, in the words a patient reads."""

from __future__ import annotations

from clinic_desktop.domain.enums import Protocol, Route
from clinic_desktop.domain.paperwork import ClinicLetterhead, PatientIdent

#: Routes as an adjective in a sentence ("by the intravenous route"), not as the screens' short labels.
ROUTE_WORDS = {Route.IV: "intravenous", Route.IM: "intramuscular", Route.INTRANASAL: "intranasal"}

#: Every placeholder a text may use, with what it prints (the sheet-text editor lists them; a test keeps this
#: and `values` the same).
PLACEHOLDERS: dict[str, str] = {
    "clinic_name": "the clinic's name",
    "clinic_phone": "the clinic's phone number",
    "after_hours_phone": "the out-of-hours number (the clinic's phone when there is none)",
    "emergency_number": "the emergency number, e.g. 911 (Clinic page)",
    "crisis_number": "the suicide and crisis line's number, e.g. 988 (Clinic page)",
    "crisis_line": "the crisis line's name, e.g. the Suicide & Crisis Lifeline",
    "patient_name": "the patient's name",
    "treatment": "the treatment, e.g. IV ketamine induction",
    "planned_course": "the planned course (consent forms only)",
    "route": "the route in words: intravenous, intramuscular or intranasal",
}
#: Placeholders only a consent form fills (the discharge sheet would print them empty).
CONSENT_ONLY = frozenset({"planned_course"})


def values(clinic: ClinicLetterhead, patient: PatientIdent, protocol: Protocol,
           planned_course: str = "") -> dict[str, str]:
    """Every placeholder templates may use (templates.filled leaves any other one visible)."""
    return {
        "clinic_name": clinic.name,
        "clinic_phone": clinic.phone,
        # A clinic without an out-of-hours line still gives the patient a number to call.
        "after_hours_phone": clinic.out_of_hours_phone,
        "emergency_number": clinic.emergency_number,
        "crisis_number": clinic.crisis_number,
        "crisis_line": clinic.crisis_line,
        "patient_name": patient.name,
        "treatment": protocol.label,
        "planned_course": planned_course,
        "route": ROUTE_WORDS[protocol.route],
    }
