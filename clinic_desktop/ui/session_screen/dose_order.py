"""The dose order form and its calculator: as the physician types, the dose, volumes, pump rate and every finding
of the domain rules; a refused dose cannot be signed, an override needs a reason; the physician signs with their
password. The same form amends a signed order (with the reason for the amendment)."""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from clinic_desktop.domain.body import ideal_body_weight_kg
from clinic_desktop.domain.dosing import DoseCalculation, ESKETAMINE_DOSES_MG, VIAL_STRENGTHS_MG_PER_ML
from clinic_desktop.domain.enums import Protocol, Route, WeightBasis
from clinic_desktop.domain.errors import ClinicError, ValidationError, ValidationErrors
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.records import PatientChart
from clinic_desktop.domain.session_records import DoseRecordEntry
from clinic_desktop.services.doses import DoseOrderForm
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap
from clinic_desktop.ui.session_screen.signing import SignField
from clinic_desktop.ui.widgets import badge, clear_layout, error_label, section, text_label

#: Standard preparation filled in for a new IV order (reference 1.3): checked, not assumed.
STANDARD = {"vial": Decimal(50), "diluent": "100", "duration": "40"}
RESULT_ROWS = (("dose", "Dose"), ("drug", "Drug volume"), ("total", "Total volume"), ("conc", "Concentration"),
               ("rate", "Pump rate"), ("mgkgh", "Dose rate"), ("devices", "Nasal devices"))


