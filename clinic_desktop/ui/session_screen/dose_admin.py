"""Giving the dose: start it (lot and expiry), stop it (volume given and wasted, the waste witness with their own
password, the giver's signature), see the signed administration, and amend it with a reason."""

from __future__ import annotations

import calendar
from datetime import date

from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from clinic_desktop.domain.access import Action, is_allowed
from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.domain.errors import ClinicError, ValidationError
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.domain.session_records import DoseRecordEntry, SessionDetail
from clinic_desktop.ui import formatting
from clinic_desktop.ui.form_support import ErrorMap
from clinic_desktop.ui.session_record import signature_line
from clinic_desktop.ui.session_screen.actions import run_signed, save
from clinic_desktop.ui.session_screen.panel import Panel
from clinic_desktop.ui.session_screen.signing import SignField
from clinic_desktop.ui.session_screen.view_updates import Saved
from clinic_desktop.ui.widgets import clear_layout, error_label, link_button, text_label


def parse_expiry(text: str) -> date:
    """A vial's expiry as printed: 2027-01-31, or 2027-01 (the end of that month)."""
    parts = text.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 2:
            return date(numbers[0], numbers[1], calendar.monthrange(numbers[0], numbers[1])[1])
        if len(numbers) == 3:
            return date(*numbers)
    except (ValueError, calendar.IllegalMonthError):
        pass
    raise ValidationError("Enter the expiry as printed on the vial: YYYY-MM-DD or YYYY-MM.", "lot_expiry")


