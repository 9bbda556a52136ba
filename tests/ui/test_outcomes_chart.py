"""The outcomes chart on the patient chart: PHQ-9 and GAD-7 over each series, response and remission in words."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import Protocol, Timepoint
from clinic_desktop.domain.records import ScorePoint, SeriesScores
from clinic_desktop.ui.outcome_tracks import outcome_words, tracks
from clinic_desktop.ui.outcomes_chart import ScoreCanvas
from clinic_desktop.ui.outcomes_panel import OutcomesPanel
from clinic_desktop.ui.patient_chart import PatientChartView

from tests.conftest import sign_in_again
from tests.services.service_support import Clinic
from tests.ui.ui_support import visible_texts

ZONE = ZoneInfo("America/New_York")
START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


def series(phq9, gad7=(), protocol=Protocol.IV_INDUCTION, series_id=1, planned=6, start=date(2026, 3, 2),
           first_at=START) -> SeriesScores:
    """A series with the given totals before sessions 1, 2, 3, ... (two days apart)."""
    points = []
    for k in range(max(len(phq9), len(gad7))):
        at = first_at + timedelta(days=2 * k)
        if k < len(phq9):
            points.append(ScorePoint(k + 1, at, "phq9", phq9[k]))
        if k < len(gad7):
            points.append(ScorePoint(k + 1, at, "gad7", gad7[k]))
    return SeriesScores(series_id, protocol, start, planned, tuple(points))


def show(qtbot, data, width=1100) -> OutcomesPanel:
    panel = OutcomesPanel(data, ClinicSettings(), ZONE)
    qtbot.addWidget(panel)
    panel.resize(width, panel.sizeHint().height())
    panel.show()
    return panel


def inked(widget) -> int:
    """How many sampled pixels of the grabbed widget are not plain white: 0 means nothing was painted."""
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 0 and image.height() > 0
    white = QColor("#ffffff").rgb()
    return sum(image.pixel(x, y) != white for x in range(0, image.width(), 3) for y in range(0, image.height(), 3))


def text(panel) -> str:
    return "\n".join(visible_texts(panel)).lower()


@pytest.mark.parametrize("phq9", [(), (18,), (20, 17, 14, 12, 9, 7, 6, 4)], ids=["none", "one", "many"])
def test_canvas_paints_for_zero_one_and_many_points(qtbot, phq9):
    """Axes, guides and points are drawn whatever the number of scores (none shows "No PHQ-9 scores yet")."""
    canvas = ScoreCanvas("phq9", [series(phq9)] if phq9 else [], ClinicSettings(), ZONE)
    qtbot.addWidget(canvas)
    canvas.resize(canvas.sizeHint())
    assert inked(canvas) > 200


def test_panel_without_scores_says_so(qtbot):
    """No pre-infusion scores: one plain sentence instead of empty charts."""
    panel = show(qtbot, [])
    assert panel.canvases == []
    assert "no phq-9 or gad-7 scores before a session yet" in text(panel)
    assert inked(panel) > 0


def test_twenty_to_nine_to_four_is_response_and_remission_in_words(qtbot):
    """PHQ-9 20 → 9 → 4: the words say remission, and that the response (50 % lower) is met too."""
    panel = show(qtbot, [series((20, 9, 4), (15, 9, 6))])
    words = text(panel)
    assert "20 → 4 (-80.0 %) over 3 scores: remission." in words
    assert "response: yes, at least 50 % below baseline." in words
    assert "remission: yes, phq-9 4 is below 5." in words
    assert "15 → 6 (-60.0 %) over 3 scores: response." in words  # GAD-7: a response, not yet a remission
    assert "remission: not yet, needs gad-7 below 5." in words


def test_a_single_score_is_only_a_baseline(qtbot):
    """One score so far: shown as the baseline, with no judgement of response yet."""
    words = text(show(qtbot, [series((18,))]))
    assert "baseline 18; one score so far." in words
    assert "response and remission are judged from the next score." in words


def test_baseline_of_zero_does_not_divide_by_zero(qtbot):
    """A PHQ-9 baseline of 0 paints, and the words say a response cannot be judged from it."""
    panel = show(qtbot, [series((0, 3, 0), (0, 0))])
    assert all(inked(c) > 200 for c in panel.canvases)
    words = text(panel)
    assert "0 → 0 (no % change) over 3 scores: remission." in words
    assert "response: cannot be judged, the baseline was 0." in words


def test_worse_than_baseline_is_no_response(qtbot):
    """A rising score is called no response and says what a response would need."""
    words = text(show(qtbot, [series((12, 16))]))
    assert "12 → 16 (+33.3 %) over 2 scores: no response." in words
    assert "response: no, needs 6 or less (50 % below baseline 12)." in words


def test_series_follow_each_other_along_the_x_axis():
    """Induction then maintenance: the second series starts after the first's planned sessions."""
    induction = series((20, 12, 8), planned=6)
    maintenance = series((9, 7), protocol=Protocol.IV_MAINTENANCE, series_id=2, planned=4, start=date(2026, 4, 6),
                         first_at=START + timedelta(days=35))
    first, second = tracks([induction, maintenance], "phq9", ClinicSettings())
    assert (first.offset, first.span, second.offset, second.span) == (0, 6, 6, 4)
    assert (first.outcome.baseline, second.outcome.baseline) == (20, 9)  # each series has its own baseline
    assert second.short_name == "IV maintenance"


