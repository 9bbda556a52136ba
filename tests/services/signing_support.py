"""Support for the access, signature and canary tests: a patient walked to the point of a dose order."""

from __future__ import annotations

from datetime import date, time

from clinic_desktop.domain.enums import Protocol, Timepoint, VitalsPhase
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.screening import QUESTIONS
from clinic_desktop.services.doses import DoseOrderForm
from tests.conftest import PASSWORD

#: The standard order: 0.5 mg/kg over 40 min from a 50 mg/mL vial into 100 mL (80 kg: 40 mg, 100.8 mL).
IV_ORDER = DoseOrderForm(mg_per_kg="0.5", vial_mg_per_ml="50", diluent_ml="100", duration_min="40")
NORMAL = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14}
LOT_EXPIRY = date(2027, 1, 1)


def ready_session(services, staff, *, family_name: str = "Lovelace", npo: bool | None = True) -> tuple[int, int]:
    """(patient id, session id): registered, weighed, screened, consented, planned, checked in (fasting as
    `npo`: None leaves an overridable check open), baseline vitals and a PHQ-9 taken."""
    nurse, md = staff["nurse"], staff["physician"]
    chairs = services.chairs.bookable(nurse)
    chair_id = chairs[0].id if chairs else services.chairs.add(staff["admin"], "Chair 1").id
    p = services.patients.register(nurse, PatientInput(given_names="Ada", family_name=family_name,
                                                       date_of_birth="1980-05-01", sex="female",
                                                       escort_name="Tom Lovelace", height="165"))
    services.patients.record_weight(nurse, p.id, "80", "kg")
    services.patients.record_screening(nurse, p.id, {q.key: "no" for q in QUESTIONS})
    services.patients.record_consent(nurse, p.id, Protocol.IV_INDUCTION, "2026.1", witness_id=staff["nurse2"].id)
    series = services.series.plan(md, p.id, Protocol.IV_INDUCTION, services.context.today(), (0, 2, 4), 6,
                                  time(9, 0), "0.5", chair_id)
    sid = series.sessions[0].id
    services.sessions.check_in(nurse, sid, escort_confirmed=True, npo_confirmed=npo)
    services.monitoring.record_vitals(nurse, sid, VitalsPhase.BASELINE, NORMAL)
    services.monitoring.record_scale(nurse, p.id, "phq9", [2] * 8 + [0], Timepoint.PRE, sid)
    return p.id, sid


def ordered_and_started(services, staff, clock, **kw) -> tuple[int, int]:
    """A ready session with a signed order, started by the nurse and run for 40 minutes."""
    pid, sid = ready_session(services, staff, **kw)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    clock.advance(minutes=40)
    return pid, sid
