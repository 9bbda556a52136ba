"""The shared shape of every rating scale: items, answer choices, bands, validation and the scored result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import NoteKind, Rater, Timepoint
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Finding, Grade, worst

#: An answer as stored: an int for point-scored items, a bool for yes/no items, None for a skipped question.
Answer = int | bool | None

#: Longest piece of a rejected value quoted back in a message (a pasted paragraph must not flood the form).
_MAX_SHOWN = 40


@dataclass(frozen=True)
class Choice:
    """One allowed answer of an item and the words shown next to it."""

    value: int | bool
    label: str


@dataclass(frozen=True)
class Item:
    """One question or rated item. `number` is 1-based, as printed on the form."""

    number: int
    label: str  #: short name for tables and charts (e.g. "Sleep")
    text: str  #: the question or what is rated
    choices: tuple[Choice, ...]  #: in ascending order of value
    #: True for questions that may be left unanswered; the scale's cross-item check says when they must be.
    skippable: bool = False

    @property
    def yes_no(self) -> bool:
        return all(isinstance(c.value, bool) for c in self.choices)

    @property
    def low(self) -> int:
        return int(self.choices[0].value)

    @property
    def high(self) -> int:
        return int(self.choices[-1].value)

    @property
    def allowed(self) -> str:
        """The allowed answers in words, as used in every validation message."""
        return "yes or no" if self.yes_no else f"{self.low}-{self.high}"

    def choice_label(self, value: Answer) -> str | None:
        """The words for an answer (None for a skipped question or a value that is not a choice)."""
        if value is None:
            return None
        return next((c.label for c in self.choices if c.value == value and type(c.value) is type(value)), None)


def points(*labels: str) -> tuple[Choice, ...]:
    """Choices scored 0, 1, 2, ... with the given words, in that order."""
    return tuple(Choice(i, label) for i, label in enumerate(labels))


#: The two answers of a yes/no question, "No" first so a form lists it first.
YES_NO = (Choice(False, "No"), Choice(True, "Yes"))


@dataclass(frozen=True)
class Band:
    """A published severity band: totals from `low` to `high` inclusive get `label`."""

    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Remission:
    """A remission cut-off: the total below (or, when `inclusive`, at or below) a clinic setting."""

    cutoff: Callable[[ClinicSettings], int] = field(compare=False, repr=False)  #: reads the clinic's setting
    inclusive: bool = False  #: True: "at or below" the cut-off; False: strictly below it

    def met(self, total: int, settings: ClinicSettings) -> bool:
        limit = self.cutoff(settings)
        return total <= limit if self.inclusive else total < limit

    def phrase(self, cutoff: int) -> str:
        """The rule in words after "remission", e.g. "below 5" or "at or below 10"."""
        return f"{'at or below' if self.inclusive else 'below'} {cutoff}"


@dataclass(frozen=True)
class ChartStyle:
    """How a scale's totals are drawn on the printed series chart, without any toolkit's types.

    Meaning is carried by dash and marker, not colour alone, so a black-and-white copy reads the same.
    """

    colour: str = "#202124"  #: hex "#rrggbb"; ink near black by default
    dash: tuple[float, ...] = ()  #: dash pattern in points; empty is a solid line
    marker: str = "circle"  #: "circle", "ring", "square", "up" or "down"
    remission_line: bool = False  #: the panel also draws the remission cut-off


@dataclass(frozen=True)
class OutcomeMeasure:
    """A scale whose total is a severity (lower is better), so its change from baseline is an outcome."""

    measures: str  #: what the total measures, in words ("depression"), beside its chart
    remission: Remission | None = None  #: the published remission rule; None when the scale has none
    #: Followed from baseline through every series: outcome lines on the chart and the printed series chart.
    tracked: bool = False
    #: A panel of its own in the patient chart's Outcomes section (it needs a remission rule for its guide).
    on_screen_chart: bool = False
    chart: ChartStyle = ChartStyle()  #: its line on the printed series chart

    def __post_init__(self) -> None:
        if self.on_screen_chart and self.remission is None:  # a definition error, caught when the app imports it
            raise ValueError(f"A scale measuring {self.measures} on the outcomes chart needs a remission rule.")


@dataclass(frozen=True)
class Context:
    """What a scale's rules see once the answers are valid."""

    scale: "ScaleDefinition"
    answers: tuple[Answer, ...]
    total: int
    settings: ClinicSettings
    baseline_total: int | None

    def answer(self, number: int) -> Answer:
        """The answer to item `number` (1-based, as on the form)."""
        return self.answers[number - 1]


#: A scale's rules: the band label (or None) and the findings, from valid answers.
Evaluator = Callable[[Context], tuple[str | None, tuple[Finding, ...]]]
#: A cross-item check (e.g. skip logic) that raises ValidationError; runs after every item is valid on its own.
CrossCheck = Callable[["ScaleDefinition", tuple[Answer, ...]], None]