def test_a_re_entered_score_replaces_the_earlier_one_for_its_session():
    """Two PHQ-9s before session 1 (a correction): the last entered is the one plotted and the baseline."""
    fixed = SeriesScores(1, Protocol.IV_INDUCTION, date(2026, 3, 2), 6, (
        ScorePoint(1, START, "phq9", 12), ScorePoint(1, START, "phq9", 21), ScorePoint(2, START + timedelta(2), "phq9", 10)))
    (track,) = tracks([fixed], "phq9", ClinicSettings())
    assert [p.total for p in track.points] == [21, 10]
    assert track.outcome.baseline == 21 and track.outcome.response


def test_remission_cut_off_follows_the_clinic_setting():
    """A clinic that sets PHQ-9 remission below 6 sees 5 called remission, and the guide drawn at 6."""
    settings = ClinicSettings(phq9_remission_below=6)
    canvas = ScoreCanvas("phq9", [series((20, 5))], settings, ZONE)
    assert canvas.cutoff == 6
    words = outcome_words(canvas.tracks[0], canvas.cutoff, settings)
    assert words[-1] == "Remission: yes, PHQ-9 5 is below 6."


def test_tooltip_names_the_score_session_and_time(qtbot):
    """Hovering a point tells its total, its session and when it was taken."""
    canvas = ScoreCanvas("gad7", [series((), (15, 9))], ClinicSettings(), ZONE)
    qtbot.addWidget(canvas)
    canvas.resize(canvas.sizeHint())
    track = canvas.tracks[0]
    at = QPointF(canvas.x_at(2), canvas.y_at(9))
    assert canvas.tip_at(at).startswith("GAD-7 9 before session 2 (IV induction from 2026-03-02)")
    assert canvas.tip_at(QPointF(0, 0)) == "" and track.points[1].total == 9


def test_patient_chart_shows_outcomes_from_the_services(qtbot, services, staff, clock):
    """Scores recorded before three sessions appear on the chart's outcomes section as one read."""
    clinic = Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id)
    patient = clinic.patient()
    planned = clinic.plan(patient.id)
    for k, answers in enumerate(([3, 3, 3, 3, 2, 2, 2, 2, 0], [2, 1, 1, 1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 0, 0, 0, 0, 0])):
        services.monitoring.record_scale(staff["nurse"], patient.id, "phq9", answers, Timepoint.PRE,
                                         planned.sessions[k].id)
        clock.advance(days=2)
        sign_in_again(staff, clock)
    view = PatientChartView(services.context.zone, services.context.today)
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show_chart(services.patients.chart(staff["front_desk"], patient.id))
    view.show()
    (panel,) = view.findChildren(OutcomesPanel)
    words = text(panel)
    assert "20 → 4 (-80.0 %) over 3 scores: remission." in words
    assert "no gad-7 scores before a session yet." in words
    assert [c.code for c in panel.canvases] == ["phq9"]  # no GAD-7 yet: a sentence, not an empty chart
    assert [len(t.points) for t in panel.canvases[0].tracks] == [3]


def test_patient_without_a_series_has_no_outcomes_section(qtbot, services, staff, clock):
    """Before any series is planned there is nothing to chart, so the section is left out."""
    clinic = Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id)
    view = PatientChartView(services.context.zone, services.context.today)
    qtbot.addWidget(view)
    view.show_chart(clinic.patient())
    assert view.findChildren(OutcomesPanel) == []


def test_reading_the_same_patient_again_keeps_the_place_a_new_patient_starts_at_the_top(qtbot, services, staff,
                                                                                          clock):
    """A refresh (a change here or at another workstation) must not jump the reader back to the top."""
    clinic = Clinic(services, staff, clock, services.chairs.add(staff["admin"], "Chair 1").id)
    ada = clinic.patient()
    clinic.plan(ada.id)
    grace = clinic.patient(given_names="Grace", family_name="Hopper")
    view = PatientChartView(services.context.zone, services.context.today)
    qtbot.addWidget(view)
    view.resize(900, 400)  # short, so the chart scrolls
    view.show()
    view.show_chart(services.patients.chart(staff["nurse"], ada.id))
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 150, timeout=2000)
    bar.setValue(150)
    view.show_chart(services.patients.chart(staff["nurse"], ada.id))
    QApplication.processEvents()
    assert bar.value() == 150
    view.show_chart(services.patients.chart(staff["nurse"], grace.id))
    QApplication.processEvents()
    assert bar.value() == 0
