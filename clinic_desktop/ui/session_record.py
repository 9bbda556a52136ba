"""A session's record, read-only: the signed dose order and administration, amendments, vital signs, notes and
scores. Signatures show the printed name, date and time with offset, and meaning; a record changed behind the
application's back shows its signature as invalid."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.session_records import DoseRecordEntry, SessionDetail, SignatureEntry
from clinic_desktop.ui import formatting
from clinic_desktop.ui.widgets import FieldGrid, FitScrollArea, badge, section, text_label

VITALS_COLUMNS = ("Time", "Phase", "BP", "HR", "SpO₂", "RR", "Temp", "Alerts and action", "By")


class SessionRecordView(FitScrollArea):
    def __init__(self, detail: SessionDetail, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        body = QWidget()
        body.setObjectName("chartBody")
        super().__init__(body, parent)
        self.detail = detail
        self._zone = zone
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 16)
        s = detail.summary
        layout.addWidget(text_label(f"{detail.patient_name} — {s.label}", name="chartName"))
        layout.addWidget(text_label(f"MRN {detail.mrn}   ·   {detail.protocol.label}   ·   "
                                    f"{formatting.local_time(s.scheduled_at, zone)}   ·   {s.chair or 'no chair'}   ·   "
                                    f"{s.status.label}", name="chartSubtitle"))
        if detail.dose is None:
            layout.addWidget(text_label("No dose has been ordered for this session."))
        else:
            layout.addWidget(self._order(detail.dose))
            layout.addWidget(self._administration(detail.dose))
            if detail.dose.amendments:
                layout.addWidget(self._amendments(detail.dose))
        layout.addWidget(self._vitals(detail))
        layout.addWidget(self._notes_and_scores(detail))
        layout.addStretch(1)

    def _order(self, d: DoseRecordEntry) -> QWidget:
        box, layout = section("Dose order")
        grid = FieldGrid()
        if d.mg_per_kg is not None:
            basis = d.weight_basis.label if d.weight_basis else ""
            grid.addRow("Dose", text_label(f"{formatting.number(d.dose_mg, 'mg')} "
                                           f"({formatting.number(d.mg_per_kg, 'mg/kg')} × "
                                           f"{formatting.kilograms(d.weight_kg_used)}, {basis})"))
            grid.addRow("Preparation", text_label(
                f"{formatting.number(d.drug_volume_ml, 'mL')} of {formatting.number(d.vial_mg_per_ml, 'mg/mL')} "
                f"into {formatting.number(d.diluent_ml, 'mL')}: {formatting.number(d.total_volume_ml, 'mL')} in all"))
        else:
            grid.addRow("Dose", text_label(formatting.number(d.dose_mg, "mg")))
        if d.duration_min is not None:
            grid.addRow("Infusion", text_label(f"over {formatting.number(d.duration_min, 'min')} at "
                                               f"{formatting.number(d.pump_rate_ml_per_h, 'mL/h')}"))
        if d.override_level >= Grade.WARN:
            grid.addRow("Limits", text_label(f"{d.override_level.label}: {', '.join(d.finding_codes)}"
                                             + (f" — reason: {d.override_reason}" if d.override_reason else "")))
        layout.addLayout(grid)
        self._signatures(layout, d, ("Ordered by",))
        return box

    def _administration(self, d: DoseRecordEntry) -> QWidget:
        box, layout = section("Administration")
        grid = FieldGrid()
        if d.started_at is None:
            grid.addRow("Status", text_label("Not started"))
        else:
            grid.addRow("Lot", text_label(f"{d.lot_number}, expires {formatting.day(d.lot_expiry)}"))
            grid.addRow("Started", text_label(formatting.local_time(d.started_at, self._zone)))
            grid.addRow("Stopped", text_label(formatting.local_time(d.stopped_at, self._zone) or "Running"))
            if d.volume_given_ml is not None:
                grid.addRow("Volumes", text_label(f"given {formatting.number(d.volume_given_ml, 'mL')}, wasted "
                                                  f"{formatting.number(d.volume_wasted_ml, 'mL') or '0 mL'}"))
        layout.addLayout(grid)
        self._signatures(layout, d, ("Administered by", "Witnessed by"))
        return box

    def _signatures(self, layout: QVBoxLayout, d: DoseRecordEntry, meanings: tuple[str, ...]) -> None:
        for sig in d.signatures:
            if sig.meaning in meanings:
                layout.addWidget(signature_line(sig))

    def _amendments(self, d: DoseRecordEntry) -> QWidget:
        box, layout = section("Amendments (original values kept)")
        for a in d.amendments:
            changes = "; ".join(f"{field}: {v['old']} → {v['new']}" for field, v in a.changes.items())
            layout.addWidget(text_label(f"{formatting.local_time(a.amended_at, self._zone)} by {a.amended_by}: "
                                        f"{changes}. Reason: {a.reason}"))
        return box

    def _vitals(self, detail: SessionDetail) -> QWidget:
        box, layout = section("Vital signs")
        table = QTableWidget(len(detail.vitals), len(VITALS_COLUMNS))
        table.setHorizontalHeaderLabels(VITALS_COLUMNS)
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, v in enumerate(detail.vitals):
            alerts = "; ".join(v.alerts) + (f" → {v.alert_action.label}" if v.alert_action else "")
            cells = (formatting.local_time(v.taken_at, self._zone, with_day=False), v.phase.label,
                     f"{v.systolic}/{v.diastolic}" if v.systolic is not None else "", _int(v.heart_rate),
                     _int(v.spo2), _int(v.resp_rate), formatting.number(v.temperature_c, "°C"), alerts, v.recorded_by)
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))  # items show plain text
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # sized when shown, in its font
        header.setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(min(400, 60 + 30 * len(detail.vitals)))
        layout.addWidget(table if detail.vitals else text_label("No vital signs charted."))
        return box

    def _notes_and_scores(self, detail: SessionDetail) -> QWidget:
        box, layout = section("Notes and scores")
        for s in detail.scores:
            band = f" — {s.band}" if s.band else ""
            layout.addWidget(text_label(f"{formatting.local_time(s.taken_at, self._zone, with_day=False)}  "
                                        f"{s.name} {s.total}{band} ({s.timepoint.label.lower()})"))
        for n in detail.notes:
            values = formatting.compact_details(n.values) if n.values else ""
            layout.addWidget(text_label(f"{formatting.local_time(n.noted_at, self._zone, with_day=False)}  "
                                        f"{n.kind.label}: {' '.join(x for x in (values, n.text) if x)} — "
                                        f"{n.recorded_by}"))
        if not detail.scores and not detail.notes:
            layout.addWidget(text_label("Nothing recorded."))
        return box


def signature_line(sig: SignatureEntry) -> QWidget:
    """"Ordered by Dr. Imani Okafor, MD — 2026-03-02 09:10:00 −05:00", red when the signature does not hold."""
    text = f"{sig.meaning} {sig.name} — {formatting.stamp(sig.signed_at, sig.utc_offset_min)}"
    if sig.valid:
        return badge(text, Grade.OK)
    if sig.status == "signature invalid":
        return badge(f"SIGNATURE INVALID — the record was changed after it was signed. ({text})", Grade.REFUSED)
    label = text_label(f"{text} ({sig.status})", name="muted")
    return label


def _int(value: int | None) -> str:
    return "" if value is None else str(value)
