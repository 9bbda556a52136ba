"""The dose: the physician's order with its calculator (or the signed order, read-only, and its amendment),
the previous session's dose and tolerance beside it, and giving the dose below."""

from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Action, Principal
from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.records import PatientChart
from clinic_desktop.domain.session_records import DoseRecordEntry, SessionDetail
from clinic_desktop.services.doses import DoseOrderForm
from clinic_desktop.services.registry import Services
from clinic_desktop.services.tolerance import PreviousDose
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap
from clinic_desktop.ui.session_record import signature_line
from clinic_desktop.ui.session_screen.actions import run_signed
from clinic_desktop.ui.session_screen.dose_admin import AdministrationPart
from clinic_desktop.ui.session_screen.dose_order import OrderForm
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.widgets import FieldGrid, FitScrollArea, clear_layout, error_label, link_button, section, text_label


class DosePanel(Panel):
    def __init__(self, services: Services, principal: Callable[[], Principal], session_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(services, principal, session_id, parent)
        self.detail: SessionDetail | None = None
        self.chart: PatientChart | None = None
        self.form: OrderForm | None = None
        self._form_mode = ""  # "order", "amend" or "" (no form on show)
        body = QWidget()
        body.setObjectName("chartBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(10)
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.setSpacing(12)
        order_box, order = section("Dose order")
        self.order_state = QVBoxLayout()
        order.addLayout(self.order_state)
        self.form_holder = QVBoxLayout()
        order.addLayout(self.form_holder)
        self.amend_link = link_button("Amend the signed order")
        self.amend_link.clicked.connect(lambda: self._open_form("amend"))
        order.addWidget(self.amend_link)
        self.errors = ErrorMap(error_label("formError"))
        order.addWidget(self.errors.form_error)
        order.addStretch(1)  # a short order beside a long previous-dose column stays at the top
        previous_box, self.previous = section("Previous dose and how it went")
        self.columns.addWidget(order_box, 3)
        self.columns.addWidget(previous_box, 2)
        layout.addLayout(self.columns)
        admin_box, admin = section("Administration")
        self.administration = AdministrationPart(self)
        admin.addWidget(self.administration)
        layout.addWidget(admin_box)
        layout.addStretch(1)
        self.scroll = FitScrollArea(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        narrow = self.width() < self.fontMetrics().averageCharWidth() * 120
        self.columns.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)

    # --- showing -------------------------------------------------------------------------------------
    def show_detail(self, detail: SessionDetail) -> None:
        self.detail = detail
        self.chart = self.view.chart
        open_blocks = [i.title for i in self.view.checklist.open_items]
        self._show_previous(self.view.previous)
        clear_layout(self.order_state)
        before_dose = detail.summary.status in (SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN)
        if detail.dose is None:
            if self.may(Action.DOSE_ORDER) and before_dose:
                self._open_form("order")
            else:
                self._close_form()
                self.order_state.addWidget(text_label(
                    "No dose ordered yet: a physician orders and signs it here." if before_dose else
                    f"No dose was ordered; the session is {detail.summary.status.label.lower()}."))
        else:
            if self._form_mode == "order":
                self._close_form()
            self._show_order(detail.dose)
        self.amend_link.setVisible(detail.dose is not None and self._form_mode != "amend"
                                   and self.may(Action.DOSE_AMEND_ORDER))
        self.administration.show_detail(detail, open_blocks)
        self.scroll.fit()

    def _show_order(self, d: DoseRecordEntry) -> None:
        grid = FieldGrid()
        n = formatting.number
        if d.mg_per_kg is not None:
            basis = d.weight_basis.label if d.weight_basis else ""
            grid.addRow("Dose", text_label(f"{n(d.dose_mg, 'mg')} ({n(d.mg_per_kg, 'mg/kg')} × "
                                           f"{formatting.kilograms(d.weight_kg_used)}, {basis})"))
            grid.addRow("Preparation", text_label(f"{n(d.drug_volume_ml, 'mL')} of {n(d.vial_mg_per_ml, 'mg/mL')} "
                                                  f"into {n(d.diluent_ml, 'mL')}: {n(d.total_volume_ml, 'mL')} in all"))
        else:
            grid.addRow("Dose", text_label(n(d.dose_mg, "mg")))
        if d.duration_min is not None:
            grid.addRow("Infusion", text_label(f"over {n(d.duration_min, 'min')} at {n(d.pump_rate_ml_per_h, 'mL/h')}"))
        if d.override_level >= Grade.OVERRIDE:
            grid.addRow("Override", text_label(f"{d.override_level.label}; reason: {d.override_reason}"))
        elif d.override_level >= Grade.WARN:
            grid.addRow("Warnings", text_label(", ".join(c.replace("_", " ") for c in d.finding_codes)))
        holder = QWidget()
        holder.setLayout(grid)
        self.order_state.addWidget(holder)
        signature = d.signed("Ordered by")
        if signature is not None:
            self.order_state.addWidget(signature_line(signature))
        zone = self.services.context.zone
        for a in d.amendments:
            changes = "; ".join(f"{field.replace('_', ' ')}: {v['old']} → {v['new']}" for field, v in a.changes.items()
                                if isinstance(v, dict) and "old" in v)
            self.order_state.addWidget(text_label(
                f"Amended {formatting.local_time(a.amended_at, zone)} by {a.amended_by}: {changes}. Reason: {a.reason}",
                name="muted"))

    def _show_previous(self, p: PreviousDose | None) -> None:
        clear_layout(self.previous)
        if p is None:
            self.previous.addWidget(text_label("No earlier dose: this is the patient's first."))
            self.previous.addStretch(1)
            return
        n = formatting.number
        grid = FieldGrid()
        dose = n(p.dose_mg, "mg") + (f" ({n(p.mg_per_kg, 'mg/kg')})" if p.mg_per_kg is not None else "")
        grid.addRow("Session", text_label(f"{p.session_label}, {formatting.local_time(p.started_at, self.services.context.zone)}"))
        grid.addRow("Dose", text_label(dose + (f" over {n(p.duration_min, 'min')}" if p.duration_min else "")))
        if p.peak_systolic is not None:
            grid.addRow("Peak BP / HR", text_label(f"{p.peak_systolic}/{p.peak_diastolic} mmHg, HR {p.peak_heart_rate}"))
        grid.addRow("Vital-sign alerts", text_label(str(p.readings_with_alerts) if p.readings_with_alerts else "None"))
        if p.cadss_peak is not None:
            grid.addRow("CADSS peak", text_label(str(p.cadss_peak)))
        if p.moaas_lowest is not None:
            grid.addRow("Lowest MOAA/S", text_label(str(p.moaas_lowest)))
        grid.addRow("Side effects", text_label(", ".join(p.side_effects) or "None recorded"))
        grid.addRow("Adverse events", text_label(", ".join(p.adverse_events) or "None"))
        holder = QWidget()
        holder.setLayout(grid)
        self.previous.addWidget(holder)
        self.previous.addStretch(1)

    # --- the order form ------------------------------------------------------------------------------
    def _open_form(self, mode: str) -> None:
        if self._form_mode == mode and self.form is not None:
            self.form.sign.set_signer(self.principal().signature_name)
            return  # already open: keep what is typed
        self._close_form()
        d = self.detail
        self.form = OrderForm(d.protocol, lambda form: self.services.doses.preview(
            self.principal(), self.session_id, form))
        self.form.signed.connect(self._order)
        self.form.amended.connect(self._amend)
        self.form_holder.addWidget(self.form)
        self._form_mode = mode
        target = next((s.target_dose for s in (self.chart.series if self.chart else ())
                       if s.id == d.summary.series_id), None)
        self.form.start(self.chart, target, amending=mode == "amend", current=d.dose if mode == "amend" else None)
        self.form.sign.set_signer(self.principal().signature_name)
        self.amend_link.setVisible(False)

    def _close_form(self) -> None:
        clear_layout(self.form_holder)
        self.form, self._form_mode = None, ""

    def _order(self, form: DoseOrderForm, password: str) -> None:
        actor, sid = self.principal(), self.session_id
        run_signed(self, self.form.errors, lambda: self.services.doses.order(actor, sid, form, password),
                   "Dose ordered and signed.", self.form.sign, self.form)

    def _amend(self, form: DoseOrderForm, reason: str, password: str) -> None:
        current = self.form
        # The order on show: an amendment over one changed elsewhere since is refused with who changed what,
        # and the form keeps what was typed.
        seen = self.detail.dose.row_version if self.detail is not None and self.detail.dose is not None else None
        actor, sid = self.principal(), self.session_id
        run_signed(self, current.errors, lambda: self.services.doses.amend_order(
            actor, sid, form, reason, password, expected_version=seen),
            "The order is amended and signed.", current.sign, current, then=lambda _entry: self._amended(current))

    def _amended(self, form: OrderForm) -> None:
        if self.form is form:  # not a form opened since
            self._close_form()
        self.amend_link.setVisible(self.may(Action.DOSE_AMEND_ORDER))

    def is_dirty(self) -> bool:
        return (self.form is not None and self.form.is_dirty()) or self.administration.is_dirty()
