"""Patient search at 1,000 and 100,000 demo patients (run on demand: `pytest tests/perf -m perf -s`)."""

from __future__ import annotations

import pytest

from tests.perf.search_speed import TARGET_GROWTH, TARGET_P95_MS, measure, report

pytestmark = pytest.mark.perf


def test_patient_search_stays_fast_at_100000_patients(tmp_path):
    """Every kind of search: p95 under 5 ms at 100,000 patients and within 2x of the same at 1,000."""
    small, large = measure(tmp_path / "small", 1000), measure(tmp_path / "large", 100_000)
    print("\n" + report(small + large))
    for at_small, at_large in zip(small, large):
        assert at_large.p95_ms < TARGET_P95_MS, at_large
        assert at_large.p95_ms <= TARGET_GROWTH * max(at_small.p95_ms, 0.5), (at_small, at_large)
