"""The benchmark's table (tests/perf/bench_report.py) on a small made-up result set: no clinic, no timing."""

from __future__ import annotations

import json

import pytest

from tests.perf.bench_report import MEDIAN, WORST, Figure, Results, Target, percentile, table


def _results() -> Results:
    results = Results(meta={"patients": 1000})
    results.add(Figure("search.mrn", "search by MRN (service)", "ms", (1.0, 2.0, 3.0, 4.0, 10.0), Target(5)))
    results.add(Figure("chart", "open a chart", "ms", (80.0, 120.0, 130.0), Target(100, MEDIAN)))
    results.add(Figure("stall.backup", "GUI stall: backup", "ms", (12.0, 14.0), Target(50, WORST)))
    results.add(Figure("backup", "backup", "ms", (572.0,), beside="11 MB"))
    results.add(Figure("preview", "preview first page", "ms", problem="the preview did not open"))
    return results


def test_percentile_interpolates_between_ranks():
    """p95 of 1..5 and 10 lies between the two largest samples, as numpy computes it."""
    assert percentile([1, 2, 3, 4, 10], 95) == pytest.approx(8.8)
    assert percentile([7], 95) == 7
    assert percentile([3, 1, 2], 50) == 2


def test_each_target_is_judged_on_its_own_statistic():
    """MRN p95 8.8 > 5 fails; the chart's median 120 > 100 fails; the worst stall 14 < 50 passes."""
    results = _results()
    assert [f.passed for f in results.figures] == [False, False, True, None, None]


def test_the_table_shows_figures_targets_verdicts_and_what_was_not_measured():
    lines = table(_results()).splitlines()
    assert lines[0].split()[:4] == ["measurement", "n", "median", "p95"]
    mrn = next(line for line in lines if line.startswith("search by MRN"))
    assert "3.00" in mrn and "8.80" in mrn and "p95 < 5 ms" in mrn and mrn.endswith("FAIL")
    stall = next(line for line in lines if line.startswith("GUI stall"))
    assert "worst < 50 ms" in stall and stall.endswith("pass")
    backup = next(line for line in lines if line.startswith("backup"))
    assert "572" in backup and "11 MB" in backup and not backup.endswith(("pass", "FAIL"))
    preview = next(line for line in lines if line.startswith("preview"))
    assert "the preview did not open" in preview and preview.endswith("not measured")
    assert "2 of 3 targets missed: search by MRN (service); open a chart" in lines
    assert "not measured: preview first page" in lines


def test_the_json_keeps_samples_statistics_and_verdicts(tmp_path):
    path = tmp_path / "bench.json"
    _results().write_json(path)
    saved = json.loads(path.read_text())
    assert saved["meta"] == {"patients": 1000}
    mrn = saved["figures"][0]
    assert mrn["samples"] == [1.0, 2.0, 3.0, 4.0, 10.0] and mrn["median"] == 3.0 and mrn["passed"] is False
    assert mrn["target"] == {"limit": 5, "on": "p95", "source": "issue"}
