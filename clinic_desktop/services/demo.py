"""`clinic-desktop demo`: a realistic, fictional clinic history, the same for the same seed and day."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desktop.domain import scales
from clinic_desktop.domain.dosing import DoseOrderInput, calculate_dose
from clinic_desktop.domain.enums import (
    NoteKind, Protocol, SeriesStatus, SessionStatus, Sex, StaffRole, Timepoint, VitalsPhase, WeightBasis,
    WeightUnit,
)
from clinic_desktop.domain.errors import RuleViolation
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.quantities import STEP_WEIGHT_KG, lb_to_kg, rounded
from clinic_desktop.domain.schedule import TEMPLATES, format_weekdays, plan_session_times
from clinic_desktop.domain.screening import QUESTIONS
from clinic_desktop.domain.text import format_mrn, search_key
from clinic_desktop.services import demo_data as data
from clinic_desktop.services import signing
from clinic_desktop.services.context import ServiceContext
from clinic_desktop.storage import models

#: Patients written per transaction: bounded memory, and progress a person can watch.
BATCH = 100
CONSENT_VERSION = "2026.1"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    full_name: str
    role: StaffRole


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    series: int
    sessions: int
    vitals: int
    accounts: tuple[DemoAccount, ...]


class DemoBuilder:
    """Writes staff, chairs, clinicians and patients with their series, doses, vitals, notes and scales.

    Everything random comes from one `random.Random(seed)`; dates are laid out around `today`, so the board
    has sessions today. Sessions before now are complete, today's are at the front desk, later ones are booked.
    """

    def __init__(self, ctx: ServiceContext, seed: int) -> None:
        self._ctx = ctx
        self._rng = random.Random(seed)
        self._now = ctx.now()
        self._today = ctx.today()
        self._zone: ZoneInfo = ctx.zone
        self._counts = {"series": 0, "sessions": 0, "vitals": 0}

    def build(self, patients: int, progress: Callable[[int], None] | None = None) -> DemoSummary:
        with self._ctx.db.write() as uow:
            existing = uow.session.execute(select(func.count()).select_from(models.Patient)).scalar_one()
            if existing:
                raise RuleViolation(f"This database already has {existing} patients. Demo data goes only into an "
                                    "empty database: choose a new data folder with --data-dir.")
            if uow.session.execute(select(models.Staff.id).where(models.Staff.username.is_not(None))).first():
                raise RuleViolation("This database already has user accounts, so it belongs to a clinic. Demo data "
                                    "goes only into an empty database: choose a new data folder with --data-dir.")
            accounts = self._staff_and_places(uow.session)
            self._ctx.audit(uow.session, None, "demo_created", username="demo",
                            details={"seed_patients": patients, "accounts": [a.username for a in accounts]})
            uow.commit()
        done = 0
        while done < patients:
            n = min(BATCH, patients - done)
            with self._ctx.db.write() as uow:
                for k in range(done, done + n):
                    self._patient(uow.session, k + 1)
                uow.commit()
            done += n
            if progress:
                progress(done)
        return DemoSummary(patients, self._counts["series"], self._counts["sessions"], self._counts["vitals"],
                           accounts)

    # --- shared things ---------------------------------------------------------------------------
    def _staff_and_places(self, session: Session) -> tuple[DemoAccount, ...]:
        """Staff with sign-in accounts (one password each, made up here and printed for the newcomer)."""
        self._staff = {}
        accounts = []
        for username, name, role, creds in data.STAFF:
            password = "-".join(self._rng.sample(data.PASSWORD_WORDS, 3)) + f"-{self._rng.randint(10, 99)}"
            row = models.Staff(full_name=name, role=StaffRole(role), credentials=creds, active=True,
                               created_at=self._now, username=username, password_hash=self._ctx.passwords.hash(password),
                               password_changed_at=self._now, is_admin=role == "administrator", failed_logins=[])
            session.add(row)
            self._staff.setdefault(role, []).append(row)
            accounts.append(DemoAccount(username, password, name, StaffRole(role)))
        self._chairs = [models.Chair(name=f"Chair {n}", active=True, position=n) for n in range(1, 5)]
        self._clinicians = [models.ReferringClinician(
            full_name=name, practice=practice, address=self._address(), phone=self._phone(), fax=self._phone(),
            email=f"referrals.{search_key(name.split()[-1])}@example.org", created_at=self._now)
            for name, practice in data.CLINICIANS]
        session.add_all(self._chairs + self._clinicians)
        session.flush()
        self._physicians = [s.id for s in self._staff["physician"]]
        self._nurses = [s.id for s in self._staff["nurse"]]
        self._front = self._staff["front_desk"][0].id
        return tuple(accounts)

    def _phone(self) -> str:
        return f"({self._rng.randint(201, 989)}) 555-01{self._rng.randint(0, 99):02d}"

    def _address(self) -> str:
        town, state, postcode = self._rng.choice(data.TOWNS)
        return f"{self._rng.randint(2, 2999)} {self._rng.choice(data.STREETS)}\n{town}, {state} {postcode}"

    # --- one patient -----------------------------------------------------------------------------
    def _patient(self, session: Session, number: int) -> None:
        rng = self._rng
        given, sex = rng.choice(data.GIVEN_NAMES)
        family = rng.choice(data.FAMILY_NAMES)
        born = self._today - timedelta(days=rng.randint(19 * 365, 75 * 365))
        height = Decimal(rng.randint(152, 193) if sex == "male" else rng.randint(150, 180))
        escort_given, _ = rng.choice(data.GIVEN_NAMES)
        patient = models.Patient(
            mrn=format_mrn(number), given_names=given, family_name=family, given_key=search_key(given),
            family_key=search_key(family), preferred_name="", date_of_birth=born, sex=Sex(sex), phone=self._phone(),
            email=f"{search_key(given).replace(' ', '')}.{number}@example.org", address=self._address(),
            emergency_contact_name=f"{escort_given} {family}", emergency_contact_phone=self._phone(),
            emergency_contact_relation=rng.choice(data.RELATIONS), escort_name=f"{escort_given} {family}",
            escort_phone=self._phone(), referring_clinician_id=rng.choice(self._clinicians).id, height_cm=height,
            created_at=self._now, row_version=1)
        primary = rng.choice(data.DIAGNOSES[:3])
        patient.diagnoses = [models.Diagnosis(description=primary[0], code=primary[1], is_primary=True)]
        if rng.random() < 0.4:
            extra = rng.choice(data.DIAGNOSES[3:])
            patient.diagnoses.append(models.Diagnosis(description=extra[0], code=extra[1], is_primary=False))
        patient.medications = [models.Medication(name=n, dose=d, drug_class=c, active=True)
                               for n, d, c in rng.sample(data.MEDICATIONS[:4], 1) + self._extra_meds()]
        patient.allergies = [models.Allergy(substance=s, reaction=r) for s, r in data.ALLERGIES
                             if rng.random() < 0.12]
        session.add(patient)
        session.flush()
        self._history(session, patient)

    def _extra_meds(self) -> list[tuple]:
        # Theophylline never appears: a hard stop would leave the demo patient untreatable.
        return [m for m in data.MEDICATIONS[4:] if self._rng.random() < 0.08]

    def _history(self, session: Session, patient: models.Patient) -> None:
        rng = self._rng
        nurse = rng.choice(self._nurses)
        intake = self._today - timedelta(days=rng.randint(3, 150))
        weight_lb = Decimal(rng.randint(110, 260))
        weight_kg = lb_to_kg(weight_lb) if rng.random() < 0.6 else rounded(lb_to_kg(weight_lb), STEP_WEIGHT_KG)
        unit = WeightUnit.LB if weight_kg == lb_to_kg(weight_lb) else WeightUnit.KG
        session.add(models.WeightMeasurement(patient_id=patient.id, measured_on=intake, weight_kg=weight_kg,
                                             entered_unit=unit, recorded_by_id=nurse, created_at=self._now))
        answers = {q.key: ("yes" if rng.random() < 0.015 and q.key not in ("hypersensitivity", "pregnant",
                                                                            "aneurysm_avm") else "no")
                   for q in QUESTIONS}
        answers["childbearing_potential"] = "yes" if patient.sex is Sex.FEMALE and rng.random() < 0.5 else "no"
        session.add(models.ScreeningRecord(patient_id=patient.id, screened_on=intake, answers=answers, notes="",
                                           recorded_by_id=nurse, created_at=self._now))
        protocol = Protocol.ESKETAMINE if rng.random() < 0.15 else Protocol.IV_INDUCTION
        if protocol is Protocol.ESKETAMINE:
            patient.rems_enrolled_on = intake
        session.add(models.ConsentRecord(patient_id=patient.id, protocol=protocol, template_version=CONSENT_VERSION,
                                         signed_at=self._at(intake, time(10, 0)), witness_id=self._front,
                                         recorded_by_id=nurse, created_at=self._now))
        start = intake + timedelta(days=rng.randint(1, 10))
        response = rng.uniform(0.15, 0.85)  # fraction of baseline severity that remains by the end
        series = self._series(session, patient, protocol, start, weight_kg, response)
        if series.status is SeriesStatus.COMPLETED and protocol is Protocol.IV_INDUCTION and rng.random() < 0.5:
            session.add(models.ConsentRecord(patient_id=patient.id, protocol=Protocol.IV_MAINTENANCE,
                                             template_version=CONSENT_VERSION, signed_at=self._at(start, time(9, 0)),
                                             witness_id=self._front, recorded_by_id=nurse, created_at=self._now))
            later = max(start + timedelta(days=21), self._today - timedelta(days=rng.randint(0, 20)))
            self._series(session, patient, Protocol.IV_MAINTENANCE, later, weight_kg, response * 0.9)

    # --- a series and its sessions ---------------------------------------------------------------
    def _series(self, session: Session, patient: models.Patient, protocol: Protocol, start: date,
                weight_kg: Decimal, response: float) -> models.InfusionSeries:
        rng = self._rng
        template = TEMPLATES[protocol]
        at = rng.choice((time(8, 0), time(9, 30), time(11, 0), time(13, 0), time(14, 30)))
        chair = rng.choice(self._chairs)
        times = plan_session_times(start, template.weekdays, template.planned_sessions, at, self._zone)
        series = models.InfusionSeries(
            patient_id=patient.id, protocol=protocol, planned_sessions=template.planned_sessions, start_date=start,
            target_dose=template.target_dose, weekdays=format_weekdays(template.weekdays), session_time=at,
            chair_id=chair.id, status=SeriesStatus.PLANNED, stop_reason="", created_by_id=rng.choice(self._physicians),
            created_at=self._now, row_version=1)
        session.add(series)
        session.flush()
        self._counts["series"] += 1
        stop_after = rng.randint(2, len(times) - 1) if rng.random() < 0.08 and len(times) > 2 else None
        baseline = rng.randint(14, 25)
        previous_doses: list[datetime] = []
        for k, when in enumerate(times):
            ts = models.TreatmentSession(series_id=series.id, sequence=k + 1, scheduled_at=when, chair_id=chair.id,
                                         status=SessionStatus.SCHEDULED, created_at=self._now, row_version=1)
            session.add(ts)
            self._counts["sessions"] += 1
            progress = k / max(1, len(times) - 1)
            phq9 = max(0, min(27, round(baseline * (1 - (1 - response) * progress)) + rng.randint(-1, 1)))
            if stop_after is not None and k >= stop_after:
                ts.status, ts.status_reason = SessionStatus.CANCELLED, "Series stopped"
            elif when < self._now - timedelta(minutes=150):
                if rng.random() < 0.03:
                    ts.status = SessionStatus.NO_SHOW
                else:
                    session.flush()
                    self._complete(session, ts, patient, protocol, k, weight_kg, phq9, previous_doses)
            elif when < self._now:
                session.flush()
                self._arrived(session, ts, patient, phq9)
        if stop_after is not None and times[stop_after] < self._now:
            series.status, series.stop_reason = SeriesStatus.STOPPED, rng.choice(data.STOP_REASONS)
        elif times[-1] < self._now - timedelta(minutes=150):
            series.status = SeriesStatus.COMPLETED
        elif times[0] < self._now:
            series.status = SeriesStatus.ACTIVE
        return series

    def _arrived(self, session: Session, ts: models.TreatmentSession, patient: models.Patient, phq9: int) -> None:
        """Today's session already under way: checked in, baseline charted, waiting for the dose."""
        nurse = self._rng.choice(self._nurses)
        ts.status, ts.checked_in_at = SessionStatus.CHECKED_IN, ts.scheduled_at - timedelta(minutes=5)
        ts.escort_name, ts.escort_phone, ts.escort_confirmed = patient.escort_name, patient.escort_phone, True
        ts.npo_confirmed = True
        self._scale(session, patient, ts, scales.PHQ9.code, self._answers(phq9, 9, 3), Timepoint.PRE, ts.scheduled_at,
                    nurse)
        self._vitals(session, ts, ts.scheduled_at + timedelta(minutes=5), VitalsPhase.BASELINE,
                     self._rng.randint(118, 138), self._rng.randint(72, 86), nurse)

    def _complete(self, session: Session, ts: models.TreatmentSession, patient: models.Patient, protocol: Protocol,
                  k: int, weight_kg: Decimal, phq9: int, previous_doses: list[datetime]) -> None:
        rng = self._rng
        nurse, witness = rng.sample(self._nurses, 2)
        physician = rng.choice(self._physicians)
        start = ts.scheduled_at + timedelta(minutes=rng.randint(20, 35))
        self._arrived(session, ts, patient, phq9)
        ts.checked_in_at = ts.scheduled_at - timedelta(minutes=rng.randint(0, 15))
        self._scale(session, patient, ts, scales.GAD7.code,
                    self._answers(max(0, round(phq9 * 0.8) + rng.randint(-2, 2)), 7, 3), Timepoint.PRE,
                    ts.scheduled_at, nurse)
        if k == 0 or rng.random() < 0.2:
            madrs = min(60, round(phq9 * 1.7) + rng.randint(-3, 3))
            self._scale(session, patient, ts, scales.MADRS.code, self._answers(madrs, 10, 6), Timepoint.PRE,
                        ts.scheduled_at + timedelta(minutes=8), physician)
        dose = self._dose(ts, protocol, k, weight_kg, start, previous_doses, physician, nurse, witness)
        session.add(dose)
        session.flush()
        self._sign(session, "dose_order", dose, physician, dose.ordered_at)
        self._sign(session, "administration", dose, nurse, dose.stopped_at + timedelta(minutes=2))
        if dose.waste_witness_id:
            self._sign(session, "waste", dose, witness, dose.stopped_at + timedelta(minutes=3))
        previous_doses.append(start)
        stop = dose.stopped_at
        sys0, dia0 = rng.randint(116, 138), rng.randint(70, 86)
        minute = 10
        while start + timedelta(minutes=minute) <= stop:
            rise = 16 * min(minute, 40) / 40
            self._vitals(session, ts, start + timedelta(minutes=minute), VitalsPhase.DURING,
                         sys0 + round(rise) + rng.randint(-4, 6), dia0 + round(rise * 0.6) + rng.randint(-3, 4), nurse)
            minute += 10
        for n in range(1, 4):
            self._vitals(session, ts, stop + timedelta(minutes=15 * n), VitalsPhase.AFTER,
                         sys0 + rng.randint(-4, 6), dia0 + rng.randint(-3, 4), nurse)
        self._scale(session, patient, ts, scales.CADSS.code, self._answers(rng.randint(2, max(3, 30 - 4 * k)), 23, 4),
                    Timepoint.DURING, stop - timedelta(minutes=2), nurse, note=NoteKind.DISSOCIATION)
        self._scale(session, patient, ts, scales.MOAAS.code, [rng.choice((4, 5, 5, 5))], Timepoint.DURING,
                    stop - timedelta(minutes=1), nurse, note=NoteKind.SEDATION)
        if rng.random() < 0.3:
            effects = rng.sample(("nausea", "dizziness", "headache", "blurred_vision", "anxiety"), rng.randint(1, 2))
            session.add(models.MonitoringNote(session_id=ts.id, noted_at=stop + timedelta(minutes=5),
                                              kind=NoteKind.SIDE_EFFECT, values={"effects": sorted(effects),
                                                                                 "severity": "mild"},
                                              text="Settled with rest.", recorded_by_id=nurse, created_at=self._now))
        leave = stop + timedelta(minutes=rng.randint(46, 70))
        self._scale(session, patient, ts, scales.ALDRETE.code, [2, 2, 2, 2, rng.choice((1, 2, 2))], Timepoint.POST,
                    leave, nurse)
        ts.status, ts.discharged_at, ts.discharged_by_id = SessionStatus.DISCHARGED, leave, nurse

    def _dose(self, ts: models.TreatmentSession, protocol: Protocol, k: int, weight_kg: Decimal, start: datetime,
              previous: list[datetime], physician: int, nurse: int, witness: int) -> models.DoseRecord:
        rng = self._rng
        esketamine = protocol.is_esketamine
        mg_per_kg = Decimal("0.5") if k < 3 or rng.random() < 0.7 else Decimal("0.6")
        order = DoseOrderInput(
            protocol=protocol, weight_kg=None if esketamine else weight_kg, weight_basis=WeightBasis.ACTUAL,
            weight_measured_on=start.date(), today=start.date(), mg_per_kg=None if esketamine else mg_per_kg,
            dose_mg=Decimal(56 if k == 0 or rng.random() < 0.5 else 84) if esketamine else None,
            vial_mg_per_ml=None if esketamine else Decimal(50), diluent_ml=Decimal(0 if esketamine else 100),
            duration_min=None if esketamine else Decimal(40), is_first_esketamine_dose=k == 0,
            previous_dose_times=tuple(previous), dose_time=start)
        calc = calculate_dose(order)
        overridden = calc.needs_override
        wasted = Decimal("0.5") if not esketamine and rng.random() < 0.2 else Decimal(0)
        return models.DoseRecord(
            session_id=ts.id, mg_per_kg=order.mg_per_kg, weight_basis=None if esketamine else WeightBasis.ACTUAL,
            weight_kg_used=order.weight_kg, dose_mg=calc.dose_mg, vial_mg_per_ml=order.vial_mg_per_ml,
            drug_volume_ml=calc.drug_volume_ml, diluent_ml=None if esketamine else order.diluent_ml,
            total_volume_ml=calc.total_volume_ml, duration_min=order.duration_min,
            pump_rate_ml_per_h=calc.pump_rate_ml_per_h, ordered_by_id=physician,
            ordered_at=ts.scheduled_at - timedelta(days=1), override_level=calc.grade if calc.grade >= Grade.WARN
            else Grade.OK, override_reason="Partial response; the series schedule is intended." if overridden else "",
            finding_codes=",".join(f.code for f in calc.findings if f.grade >= Grade.WARN),
            lot_number=f"KT{rng.randint(10000, 99999)}", lot_expiry=self._today + timedelta(days=rng.randint(90, 500)),
            started_at=start, stopped_at=start + timedelta(minutes=10 if esketamine else 40),
            volume_given_ml=None if esketamine else calc.total_volume_ml - wasted,
            volume_wasted_ml=None if esketamine else wasted, administered_by_id=nurse,
            waste_witness_id=witness if wasted else None, created_at=self._now, row_version=1)

    # --- charting helpers ------------------------------------------------------------------------
    def _vitals(self, session: Session, ts: models.TreatmentSession, at: datetime, phase: VitalsPhase, systolic: int,
                diastolic: int, nurse: int) -> None:
        rng = self._rng
        session.add(models.VitalSignsReading(
            session_id=ts.id, taken_at=at, phase=phase, systolic=systolic, diastolic=diastolic,
            heart_rate=rng.randint(62, 92), spo2=rng.randint(95, 99), resp_rate=rng.randint(12, 18),
            temperature_c=Decimal(f"36.{rng.randint(4, 9)}") if phase is VitalsPhase.BASELINE else None,
            alert_note="", recorded_by_id=nurse, created_at=self._now))
        self._counts["vitals"] += 1

    def _scale(self, session: Session, patient: models.Patient, ts: models.TreatmentSession, code: str, answers: list,
               timepoint: Timepoint, at: datetime, staff_id: int, note: NoteKind | None = None) -> None:
        result = scales.score(code, answers)
        row = models.ScaleResponse(patient_id=patient.id, session_id=ts.id, instrument=code, answers=list(answers),
                                   total=result.total, taken_at=at, timepoint=timepoint,
                                   rater=scales.get_scale(code).rater, recorded_by_id=staff_id, created_at=self._now)
        if result.blocks and code == scales.PHQ9.code:  # reviewed with the patient before that day's infusion
            row.acknowledged_by_id, row.acknowledged_at = self._physicians[0], at + timedelta(minutes=10)
        session.add(row)
        if note is not None:
            session.flush()
            session.add(models.MonitoringNote(session_id=ts.id, noted_at=at, kind=note,
                                              values={"total": result.total, "band": result.band}, text="",
                                              scale_response_id=row.id, recorded_by_id=staff_id,
                                              created_at=self._now))

    def _answers(self, total: int, items: int, top: int) -> list[int]:
        """Item answers that add up to `total` (capped at the scale's range); item 9 of a PHQ-9 stays low."""
        total = max(0, min(total, items * top))
        answers = [0] * items
        while sum(answers) < total:
            i = self._rng.randrange(items)
            if answers[i] < top and not (items == 9 and i == 8 and answers[i] >= 0 and self._rng.random() < 0.97):
                answers[i] += 1
        return answers

    def _sign(self, session: Session, record_type: str, row: models.DoseRecord, staff_id: int, at: datetime) -> None:
        signing.sign(session, self._ctx.db.keyring, record_type, row, staff_id, at, self._ctx.utc_offset_min(at))

    def _at(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self._zone)
