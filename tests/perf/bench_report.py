"""The benchmark's figures and their table: medians and 95th percentiles beside the floors and the targets."""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

#: The statistic a target is judged on.
MEDIAN, P95, WORST, VALUE = "median", "p95", "worst", "value"


@dataclass(frozen=True)
class Target:
    """Pass when the figure's `on` statistic is at most `limit` (in the figure's unit)."""

    limit: float
    on: str = P95
    #: Where the target comes from, shown beside it (e.g. "issue").
    source: str = "issue"

    def words(self, unit: str) -> str:
        return f"{self.on} < {self.limit:g} {unit}".rstrip()


@dataclass(frozen=True)
class Figure:
    """One measurement: its samples (one for a derived figure such as a ratio), what it is set beside."""

    key: str
    label: str
    unit: str
    samples: tuple[float, ...] = ()
    target: Target | None = None
    #: The floor or the comparison it stands beside, in words ("bare window 410 ms").
    beside: str = ""
    #: Why it could not be measured (the figure then has no samples and no verdict).
    problem: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        return percentile(self.samples, 95) if self.samples else None

    @property
    def worst(self) -> float | None:
        return max(self.samples) if self.samples else None

    def stat(self, name: str) -> float | None:
        return {MEDIAN: self.median, P95: self.p95, WORST: self.worst, VALUE: self.median}[name]

    @property
    def passed(self) -> bool | None:
        """True or False against the target; None without a target or without samples."""
        if self.target is None or not self.samples:
            return None
        return self.stat(self.target.on) <= self.target.limit


def percentile(samples: Iterable[float], pct: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default), so 5 samples give a p95 near the worst."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Results:
    """Every figure of one run, in the order measured, with what the run was."""

    meta: dict[str, object] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def get(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)

    def to_json(self) -> dict[str, object]:
        return {"meta": self.meta, "figures": [{
            "key": f.key, "label": f.label, "unit": f.unit, "samples": [round(s, 3) for s in f.samples],
            "median": f.median, "p95": f.p95, "worst": f.worst,
            "target": None if f.target is None else {"limit": f.target.limit, "on": f.target.on,
                                                     "source": f.target.source},
            "passed": f.passed, "beside": f.beside, "problem": f.problem} for f in self.figures]}

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, default=str) + "\n", encoding="utf-8")


COLUMNS = ("measurement", "n", "median", "p95", "unit", "beside", "target", "result")


def table(results: Results) -> str:
    """The figures as a plain-text table, one line each; a summary line of what failed."""
    rows = [COLUMNS]
    for f in results.figures:
        verdict = {True: "pass", False: "FAIL", None: ""}[f.passed]
        if f.problem:
            verdict = "not measured"
        target = f.target.words(f.unit) if f.target else ""
        beside = f.problem if f.problem else f.beside
        rows.append((f.label, str(len(f.samples)) if f.samples else "", _number(f.median), _number(f.p95), f.unit,
                     beside, target, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    numeric = {1, 2, 3}
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.rjust(w) if i in numeric and n else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    failed = [f.label for f in results.figures if f.passed is False]
    missing = [f.label for f in results.figures if f.problem]
    lines.append("")
    lines.append(f"{len(failed)} of {sum(f.target is not None for f in results.figures)} targets missed"
                 + (f": {'; '.join(failed)}" if failed else ""))
    if missing:
        lines.append(f"not measured: {'; '.join(missing)}")
    return "\n".join(lines)


def header(results: Results) -> str:
    return " · ".join(f"{k} {v}" for k, v in results.meta.items())


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"
