"""The patient chart: who the patient is, what flags them, their series and sessions, their latest scores."""

from __future__ import annotations

from datetime import date
from typing import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clinic_desktop.domain.consent import ConsentStatus
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.interactions import medication_findings
from clinic_desktop.domain.records import PatientChart, SeriesSummary, SessionSummary
from clinic_desktop.domain.schedule import WEEKDAY_NAMES
from clinic_desktop.ui import formatting
from clinic_desktop.ui.outcomes_panel import OutcomesPanel
from clinic_desktop.ui.chart_actions import SERIES_ROLE, chart_buttons, series_buttons
from clinic_desktop.ui.paperwork.chart_menu import consent_lines
from clinic_desktop.ui.widgets import FieldGrid, badge, clear_layout, section, text_label


class PatientChartView(QScrollArea):
    """Read-only chart of one patient. Loads nothing itself: it shows the PatientChart it is given with the
    consent statuses read with it (services' ChartView, read once per refresh by the workspace), and asks for a
    session's record (sessionChosen) when a session row is opened (double-click or Enter)."""

    sessionChosen = Signal(int)
    #: The chart's front-desk buttons (ui/chart_actions.py; the workspace connects them), with the patient's id.
    editRequested = Signal(int)
    weightRequested = Signal(int)
    screeningRequested = Signal(int)
    planRequested = Signal(int)
    #: ("reschedule" | "cancel" | "no_show", session id) or ("extend" | "stop", series id), from under the series
    #: tree.
    seriesAction = Signal(str, int)
    #: From the Paperwork menu (ui/paperwork/chart_menu.py): ("consent", series id or 0, protocol value),
    #: ("record_consent", 0, "") or ("summary", series id, "").
    paperworkRequested = Signal(str, int, str)

    def __init__(self, zone: ZoneInfo, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._today = today
        self.chart: PatientChart | None = None
        #: Whether the signed-in user may take an Action: decides which buttons show (the workspace sets it).
        self.may: Callable[[object], bool] = lambda _action: False
        #: The chart on show and its consent statuses (None: the consents are shown as listed).
        self._statuses: tuple[PatientChart | None, tuple[ConsentStatus, ...] | None] = (None, None)
        self._narrow = False
        self.setWidgetResizable(True)
        self._body = QWidget()
        self._body.setObjectName("chartBody")
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(16, 12, 16, 16)
        self._layout.setSpacing(10)
        self.setWidget(self._body)
        self.show_message("Select a patient to see their chart.")

    def show_message(self, text: str) -> None:
        self.chart = None
        clear_layout(self._layout)
        label = text_label(text, name="emptyState")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addStretch(1)
        self._layout.addWidget(label)
        self._layout.addStretch(2)

    def show_chart(self, chart: PatientChart, consent_statuses: tuple[ConsentStatus, ...] | None = None) -> None:
        """Lay out `chart`; a resize lays the chart on show out anew with the statuses it came with."""
        # The same patient read again (a change here or at another workstation) keeps the reader's place.
        keep = self.verticalScrollBar().value() if self.chart is not None and self.chart.id == chart.id else 0
        self.chart = chart
        if consent_statuses is not None or self._statuses[0] is not chart:
            self._statuses = (chart, consent_statuses)
        clear_layout(self._layout)
        self._layout.addLayout(self._header(chart))
        self._layout.addLayout(chart_buttons(self, chart))
        flags = self._flags(chart)
        if flags is not None:
            self._layout.addWidget(flags)
        # Two independent columns (each grows to its own content), or one when the window is narrow.
        self._narrow = self._is_narrow()
        columns = QVBoxLayout() if self._narrow else QHBoxLayout()
        columns.setSpacing(12)
        for parts in ((self._contact(chart), self._medications(chart)), (self._clinical(chart), self._scores(chart))):
            column = QVBoxLayout()
            column.setSpacing(10)
            for part in parts:
                column.addWidget(part)
            column.addStretch(1)
            columns.addLayout(column, 1)
        self._layout.addLayout(columns)
        if chart.series:
            self._layout.addWidget(self._outcomes(chart))
        self._layout.addWidget(self._series(chart))
        self._layout.addStretch(1)
        self._fit_height()
        self.verticalScrollBar().setValue(keep)

    def has_come(self, session: SessionSummary) -> bool:
        """Whether the session's day is today or past (a patient can have missed it)."""
        return session.scheduled_at.astimezone(self._zone).date() <= self._today()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.chart is not None and self._is_narrow() != self._narrow:
            self.show_chart(self.chart)
        self._fit_height()

    def _is_narrow(self) -> bool:
        """Too narrow for two columns of sections: about 100 characters of text. Measured as if the scroll bar
        were always there: the viewport's own width changes as the scroll bar comes and goes with the layout's
        height, and a window width between the two made the chart flip between layouts without end (blank)."""
        width = self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        return width < self.fontMetrics().averageCharWidth() * 100

    def _fit_height(self) -> None:
        """Give the body the height its wrapped text needs at this width, so nothing is squeezed or clipped
        (a scroll area does not ask its widget's layout for height-for-width by itself)."""
        width = self.viewport().width()
        needed = (self._layout.heightForWidth(width) if self._layout.hasHeightForWidth()
                  else self._layout.sizeHint().height())
        self._body.setMinimumHeight(max(needed, 0))

    # --- parts ------------------------------------------------------------------------------------
    def _header(self, c: PatientChart) -> QVBoxLayout:
        box = QVBoxLayout()
        name = c.display_name + (f"  “{c.preferred_name}”" if c.preferred_name else "")
        box.addWidget(text_label(name, name="chartName"))
        age = formatting.age_on(c.date_of_birth, self._today())
        box.addWidget(text_label(f"MRN {c.mrn}   ·   Born {formatting.day(c.date_of_birth)} ({age} years)   ·   "
                                 f"{c.sex.label}", name="chartSubtitle"))
        return box

    def _flags(self, c: PatientChart) -> QWidget | None:
        """Allergies, screening flags and interacting medications: what must not be missed, at the top."""
        tags: list[QLabel] = []
        for allergy in c.allergies:
            reaction = f" ({allergy.reaction})" if allergy.reaction else ""
            tags.append(badge(f"Allergy: {allergy.substance}{reaction}", Grade.OVERRIDE))
        if c.screening is not None:
            for f in c.screening.findings:
                tags.append(badge(f"{f.grade.label.capitalize()}: {f.message}", f.grade))
        else:
            tags.append(badge("No contraindication screening on file", Grade.WARN))
        protocol = c.screening.protocol if c.screening else None
        if protocol is not None:
            for f in medication_findings((m.drug_class for m in c.medications if m.active), protocol):
                tags.append(badge(f"{f.grade.label.capitalize()}: {f.message}", f.grade))
        if not tags:
            return None
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for tag in tags:
            layout.addWidget(tag)
        return holder

    def _contact(self, c: PatientChart) -> QWidget:
        box, layout = section("Contact")
        form = FieldGrid()
        form.addRow("Phone", text_label(c.phone or "—"))
        form.addRow("Email", text_label(c.email or "—"))
        form.addRow("Address", text_label(c.address or "—"))
        emergency = " · ".join(x for x in (c.emergency_contact_name, c.emergency_contact_relation,
                                           c.emergency_contact_phone) if x)
        form.addRow("Emergency contact", text_label(emergency or "—"))
        escort = " · ".join(x for x in (c.escort_name, c.escort_phone) if x)
        form.addRow("Usual escort / driver", text_label(escort or "None recorded"))
        layout.addLayout(form)
        return box

    def _clinical(self, c: PatientChart) -> QWidget:
        box, layout = section("Clinical")
        form = FieldGrid()
        ref = c.referring_clinician
        form.addRow("Referred by", text_label(f"{ref.full_name}, {ref.practice}" if ref and ref.practice
                                              else (ref.full_name if ref else "—")))
        diagnoses = "\n".join(f"{d.description}{f' ({d.code})' if d.code else ''}{' — primary' if d.is_primary else ''}"
                              for d in c.diagnoses)
        form.addRow("Diagnoses", text_label(diagnoses or "—"))
        form.addRow("Height", text_label(formatting.number(c.height_cm, "cm") if c.height_cm else "Not recorded"))
        if c.latest_weight:
            weight = f"{formatting.weight(c.latest_weight)}, {formatting.day(c.latest_weight.measured_on)}"
        else:
            weight = "Not recorded"
        form.addRow("Weight", text_label(weight))
        form.addRow("BMI", text_label(formatting.number(c.bmi) if c.bmi is not None else "—"))
        screening = (f"{formatting.day(c.screening.screened_on)} by {c.screening.recorded_by}" if c.screening
                     else "Not on file")
        form.addRow("Screening", text_label(screening))
        statuses = self._statuses[1] if self._statuses[0] is c else None
        if statuses is not None:
            form.addRow("Consent", consent_lines(statuses, self._zone))
        else:
            consents = "\n".join(f"{x.protocol.label} (form {x.template_version}, "
                                 f"{formatting.local_time(x.signed_at, self._zone)})"
                                 + (" — withdrawn" if x.withdrawn_at else "") for x in c.consents)
            form.addRow("Consent", text_label(consents or "None on file"))
        layout.addLayout(form)
        return box

    def _medications(self, c: PatientChart) -> QWidget:
        box, layout = section("Medications")
        if not c.medications:
            layout.addWidget(text_label("None recorded"))
        for m in c.medications:
            row = QHBoxLayout()
            row.addWidget(text_label(f"{m.name}  {m.dose}".strip() + ("" if m.active else " (stopped)")), 1)
            if m.drug_class.value != "other":
                row.addWidget(text_label(m.drug_class.label, name="muted"))
            layout.addLayout(row)
        layout.addStretch(1)
        return box

    def _scores(self, c: PatientChart) -> QWidget:
        box, layout = section("Latest scores")
        if not c.latest_scores:
            layout.addWidget(text_label("No rating scales recorded"))
        fields = FieldGrid()
        layout.addLayout(fields)
        for s in c.latest_scores:
            band = f" — {s.band}" if s.band else ""
            fields.addRow(s.name, text_label(f"{s.total}{band}   ({formatting.day(s.taken_at.astimezone(self._zone).date())})"))
            for f in s.findings:
                if f.grade >= Grade.WARN:
                    note = " (reviewed)" if s.acknowledged else ""
                    fields.addWidget(badge(f.message + note, Grade.INFO if s.acknowledged else f.grade),
                                     fields.rowCount(), 0, 1, 2)
        if c.outcomes:
            layout.addWidget(text_label("Course outcomes (pre-infusion scores)", name="subheading"))
        series_names = {s.id: f"{s.protocol.label}, from {formatting.day(s.start_date)}" for s in c.series}
        shown_series = None
        for o in c.outcomes:
            if o.series_id != shown_series:
                shown_series = o.series_id
                layout.addWidget(text_label(series_names.get(o.series_id, ""), name="muted"))
            if o.n_points == 1:
                layout.addWidget(text_label(f"{o.name}: baseline {o.baseline} (one score so far)"))
                continue
            change = f"{o.percent_change:+} %" if o.percent_change is not None else "baseline 0"
            layout.addWidget(text_label(f"{o.name}: {o.baseline} → {o.latest} ({change}, {o.n_points} scores) — "
                                        f"{o.status}"))
        layout.addStretch(1)
        return box

    def _outcomes(self, c: PatientChart) -> QWidget:
        box, layout = section("Outcomes: PHQ-9 and GAD-7 before each session")
        box.setObjectName("outcomes")
        layout.addWidget(OutcomesPanel(c.outcome_points, c.outcome_settings, self._zone,
                                       side_by_side=not self._narrow))
        return box

    def _series(self, c: PatientChart) -> QWidget:
        box, layout = section("Infusion series and sessions")
        if not c.series:
            layout.addWidget(text_label("No series planned yet."))
            return box
        tree = QTreeWidget()
        tree.setObjectName("seriesTree")
        tree.setHeaderLabels(("Series / session", "When", "Chair", "Status", "Dose"))
        tree.setRootIsDecorated(True)
        tree.setUniformRowHeights(True)
        for s in c.series:
            top = QTreeWidgetItem(tree, self._series_columns(s))
            top.setData(0, SERIES_ROLE, s.id)
            for x in s.sessions:
                dose = ""
                if x.dose_mg is not None:
                    dose = f"{formatting.number(x.dose_mg, 'mg')}" + (
                        f" ({formatting.number(x.mg_per_kg, 'mg/kg')})" if x.mg_per_kg is not None else "")
                item = QTreeWidgetItem(top, (x.label, formatting.local_time(x.scheduled_at, self._zone), x.chair,
                                             x.status.label, dose))
                item.setData(0, Qt.ItemDataRole.UserRole, x.id)
            top.setExpanded(s.status.value in ("planned", "active"))
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        tree.setMinimumHeight(220)
        tree.itemActivated.connect(self._session_activated)
        layout.addWidget(tree)
        layout.addLayout(series_buttons(self, tree))
        layout.addWidget(text_label("Double-click a session (or press Enter) to open its record.", name="muted"))
        return box

    def _session_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        session_id = item.data(0, Qt.ItemDataRole.UserRole)
        if session_id is not None:
            self.sessionChosen.emit(int(session_id))

    @staticmethod
    def _series_columns(s: SeriesSummary) -> tuple[str, ...]:
        days = "/".join(WEEKDAY_NAMES[d] for d in s.weekdays)
        status = s.status.label + (f": {s.stop_reason}" if s.stop_reason else "")
        return (f"{s.protocol.label} · {s.target_dose_label}", f"from {formatting.day(s.start_date)} ({days})",
                s.chair, status, f"{s.sessions_done} of {s.planned_sessions} given")
