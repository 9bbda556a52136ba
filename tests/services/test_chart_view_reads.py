"""The chart view's one read costs a fixed number of SQL statements, however long the patient's history."""

from __future__ import annotations

from datetime import time

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.screening import QUESTIONS
from tests.perf.session_reload import counting_statements

#: One chart read: the permission check (BEGIN, the actor's row); then BEGIN, the patient, the clinic settings,
#: the latest weight, the series, the chairs, the sessions with their doses, the latest screening, the consents,
#: the staff named on them, the referrer, diagnoses, allergies, medications, the latest scores, the outcome points;
#: and one look-up of the consent form in use per treatment that matters (one here).
ONE_CHART_READ = 20


def _statements(services, actor, patient_id: int) -> int:
    with counting_statements(services.context.db.engine) as seen:
        view = services.patients.chart_view(actor, patient_id)
    assert view.chart.id == patient_id
    return len(seen)


def test_one_chart_read_costs_a_fixed_number_of_statements(services, staff):
    """Six sessions or forty-six, screened and weighed: the same statements, within the bound counted above."""
    nurse = staff["nurse"]
    p = services.patients.register(nurse, PatientInput(given_names="Ada", family_name="Lovelace",
                                                       date_of_birth="1980-05-01", sex="female", height="165",
                                                       escort_name="Tom Lovelace"))
    services.patients.record_weight(nurse, p.id, "70", "kg")
    services.patients.record_screening(nurse, p.id, {q.key: "no" for q in QUESTIONS})
    services.series.plan(staff["physician"], p.id, Protocol.IV_INDUCTION, services.context.today(), (0, 2, 4), 6,
                         time(9, 0), "0.5")
    short = _statements(services, nurse, p.id)
    services.series.plan(staff["physician"], p.id, Protocol.IV_INDUCTION, services.context.today(), (1, 3), 40,
                         time(13, 0), "0.5")
    long = _statements(services, nurse, p.id)
    assert len([x for s in services.patients.chart(nurse, p.id).series for x in s.sessions]) == 46
    assert long == short, "a longer history must not cost more statements (one per session would be N+1)"
    assert short <= ONE_CHART_READ
