"""Service-test support: a patient made ready for treatment, and a session walked through its day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from clinic_desktop.domain.enums import Protocol, Timepoint, VitalsPhase
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.records import PatientChart, SeriesSummary
from clinic_desktop.domain.screening import QUESTIONS
from clinic_desktop.services.doses import DoseOrderForm
from clinic_desktop.storage import models

from tests.conftest import PASSWORD

#: Every screening question answered "no": nothing to flag.
ALL_NO = {q.key: "no" for q in QUESTIONS}
#: A calm baseline reading, inside every default limit.
NORMAL = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14}
#: The standard order: 0.5 mg/kg over 40 min from a 50 mg/mL vial into 100 mL.
IV_ORDER = DoseOrderForm(mg_per_kg="0.5", vial_mg_per_ml="50", diluent_ml="100", duration_min="40")
#: PHQ-9 answers totalling 16 with item 9 = 0.
PHQ9_NO_ITEM9 = [2, 2, 2, 2, 2, 2, 2, 2, 0]
LOT_EXPIRY = date(2027, 1, 1)
ALDRETE_FULL = [2, 2, 2, 2, 2]


def set_staff_active(db, staff_id: int, active: bool) -> None:
    """Deactivate (or reactivate) an account directly in the database, behind the back of a Principal that
    signed in before (its own `active` flag still says True, as on a workstation left signed in)."""
    with db.session() as s:
        s.get(models.Staff, staff_id).active = active
        s.commit()


@dataclass
class Clinic:
    services: object
    staff: dict
    clock: object
    chair_id: int

    def patient(self, *, consent: Protocol | None = Protocol.IV_INDUCTION, weight: str | None = "80",
                screening: dict | None = None, **fields) -> PatientChart:
        """A registered patient with a weight, a clean screening and a signed consent (each optional)."""
        data = dict(given_names="Ada", family_name="Lovelace", date_of_birth="1980-05-01", sex="female",
                    escort_name="Tom Lovelace", height="165")
        data.update(fields)
        nurse = self.staff["nurse"]
        p = self.services.patients.register(nurse, PatientInput(**data))
        if weight is not None:
            self.services.patients.record_weight(nurse, p.id, weight, "kg")
        self.services.patients.record_screening(nurse, p.id, ALL_NO if screening is None else screening)
        if consent is not None:
            self.services.patients.record_consent(nurse, p.id, consent, "2026.1", witness_id=self.staff["nurse2"].id)
        return self.services.patients.chart(nurse, p.id)

    def plan(self, patient_id: int, protocol: Protocol = Protocol.IV_INDUCTION, sessions: int = 6,
             weekdays=(0, 2, 4), target: str = "0.5", start: date | None = None) -> SeriesSummary:
        return self.services.series.plan(self.staff["physician"], patient_id, protocol,
                                         start or self.services.context.today(), weekdays, sessions, time(9, 0),
                                         target, self.chair_id)

    def prepare(self, patient_id: int, session_id: int, *, phq9=PHQ9_NO_ITEM9) -> None:
        """Check in with escort and fasting confirmed, baseline vitals and a PHQ-9 before the dose."""
        nurse = self.staff["nurse"]
        self.services.sessions.check_in(nurse, session_id, escort_confirmed=True, npo_confirmed=True)
        self.services.monitoring.record_vitals(nurse, session_id, VitalsPhase.BASELINE, NORMAL)
        if phq9 is not None:
            self.services.monitoring.record_scale(nurse, patient_id, "phq9", phq9, Timepoint.PRE, session_id)

    def give(self, session_id: int, form: DoseOrderForm = IV_ORDER, minutes: int = 40) -> None:
        """Order, start, run for `minutes` and stop (all the prepared volume given)."""
        dose = self.services.doses.order(self.staff["physician"], session_id, form, PASSWORD)
        self.services.doses.start(self.staff["nurse"], session_id, "LOT-1", LOT_EXPIRY)
        self.clock.advance(minutes=minutes)
        self.services.doses.stop(self.staff["nurse"], session_id, password=PASSWORD,
                                volume_given_ml=dose.total_volume_ml)

    def infusing(self) -> int:
        """A new patient's first session, prepared, ordered and started 5 minutes after check-in: its id."""
        patient = self.patient()
        sid = self.plan(patient.id).sessions[0].id
        self.prepare(patient.id, sid)
        self.clock.advance(minutes=5)
        self.services.doses.order(self.staff["physician"], sid, IV_ORDER, PASSWORD)
        self.services.doses.start(self.staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
        return sid

    def full_day(self, patient_id: int, session_id: int, **prepare) -> None:
        """A whole uneventful session, ending in discharge after the minimum observation."""
        self.prepare(patient_id, session_id, **prepare)
        self.give(session_id)
        self.clock.advance(minutes=30)
        self.services.monitoring.discharge(self.staff["nurse"], session_id, ALDRETE_FULL, True)
