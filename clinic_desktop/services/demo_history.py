"""One batch of the demo clinic's patients with their whole history, as rows ready to write in bulk.

A batch depends only on the seed, its number and the clinic's fixed facts (staff, chairs, the day), never on
the batches made before it, so batches can be made in other processes and in any order and the clinic is still
the same for the same seed and day. Each batch owns a block of ids per table (PER_PATIENT ids per patient):
gaps between blocks are harmless and let a batch name its rows without asking the database."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from clinic_desktop.domain import scales
from clinic_desktop.domain.dosing import DoseOrderInput, calculate_dose
from clinic_desktop.domain.enums import (
    NoteKind, Protocol, SeriesStatus, SessionStatus, Sex, Timepoint, VitalsPhase, WeightBasis, WeightUnit,
)
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.quantities import STEP_WEIGHT_KG, lb_to_kg, rounded
from clinic_desktop.domain.schedule import TEMPLATES, format_weekdays, plan_session_times
from clinic_desktop.domain.screening import QUESTIONS
from clinic_desktop.domain.text import format_mrn, search_key
from clinic_desktop.services import demo_data as data
from clinic_desktop.services import signing
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import AuditKeyring, plain_value
from clinic_desktop.storage.bulk import RowBinder, dialect_for
from clinic_desktop.storage.row_seals import RowSealer

CONSENT_VERSION = "2026.1"
#: Tables in the order they are written (each refers only to tables before it).
TABLES = tuple(m.__table__ for m in (
    models.Patient, models.Diagnosis, models.Medication, models.Allergy, models.WeightMeasurement,
    models.ScreeningRecord, models.ConsentRecord, models.InfusionSeries, models.TreatmentSession,
    models.DoseRecord, models.Signature, models.VitalSignsReading, models.ScaleResponse, models.MonitoringNote))
#: At most this many rows per patient in each table (a long-term patient: induction, nine maintenance series).
PER_PATIENT = {"patients": 1, "diagnoses": 2, "medications": 10, "allergies": len(data.ALLERGIES),
               "weight_measurements": 1, "screening_records": 1, "consent_records": 2, "infusion_series": 12,
               "treatment_sessions": 80, "dose_records": 80, "signatures": 240, "vital_signs": 640,
               "scale_responses": 480, "monitoring_notes": 240}

#: How a clinic's patients fare (fractions of patients): some are seen, screened and never treated; most of
#: the rest finish an induction; some come back for maintenance, a few for years of it.
CONSULT_ONLY = 0.4
MAINTENANCE = 0.25
LONG_TERM = 0.08
LONG_TERM_SERIES = (4, 9)
#: New patients a day at the largest demo (100,000 patients over ten years); smaller demos span fewer days.
NEW_PATIENTS_PER_DAY = 100_000 / 3650
SPAN_DAYS = (150, 3650)
#: The day dose calculations are made on (weighed that day; earlier doses kept at their distance from it).
_ANCHOR = datetime(2000, 1, 3, 12, 0, tzinfo=timezone.utc)
#: Answer patterns per scale and total within a batch: scores are computed once per pattern.
ANSWER_VARIANTS = 6


@dataclass(frozen=True)
class ClinicFacts:
    """What every batch needs to know: the seed, the day, who works here and where the audit key is."""

    seed: int
    patients: int
    batch_size: int
    now: datetime
    zone: ZoneInfo
    physicians: tuple[int, ...]
    nurses: tuple[int, ...]
    front_desk: int
    chairs: tuple[int, ...]
    clinicians: tuple[int, ...]
    usernames: dict[int, str]
    audit_folder: str
    #: (dialect name, driver) of the database the rows are for.
    dialect: tuple[str, str]

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    @property
    def span_days(self) -> int:
        return history_days(self.patients)

    @property
    def batches(self) -> int:
        return -(-self.patients // self.batch_size)

    def numbers(self, batch: int) -> range:
        """The patient numbers (1-based, the MRN's sequence) of a batch."""
        return range(batch * self.batch_size + 1, min(self.patients, (batch + 1) * self.batch_size) + 1)

    def intake_day(self, number: int) -> date:
        """Patients arrive evenly over the span, in MRN order; the newest a few days before today."""
        span = self.span_days
        return self.today - timedelta(days=3 + span) + timedelta(days=number * span // self.patients)

    def first_moment(self, batch: int) -> datetime:
        """Nothing of this batch or any later one happened before this (its first patient's intake day)."""
        return datetime.combine(self.intake_day(self.numbers(batch)[0]), time(0, 0), tzinfo=self.zone)


def history_days(patients: int) -> int:
    """How many days the history of a clinic this size spans (150 days to ten years)."""
    return int(min(SPAN_DAYS[1], max(SPAN_DAYS[0], patients / NEW_PATIENTS_PER_DAY)))


@dataclass
class Batch:
    number: int
    patients: int
    #: Table name -> rows bound for the database's driver, in TABLES' column order.
    rows: dict[str, list[tuple]]
    #: Audit entries (append's keyword arguments) for the signatures, in the order they were made.
    audit: list[dict[str, Any]]

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


def make_batch(facts: ClinicFacts, number: int) -> Batch:
    return _BatchMaker(facts, number).make()


@functools.lru_cache(maxsize=4)
def _binders(dialect: tuple[str, str], audit_folder: str) -> dict[str, RowBinder]:
    """Binders that also seal each row with the clinic's audit key, as the application's own writes are sealed."""
    bound = dialect_for(*dialect)
    sealer = RowSealer(_keyring(audit_folder))
    return {t.name: RowBinder(t, bound, sealer) for t in TABLES}


@functools.lru_cache(maxsize=4)
def _keyring(folder: str) -> AuditKeyring:
    return AuditKeyring(Path(folder))


@functools.lru_cache(maxsize=100_000)
def _score(code: str, answers: tuple[int, ...]) -> tuple[int, str, bool]:
    """The total, band and whether it blocks the infusion (scoring is a pure function of the answers)."""
    result = scales.score(code, list(answers))
    return result.total, result.band, result.blocks


@functools.lru_cache(maxsize=100_000)
def _dose(order: DoseOrderInput) -> tuple[Any, Grade, bool, str]:
    """The calculation, the grade it is saved with, whether it needed an override, and its finding codes."""
    calc = calculate_dose(order)
    grade = calc.grade
    return (calc, grade if grade >= Grade.WARN else Grade.OK, calc.needs_override,
            ",".join(f.code for f in calc.findings if f.grade >= Grade.WARN))


class _BatchMaker:
    """Writes staff-independent history for one batch: patients with their series, doses, vitals, notes, scales
    and signatures. Everything random comes from one `random.Random` for this seed and batch."""

    def __init__(self, facts: ClinicFacts, number: int) -> None:
        self.f = facts
        self.number = number
        self.rng = random.Random(f"clinic-desktop demo {facts.seed} batch {number}")
        self.now = facts.now
        self.zone = facts.zone
        self.keyring = _keyring(facts.audit_folder)
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
        self.audit: list[dict[str, Any]] = []
        self._next_id = {t.name: number * facts.batch_size * PER_PATIENT[t.name] for t in TABLES}
        self._variants: dict[tuple[str, int], list[tuple[int, ...]]] = {}

    def make(self) -> Batch:
        numbers = self.f.numbers(self.number)
        for number in numbers:
            self._patient(number)
        limit = (self.number + 1) * self.f.batch_size
        binders = _binders(self.f.dialect, self.f.audit_folder)
        bound = {}
        for table in TABLES:
            if self._next_id[table.name] > limit * PER_PATIENT[table.name]:
                raise AssertionError(f"a demo batch overflowed its ids for {table.name}")
            bound[table.name] = binders[table.name].bind_all(self.rows[table.name])
        return Batch(self.number, len(numbers), bound, self.audit)

    def _add(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        self._next_id[table] += 1
        values["id"] = self._next_id[table]
        self.rows[table].append(values)
        return values

    # --- small helpers ---------------------------------------------------------------------------
    def _phone(self) -> str:
        return f"({self.rng.randint(201, 989)}) 555-01{self.rng.randint(0, 99):02d}"

    def _address(self) -> str:
        town, state, postcode = self.rng.choice(data.TOWNS)
        return f"{self.rng.randint(2, 2999)} {self.rng.choice(data.STREETS)}\n{town}, {state} {postcode}"

    def _at(self, day: date, at: time) -> datetime:
        # In UTC from the start, as the sessions' planned times are: the same moments, cheaper to work with.
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(timezone.utc)

    def _offset(self, at: datetime) -> int:
        return int(at.astimezone(self.zone).utcoffset().total_seconds() // 60)

    # --- one patient -----------------------------------------------------------------------------
    def _patient(self, number: int) -> None:
        rng = self.rng
        intake = self.f.intake_day(number)
        registered = self._at(intake, time(9, 0))
        given, sex = rng.choice(data.GIVEN_NAMES)
        family = rng.choice(data.FAMILY_NAMES)
        born = intake - timedelta(days=rng.randint(19 * 365, 75 * 365))
        height = Decimal(rng.randint(152, 193) if sex == "male" else rng.randint(150, 180))
        escort_given, _ = rng.choice(data.GIVEN_NAMES)
        patient = self._add("patients", {
            "mrn": format_mrn(number), "given_names": given, "family_name": family, "given_key": search_key(given),
            "family_key": search_key(family), "preferred_name": "", "date_of_birth": born, "sex": Sex(sex), "phone": self._phone(),
            "email": f"{search_key(given).replace(' ', '')}.{number}@example.org", "address": self._address(),
            "emergency_contact_name": f"{escort_given} {family}", "emergency_contact_phone": self._phone(),
            "emergency_contact_relation": rng.choice(data.RELATIONS), "escort_name": f"{escort_given} {family}",
            "escort_phone": self._phone(), "referring_clinician_id": rng.choice(self.f.clinicians), "height_cm": height,
            "rems_enrolled_on": None, "created_at": registered, "row_version": 1})
        pid = patient["id"]
        primary = rng.choice(data.DIAGNOSES[:3])
        self._add("diagnoses", {"patient_id": pid, "description": primary[0], "code": primary[1], "is_primary": True})
        if rng.random() < 0.4:
            extra = rng.choice(data.DIAGNOSES[3:])
            self._add("diagnoses", {"patient_id": pid, "description": extra[0], "code": extra[1], "is_primary": False})
        # Theophylline never appears: a hard stop would leave the demo patient untreatable.
        for name, dose, drug_class in rng.sample(data.MEDICATIONS[:4], 1) + [
                m for m in data.MEDICATIONS[4:] if rng.random() < 0.08]:
            self._add("medications", {"patient_id": pid, "name": name, "dose": dose, "drug_class": drug_class, "active": True})
        for substance, reaction in data.ALLERGIES:
            if rng.random() < 0.12:
                self._add("allergies", {"patient_id": pid, "substance": substance, "reaction": reaction})
        self._history(patient, intake)

    def _history(self, patient: dict[str, Any], intake: date) -> None:
        rng = self.rng
        pid = patient["id"]
        nurse = rng.choice(self.f.nurses)
        seen = self._at(intake, time(9, 30))
        weight_lb = Decimal(rng.randint(110, 260))
        weight_kg = lb_to_kg(weight_lb) if rng.random() < 0.6 else rounded(lb_to_kg(weight_lb), STEP_WEIGHT_KG)
        unit = WeightUnit.LB if weight_kg == lb_to_kg(weight_lb) else WeightUnit.KG
        self._add("weight_measurements", {"patient_id": pid, "measured_on": intake, "weight_kg": weight_kg,
                                              "entered_unit": unit, "recorded_by_id": nurse, "created_at": seen})
        answers = {q.key: ("yes" if rng.random() < 0.015 and q.key not in ("hypersensitivity", "pregnant",
                                                                            "aneurysm_avm") else "no")
                   for q in QUESTIONS}
        answers["childbearing_potential"] = "yes" if patient["sex"] is Sex.FEMALE and rng.random() < 0.5 else "no"
        self._add("screening_records", {"patient_id": pid, "screened_on": intake, "answers": answers, "notes": "",
                                            "recorded_by_id": nurse, "created_at": seen})
        if rng.random() < CONSULT_ONLY:  # seen and screened, and did not go on to treatment
            return
        protocol = Protocol.ESKETAMINE if rng.random() < 0.15 else Protocol.IV_INDUCTION
        if protocol is Protocol.ESKETAMINE:
            patient["rems_enrolled_on"] = intake
        signed = self._at(intake, time(10, 0))
        self._consent(pid, protocol, signed, nurse)
        start = intake + timedelta(days=rng.randint(1, 10))
        response = rng.uniform(0.15, 0.85)  # fraction of baseline severity that remains by the end
        doses: list[datetime] = []
        status, last = self._series(patient, protocol, start, weight_kg, response, doses)
        if status is not SeriesStatus.COMPLETED or protocol is not Protocol.IV_INDUCTION \
                or rng.random() >= MAINTENANCE:
            return
        courses = rng.randint(*LONG_TERM_SERIES) if rng.random() < LONG_TERM else 1
        later = last + timedelta(days=rng.randint(14, 60))
        if later > self.f.today + timedelta(days=14):
            return
        self._consent(pid, Protocol.IV_MAINTENANCE, self._at(later, time(7, 30)), nurse)
        for _course in range(courses):
            response *= 0.9
            status, last = self._series(patient, Protocol.IV_MAINTENANCE, later, weight_kg, response, doses)
            later = last + timedelta(days=rng.randint(28, 120))
            if status is not SeriesStatus.COMPLETED or later > self.f.today + timedelta(days=14):
                return

    def _consent(self, pid: int, protocol: Protocol, signed: datetime, nurse: int) -> None:
        self._add("consent_records", {"patient_id": pid, "protocol": protocol, "template_version": CONSENT_VERSION,
                                          "signed_at": signed, "witness_id": self.f.front_desk, "recorded_by_id": nurse,
                                          "withdrawn_at": None, "signer_name": "", "signer_relation": "", "created_at": signed})

    # --- a series and its sessions ---------------------------------------------------------------
    def _series(self, patient: dict[str, Any], protocol: Protocol, start: date, weight_kg: Decimal,
                response: float, doses: list[datetime]) -> tuple[SeriesStatus, date]:
        """Plan a series from `start`; chart the sessions already past. Returns its status and last day."""
        rng = self.rng
        template = TEMPLATES[protocol]
        at = rng.choice((time(8, 0), time(9, 30), time(11, 0), time(13, 0), time(14, 30)))
        chair = rng.choice(self.f.chairs)
        times = plan_session_times(start, template.weekdays, template.planned_sessions, at, self.zone)
        planned = self._at(start - timedelta(days=2), time(16, 0))
        series = self._add("infusion_series", {
            "patient_id": patient["id"], "protocol": protocol, "planned_sessions": template.planned_sessions,
            "start_date": start, "target_dose": template.target_dose, "weekdays": format_weekdays(template.weekdays),
            "session_time": at, "chair_id": chair, "status": SeriesStatus.PLANNED, "stop_reason": "",
            "created_by_id": rng.choice(self.f.physicians), "created_at": planned, "row_version": 1})
        stop_after = rng.randint(2, len(times) - 1) if rng.random() < 0.08 and len(times) > 2 else None
        baseline = rng.randint(14, 25)
        for k, when in enumerate(times):
            ts = self._add("treatment_sessions", {
                "series_id": series["id"], "sequence": k + 1, "scheduled_at": when, "chair_id": chair,
                "status": SessionStatus.SCHEDULED, "status_reason": "", "created_at": planned, "row_version": 1,
                "escort_name": "", "escort_phone": "", "escort_confirmed": False, "npo_confirmed": None,
                "checked_in_at": None, "discharged_at": None, "discharged_by_id": None})
            progress = k / max(1, len(times) - 1)
            phq9 = max(0, min(27, round(baseline * (1 - (1 - response) * progress)) + rng.randint(-1, 1)))
            if stop_after is not None and k >= stop_after:
                ts["status"], ts["status_reason"] = SessionStatus.CANCELLED, "Series stopped"
            elif when < self.now - timedelta(minutes=150):
                if rng.random() < 0.03:
                    ts["status"] = SessionStatus.NO_SHOW
                else:
                    self._complete(ts, patient, protocol, k, weight_kg, phq9, doses)
            elif when < self.now:
                self._arrived(ts, patient, phq9)
        last = times[-1].astimezone(self.zone).date()
        if stop_after is not None and times[stop_after] < self.now:
            series["status"], series["stop_reason"] = SeriesStatus.STOPPED, rng.choice(data.STOP_REASONS)
        elif times[-1] < self.now - timedelta(minutes=150):
            series["status"] = SeriesStatus.COMPLETED
        elif times[0] < self.now:
            series["status"] = SeriesStatus.ACTIVE
        return series["status"], last

    def _arrived(self, ts: dict[str, Any], patient: dict[str, Any], phq9: int) -> None:
        """A session under way: checked in, baseline charted, waiting for the dose."""
        nurse = self.rng.choice(self.f.nurses)
        ts["status"], ts["checked_in_at"] = SessionStatus.CHECKED_IN, ts["scheduled_at"] - timedelta(minutes=5)
        ts["escort_name"], ts["escort_phone"] = patient["escort_name"], patient["escort_phone"]
        ts["escort_confirmed"] = ts["npo_confirmed"] = True
        phq9_code = scales.PHQ9.code
        self._scale(patient, ts, phq9_code, self._answers(phq9_code, phq9, 9, 3), Timepoint.PRE, ts["scheduled_at"],
                    nurse)
        self._vitals(ts, ts["scheduled_at"] + timedelta(minutes=5), VitalsPhase.BASELINE,
                     self.rng.randint(118, 138), self.rng.randint(72, 86), nurse)

    def _complete(self, ts: dict[str, Any], patient: dict[str, Any], protocol: Protocol, k: int,
                  weight_kg: Decimal, phq9: int, doses: list[datetime]) -> None:
        rng = self.rng
        nurse, witness = rng.sample(self.f.nurses, 2)
        physician = rng.choice(self.f.physicians)
        scheduled = ts["scheduled_at"]
        start = scheduled + timedelta(minutes=rng.randint(20, 35))
        self._arrived(ts, patient, phq9)
        ts["checked_in_at"] = scheduled - timedelta(minutes=rng.randint(0, 15))
        gad7 = max(0, round(phq9 * 0.8) + rng.randint(-2, 2))
        self._scale(patient, ts, scales.GAD7.code, self._answers(scales.GAD7.code, gad7, 7, 3), Timepoint.PRE,
                    scheduled, nurse)
        if k == 0 or rng.random() < 0.2:
            madrs = min(60, round(phq9 * 1.7) + rng.randint(-3, 3))
            self._scale(patient, ts, scales.MADRS.code, self._answers(scales.MADRS.code, madrs, 10, 6), Timepoint.PRE,
                        scheduled + timedelta(minutes=8), physician)
        dose = self._dose(ts, protocol, k, weight_kg, start, doses, physician, nurse, witness)
        pid = patient["id"]
        self._sign(pid, "dose_order", dose, physician, dose["ordered_at"], {"meaning": signing.MEANINGS["dose_order"]})
        administration = signing.SIGNED_FIELDS["administration"] + ("volume_wasted_ml", "waste_witness_id")
        self._sign(pid, "administration", dose, nurse, dose["stopped_at"] + timedelta(minutes=2), {
            "meaning": signing.MEANINGS["administration"],
            "new": {name: plain_value(dose[name]) for name in administration}})
        if dose["waste_witness_id"]:
            self._sign(pid, "waste", dose, witness, dose["stopped_at"] + timedelta(minutes=3), {
                "meaning": signing.MEANINGS["waste"], "volume_wasted_ml": dose["volume_wasted_ml"]})
        doses.append(start)
        stop = dose["stopped_at"]
        sys0, dia0 = rng.randint(116, 138), rng.randint(70, 86)
        minute = 10
        while start + timedelta(minutes=minute) <= stop:
            rise = 16 * min(minute, 40) / 40
            self._vitals(ts, start + timedelta(minutes=minute), VitalsPhase.DURING,
                         sys0 + round(rise) + rng.randint(-4, 6), dia0 + round(rise * 0.6) + rng.randint(-3, 4), nurse)
            minute += 10
        for n in range(1, 4):
            self._vitals(ts, stop + timedelta(minutes=15 * n), VitalsPhase.AFTER,
                         sys0 + rng.randint(-4, 6), dia0 + rng.randint(-3, 4), nurse)
        cadss = rng.randint(2, max(3, 30 - 4 * k))
        self._scale(patient, ts, scales.CADSS.code, self._answers(scales.CADSS.code, cadss, 23, 4), Timepoint.DURING,
                    stop - timedelta(minutes=2), nurse, note=NoteKind.DISSOCIATION)
        self._scale(patient, ts, scales.MOAAS.code, (rng.choice((4, 5, 5, 5)),), Timepoint.DURING,
                    stop - timedelta(minutes=1), nurse, note=NoteKind.SEDATION)
        if rng.random() < 0.3:
            effects = rng.sample(("nausea", "dizziness", "headache", "blurred_vision", "anxiety"), rng.randint(1, 2))
            noted = stop + timedelta(minutes=5)
            self._add("monitoring_notes", {"session_id": ts["id"], "noted_at": noted, "kind": NoteKind.SIDE_EFFECT,
                                               "values": {"effects": sorted(effects), "severity": "mild"},
                                               "text": "Settled with rest.", "scale_response_id": None,
                                               "recorded_by_id": nurse, "created_at": noted})
        leave = stop + timedelta(minutes=rng.randint(46, 70))
        self._scale(patient, ts, scales.ALDRETE.code, (2, 2, 2, 2, rng.choice((1, 2, 2))), Timepoint.POST, leave, nurse)
        ts["status"], ts["discharged_at"], ts["discharged_by_id"] = SessionStatus.DISCHARGED, leave, nurse

    def _dose(self, ts: dict[str, Any], protocol: Protocol, k: int, weight_kg: Decimal, start: datetime,
              previous: list[datetime], physician: int, nurse: int, witness: int) -> dict[str, Any]:
        rng = self.rng
        esketamine = protocol.is_esketamine
        mg_per_kg = Decimal("0.5") if k < 3 or rng.random() < 0.7 else Decimal("0.6")
        # Only the last week's doses (and the latest) can change the grade, and only by their distance from
        # this one: the calculation (a pure function) is done with times moved to a fixed day, so orders
        # that differ only in their date are calculated once.
        recent = tuple(_ANCHOR - (start - t) for t in previous[-8:] if start - t < timedelta(days=8))
        order = DoseOrderInput(
            protocol=protocol, weight_kg=None if esketamine else weight_kg, weight_basis=WeightBasis.ACTUAL,
            weight_measured_on=_ANCHOR.date(), today=_ANCHOR.date(), mg_per_kg=None if esketamine else mg_per_kg,
            dose_mg=Decimal(56 if k == 0 or rng.random() < 0.5 else 84) if esketamine else None,
            vial_mg_per_ml=None if esketamine else Decimal(50), diluent_ml=Decimal(0 if esketamine else 100),
            duration_min=None if esketamine else Decimal(40), is_first_esketamine_dose=k == 0,
            previous_dose_times=recent, dose_time=_ANCHOR)
        calc, level, overridden, codes = _dose(order)
        wasted = Decimal("0.5") if not esketamine and rng.random() < 0.2 else Decimal(0)
        ordered = ts["scheduled_at"] - timedelta(days=1)
        return self._add("dose_records", {
            "session_id": ts["id"], "mg_per_kg": order.mg_per_kg, "weight_basis": None if esketamine else WeightBasis.ACTUAL,
            "weight_kg_used": order.weight_kg, "dose_mg": calc.dose_mg, "vial_mg_per_ml": order.vial_mg_per_ml,
            "drug_volume_ml": calc.drug_volume_ml, "diluent_ml": None if esketamine else order.diluent_ml,
            "total_volume_ml": calc.total_volume_ml, "duration_min": order.duration_min,
            "pump_rate_ml_per_h": calc.pump_rate_ml_per_h, "ordered_by_id": physician, "ordered_at": ordered,
            "override_level": level,
            "override_reason": "Partial response; the series schedule is intended." if overridden else "",
            "finding_codes": codes,
            "lot_number": f"KT{rng.randint(10000, 99999)}", "lot_expiry": start.date() + timedelta(days=rng.randint(90, 500)),
            "started_at": start, "stopped_at": start + timedelta(minutes=10 if esketamine else 40),
            "volume_given_ml": None if esketamine else calc.total_volume_ml - wasted,
            "volume_wasted_ml": None if esketamine else wasted, "administered_by_id": nurse,
            "waste_witness_id": witness if wasted else None, "created_at": ordered, "row_version": 1})

    # --- charting helpers ------------------------------------------------------------------------
    def _vitals(self, ts: dict[str, Any], at: datetime, phase: VitalsPhase, systolic: int, diastolic: int,
                nurse: int) -> None:
        rng = self.rng
        self._add("vital_signs", {
            "session_id": ts["id"], "taken_at": at, "phase": phase, "systolic": systolic, "diastolic": diastolic,
            "heart_rate": rng.randint(62, 92), "spo2": rng.randint(95, 99), "resp_rate": rng.randint(12, 18),
            "temperature_c": Decimal(f"36.{rng.randint(4, 9)}") if phase is VitalsPhase.BASELINE else None,
            "alert_action": None, "alert_note": "", "recorded_by_id": nurse, "created_at": at})

    def _scale(self, patient: dict[str, Any], ts: dict[str, Any], code: str, answers: tuple[int, ...],
               timepoint: Timepoint, at: datetime, staff_id: int, note: NoteKind | None = None) -> None:
        total, band, blocks = _score(code, answers)
        row = self._add("scale_responses", {
            "patient_id": patient["id"], "session_id": ts["id"], "instrument": code, "answers": list(answers),
            "total": total, "taken_at": at, "timepoint": timepoint, "rater": scales.get_scale(code).rater,
            "recorded_by_id": staff_id, "acknowledged_by_id": None, "acknowledged_at": None, "created_at": at})
        if blocks and code == scales.PHQ9.code:  # reviewed with the patient before that day's infusion
            row["acknowledged_by_id"], row["acknowledged_at"] = self.f.physicians[0], at + timedelta(minutes=10)
        if note is not None:
            self._add("monitoring_notes", {"session_id": ts["id"], "noted_at": at, "kind": note,
                                               "values": {"total": total, "band": band}, "text": "",
                                               "scale_response_id": row["id"], "recorded_by_id": staff_id, "created_at": at})

    def _answers(self, code: str, total: int, items: int, top: int) -> tuple[int, ...]:
        """Item answers that add up to `total` (capped at the scale's range); item 9 of a PHQ-9 stays low.
        A batch reuses a few patterns per scale and total, so each pattern is scored once."""
        total = max(0, min(total, items * top))
        known = self._variants.setdefault((code, total), [])
        if len(known) >= ANSWER_VARIANTS:
            return self.rng.choice(known)
        answers = [0] * items
        given = 0
        while given < total:
            i = self.rng.randrange(items)
            if answers[i] < top and not (items == 9 and i == 8 and self.rng.random() < 0.97):
                answers[i] += 1
                given += 1
        known.append(tuple(answers))
        return known[-1]

    def _sign(self, pid: int, record_type: str, dose: dict[str, Any], staff_id: int, at: datetime,
              details: dict[str, Any]) -> None:
        """The signature `signing.sign` would store, and the audit entry the dose service writes with it."""
        offset = self._offset(at)
        self._add("signatures", dict(signing.signature_values(self.keyring, record_type, dose["id"], dose, staff_id,
                                                              at, offset), superseded_by_id=None))
        self.audit.append({"at": at, "utc_offset_min": offset, "staff_id": staff_id, "username": self.f.usernames[staff_id],
                               "patient_id": pid, "action": "sign", "object_type": record_type, "object_id": dose["id"],
                               "details": details})
