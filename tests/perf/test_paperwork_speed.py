"""How long each sheet takes, run on demand (`pytest tests/perf -m perf -s`): medians over repeated renders.

Two measurements per sheet: the renderer alone (the DTO already filled), and the whole service call a nurse waits
for (read the record from a real SQLite file, fill the sheet, render). Targets: under 150 ms per sheet, under
400 ms for the summary letter with its chart.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic_desktop.domain.enums import SessionStatus, StaffRole
from clinic_desktop.printing.renderers import (
    render_consent,
    render_discharge,
    render_infusion_record,
    render_summary_letter,
)
from clinic_desktop.services.demo import DemoBuilder
from clinic_desktop.storage import models
from tests.perf.test_benchmarks import _median_ms
from tests.printing import samples

pytestmark = pytest.mark.perf


def median_ms(fn, repeat: int = 15) -> float:
    fn()  # warm-up: fonts registered and subset tables built once per process, as in the application
    return _median_ms(fn, repeat)


def test_renderers_alone():
    cases = {
        "consent (racemic)": lambda: render_consent(samples.consent()),
        "discharge": lambda: render_discharge(samples.discharge()),
        "infusion record (12 readings)": lambda: render_infusion_record(samples.infusion_record()),
        "infusion record (60 readings)": lambda: render_infusion_record(samples.infusion_record(readings=60)),
        "summary letter (6 sessions)": lambda: render_summary_letter(samples.summary_letter()),
    }
    results = {name: median_ms(fn) for name, fn in cases.items()}
    for name, ms in results.items():
        print(f"\n  render {name:<32} median {ms:6.1f} ms")
    assert all(ms < 150 for name, ms in results.items() if "summary" not in name)
    assert results["summary letter (6 sessions)"] < 400


def test_service_calls_on_a_demo_clinic(services):
    """From the database: a demo clinic's first discharged session and its series, as the front desk prints."""
    summary = DemoBuilder(services.context, 3).build(20)
    account = next(a for a in summary.accounts if a.role is StaffRole.FRONT_DESK)
    desk = services.auth.login(account.username, account.password)
    with services.context.db.read() as uow:
        ts = uow.session.execute(select(models.TreatmentSession).where(
            models.TreatmentSession.status == SessionStatus.DISCHARGED).limit(1)).scalar_one()
        session_id, series_id, patient_id = ts.id, ts.series_id, ts.series.patient_id
    paperwork = services.paperwork
    cases = {
        "consent": lambda: paperwork.consent(desk, patient_id, series_id),
        "discharge": lambda: paperwork.discharge(desk, session_id),
        "infusion record": lambda: paperwork.infusion_record(desk, session_id),
        "summary letter": lambda: paperwork.summary_letter(desk, series_id),
    }
    results = {name: median_ms(fn, repeat=10) for name, fn in cases.items()}
    for name, ms in results.items():
        print(f"\n  service {name:<31} median {ms:6.1f} ms")
    assert all(ms < 150 for name, ms in results.items() if name != "summary letter")
    assert results["summary letter"] < 400
