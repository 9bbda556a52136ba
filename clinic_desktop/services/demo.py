"""`clinic-desktop demo`: a realistic, fictional clinic history, the same for the same seed and day.

The staff and places are written first; then the patients' history in batches (see demo_history.py), made in
worker processes while this one writes, each batch in one transaction of bulk inserts. The signatures are
made for demo accounts whose passwords are confirmed once at the start (a workstation confirms the password
for every signature); their audit entries join the one hash chain in the order they happened."""

from __future__ import annotations

import functools
import heapq
import multiprocessing
import os
import random
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import RuleViolation, ValidationError
from clinic_desktop.domain.text import search_key
from clinic_desktop.services import demo_data as data
from clinic_desktop.services.context import ServiceContext
from clinic_desktop.services.demo_history import TABLES, Batch, ClinicFacts, history_days, make_batch
from clinic_desktop.storage import audit_chain, models
from clinic_desktop.storage.bulk import advance_sequences, insert_rows
from clinic_desktop.storage.audit_chain import AuditKeyring
from clinic_desktop.storage.database import Database, bulk_load_database

#: Patients per batch (one transaction each): bounded memory, and progress a person can watch.
BATCH = 500
#: Batches made ahead of the writer, so worker processes never wait and memory stays bounded.
AHEAD = 4
#: The days a demo history may be laid out around: ten years of history and patients born after 1900
#: (the earliest plausible birth) before it, and booked sessions and lot expiry dates after it.
FIRST_DAY, LAST_DAY = date(2010, 1, 1), date(2199, 12, 31)


def check_demo_day(day: date) -> None:
    """Refuse a day whose history would fall outside the calendar the records accept."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(f"A demo clinic is laid out around a day from {FIRST_DAY:%Y-%m-%d} to "
                              f"{LAST_DAY:%Y-%m-%d}; {day.isoformat()} is outside that.", "today")


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
    #: Rows written per table (and "audit_log"), for the record.
    rows: dict[str, int]


class DemoBuilder:
    """Writes staff, chairs, clinicians and patients with their series, doses, vitals, notes, scales and
    signatures, with the signatures' audit entries.

    Everything random comes from `random.Random(seed)` (staff) and one generator per batch of patients; dates are
    laid out around `today`, so the board has sessions today. Sessions before now are complete, today's are at
    the front desk, later ones are booked. The larger the clinic, the longer its history (ten years at 100,000).
    """

    def __init__(self, ctx: ServiceContext, seed: int, workers: int | None = None, batch_size: int = BATCH) -> None:
        """`workers`: processes making batches (default: one per core, up to two; 0 makes them here)."""
        self._ctx = ctx
        self._seed = seed
        self._batch_size = batch_size
        self._rng = random.Random(seed)
        self._now = ctx.now()
        self._workers = workers

    def build(self, patients: int, progress: Callable[[int], None] | None = None) -> DemoSummary:
        check_demo_day(self._now.astimezone(self._ctx.zone).date())
        with self._ctx.db.write() as uow:
            existing = uow.session.execute(select(func.count()).select_from(models.Patient)).scalar_one()
            if existing:
                raise RuleViolation(f"This database already has {existing} patients. Demo data goes only into an "
                                    "empty database: choose a new data folder with --data-dir.")
            if uow.session.execute(select(models.Staff.id).where(models.Staff.username.is_not(None))).first():
                raise RuleViolation("This database already has user accounts, so it belongs to a clinic. Demo data "
                                    "goes only into an empty database: choose a new data folder with --data-dir.")
            since = self._now - timedelta(days=history_days(patients) + 30)
            accounts = self._staff_and_places(uow.session, since)
            self._confirm_signers(accounts)
            self._ctx.audit(uow.session, None, "demo_created", username="demo",
                            details={"seed_patients": patients, "accounts": [a.username for a in accounts]})
            uow.commit()
        engine = self._ctx.db.engine
        facts = ClinicFacts(seed=self._seed, patients=patients, batch_size=self._batch_size, now=self._now, zone=self._ctx.zone,
                            physicians=tuple(self._physicians), nurses=tuple(self._nurses), front_desk=self._front,
                            chairs=tuple(c.id for c in self._chairs), clinicians=tuple(c.id for c in self._clinicians),
                            usernames=self._usernames, audit_folder=str(self._ctx.db.keyring.folder),
                            dialect=(engine.dialect.name, engine.dialect.driver))
        bulk = self._ctx.db.for_bulk_load()
        try:
            writer = _AuditWriter(bulk, facts)
            done = 0
            for batch in _batches(facts, bulk, self._workers):
                writer.add(batch)
                done += batch.patients
                if progress:
                    progress(done)
        finally:
            bulk.close()
        rows = writer.rows
        return DemoSummary(patients, rows["infusion_series"], rows["treatment_sessions"], rows["vital_signs"],
                           accounts, rows)

    # --- shared things ---------------------------------------------------------------------------
    def _staff_and_places(self, session: Session, since: datetime) -> tuple[DemoAccount, ...]:
        """Staff with sign-in accounts (one password each, made up here and printed for the newcomer)."""
        self._staff = {}
        accounts = []
        for username, name, role, creds in data.STAFF:
            password = "-".join(self._rng.sample(data.PASSWORD_WORDS, 3)) + f"-{self._rng.randint(10, 99)}"
            row = models.Staff(full_name=name, role=StaffRole(role), credentials=creds, active=True,
                               created_at=since, username=username, password_hash=self._ctx.passwords.hash(password),
                               password_changed_at=self._now, is_admin=role == "administrator", failed_logins=[])
            session.add(row)
            self._staff.setdefault(role, []).append(row)
            accounts.append(DemoAccount(username, password, name, StaffRole(role)))
        self._chairs = [models.Chair(name=f"Chair {n}", active=True, position=n) for n in range(1, 5)]
        self._clinicians = [models.ReferringClinician(
            full_name=name, practice=practice, address=self._address(), phone=self._phone(), fax=self._phone(),
            email=f"referrals.{search_key(name.split()[-1])}@example.org", created_at=since)
            for name, practice in data.CLINICIANS]
        session.add_all(self._chairs + self._clinicians)
        session.flush()
        self._physicians = [s.id for s in self._staff["physician"]]
        self._nurses = [s.id for s in self._staff["nurse"]]
        self._front = self._staff["front_desk"][0].id
        self._usernames = {row.id: row.username for rows in self._staff.values() for row in rows}
        self._hashes = {row.username: row.password_hash for rows in self._staff.values() for row in rows}
        return tuple(accounts)

    def _confirm_signers(self, accounts: tuple[DemoAccount, ...]) -> None:
        """Each account that signs demo records has its password checked once, as signing in would check it:
        the signatures written in bulk are made only for accounts whose password was confirmed."""
        for account in accounts:
            signs = account.role in (StaffRole.PHYSICIAN, StaffRole.NURSE)
            if signs and not self._ctx.passwords.verify(self._hashes[account.username], account.password):
                raise AssertionError(f"the demo account {account.username} does not accept its password")


    def _phone(self) -> str:
        return f"({self._rng.randint(201, 989)}) 555-01{self._rng.randint(0, 99):02d}"

    def _address(self) -> str:
        town, state, postcode = self._rng.choice(data.TOWNS)
        return f"{self._rng.randint(2, 2999)} {self._rng.choice(data.STREETS)}\n{town}, {state} {postcode}"


@dataclass(frozen=True)
class _Written:
    """A batch once its rows are in the database: what remains is its audit entries, for the chain."""

    number: int
    patients: int
    rows: dict[str, int]
    audit: list[dict[str, Any]]


def _write_batch(db: Database, batch: Batch) -> _Written:
    """A batch's rows in one transaction (the audit entries are written by the one process keeping the chain)."""
    with db.write() as uow:
        connection = uow.session.connection()
        for table in TABLES:
            insert_rows(connection, table, batch.rows[table.name])
        uow.commit()
    return _Written(batch.number, batch.patients, {t.name: batch.count(t.name) for t in TABLES}, batch.audit)


