"""How much opening a patient's chart costs: SQL statements of one opening, and the median of 20 openings of a
chart with 40 sessions, in all (operations inline) and on the GUI thread (building and painting the widgets from
what was read), and the outcome charts drawn whole, on a demo clinic
whose first patient is given earlier courses until they have 40 sessions
(`python -m tests.perf.chart_open [--patients N]`)."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import datetime, time as clock_time, timedelta, timezone
from decimal import Decimal

from tests.perf.session_reload import counting_statements

#: How many openings the medians are taken over.
REPEAT = 20
#: How many times the outcome charts are drawn whole for their median.
DRAWINGS = 3
#: The long chart's sessions (the issue's "a chart with 40 sessions").
SESSIONS = 40


def demo_with_long_chart(services, patients: int):  # Services -> (DemoSummary, patient id)
    """A demo clinic whose first patient has had earlier six-infusion courses, a month apart, until they have
    SESSIONS sessions, completed as the demo completes them (doses, vitals, scales)."""
    from sqlalchemy import func, select

    from clinic_desktop.domain.enums import Protocol
    from clinic_desktop.services.demo import DemoBuilder
    from clinic_desktop.storage import models

    builder = DemoBuilder(services.context, 1)
    summary = builder.build(patients)
    with services.context.db.write() as uow:
        s = uow.session
        patient = s.get(models.Patient, 1)

        def count() -> int:
            return s.execute(select(func.count(models.TreatmentSession.id)).join(models.InfusionSeries)
                             .where(models.InfusionSeries.patient_id == patient.id)).scalar_one()

        first = s.execute(select(func.min(models.InfusionSeries.start_date))
                          .where(models.InfusionSeries.patient_id == patient.id)).scalar_one()
        start = first
        while count() < SESSIONS:
            start -= timedelta(days=30)
            # The demo's own course writer (a private method: this benchmark wants the demo's records exactly).
            builder._series(s, patient, Protocol.IV_INDUCTION, start, Decimal("80"), 0.5)
        uow.commit()
    return summary, patient.id


def measure(folder: str, patients: int) -> dict[str, float]:
    """Statements per opening, the median opening (read and build, inline) and the median build alone (ms)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from clinic_desktop.app import clinic_zone, open_services
    from clinic_desktop.domain.clock import FixedClock
    from clinic_desktop.ui import ops
    from clinic_desktop.ui.outcomes_chart import ScoreCanvas
    from clinic_desktop.ui.workspace import Workspace
    from tests.perf.bench_gui import settle
    from tests.perf.demo_db import BENCH_TODAY

    app = QApplication.instance() or QApplication([])
    zone = clinic_zone()
    clock = FixedClock(datetime.combine(BENCH_TODAY, clock_time(11, 0), tzinfo=zone).astimezone(timezone.utc))
    services, _locations = open_services(folder, None, clock, zone)
    summary, long_chart = demo_with_long_chart(services, patients)
    account = next(a for a in summary.accounts if a.role.value == "nurse")
    principal = services.auth.login(account.username, account.password)
    previous = ops.use_executor(ops.InlineExecutor())  # the read finishes before open_patient returns
    try:
        workspace = Workspace(services, principal)
        workspace.resize(1280, 900)
        workspace.show()
        settle()
        workspace.open_patient(long_chart)
        settle()
        with counting_statements(services.context.db.engine) as statements:
            workspace.open_patient(long_chart)
        whole, build, drawing = [], [], []
        for _ in range(REPEAT):
            workspace.open_patient(2)
            settle()
            start = time.perf_counter()
            workspace.open_patient(long_chart)
            app.sendPostedEvents(None, 0)
            workspace.repaint()  # what is in view painted, as the person sees it
            whole.append((time.perf_counter() - start) * 1000)
            chart = workspace.chart.chart
            settle()
            start = time.perf_counter()
            workspace.chart.show_chart(chart)
            app.sendPostedEvents(None, 0)
            workspace.repaint()
            build.append((time.perf_counter() - start) * 1000)
            settle()
        # Drawn whole, as when scrolled to; a few times only: PySide6 6.12 on Python 3.11 drops a reference to None
        # in QPainter.setPen/setBrush/drawLine, and enough painting in one process kills it.
        for _ in range(DRAWINGS):
            start = time.perf_counter()
            for canvas in [c for c in workspace.chart.findChildren(ScoreCanvas) if c.isVisibleTo(workspace.chart)]:
                canvas.grab()
            drawing.append((time.perf_counter() - start) * 1000)
        workspace.chart.widget().grab().save(os.environ.get("CHART_PNG", os.path.join(folder, "chart.png")))
        workspace.close()
        workspace.deleteLater()
        settle()
        return {"statements": len(statements), "sessions": len([x for series in chart.series for x in series.sessions]),
                "whole_ms": statistics.median(whole), "build_ms": statistics.median(build),
                "drawing_ms": statistics.median(drawing)}
    finally:
        ops.use_executor(previous)
        services.context.db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=200, help="demo patients (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        r = measure(folder, args.patients)
    print(f"chart with {r['sessions']} sessions: {r['statements']} SQL statements per opening; median of {REPEAT}: "
          f"{r['whole_ms']:.1f} ms read and shown, {r['build_ms']:.1f} ms of it building and painting the widgets "
          f"on the GUI thread, {r['drawing_ms']:.1f} ms drawing the outcome charts whole ({args.patients} demo "
          f"patients)")


if __name__ == "__main__":
    main()
