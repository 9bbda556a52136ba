"""`clinic-desktop --self-test`: proves an installation works, on a throw-away demo clinic.

Run after installing (from a wheel or a bundle) and before the first patient: it creates a database in a
temporary folder (never the user's data folder, whatever the environment says), fills it with a small demo
clinic, prints one of each sheet, runs a session's pre-infusion checks, opens the main window offscreen
(signing in and showing the board) and checks that the desktop's own window plug-in can load. One line per step; exit 0 only when every step worked.

With --database-url the database is that one (e.g. a new, empty PostgreSQL database, to prove the driver and
the server work); it must be empty, because the demo clinic is written into it and left there.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from clinic_desktop.domain.errors import ClinicError

#: Patients in the demo clinic: enough for every kind of session, quick to write.
PATIENTS = 5
#: The demo accounts used: the physician prints (and signs the letter), the nurse signs in to the board.
PRINTER, NURSE = "demo.physician", "demo.nurse"


@dataclass
class Run:
    """What the steps share: the temporary folder, the database URL, and what earlier steps made."""

    folder: Path
    database_url: str
    services: object = None  # clinic_desktop.services.registry.Services, imported when the step runs
    locations: object = None
    passwords: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Run], str]  # returns what worked, in a few words; raises to fail
    needs: tuple[str, ...] = ()


def run_self_test(database_url: str | None, out: TextIO | None) -> int:
    """Every step in order, each reported on `out` (None: a windowed program without a console); 0 when all
    worked, 1 otherwise (the failed steps are named in a last line)."""
    from clinic_desktop.self_test_window import desktop_step, window_step

    steps = (Step("database", _database), Step("demo", _demo, ("database",)),
             Step("sheets", _sheets, ("demo",)), Step("checks", _checks, ("demo",)),
             Step("window", window_step, ("demo",)), Step("desktop", desktop_step))
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="clinic-desktop-self-test-", ignore_cleanup_errors=True) as folder:
        from clinic_desktop.settings import DATABASE_FILENAME, sqlite_url

        run = Run(Path(folder), database_url or sqlite_url(Path(folder) / DATABASE_FILENAME))
        try:
            for step in steps:
                missing = [n for n in step.needs if n in failed]
                if missing:
                    _say(out, f"FAILED  {step.name}: not run, because {' and '.join(missing)} failed")
                    failed.append(step.name)
                    continue
                try:
                    _say(out, f"ok  {step.name}: {step.run(run)}")
                except Exception as exc:  # noqa: BLE001 (the self-test's job is to report any failure)
                    _say(out, f"FAILED  {step.name}: {_reason(exc)}")
                    failed.append(step.name)
        finally:
            if run.services is not None:
                run.services.context.db.close()  # before the folder goes (Windows cannot delete an open file)
    if failed:
        _say(out, f"Self-test FAILED: {', '.join(failed)}.")
        return 1
    _say(out, "Self-test passed: this installation works.")
    return 0


def _say(out: TextIO | None, line: str) -> None:
    if out is not None:
        print(line, file=out, flush=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ClinicError):
        return exc.message
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- the steps --------------------------------------------------------------------------------------------

def _database(run: Run) -> str:
    from sqlalchemy import func, select

    from clinic_desktop.app import open_services
    from clinic_desktop.storage import models

    run.services, run.locations = open_services(str(run.folder), run.database_url)
    db = run.services.context.db
    with db.read() as uow:
        used = uow.session.execute(select(func.count()).select_from(models.Staff)).scalar_one()
    if used:
        raise ClinicError("this database already holds a clinic's records; the self-test writes a demo clinic, "
                          "so give it a new, empty database with --database-url")
    return f"{db.engine.url.get_backend_name()} database created, schema revision {db.revision()}"


def _demo(run: Run) -> str:
    from clinic_desktop.services.demo import DemoBuilder

    summary = DemoBuilder(run.services.context, seed=1).build(PATIENTS)
    run.passwords = {a.username: a.password for a in summary.accounts}
    return f"{summary.patients} patients, {summary.series} series, {summary.sessions} sessions"


def _sheets(run: Run) -> str:
    """One of each printed sheet, each opened again with PDFium and checked for the patient's name (which also
    proves the fonts were found and embedded)."""
    services = run.services
    user = services.auth.login(PRINTER, run.passwords[PRINTER])
    try:
        session_id, series_id, patient_id, name = _pick_session(run, finished=True)
        sheets = (services.paperwork.consent(user, patient_id, series_id),
                  services.paperwork.discharge(user, session_id),
                  services.paperwork.infusion_record(user, session_id),
                  services.paperwork.summary_letter(user, series_id))
    finally:
        services.auth.logout(user)
    pages = 0
    for sheet in sheets:
        text, count = _pdf_text(sheet.pdf)
        if name not in text:
            raise ClinicError(f"the {sheet.kind.value} sheet does not show the patient's name")
        pages += count
    return f"{len(sheets)} rendered (consent, discharge, infusion record, summary letter; {pages} pages)"


def _checks(run: Run) -> str:
    services = run.services
    user = services.auth.login(NURSE, run.passwords[NURSE])
    try:
        session_id = _pick_session(run, finished=False)[0]
        items = services.sessions.checks(user, session_id)
    finally:
        services.auth.logout(user)
    if not items:
        raise ClinicError(f"session {session_id} has an empty pre-infusion checklist")
    blocking = sum(1 for item in items if item.blocks)
    return f"{len(items)} pre-infusion checks for session {session_id} ({blocking} blocking)"


def _pick_session(run: Run, finished: bool) -> tuple[int, int, int, str]:
    """A discharged demo session (its sheets have everything), or the next one still to be given: its id, its
    series' and patient's, and the patient's family name."""
    from sqlalchemy import select

    from clinic_desktop.domain.enums import SessionStatus
    from clinic_desktop.storage import models

    wanted = ((SessionStatus.DISCHARGED,) if finished else
              (SessionStatus.CHECKED_IN, SessionStatus.SCHEDULED))
    order = models.TreatmentSession.scheduled_at.desc() if finished else models.TreatmentSession.scheduled_at
    with run.services.context.db.read() as uow:
        found = uow.session.execute(
            select(models.TreatmentSession).where(models.TreatmentSession.status.in_(wanted))
            .order_by(order).limit(1)).scalar_one_or_none()
        if found is None:
            raise ClinicError(f"the demo clinic has no {'discharged' if finished else 'upcoming'} session")
        return found.id, found.series_id, found.series.patient_id, found.series.patient.family_name


def _pdf_text(pdf: bytes) -> tuple[str, int]:
    """The text of every page and the page count, read back with PDFium (the in-app preview's engine)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return " ".join(texts), len(texts)
    finally:
        document.close()
