"""Series outcomes: percent change from the first pre-infusion score, response, partial response, remission."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.outcomes import outcome_scales, series_outcome

DAY1 = date(2024, 3, 1)


def series(*totals: int) -> list[tuple[date, int]]:
    """Totals on consecutive days, first one is the baseline."""
    return [(DAY1 + timedelta(days=i), t) for i, t in enumerate(totals)]


def test_no_points_gives_no_outcome():
    """A scale never taken in the series has no outcome."""
    assert series_outcome("phq9", []) is None


def test_phq9_halving_is_exactly_a_response():
    """PHQ-9 20 -> 10 is a 50.0 % reduction: response (reference 9)."""
    o = series_outcome("phq9", series(20, 10))
    assert (o.baseline, o.latest, o.change, o.percent_change) == (20, 10, -10, Decimal("-50.0"))
    assert o.response and not o.partial_response and o.remission is False
    assert o.status == "response" and o.n_points == 2


def test_phq9_one_point_short_of_half_is_a_partial_response():
    """PHQ-9 20 -> 11 is a 45 % reduction: not a response, but a partial response (25-49 %)."""
    o = series_outcome("phq9", series(20, 11))
    assert o.percent_change == Decimal("-45.0")
    assert not o.response and o.partial_response and o.status == "partial response"


@pytest.mark.parametrize("latest, partial, status", [(15, True, "partial response"),
                                                     (16, False, "no response")])
def test_partial_response_starts_at_25_percent(latest, partial, status):
    """20 -> 15 (25 %) is a partial response; 20 -> 16 (20 %) is no response."""
    o = series_outcome("phq9", series(20, latest))
    assert o.partial_response is partial and o.status == status and not o.response


@pytest.mark.parametrize("latest, remission, status", [(4, True, "remission"), (5, False, "response")])
def test_phq9_remission_is_below_5(latest, remission, status):
    """PHQ-9 remission is a total below 5: 20 -> 4 is remission, 20 -> 5 is a response only."""
    o = series_outcome("phq9", series(20, latest))
    assert o.remission is remission and o.response and o.status == status


@pytest.mark.parametrize("latest, remission, status", [(10, True, "remission"), (11, False, "response")])
def test_madrs_remission_is_10_or_below(latest, remission, status):
    """MADRS remission is a total at or below 10: 30 -> 10 remits, 30 -> 11 responds (63.3 %)."""
    o = series_outcome("madrs", series(30, latest))
    assert o.remission is remission and o.status == status
    assert o.percent_change == (Decimal("-66.7") if latest == 10 else Decimal("-63.3"))


@pytest.mark.parametrize("latest, remission", [(4, True), (5, False)])
def test_gad7_remission_is_below_5(latest, remission):
    """GAD-7 remission is a total below 5 by default."""
    o = series_outcome("gad7", series(12, latest))
    assert o.remission is remission


def test_remission_wins_even_without_a_50_percent_reduction():
    """PHQ-9 6 -> 4 is only a 33 % reduction, but the patient is now below the cut-off: status remission."""
    o = series_outcome("phq9", series(6, 4))
    assert not o.response and o.partial_response and o.remission and o.status == "remission"


def test_scales_without_a_remission_rule_report_none():
    """CADSS and BPRS have no remission definition: remission is None, not False."""
    assert series_outcome("cadss", series(20, 2)).remission is None
    assert series_outcome("bprs_positive", series(8, 8)).remission is None


def test_unsorted_points_use_the_earliest_as_baseline():
    """The baseline is the first score chronologically, whatever the input order."""
    points = [(date(2024, 3, 8), 12), (date(2024, 3, 1), 24), (date(2024, 3, 15), 9), (date(2024, 3, 4), 18)]
    o = series_outcome("phq9", points)
    assert (o.baseline, o.latest, o.n_points) == (24, 9, 4)
    assert (o.baseline_at, o.latest_at) == (date(2024, 3, 1), date(2024, 3, 15))
    assert o.percent_change == Decimal("-62.5") and o.status == "response"


def test_dates_and_datetimes_can_be_mixed():
    """A plain date sorts as the start of its day, before any time on that day."""
    points = [(datetime(2024, 3, 1, 9, 30), 10), (date(2024, 3, 1), 20), (datetime(2024, 2, 29, 23, 0), 15)]
    o = series_outcome("phq9", points)
    assert (o.baseline, o.latest) == (15, 10)


def test_equal_times_keep_input_order():
    """Two scores at the same moment keep the order they were given in."""
    o = series_outcome("phq9", [(DAY1, 20), (DAY1, 10)])
    assert (o.baseline, o.latest) == (20, 10)


def test_single_point_is_baseline_only():
    """One score: no change, 0.0 %, status "baseline only" even when that score is below the remission cut-off."""
    o = series_outcome("phq9", series(3))
    assert (o.change, o.percent_change, o.response, o.partial_response) == (0, Decimal("0.0"), False, False)
    assert o.remission is True and o.status == "baseline only"


def test_baseline_zero_has_no_percentage_and_no_response():
    """With a baseline of 0 there is no percentage change and never a response."""
    o = series_outcome("cadss", series(0, 0))
    assert o.percent_change is None and not o.response and not o.partial_response
    assert o.status == "no response"
    worse = series_outcome("bprs_positive", series(0, 6))
    assert worse.change == 6 and worse.percent_change is None and worse.status == "no response"


def test_worsening_is_a_positive_percent_change():
    """10 -> 15 is +50.0 %: positive means worse, and it is no response."""
    o = series_outcome("phq9", series(10, 15))
    assert o.percent_change == Decimal("50.0") and o.status == "no response"


@pytest.mark.parametrize("baseline, latest, percent", [
    (80, 79, "-1.3"),  # -1.25 rounds half-up (away from zero), not to even
    (40, 39, "-2.5"),
    (3, 2, "-33.3"),
    (3, 1, "-66.7"),
    (24, 21, "-12.5"),
])
def test_percent_change_rounds_half_up_to_one_decimal(baseline, latest, percent):
    """Percent change is rounded once, half-up, to 0.1 %."""
    assert series_outcome("cadss", series(baseline, latest)).percent_change == Decimal(percent)


def test_thresholds_follow_the_settings():
    """Raising response to 60 % makes 20 -> 10 a partial response; a remission cut-off of 11 makes it remission."""
    stricter = ClinicSettings(response_reduction_percent=60)
    o = series_outcome("phq9", series(20, 10), stricter)
    assert not o.response and o.partial_response and o.status == "partial response"
    assert series_outcome("phq9", series(20, 10), ClinicSettings(phq9_remission_below=11)).status == "remission"
    assert series_outcome("madrs", series(30, 12), ClinicSettings(madrs_remission_at_or_below=12)).remission
    assert series_outcome("gad7", series(12, 6), ClinicSettings(gad7_remission_below=7)).remission


@pytest.mark.parametrize("code", ["cssrs_screener", "moaas", "aldrete", "padss", "hamd17"])
def test_non_outcome_and_unknown_scales_are_refused(code):
    """Outcomes are defined for severity scales only; others are a ValidationError on the code."""
    with pytest.raises(ValidationError) as exc:
        series_outcome(code, series(5, 5))
    assert exc.value.field == "code"


@pytest.mark.parametrize("points, field", [
    ([(DAY1, 28)], "total"),
    ([(DAY1, -1)], "total"),
    ([(DAY1, True)], "total"),
    ([(DAY1, 10.0)], "total"),
    (["2024-03-01", 10], "points"),
    ([("2024-03-01", 10)], "taken_at"),
    ([(DAY1, 10, "extra")], "points"),
    ([(datetime(2024, 3, 1, tzinfo=timezone.utc), 10), (datetime(2024, 3, 2), 9)], "taken_at"),
])
def test_bad_points_raise_validation_error(points, field):
    """Out-of-range totals, missing dates and unorderable times are ValidationErrors naming the field."""
    with pytest.raises(ValidationError) as exc:
        series_outcome("phq9", points)
    assert exc.value.field == field and exc.value.message.startswith("PHQ-9")


def test_outcome_scales_are_the_severity_scales():
    """The scales outcomes are computed for are exactly the lower-is-better symptom scales."""
    assert set(outcome_scales()) == {"phq9", "gad7", "madrs", "bprs_positive", "cadss"}


@hsettings(max_examples=200, deadline=None)
@given(totals=st.lists(st.integers(0, 27), min_size=1, max_size=12), seed=st.randoms(use_true_random=False))
def test_outcome_does_not_depend_on_input_order(totals, seed):
    """Shuffling the points never changes the outcome; baseline and latest are the first and last by date."""
    points = series(*totals)
    shuffled = list(points)
    seed.shuffle(shuffled)
    o = series_outcome("phq9", shuffled)
    assert o == series_outcome("phq9", points)
    assert (o.baseline, o.latest, o.change) == (totals[0], totals[-1], totals[-1] - totals[0])
    if totals[0]:
        exact = Decimal(totals[-1] - totals[0]) * 100 / totals[0]
        assert abs(o.percent_change - exact) <= Decimal("0.05")
        assert o.response is (exact <= -50)
    assert o.status in ("remission", "response", "partial response", "no response", "baseline only")