def band_only(ctx: Context) -> tuple[str | None, tuple[Finding, ...]]:
    """The default rules: the published band of the total and no findings."""
    return ctx.scale.band_for(ctx.total), ()


@dataclass(frozen=True)
class ScaleDefinition:
    """One instrument: what is asked, what may be answered, and how the answers are judged."""

    code: str  #: stable stored value
    name: str  #: display name
    rater: Rater
    items: tuple[Item, ...]
    min_total: int
    max_total: int
    bands: tuple[Band, ...] = ()
    description: str = ""
    evaluate: Evaluator = field(default=band_only, compare=False, repr=False)
    cross_check: CrossCheck | None = field(default=None, compare=False, repr=False)
    #: When it is given, as its form offers them (the first is the default where the form has no other rule).
    timepoints: tuple[Timepoint, ...] = (Timepoint.PRE, Timepoint.DURING, Timepoint.POST)
    #: Tracked as an outcome (change from baseline, response, remission); None: outcomes are refused.
    outcome: OutcomeMeasure | None = None
    latest_on_chart: bool = False  #: the patient chart shows its latest score
    #: In a session, each score is also charted as a monitoring note of this kind (the timeline shows it in place).
    note_kind: NoteKind | None = None
    #: A rise is judged against the same session's first total at this timepoint (the `baseline_total` of score).
    rise_from: Timepoint | None = None
    discharge: bool = False  #: a discharge-readiness score: fit at or above the clinic's minimum

    @property
    def n_items(self) -> int:
        return len(self.items)

    def item(self, number: int) -> Item:
        """Item `number`, 1-based."""
        return self.items[number - 1]

    def band_for(self, total: int) -> str | None:
        """The label of the published band that contains `total`, or None when the scale has no bands."""
        return next((b.label for b in self.bands if b.low <= total <= b.high), None)

    def validate(self, answers: object) -> tuple[Answer, ...]:
        """The answers as a tuple, or a ValidationError naming the item and the allowed answers."""
        if isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
            raise ValidationError(f"{self.name} answers must be a list of {self.n_items} answers.", "answers")
        if len(answers) != self.n_items:
            raise ValidationError(f"{self.name} needs {self.n_items} answers; {len(answers)} were given.", "answers")
        out = tuple(self._validate_one(item, value) for item, value in zip(self.items, answers))
        if self.cross_check is not None:
            self.cross_check(self, out)
        return out

    def _validate_one(self, item: Item, value: object) -> Answer:
        where = f"{self.name} item {item.number}"
        if value is None:
            if item.skippable:
                return None
            raise ValidationError(f"{where} must be answered ({item.allowed}).", f"item{item.number}")
        if item.yes_no:
            if isinstance(value, bool):
                return value
            raise ValidationError(f"{where} must be yes or no; {shown(value)} was given.", f"item{item.number}")
        # bool is an int subclass: True must not silently count as 1 point on a numeric item.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{where} must be a whole number {item.allowed}; {shown(value)} was given.",
                                  f"item{item.number}")
        if not item.low <= value <= item.high:
            raise ValidationError(f"{where} must be {item.allowed}; {value} was given.", f"item{item.number}")
        return int(value)


def shown(value: object) -> str:
    """A rejected value as quoted back to the user: yes/no for booleans, short, never a traceback."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        text = repr(value) if isinstance(value, str) else str(value)
    except Exception:  # noqa: BLE001 (a hostile __str__ must not turn bad input into a crash)
        text = type(value).__name__
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


@dataclass(frozen=True)
class ScaleResult:
    """A validated, scored administration of one scale."""

    code: str
    name: str
    answers: tuple[Answer, ...]
    total: int
    band: str | None
    findings: tuple[Finding, ...]
    discharge: bool = False  #: scored on a discharge-readiness scale (see fit_for_discharge)

    @property
    def grade(self) -> Grade:
        """The worst finding's grade (OK when there are none)."""
        return worst(self.findings)

    @property
    def alert(self) -> bool:
        """True when a finding must be shown prominently (warning or worse)."""
        return self.grade >= Grade.WARN

    @property
    def blocks(self) -> bool:
        """True when a finding needs a physician's override before treatment or discharge goes ahead."""
        return self.grade.blocks

    @property
    def risk_level(self) -> str | None:
        """The C-SSRS screener's risk level ("none", "low", "moderate", "high"); None for other scales."""
        return self.band if self.code == "cssrs_screener" else None

    @property
    def fit_for_discharge(self) -> bool | None:
        """For the discharge scores (Aldrete, PADSS): at or above the clinic's minimum. None for other scales."""
        if not self.discharge:
            return None
        return not any(f.code == "discharge_score_low" for f in self.findings)

    def finding(self, code: str) -> Finding | None:
        """The finding with this code, if the result has it."""
        return next((f for f in self.findings if f.code == code), None)