class OrderForm(QWidget):
    """Fields on the left, the calculation under them; `signed(form, password)` or, amending,
    `amended(form, reason, password)` is emitted for the panel to save."""

    signed = Signal(object, str)
    amended = Signal(object, str, str)
    cancelled = Signal()

    def __init__(self, protocol: Protocol, preview: Callable[[DoseOrderForm], DoseCalculation],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.protocol = protocol
        self._preview = preview  # DoseOrderForm -> DoseCalculation (raises ClinicError)
        self.calculation: DoseCalculation | None = None
        self.amending = False
        self.chart: PatientChart | None = None
        racemic, iv = protocol.weight_based, protocol.route is Route.IV
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.errors = ErrorMap(error_label("formError"))
        grid = QGridLayout()
        grid.setColumnStretch(3, 1)
        self.weight = text_label("")
        self.basis = QComboBox()
        for basis in (WeightBasis.ACTUAL, WeightBasis.IDEAL):
            self.basis.addItem(basis.label, basis)
        self.mg_per_kg = QLineEdit()
        self.dose_mg = QComboBox()
        for mg in ESKETAMINE_DOSES_MG:
            self.dose_mg.addItem(f"{mg} mg ({int(mg / 28)} devices)", str(mg))
        self.vial = QComboBox()
        for strength in VIAL_STRENGTHS_MG_PER_ML:
            self.vial.addItem(f"{strength} mg/mL", str(strength))
        self.diluent = QLineEdit()
        self.diluent.setPlaceholderText("0")
        self.duration = QLineEdit()
        rows = [("Weight", self.weight, "", "", racemic), ("Weight basis", self.basis, "", "weight_basis", racemic),
                ("Dose per kg", self.mg_per_kg, "mg/kg", "mg_per_kg", racemic),
                ("Dose", self.dose_mg, "", "dose_mg", not racemic),
                ("Vial strength", self.vial, "", "vial_mg_per_ml", racemic),
                ("Diluent", self.diluent, "mL", "diluent_ml", racemic),
                ("Infusion over", self.duration, "min", "duration_min", iv)]
        for row, (caption, field, unit, name, shown) in enumerate(rows):
            if not shown:
                field.setVisible(False)
                continue
            label = QLabel(caption)
            label.setBuddy(field)
            grid.addWidget(label, 2 * row, 0)
            grid.addWidget(field, 2 * row, 1, 1, 3 if field is self.weight else 1)
            if field is not self.weight:
                field.setMinimumWidth(field.fontMetrics().averageCharWidth() * 24)
            if unit:
                grid.addWidget(QLabel(unit), 2 * row, 2)
                field.setAccessibleName(f"{caption} ({unit})")
            if name:
                error = error_label()
                grid.addWidget(error, 2 * row + 1, 1, 1, 2)
                self.errors.add(name, error, field)
        layout.addLayout(grid)
        results, box = section("Calculation")
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(12)
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for row, (key, caption) in enumerate(RESULT_ROWS):
            self.captions[key] = text_label(caption, wrap=False, selectable=False, name="fieldName")
            self.values[key] = text_label("", name="resultValue")
            self.values[key].setStyleSheet("font-weight: 600;")
            grid.addWidget(self.captions[key], row, 0)
            grid.addWidget(self.values[key], row, 1)
        box.addLayout(grid)
        self.findings = QVBoxLayout()
        box.addLayout(self.findings)
        layout.addWidget(results)
        self.reason_caption = text_label("Override reason (required: this order is outside the usual limits)",
                                         selectable=False, name="fieldName")
        self.override_reason = _reason_box("Why this dose is right for this patient today")
        self.override_error = error_label()
        self.errors.add("override_reason", self.override_error, self.override_reason)
        self.amend_caption = text_label("Reason for the amendment", selectable=False, name="fieldName")
        self.amend_reason = _reason_box("What is corrected, and why")
        self.amend_error = error_label()
        self.errors.add("reason", self.amend_error, self.amend_reason)
        for widget in (self.reason_caption, self.override_reason, self.override_error, self.amend_caption,
                       self.amend_reason, self.amend_error):
            layout.addWidget(widget)
        self.cannot = text_label("", name="cannotOrder")
        self.cannot.setStyleSheet(formatting.grade_style(Grade.REFUSED))
        layout.addWidget(self.cannot)
        self.sign = SignField("Sign order", "Ordered by")
        layout.addWidget(self.sign)
        layout.addWidget(self.errors.form_error)
        self.sign.submitted.connect(self._submit)
        for edit in (self.mg_per_kg, self.diluent, self.duration):
            edit.textChanged.connect(self.refresh)
        for combo in (self.basis, self.dose_mg, self.vial):
            combo.currentIndexChanged.connect(self.refresh)
        self._clean: tuple = ()

    # --- filling -------------------------------------------------------------------------------------
    def start(self, chart: PatientChart | None, target: Decimal | None, amending: bool = False,
              current: DoseRecordEntry | None = None) -> None:  # the signed order, when amending
        """Fill the form for a new order (the series' target dose and the standard preparation) or, amending,
        with the signed order's values."""
        self.chart, self.amending = chart, amending
        for w in (self.amend_caption, self.amend_reason):
            w.setVisible(amending)
        self.amend_reason.clear()
        self.override_reason.clear()
        self.sign.button.setText("Sign amendment" if amending else "Sign order")
        self._show_weight()
        for widget in (self.mg_per_kg, self.diluent, self.duration, self.basis, self.dose_mg, self.vial):
            widget.blockSignals(True)
        if current is not None:
            self.mg_per_kg.setText(formatting.number(current.mg_per_kg))
            self.diluent.setText(formatting.number(current.diluent_ml))
            self.duration.setText(formatting.number(current.duration_min))
            self._choose(self.vial, str(current.vial_mg_per_ml) if current.vial_mg_per_ml is not None else None)
            self._choose(self.dose_mg, str(current.dose_mg.normalize()) if current.dose_mg is not None else None)
            self.basis.setCurrentIndex(max(0, self.basis.findData(current.weight_basis)))
            self.override_reason.setPlainText(current.override_reason)
        else:
            self.mg_per_kg.setText(formatting.number(target) if target is not None and self.protocol.weight_based
                                   else "")
            self._choose(self.dose_mg, str(target.normalize()) if target is not None else None)
            self._choose(self.vial, str(STANDARD["vial"]))
            self.diluent.setText(STANDARD["diluent"] if self.protocol.route is Route.IV else "0")
            self.duration.setText(STANDARD["duration"])
            self.basis.setCurrentIndex(0)
        for widget in (self.mg_per_kg, self.diluent, self.duration, self.basis, self.dose_mg, self.vial):
            widget.blockSignals(False)
        self.refresh()
        self._clean = self._values()

    def _choose(self, combo: QComboBox, data: str | None) -> None:
        index = combo.findData(data) if data is not None else -1
        if index >= 0:
            combo.setCurrentIndex(index)

    def _show_weight(self) -> None:
        c = self.chart
        if c is None or c.latest_weight is None:
            self.weight.setText("No weight recorded: weigh the patient (on their record) before ordering.")
            return
        text = f"{formatting.weight(c.latest_weight)}, weighed {formatting.day(c.latest_weight.measured_on)}"
        if c.height_cm is not None:
            with suppress(ClinicError):  # no ideal weight for this sex or height: the basis stays actual
                text += f"; ideal body weight {formatting.kilograms(ideal_body_weight_kg(c.sex, c.height_cm))}"
        self.weight.setText(text)

    # --- calculating ---------------------------------------------------------------------------------
    def form(self) -> DoseOrderForm:
        racemic = self.protocol.weight_based
        return DoseOrderForm(
            mg_per_kg=(self.mg_per_kg.text().strip() or None) if racemic else None,
            dose_mg=None if racemic else self.dose_mg.currentData(),
            weight_basis=self.basis.currentData() if racemic else WeightBasis.ACTUAL,
            vial_mg_per_ml=self.vial.currentData() if racemic else None,
            diluent_ml=(self.diluent.text().strip() or "0") if racemic else Decimal(0),
            duration_min=(self.duration.text().strip() or None) if self.protocol.route is Route.IV else None,
            override_reason=self.override_reason.toPlainText())

    def refresh(self) -> None:
        """Preview the order as it stands: numbers, findings, and whether it may be signed."""
        self.errors.clear()
        try:
            calc = self._preview(self.form())
        except ValidationErrors as exc:
            calc = None
            self.errors.show(exc.errors)
        except ValidationError as exc:
            calc = None
            self.errors.show([exc])
        except ClinicError as exc:
            calc = None
            self.errors.message(exc.message)
        self.calculation = calc
        self._show(calc)

    def _show(self, c: DoseCalculation | None) -> None:
        n = formatting.number
        values = {} if c is None else {
            "dose": n(c.dose_mg, "mg"), "drug": n(c.drug_volume_ml, "mL"), "total": n(c.total_volume_ml, "mL"),
            "conc": n(c.final_concentration_mg_per_ml, "mg/mL"), "rate": n(c.pump_rate_ml_per_h, "mL/h"),
            "mgkgh": n(c.dose_rate_mg_per_kg_per_h, "mg/kg/h"),
            "devices": "" if c.esketamine_devices is None else f"{c.esketamine_devices} (28 mg each, 5 min apart)"}
        for key, label in self.values.items():
            label.setText(values.get(key) or "—")
            shown = key != "devices" if self.protocol.weight_based else key in ("dose", "devices")
            label.setVisible(shown)
            self.captions[key].setVisible(shown)
        clear_layout(self.findings)
        for f in (c.findings if c else ()):
            self.findings.addWidget(badge(f"{f.grade.label.capitalize()}: {f.message}", f.grade))
        needs = c is not None and c.needs_override
        for widget in (self.reason_caption, self.override_reason):
            widget.setVisible(needs)
        refused = c is not None and c.refused
        self.cannot.setText("This dose cannot be ordered, not even with an override: resolve what is marked "
                            "“Refused” above." if refused else "")
        self.cannot.setVisible(refused)
        self.sign.setEnabled(c is not None and not refused)

    # --- signing -------------------------------------------------------------------------------------
    def _submit(self, password: str) -> None:
        if self.calculation is None or self.calculation.refused:
            return
        if self.amending:
            self.amended.emit(self.form(), self.amend_reason.toPlainText(), password)
        else:
            self.signed.emit(self.form(), password)

    def _values(self) -> tuple:
        return (self.mg_per_kg.text(), self.diluent.text(), self.duration.text(), self.basis.currentIndex(),
                self.dose_mg.currentIndex(), self.vial.currentIndex(), self.override_reason.toPlainText(),
                self.amend_reason.toPlainText())

    def is_dirty(self) -> bool:
        return self._values() != self._clean



def _reason_box(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setMaximumHeight(box.fontMetrics().lineSpacing() * 4 + 16)
    return box
