"""Service-level timings: patient search (name prefix, MRN, date of birth), each printed sheet, a backup."""

from __future__ import annotations

import time
from typing import Callable, Iterable

from clinic_desktop.domain.access import Principal
from clinic_desktop.services.registry import Services
from tests.perf.bench_data import Picks

#: The kinds of search the box understands, and where each one's terms come from.
SEARCHES = (("name", "name prefix"), ("mrn", "MRN"), ("dob", "date of birth"))


def timed_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def repeat_ms(fn: Callable[[], object], times: int, warm: int = 1) -> list[float]:
    for _ in range(warm):
        fn()
    return [timed_ms(fn) for _ in range(times)]


def search_terms(picks: Picks, kind: str) -> tuple[str, ...]:
    return {"name": picks.name_prefixes, "mrn": picks.mrns, "dob": picks.birth_dates}[kind]


def search_ms(services: Services, actor: Principal, terms: Iterable[str], rounds: int = 3) -> list[float]:
    """The first page of each term's matches, as the list asks for it (after a warm-up round)."""
    terms = list(terms)
    for term in terms:
        services.patients.search(actor, term)
    return [timed_ms(lambda t=term: services.patients.search(actor, t)) for _ in range(rounds) for term in terms]


def count_ms(services: Services, actor: Principal, terms: Iterable[str]) -> list[float]:
    """The count the list shows beside the first page ("1,204 matching"), for each term."""
    terms = list(terms)
    return [timed_ms(lambda t=term: services.patients.count(actor, t)) for term in terms]


def sheets(services: Services, actor: Principal, picks: Picks) -> dict[str, Callable[[], object]]:
    """Each printed sheet of the demo's discharged session, as the chart and the session screen ask for it."""
    paperwork = services.paperwork
    sid, series, pid = picks.discharged_session, picks.discharged_series, _patient_of(services, actor, picks)
    return {
        "consent": lambda: paperwork.consent(actor, pid, series),
        "discharge": lambda: paperwork.discharge(actor, sid),
        "infusion record": lambda: paperwork.infusion_record(actor, sid),
        "summary letter": lambda: paperwork.summary_letter(actor, series),
    }


def _patient_of(services: Services, actor: Principal, picks: Picks) -> int:
    return services.sessions.detail(actor, picks.discharged_session).patient_id


def backup_ms(services: Services, admin: Principal, times: int) -> tuple[list[float], int]:
    """`times` backups made and verified as "Back up now" makes them; their files removed afterwards (so the
    cache does not fill the disk). Also the size of the last one, in bytes."""
    samples, size = [], 0
    for _ in range(times):
        start = time.perf_counter()
        made = services.backups.back_up_now(admin)
        samples.append((time.perf_counter() - start) * 1000)
        size = made.size
        remove_backup(made.path)
    return samples, size


def remove_backup(path) -> None:
    """A backup file and the manifest beside it, if any."""
    for candidate in (path, path.with_name(path.name + ".json"), path.with_suffix(".json")):
        candidate.unlink(missing_ok=True)
