"""The values a sheet gives its template's {placeholders}, in the words a patient reads."""

from __future__ import annotations

from clinic_desktop.domain.enums import Protocol, Route
from clinic_desktop.domain.paperwork import ClinicLetterhead, PatientIdent

#: Routes as an adjective in a sentence ("by the intravenous route"), not as the screens' short labels.
ROUTE_WORDS = {Route.IV: "intravenous", Route.IM: "intramuscular", Route.INTRANASAL: "intranasal"}


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