@functools.lru_cache(maxsize=1)
def _worker_database(url: str, audit_folder: str) -> Database:
    return bulk_load_database(url, AuditKeyring(Path(audit_folder)))


def _make_and_write(facts: ClinicFacts, url: str, number: int) -> _Written:
    """In a worker process: make one batch and write it (the database serialises the writers)."""
    return _write_batch(_worker_database(url, facts.audit_folder), make_batch(facts, number))


def _batches(facts: ClinicFacts, db: Database, workers: int | None) -> Iterator[_Written]:
    """The batches in order, written: by worker processes (a few ahead of the audit chain), or here."""
    count = workers if workers is not None else min(2, os.cpu_count() or 1)
    context = _process_context()
    if facts.batches < 2 or count < 1 or context is None:
        for number in range(facts.batches):
            yield _write_batch(db, make_batch(facts, number))
        return
    url = db.engine.url.render_as_string(hide_password=False)
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        pending: list[Future] = []
        for number in range(facts.batches):
            pending.append(pool.submit(_make_and_write, facts, url, number))
            if len(pending) > AHEAD:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def _process_context() -> Any:
    """Fork where there is one (a worker then needs nothing re-imported); a frozen program makes batches here."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None if getattr(sys, "frozen", False) else multiprocessing.get_context("spawn")


class _AuditWriter:
    """Appends the batches' audit entries to the chain, holding each until no later batch can have an earlier
    one (patients arrive in MRN order), so the chain runs in the order things happened."""

    def __init__(self, db: Database, facts: ClinicFacts) -> None:
        self._db = db
        self._facts = facts
        self._waiting: list[tuple[datetime, int, dict[str, Any]]] = []
        self._arrived = 0
        self.rows = {t.name: 0 for t in TABLES} | {"audit_log": 0}

    def add(self, batch: _Written) -> None:
        for name, count in batch.rows.items():
            self.rows[name] += count
        for entry in batch.audit:
            self._arrived += 1
            heapq.heappush(self._waiting, (entry["at"], self._arrived, entry))
        last = batch.number + 1 >= self._facts.batches
        self._append(None if last else self._facts.first_moment(batch.number + 1))

    def _append(self, horizon: datetime | None) -> None:
        with self._db.write() as uow:
            self.rows["audit_log"] += audit_chain.append_many(uow.session, self._db.keyring, self._ready(horizon))
            if horizon is None:  # the end: ids written by hand move PostgreSQL's sequences on
                advance_sequences(uow.session.connection(), TABLES)
            uow.commit()

    def _ready(self, horizon: datetime | None) -> Iterator[dict[str, Any]]:
        while self._waiting and (horizon is None or self._waiting[0][0] < horizon):
            yield heapq.heappop(self._waiting)[2]
