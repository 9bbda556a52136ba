"""The benchmark's clinics: demo databases of N patients built once into a cache folder and reused, and the
records the measurements use (a long chart, a discharged session, a patient checked in today)."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import platformdirs
from sqlalchemy import func, select

from clinic_desktop.app import open_services
from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.enums import Protocol, SessionStatus, VitalsPhase
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.screening import QUESTIONS
from clinic_desktop.services.registry import Services
from clinic_desktop.settings import Locations
from clinic_desktop.storage import models
from tests.perf.demo_db import build_demo_database

#: The file beside a cached clinic's database that names its accounts (the demo makes up their passwords).
ACCOUNTS = "bench-accounts.json"
#: A normal reading, as the nurse types it.
NORMAL = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "spo2": 98, "resp_rate": 14}
#: How many sessions the long chart should have (the issue's "a chart with 40 sessions").
LONG_CHART_SESSIONS = 40


def default_cache() -> Path:
    return platformdirs.user_cache_path("clinic-desktop-bench")


@dataclass(frozen=True)
class BenchClinic:
    patients: int
    data_dir: Path
    #: role -> (username, password) of the first demo account with that role.
    accounts: dict[str, tuple[str, str]]
    #: Seconds the demo took to write (0 when reused from the cache).
    built_seconds: float = 0.0

    @property
    def database(self) -> Path:
        return self.data_dir / "clinic.db"


def clinic(cache: Path, patients: int, say=print) -> BenchClinic:
    """The cached demo clinic of `patients` patients, built first if the cache has none (a half-built one from
    an interrupted run is thrown away)."""
    folder = cache / f"patients-{patients}"
    known = folder / ACCOUNTS
    if known.exists():
        return BenchClinic(patients, folder, {k: tuple(v) for k, v in json.loads(known.read_text()).items()})
    building = cache / f"patients-{patients}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    say(f"building a demo clinic of {patients:,} patients in {folder} (once; later runs reuse it)...")
    demo = build_demo_database(building, patients)
    accounts: dict[str, tuple[str, str]] = {}
    for account in demo.summary.accounts:
        accounts.setdefault(account.role.value, (account.username, account.password))
    (building / ACCOUNTS).write_text(json.dumps(accounts, indent=1))
    building.rename(folder)
    say(f"  built in {demo.seconds:.1f} s")
    return BenchClinic(patients, folder, accounts, demo.seconds)


def open_clinic(bench: BenchClinic) -> tuple[Services, Locations]:
    """The clinic's services over the system clock, as the application opens them."""
    return open_services(str(bench.data_dir), None)


def sign_in(services: Services, bench: BenchClinic, role: str) -> Principal:
    username, password = bench.accounts[role]
    return services.auth.login(username, password)


@dataclass(frozen=True)
class Picks:
    """Records of the demo the measurements open, and what to search for."""

    long_chart_patient: int
    long_chart_sessions: int
    #: Another patient, opened between two openings of the long chart.
    other_patient: int
    discharged_session: int
    discharged_series: int
    name_prefixes: tuple[str, ...]
    mrns: tuple[str, ...]
    birth_dates: tuple[str, ...]


def picks(services: Services, samples: int = 30, seed: int = 12) -> Picks:
    """The patient whose chart has the number of sessions nearest 40, a discharged session of theirs (or of
    anyone), and search terms taken from random patients (three letters of a family name, an MRN, a birth date)."""
    rng = random.Random(seed)
    with services.context.db.read() as uow:
        s = uow.session
        per_patient = (select(models.InfusionSeries.patient_id, func.count(models.TreatmentSession.id).label("n"))
                       .join(models.TreatmentSession, models.TreatmentSession.series_id == models.InfusionSeries.id)
                       .group_by(models.InfusionSeries.patient_id).subquery())
        patient_id, sessions = s.execute(select(per_patient.c.patient_id, per_patient.c.n).order_by(
            func.abs(per_patient.c.n - LONG_CHART_SESSIONS), per_patient.c.patient_id).limit(1)).one()
        other = s.execute(select(models.Patient.id).where(models.Patient.id != patient_id)
                          .order_by(models.Patient.id).limit(1)).scalar_one()
        discharged = (select(models.TreatmentSession.id, models.TreatmentSession.series_id)
                      .join(models.InfusionSeries, models.TreatmentSession.series_id == models.InfusionSeries.id)
                      .where(models.TreatmentSession.status == SessionStatus.DISCHARGED))
        found = s.execute(discharged.where(models.InfusionSeries.patient_id == patient_id)
                          .order_by(models.TreatmentSession.id.desc()).limit(1)).first() \
            or s.execute(discharged.order_by(models.TreatmentSession.id.desc()).limit(1)).one()
        top = s.execute(select(func.max(models.Patient.id))).scalar_one()
        ids = [rng.randint(1, top) for _ in range(samples)]
        rows = s.execute(select(models.Patient.family_name, models.Patient.mrn, models.Patient.date_of_birth)
                         .where(models.Patient.id.in_(ids))).all()
    return Picks(patient_id, sessions, other, found[0], found[1],
                 tuple(r.family_name[:3] for r in rows), tuple(r.mrn for r in rows),
                 tuple(r.date_of_birth.isoformat() for r in rows))


def checked_in_today(services: Services, nurse: Principal, physician: Principal, family_name: str) -> tuple[int, int]:
    """(patient id, session id): a new fictional patient weighed, screened, consented, planned from today and
    checked in with a baseline reading, ready for a dose order (the benchmark's own writes go here)."""
    p = services.patients.register(nurse, PatientInput(given_names="Bench", family_name=family_name,
                                                       date_of_birth="1980-05-01", sex="female",
                                                       escort_name="Sam Bench", height="165"))
    services.patients.record_weight(nurse, p.id, "80", "kg")
    services.patients.record_screening(nurse, p.id, {q.key: "no" for q in QUESTIONS})
    series = services.series.plan(physician, p.id, Protocol.IV_INDUCTION, services.context.today(),
                                  tuple(range(7)), 6, time(0, 5), "0.5")
    nurse2 = next(m for m in services.staff.list(nurse) if m.role.value == "nurse" and m.id != nurse.id)
    services.patients.record_consent(nurse, p.id, Protocol.IV_INDUCTION,
                                     _consent_version(services, nurse, p.id), witness_id=nurse2.id)
    sid = series.sessions[0].id
    services.sessions.check_in(nurse, sid, escort_confirmed=True, npo_confirmed=True)
    services.monitoring.record_vitals(nurse, sid, VitalsPhase.BASELINE, NORMAL)
    return p.id, sid


def _consent_version(services: Services, actor: Principal, patient_id: int) -> str:
    """The consent form in use now, so the session's consent check passes."""
    return services.paperwork.consent_status(actor, patient_id, Protocol.IV_INDUCTION).current_version
