"""A demo clinic of N patients in a folder, for the benchmarks: the same database `clinic-desktop demo` writes."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime, time as clock_time, timezone
from pathlib import Path

from clinic_desktop.app import clinic_zone, open_services
from clinic_desktop.domain.clock import FixedClock
from clinic_desktop.services.demo import DemoAccount, DemoBuilder, DemoSummary
from clinic_desktop.settings import DATABASE_FILENAME

#: The demo accounts' passwords, beside the database (fictional accounts of a throw-away clinic).
ACCOUNTS_FILE = "demo-accounts.json"
#: The day the benchmark clinics are laid out around, so every run measures the same data.
BENCH_TODAY = date(2026, 11, 16)


@dataclass(frozen=True)
class DemoDatabase:
    #: The data folder (database, audit key and head file): pass it as --data-dir or to open_services.
    data_dir: Path
    database: Path
    summary: DemoSummary
    #: How long the demo took to write, in seconds.
    seconds: float

    def account(self, role: str) -> DemoAccount:
        """The first demo account with that role (e.g. "nurse"), to sign in with."""
        return next(a for a in self.summary.accounts if a.role.value == role)


def build_demo_database(folder: Path, patients: int, *, seed: int = 1, today: date = BENCH_TODAY) -> DemoDatabase:
    """Write a demo clinic of `patients` patients into `folder` (which must hold no database yet).

    Mid-morning of `today` in the clinic's zone, as `clinic-desktop demo --today` lays it out."""
    folder = Path(folder)
    zone = clinic_zone()
    clock = FixedClock(datetime.combine(today, clock_time(11, 0), tzinfo=zone).astimezone(timezone.utc))
    services, locations = open_services(str(folder), None, clock, zone)
    try:
        start = time.perf_counter()
        summary = DemoBuilder(services.context, seed).build(patients)
        seconds = time.perf_counter() - start
    finally:
        services.context.db.close()
    (folder / ACCOUNTS_FILE).write_text(json.dumps({a.username: a.password for a in summary.accounts}))
    return DemoDatabase(folder, locations.data_dir / DATABASE_FILENAME, summary, seconds)


def demo_password(folder: Path, username: str) -> str:
    """A demo account's password, kept beside a clinic built here (so a reused clinic can be signed in to)."""
    return json.loads((Path(folder) / ACCOUNTS_FILE).read_text())[username]