class AdministrationPart(QWidget):
    """Start, stop or the signed record, whichever the session is at; the amendment form below a signed one."""

    def __init__(self, panel: Panel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.detail: SessionDetail | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.state = QVBoxLayout()
        layout.addLayout(self.state)
        self.errors = ErrorMap(error_label("formError"))
        self.lot, self.expiry, self.given, self.wasted = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.expiry.setPlaceholderText("YYYY-MM-DD or YYYY-MM")
        self.witness = QComboBox()
        self.witness.setAccessibleName("Waste witness")
        self.witness_password = QLineEdit()
        self.witness_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.witness_password.setPlaceholderText("Typed by the witness")
        self.witness_password.setAccessibleName("Witness's password")
        self.amend_reason = QLineEdit()
        self.amend_reason.setPlaceholderText("What is corrected, and why")
        self.grid = QGridLayout()
        self.grid.setColumnStretch(2, 1)
        self._rows: dict[str, tuple[QLabel, QWidget, QLabel]] = {}
        for name, caption, field in (("lot_number", "Lot number", self.lot), ("lot_expiry", "Lot expiry", self.expiry),
                                     ("volume_given_ml", "Volume given (mL)", self.given),
                                     ("volume_wasted_ml", "Volume wasted (mL)", self.wasted),
                                     ("witness_id", "Waste witness", self.witness),
                                     ("witness_password", "Witness's password", self.witness_password),
                                     ("reason", "Reason for the amendment", self.amend_reason)):
            label, error = QLabel(caption), error_label()
            label.setBuddy(field)
            field.setMinimumWidth(field.fontMetrics().averageCharWidth() * 30)
            row = self.grid.rowCount()
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(field, row, 1)
            self.grid.addWidget(error, row + 1, 1)
            self.errors.add(name, error, field)
            self._rows[name] = (label, field, error)
        layout.addLayout(self.grid)
        self.hint = text_label("", name="muted")
        layout.addWidget(self.hint)
        self.start_button = QPushButton("Start the dose now")
        self.start_button.setObjectName("primary")
        self.start_button.setAutoDefault(False)
        start_row = QHBoxLayout()
        start_row.addWidget(self.start_button)
        start_row.addStretch(1)
        layout.addLayout(start_row)
        self.sign = SignField("Stop and sign", "Administered by")
        layout.addWidget(self.sign)
        layout.addWidget(self.errors.form_error)
        self.amend_link = link_button("Amend the administration record")
        layout.addWidget(self.amend_link)
        self.mode = ""
        #: The record the amendment form was filled from: only the fields typed over are sent, so a retry after
        #: another workstation's amendment does not put back the values it corrected.
        self._amend_base = None
        self.start_button.clicked.connect(self._start)
        self.lot.returnPressed.connect(self._start)
        self.expiry.returnPressed.connect(self._start)
        self.sign.submitted.connect(self._sign)
        self.wasted.textChanged.connect(self._show_witness)
        self.amend_link.clicked.connect(lambda: self._set_mode("amend"))
        self._set_mode("")

    # --- showing -------------------------------------------------------------------------------------
    def show_detail(self, detail: SessionDetail, open_blocks: list[str]) -> None:
        self.detail = detail
        d, status = detail.dose, detail.summary.status
        clear_layout(self.state)
        may_give = self.panel.may(Action.DOSE_ADMINISTER)
        if d is None:
            mode, text = "", "Waiting for the physician's signed order."
        elif d.started_at is None:
            mode = "start" if status is SessionStatus.CHECKED_IN and may_give else ""
            text = ("Not started." if status is SessionStatus.CHECKED_IN else
                    "Check the patient in before the dose is started.")
        elif d.stopped_at is None:
            mode, text = ("stop" if may_give else ""), self._started_words(d)
        else:
            mode, text = ("amend" if self.mode == "amend" else "done"), ""
        if text:
            self.state.addWidget(text_label(text))
        if d is not None and d.stopped_at is not None:
            self._show_done(d)
        if mode != self.mode:
            self._set_mode(mode)  # a step already under way keeps what was typed in it
        hint = ""
        if self.mode == "start" and open_blocks:
            hint = ("Before the dose can start, resolve these (see Checks) or a physician overrides them: "
                    + "; ".join(open_blocks) + ".")
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.sign.set_signer(self.panel.principal().signature_name,
                             "Administration amended by" if self.mode == "amend" else "Administered by")

    def _started_words(self, d: DoseRecordEntry) -> str:
        zone = self.panel.services.context.zone
        minutes = int((self.panel.services.context.now() - d.started_at).total_seconds() // 60)
        return (f"Running for {minutes} min: started {formatting.local_time(d.started_at, zone, with_day=False)} "
                f"by {d.administered_by}; lot {d.lot_number}, expires {formatting.day(d.lot_expiry)}.")

    def _show_done(self, d: DoseRecordEntry) -> None:
        zone = self.panel.services.context.zone
        lines = [f"Lot {d.lot_number}, expires {formatting.day(d.lot_expiry)}",
                 f"Given {formatting.local_time(d.started_at, zone, with_day=False)}–"
                 f"{formatting.local_time(d.stopped_at, zone, with_day=False)} by {d.administered_by}"]
        if d.volume_given_ml is not None:
            wasted = formatting.number(d.volume_wasted_ml, "mL") or "0 mL"
            lines.append(f"Volume given {formatting.number(d.volume_given_ml, 'mL')}, wasted {wasted}"
                         + (f" (witnessed by {d.waste_witness})" if d.waste_witness else ""))
        for line in lines:
            self.state.addWidget(text_label(line))
        for sig in d.signatures:
            if sig.meaning in ("Administered by", "Witnessed by"):
                self.state.addWidget(signature_line(sig))

    def _set_mode(self, mode: str) -> None:
        """Show the fields of one step: start, stop, amend, or none (read-only)."""
        self.mode = mode
        fields = {"start": ("lot_number", "lot_expiry"),
                  "stop": ("volume_given_ml", "volume_wasted_ml", "witness_id", "witness_password"),
                  "amend": ("lot_number", "lot_expiry", "volume_given_ml", "reason")}.get(mode, ())
        d = self.detail.dose if self.detail else None
        volumes = d is not None and d.total_volume_ml is not None
        for name, (label, field, error) in self._rows.items():
            shown = name in fields and (volumes or "volume" not in name)
            label.setVisible(shown)
            field.setVisible(shown)
            error.setVisible(False)
        self.errors.clear()
        self.start_button.setVisible(mode == "start")
        self.amend_link.setVisible(mode == "done" and self.panel.may(Action.DOSE_AMEND_ADMINISTRATION))
        self.sign.setVisible(mode in ("stop", "amend"))
        self.sign.button.setText("Sign amendment" if mode == "amend" else "Stop and sign")
        self.sign.clear()
        if mode == "stop" and d is not None:
            self.given.setText(formatting.number(d.total_volume_ml))
            self.wasted.setText("0")
            self._fill_witnesses()
        elif mode == "amend" and d is not None:
            self._amend_base = d
            self.lot.setText(d.lot_number)
            self.expiry.setText(formatting.day(d.lot_expiry))
            self.given.setText(formatting.number(d.volume_given_ml))
            self.amend_reason.clear()
        elif mode == "start":
            self.lot.clear()
            self.expiry.clear()
        self._show_witness()

    def _fill_witnesses(self) -> None:
        self.witness.clear()
        self.witness.addItem("Choose the witness", None)
        for member in self._witnesses():
            self.witness.addItem(member.signature_name, member.id)

    def _witnesses(self) -> list[StaffMember]:
        """Nurses and physicians who can sign, other than the person giving the dose."""
        services, actor = self.panel.services, self.panel.principal()
        giver = self.detail.dose.administered_by if self.detail and self.detail.dose else ""
        try:
            members = services.staff.list(actor)
        except ClinicError as exc:
            self.errors.message(exc.message)
            return []
        now = services.context.now()
        return [m for m in members if m.username and m.id != actor.id and m.signature_name != giver
                and is_allowed(m, Action.WASTE_WITNESS, now)]

    def _show_witness(self) -> None:
        wasted = self.wasted.text().strip() not in ("", "0", "0.0", "0.00")
        shown = self.mode == "stop" and wasted
        for name in ("witness_id", "witness_password"):
            label, field, _error = self._rows[name]
            label.setVisible(shown)
            field.setVisible(shown)

    # --- saving --------------------------------------------------------------------------------------
    def _start(self) -> None:
        if self.mode != "start":
            return
        services, sid, actor = self.panel.services, self.panel.session_id, self.panel.principal()
        lot, expiry = self.lot.text(), self.expiry.text()

        def start() -> Saved:
            # Starting moves the session on, which every section shows: the session is read again in the same
            # background operation, after the write.
            entry = services.doses.start(actor, sid, lot, parse_expiry(expiry))
            view = services.sessions.screen(actor, sid)
            return Saved(entry, lambda _shown: view)
        save(self.panel, self.errors, start, "The dose has started.", disable=(self.start_button,))

    def _sign(self, password: str) -> None:
        services, sid, actor = self.panel.services, self.panel.session_id, self.panel.principal()
        if self.mode == "stop":
            witness_password = self.witness_password.text()
            self.witness_password.clear()
            wasted = self.wasted.text().strip() or "0"
            given, witness_id = self.given.text().strip() or None, self.witness.currentData()
            run_signed(self.panel, self.errors, lambda: services.doses.stop(
                actor, sid, password=password, volume_given_ml=given, volume_wasted_ml=wasted,
                witness_id=witness_id, witness_password=witness_password),
                "The dose has stopped; the administration is signed.", self.sign, self)
        elif self.mode == "amend":
            d = self._amend_base or self.detail.dose
            # The record on show: an amendment over one changed elsewhere since is refused with who changed what,
            # and the form keeps what was typed.
            seen = self.detail.dose.row_version
            given = self.given.text().strip()
            expiry = self.expiry.text().strip()
            reason, lot = self.amend_reason.text(), self.lot.text()
            run_signed(self.panel, self.errors, lambda: services.doses.amend_administration(
                actor, sid, reason, password,
                lot_number=lot if lot != d.lot_number else None,
                lot_expiry=parse_expiry(expiry) if expiry != formatting.day(d.lot_expiry) else None,
                volume_given_ml=given if given != formatting.number(d.volume_given_ml) else None,
                expected_version=seen),
                "The administration record is amended and signed.", self.sign, self,
                then=lambda _entry: self._set_mode("done"))

    def is_dirty(self) -> bool:
        if self.mode == "start":
            return bool(self.lot.text().strip() or self.expiry.text().strip())
        return self.mode == "amend" and bool(self.amend_reason.text().strip())
