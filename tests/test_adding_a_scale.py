"""Adding a rating scale is adding its definition (and, for a clinician's scale, its form): a fictional scale
registered for one test is scored, tracked as an outcome, listed on the chart, printed and shown on the screens
with no other change, and no module outside the definitions names a scale by its code."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import pytest

from clinic_desktop.domain import scales
from clinic_desktop.domain.clinic_settings import CHOICES, ClinicSettings
from clinic_desktop.domain.enums import Protocol, Rater, Timepoint
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.outcomes import STATUS_REMISSION, outcome_scales, series_outcome
from clinic_desktop.domain.records import ScorePoint, SeriesScores
from clinic_desktop.domain.scales import (
    Band, ChartStyle, Item, OutcomeMeasure, Remission, ScaleDefinition, scales_where,
)
from clinic_desktop.domain.scales.base import points
from clinic_desktop.printing.charts import no_scores_text, scores_chart

from tests.conftest import PASSWORD, START, sign_in_again
from tests.services.service_support import Clinic

#: A fictional three-question self-report scale, 0-3 each, that exists only for these tests.
FICTIONAL = ScaleDefinition(
    code="fictional_wellbeing",
    name="FWB-3",
    rater=Rater.PATIENT,
    items=tuple(Item(n, label, text, points("Never", "Sometimes", "Often", "Always")) for n, (label, text) in
                enumerate((("Worry", "Worried about the week ahead"), ("Rest", "Woke up unrefreshed"),
                           ("Joy", "Found little joy in the day")), start=1)),
    min_total=0,
    max_total=9,
    bands=(Band(0, 2, "low"), Band(3, 9, "raised")),
    description="In the past week, how often did these apply to you?",
    timepoints=(Timepoint.PRE,),
    outcome=OutcomeMeasure("wellbeing burden", Remission(lambda _settings: 3), tracked=True, on_screen_chart=True,
                           chart=ChartStyle(colour="#174ea6", dash=(2, 1), marker="ring")),
    latest_on_chart=True,
)
ZONE_NAME = "America/New_York"


@pytest.fixture
def fictional(monkeypatch) -> ScaleDefinition:
    """The fictional scale in the registry for this test only."""
    monkeypatch.setitem(scales.SCALES, FICTIONAL.code, FICTIONAL)
    return FICTIONAL


def _series(*totals: int) -> SeriesScores:
    return SeriesScores(1, Protocol.IV_INDUCTION, date(2026, 3, 2), 6, tuple(
        ScorePoint(k, START + timedelta(days=2 * k), FICTIONAL.code, t) for k, t in enumerate(totals, start=1)))


def test_the_domain_scores_it_and_judges_its_outcome(fictional):
    """Scoring uses its items and bands; outcomes use its remission rule; it counts as an outcome scale."""
    result = scales.score(fictional.code, [2, 1, 1])
    assert (result.total, result.band, result.findings) == (4, "raised", ())
    with pytest.raises(ValidationError, match="FWB-3 item 1 must be 0-3"):
        scales.score(fictional.code, [4, 0, 0])
    outcome = series_outcome(fictional.code, [(date(2026, 3, 2), 8), (date(2026, 3, 9), 2)])
    assert outcome.response and outcome.remission and outcome.status == STATUS_REMISSION
    assert fictional.code in outcome_scales()


def test_the_chart_lists_and_tracks_it(fictional, services, staff, clock):
    """Recorded before two infusions, it is the chart's latest score, an outcome line and a chart series."""
    clinic = Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id)
    patient = clinic.patient()
    first, second = clinic.plan(patient.id).sessions[:2]
    nurse = staff["nurse"]
    services.monitoring.record_scale(nurse, patient.id, fictional.code, [3, 3, 2], Timepoint.PRE, first.id)
    clock.set(second.scheduled_at)  # the next session's score, on its day (the sessions' numbers order the points)
    sign_in_again(staff, clock)
    nurse = staff["nurse"]  # signed in again on that day
    services.monitoring.record_scale(nurse, patient.id, fictional.code, [1, 1, 0], Timepoint.PRE, second.id)
    chart = services.patients.chart(nurse, patient.id)
    assert [(s.instrument, s.total, s.band) for s in chart.latest_scores] == [(fictional.code, 2, "low")]
    (line,) = chart.outcomes
    assert (line.instrument, line.name, line.baseline, line.latest, line.status) == (
        fictional.code, "FWB-3", 8, 2, STATUS_REMISSION)
    assert [(p.sequence, p.instrument, p.total) for p in chart.outcome_points[0].points] == [
        (1, fictional.code, 8), (2, fictional.code, 2)]


