"""How much one refresh of the session screen costs: SQL statements and the median time of 20 refreshes, on a
demo clinic's busiest session (`python -m tests.perf.session_reload [--patients N]`)."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event, func, select

#: How many refreshes the median is taken over.
REPEAT = 20


@contextmanager
def counting_statements(engine) -> Iterator[list[str]]:  # sqlalchemy Engine
    """The SQL statements run on `engine` inside the block, in order."""
    seen: list[str] = []

    def heard(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", heard)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", heard)


def busiest_session(services) -> int:  # Services
    """The demo session with the most vital-sign readings (a full infusion day, charted)."""
    from clinic_desktop.storage import models

    with services.context.db.read() as uow:
        return uow.session.execute(
            select(models.VitalSignsReading.session_id).group_by(models.VitalSignsReading.session_id)
            .order_by(func.count().desc(), models.VitalSignsReading.session_id).limit(1)).scalar_one()


def measure(data_dir: str, patients: int) -> dict[str, float]:
    """Statements per refresh and the median refresh time (ms) of a session screen over a demo clinic."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from clinic_desktop.app import open_services
    from clinic_desktop.domain.enums import StaffRole
    from clinic_desktop.services.demo import DemoBuilder
    from clinic_desktop.ui import ops
    from clinic_desktop.ui.session_screen.session_screen import SessionScreen

    app = QApplication.instance() or QApplication([])
    services, _locations = open_services(data_dir, None)
    summary = DemoBuilder(services.context, 1).build(patients)
    nurse = next(a for a in summary.accounts if a.role is StaffRole.NURSE)
    principal = services.auth.login(nurse.username, nurse.password)
    previous = ops.use_executor(ops.InlineExecutor())  # the refresh's whole cost, finished when it returns
    try:
        screen = SessionScreen(services, lambda: principal, busiest_session(services))
        screen.resize(1280, 900)
        screen.show()
        app.processEvents()
        refresh = getattr(screen, "refresh", None) or screen.reload
        with counting_statements(services.context.db.engine) as statements:
            refresh()
        times = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            refresh()
            times.append((time.perf_counter() - start) * 1000)
        screen.close()
        screen.deleteLater()
        app.processEvents()
        return {"statements": len(statements), "median_ms": statistics.median(times)}
    finally:
        ops.use_executor(previous)
        services.context.db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=40, help="demo patients (default 40)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = measure(folder, args.patients)
    print(f"session screen refresh: {result['statements']} SQL statements, "
          f"median {result['median_ms']:.1f} ms over {REPEAT} refreshes ({args.patients} demo patients)")


if __name__ == "__main__":
    main()