def test_the_printed_chart_draws_it_in_its_own_style(fictional):
    """The printed series chart gives it a panel on its own range, a legend entry and its ring markers."""
    drawing = scores_chart(_series(8, 5, 2), 500, 180)
    strings = [n.text for n in _walk(drawing) if hasattr(n, "text")]
    assert "FWB-3 total" in strings and "FWB-3 (0\u20139)" in strings
    series = getattr(drawing, f"{fictional.code}_series")
    rings = [n for n in series.contents if type(n).__name__ == "Circle"]
    assert len(rings) == 3 and all(r.fillColor.hexval() == "0xffffff" for r in rings)
    assert "FWB-3" in no_scores_text()


def test_the_screens_offer_and_chart_it(fictional, qtbot, services, staff, clock):
    """The outcomes chart gives it a panel with what it measures; the session offers it to the patient, and the
    patient's answers on the screen are saved before the infusion (its timepoint)."""
    from clinic_desktop.ui.outcomes_panel import OutcomesPanel
    from clinic_desktop.ui.session_screen.scales_panel import ScalesPanel
    from zoneinfo import ZoneInfo
    from tests.ui.ui_support import visible_texts

    outcomes = OutcomesPanel([_series(8, 2)], ClinicSettings(), ZoneInfo(ZONE_NAME))
    qtbot.addWidget(outcomes)
    outcomes.resize(1100, outcomes.sizeHint().height())
    outcomes.show()
    texts = visible_texts(outcomes)
    assert "FWB-3 (wellbeing burden)" in texts and "Remission: yes, FWB-3 2 is below 3." in texts
    assert [c.code for c in outcomes.canvases] == ["fictional_wellbeing"]

    clinic = Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id)
    patient = clinic.patient()
    sid = clinic.plan(patient.id).sessions[0].id
    services.sessions.check_in(staff["nurse"], sid, escort_confirmed=True, npo_confirmed=True)
    panel = ScalesPanel(services, lambda: staff["nurse"], sid)
    qtbot.addWidget(panel)
    panel.show_detail(services.sessions.detail(staff["nurse"], sid))
    assert panel.patient_buttons[fictional.code].text() == "Hand the FWB-3 to the patient…"
    page = panel.start_patient_form(fictional.code)
    qtbot.addWidget(page)
    for number, value in enumerate((1, 0, 1), start=1):
        page.answer(number, value)
    page.staff.finish_button.click()
    page.staff.password.setText(PASSWORD)
    page.staff.confirm_button.click()
    (score,) = services.sessions.detail(staff["nurse"], sid).scores
    assert (score.instrument, score.total, score.band, score.timepoint) == (fictional.code, 2, "low", Timepoint.PRE)


def _walk(node):  # any ReportLab shape
    yield node
    for child in getattr(node, "contents", ()):
        yield from _walk(child)


# --- no layer repeats a scale's code -------------------------------------------------------------------------

PACKAGE = Path(str(files("clinic_desktop")))
#: Where a scale's code may be written out: its definition, and the clinic setting that stores which discharge
#: score the clinic uses (settings cannot import the scales, which read the settings; checked below instead).
ALLOWED = ("domain/scales/", "domain/clinic_settings.py")


def test_no_module_outside_the_definitions_names_a_scale_code():
    """A string equal to a scale's code anywhere else means a list of scales kept by hand: read the definition."""
    codes = set(scales.SCALES)
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where.startswith(ALLOWED) or "/migrations/" in f"/{where}":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in codes:
                found.append(f"{where}:{node.lineno} {node.value!r}")
    assert found == [], "scale codes written out instead of read from the definition: " + ", ".join(found)


def test_the_discharge_score_setting_offers_exactly_the_discharge_scales():
    """The clinic chooses its discharge score among the definitions marked `discharge`, and the default is one."""
    discharge = tuple(s.code for s in scales_where(lambda s: s.discharge))
    assert CHOICES["discharge_scale"] == discharge
    assert ClinicSettings().discharge_scale in discharge
