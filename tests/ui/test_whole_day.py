"""One whole clinic day through the GUI, as the staff hand the workstation to each other: the front desk
registers, plans and checks in; the nurse weighs, screens and charts; the physician orders and signs; the patient
fills a PHQ-9 on the screen; the patient goes home. Then the database and the audit log are read back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from sqlalchemy import text

from clinic_desktop.domain.enums import AlertAction, MedicationClass, Protocol, SessionStatus, WeightUnit
from clinic_desktop.domain.quantities import KG_PER_LB
from clinic_desktop.domain.screening import QUESTIONS
from clinic_desktop.services.audit import AuditFilter
from clinic_desktop.storage.types import UTCDateTime
from clinic_desktop.ui.patient_form import PatientForm
from clinic_desktop.ui.screening_form import ScreeningForm
from clinic_desktop.ui.series_dialog import PlanSeriesPage
from clinic_desktop.ui.session_screen.session_screen import SessionScreen
from tests.conftest import PASSWORD, ZONE
from tests.ui.ui_support import sign_in_through_the_page, visible_texts

#: The patient's answers on the screen: PHQ-9 total 13 (moderate), item 9 "not at all".
PHQ9 = [2, 2, 1, 2, 1, 2, 2, 1, 0]
#: CADSS near the end of the infusion: total 6 (items 1, 2, 6 and 23).
CADSS = [2, 1, 0, 0, 0, 2] + [0] * 16 + [1]
#: Readings every 10 minutes during the infusion (09:00-09:40) and every 15 after it: (hour, minute, BP, HR).
DURING = [(9, 10, "132/84", "80"), (9, 20, "185/100", "96"), (9, 30, "150/90", "84"), (9, 40, "138/86", "78")]
AFTER = [(9, 55, "130/80", "74"), (10, 10, "126/78", "72")]


def at(hour: int, minute: int) -> datetime:
    """That wall-clock time on Monday 2026-03-02 in the clinic."""
    return datetime(2026, 3, 2, hour, minute, tzinfo=ZONE)


class Day:
    """The workstation, the clock and the people who take turns at it."""

    def __init__(self, qtbot, window, clock) -> None:
        self.qtbot, self.window, self.clock = qtbot, window, clock

    def now_is(self, hour: int, minute: int) -> None:
        """Time passes while whoever is at the workstation keeps using it (so the idle lock counts from now)."""
        self.clock.set(at(hour, minute))
        self.window.idle.touch()

    def hand_over(self, username: str) -> None:
        """File > Lock screen, "Sign in as someone else", user name and password, Enter."""
        self.window.menus.lock.trigger()
        assert self.window.stack.currentWidget() is self.window.lock_page
        self.window.lock_page.switch_button.click()
        sign_in_through_the_page(self.qtbot, self.window, username, PASSWORD)
        assert self.window.principal.username == username

    @property
    def ws(self):
        return self.window.workspace

    def chart_button(self, name: str) -> None:
        """Click one of the open chart's buttons (Edit patient, Screening, Plan series)."""
        QApplication.processEvents()
        button = next(b for b in self.ws.chart.findChildren(QPushButton, name) if b.isVisible())
        button.click()

    def open_from_board(self, session_id: int) -> SessionScreen:
        """View > Today's board, the session selected, Open session."""
        self.window.menus.board.trigger()
        board = self.ws.front_desk.board
        assert self.ws.tabs.currentWidget() is board
        board.select(session_id)
        board.open_button.click()
        screen = self.ws.tabs.currentWidget()
        assert isinstance(screen, SessionScreen) and screen.session_id == session_id
        return screen

    def type_into(self, edit: QWidget, words: str) -> None:
        edit.clear()
        self.qtbot.keyClicks(edit, words)

    def sign(self, sign_field, password: str = PASSWORD) -> None:
        self.qtbot.keyClicks(sign_field.password, password)
        self.qtbot.keyClick(sign_field.password, Qt.Key.Key_Return)

    def chart_vitals(self, screen: SessionScreen, bp: str, hr: str, action: AlertAction | None = None,
                     note: str = "") -> None:
        """The nurse types a reading into the vital-signs section and saves it (with the action, if out of range)."""
        screen.show_section("vitals")
        form = screen.panels["vitals"].form
        systolic, diastolic = bp.split("/")
        for name, value in (("systolic", systolic), ("diastolic", diastolic), ("heart_rate", hr), ("spo2", "98"),
                            ("resp_rate", "14")):
            self.type_into(form.fields[name], value)
        if action is not None:
            self.qtbot.keyClick(form.fields["resp_rate"], Qt.Key.Key_Return)
            assert form.alert_box.isVisible(), "an out-of-range reading is not saved without its action"
            assert f"Systolic blood pressure {systolic} mmHg" in form.alert_text.text()
            form.save_button.click()
            assert form.errors.shown()["alert_action"] == "Choose the action taken."
            form.action.setCurrentIndex(form.action.findData(action))
            self.type_into(form.note, note)
        with self.qtbot.waitSignal(screen.panels["vitals"].updated):
            self.qtbot.keyClick(form.fields["resp_rate"], Qt.Key.Key_Return)


def test_a_whole_infusion_day_through_the_gui(qtbot, services, staff, clock, make_window, db):
    """Registration to discharge by three people at one workstation: every record holds its time and author."""
    desk, nurse, md, nurse2, admin = (staff[k] for k in ("front_desk", "nurse", "physician", "nurse2", "admin"))
    clock.set(at(8, 0))
    # Set-up, not part of the day: chairs are added by an administrator and there is no chair screen yet.
    services.chairs.add(admin, "Chair 1")
    day = Day(qtbot, make_window(), clock)
    window = day.window

    # 08:00 The front desk signs in at the sign-in page and starts at today's board.
    sign_in_through_the_page(qtbot, window, desk.username, PASSWORD)
    assert day.ws.tabs.currentWidget() is day.ws.front_desk.board

    # 08:02 Patients > New patient: identity, contact, escort and a medication. The front desk may not weigh (the
    # weight field is disabled for them): the nurse types the weight into the same form at 08:44.
    day.now_is(8, 2)
    window.menus.new_patient.trigger()
    form = day.ws.tabs.currentWidget()
    assert isinstance(form, PatientForm) and not form.weight.isEnabled()
    for name, value in (("given_names", "Zoë"), ("family_name", "Nguyễn"), ("escort_name", "Tom Nguyễn")):
        form.edits[name].setText(value)
    day.type_into(form.edits["date_of_birth"], "1980-05-01")
    day.type_into(form.edits["phone"], "(555) 010-2345")
    form.sex.setCurrentIndex(form.sex.findData("female"))
    form.lists["medications"].add_button.click()
    row = form.lists["medications"].rows[-1]
    row["name"].setText("Sertraline")
    row["dose"].setText("100 mg daily")
    with qtbot.waitSignal(form.saved):
        qtbot.keyClick(form.edits["phone"], Qt.Key.Key_Return)
    pid = day.ws.chart.chart.id
    assert day.ws.chart.chart.display_name == "Nguyễn, Zoë"

    # 08:05 Plan series from the chart: the IV induction template is 6 sessions, Mon/Wed/Fri 09:00, in Chair 1.
    day.now_is(8, 5)
    day.chart_button("planRequested")
    page = day.ws.tabs.currentWidget()
    assert isinstance(page, PlanSeriesPage) and page.protocol_value() is Protocol.IV_INDUCTION
    assert (page.weekdays(), page.sessions.value(), page.time.time().toString("HH:mm")) == ((0, 2, 4), 6, "09:00")
    assert (page.chair.currentText(), page.dose.text()) == ("Chair 1", "0.5")
    assert page.preview.text().splitlines() == [
        "Session 1 of 6 — Mon 2026-03-02 09:00", "Session 2 of 6 — Wed 2026-03-04 09:00",
        "Session 3 of 6 — Fri 2026-03-06 09:00", "Session 4 of 6 — Mon 2026-03-09 09:00",
        "Session 5 of 6 — Wed 2026-03-11 09:00", "Session 6 of 6 — Fri 2026-03-13 09:00"]
    with qtbot.waitSignal(page.saved):
        page.save_button.click()
    series = day.ws.chart.chart.series[0]
    sid = series.sessions[0].id

    # 08:06 The signed consent form. There is no consent screen yet: recorded through the service, as the front
    # desk, with the second nurse as witness.
    day.now_is(8, 6)
    services.patients.record_consent(window.principal, pid, Protocol.IV_INDUCTION, "2026.1", witness_id=nurse2.id)

    # 08:40 The patient arrives: checked in on today's board with the usual escort, fasting and a negative test.
    day.now_is(8, 40)
    window.menus.board.trigger()
    board = day.ws.front_desk.board
    board.select(sid)
    board.check_in_button.click()
    panel = board.check_in_panel
    assert panel.heading.text() == "Check in Nguyễn, Zoë — Session 1 of 6"
    panel.escort_confirmed.setChecked(True)
    panel.npo.setCurrentIndex(panel.npo.findData(True))
    panel.pregnancy.setCurrentIndex(panel.pregnancy.findData("negative"))
    with qtbot.waitSignal(panel.checkedIn):
        qtbot.keyClick(panel.escort_name, Qt.Key.Key_Return)

    # 08:44 The nurse takes over: finds the patient, types today's weight in pounds, and records the screening.
    day.now_is(8, 44)
    day.hand_over(nurse.username)
    day.ws.focus_search()
    day.ws.patients.search_box.setText("Nguyễn")
    qtbot.keyClick(day.ws.patients.search_box, Qt.Key.Key_Return)
    assert day.ws.chart.chart.id == pid
    day.chart_button("editRequested")
    form = day.ws.tabs.currentWidget()
    assert isinstance(form, PatientForm) and form.weight.isEnabled()
    form.weight.unit.setCurrentIndex(form.weight.unit.findData("lb"))
    day.type_into(form.weight.value, "176")
    assert form.weight.other.text() == "= 79.8 kg"
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    day.now_is(8, 46)
    day.chart_button("screeningRequested")
    screening = day.ws.tabs.currentWidget()
    assert isinstance(screening, ScreeningForm)
    for question in QUESTIONS:
        screening.set_answer(question.key, "yes" if question.key == "childbearing_potential" else "no")
    with qtbot.waitSignal(screening.saved):
        screening.save_button.click()

    # 08:50 The session, opened from the board: baseline vital signs.
    day.now_is(8, 50)
    screen = day.open_from_board(sid)
    assert screen.tabs.currentWidget() is screen.pages["checks"]
    day.chart_vitals(screen, "128/82", "76")

    # 08:51 The PHQ-9 handed to the patient: the form alone fills the window until a staff password ends it.
    day.now_is(8, 51)
    screen.show_section("scales")
    scales = screen.panels["scales"]
    scales.patient_buttons["phq9"].click()
    phq = scales.patient_page
    assert window.stack.currentWidget() is phq and not window.menuBar().isVisible()
    assert not any("Nguyễn" in t for t in visible_texts(window)), "nothing of the record shows to the patient"
    for number, value in enumerate(PHQ9):
        qtbot.mouseClick(phq.single_groups[number].buttons[value], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(phq.next_button, Qt.MouseButton.LeftButton)
    assert phq.views.currentIndex() == 2, "the thank-you page"
    day.now_is(8, 56)
    phq.staff.finish_button.click()
    phq.staff.password.setText("not the password")
    qtbot.keyClick(phq.staff.password, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is phq and phq.staff.error.text() == "That password is not right."
    qtbot.keyClicks(phq.staff.password, PASSWORD)
    with qtbot.waitSignal(scales.changed):
        qtbot.keyClick(phq.staff.password, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is day.ws and window.menuBar().isVisible()
    assert screen.checks.open_keys == {"dose_order"}, "only the physician's order is missing now"

    # 08:58 The physician orders 0.5 mg/kg (the series' target, filled in) and signs with the password.
    day.now_is(8, 58)
    screen_left = screen
    day.hand_over(md.username)
    screen = day.open_from_board(sid)
    screen.show_section("dose")
    order = screen.dose.form
    assert order.weight.text().startswith("176 lb (79.8 kg), weighed 2026-03-02")
    assert order.mg_per_kg.text() == "0.5"
    shown = {key: order.values[key].text() for key in ("dose", "drug", "total", "rate")}
    assert shown == {"dose": "39.9 mg", "drug": "0.8 mL", "total": "100.8 mL", "rate": "151.2 mL/h"}
    day.sign(order.sign)
    assert screen.dose.form is None, "the signed order replaces the form"
    assert any(t.startswith("Ordered by Dr Imani Okafor, MD — 2026-03-02 08:58") for t in visible_texts(screen.dose))

    # 09:00 The nurse is back at the session she left: it shows the signed order; lot and expiry; the dose starts.
    day.now_is(9, 0)
    day.hand_over(nurse.username)
    assert day.ws.tabs.currentWidget() is screen_left
    screen = screen_left
    screen.show_section("dose")
    assert any(t.startswith("Ordered by Dr Imani Okafor, MD") for t in visible_texts(screen.dose))
    admin_part = screen.dose.administration
    assert admin_part.mode == "start" and admin_part.start_button.isVisible()
    day.type_into(admin_part.lot, "KX-2231")
    day.type_into(admin_part.expiry, "2027-06")
    qtbot.keyClick(admin_part.expiry, Qt.Key.Key_Return)
    assert screen.status_badge.text() == "Infusing for 0 min"

    # 09:10-09:40 Vital signs every 10 minutes; at 09:20 185/100 needs its action; CADSS at 09:35.
    for hour, minute, bp, hr in DURING:
        day.now_is(hour, minute)
        if bp == "185/100":
            day.chart_vitals(screen, bp, hr, AlertAction.SLOW, "Rate halved; BP re-checked in 5 min; Dr Okafor told")
        else:
            day.chart_vitals(screen, bp, hr)
        if minute == 30:
            day.now_is(9, 35)
            screen.show_section("notes")
            cadss = screen.panels["notes"].cadss
            cadss.grid.set_answers(CADSS)
            assert cadss.total.text().startswith("Total 6 of 92")
            with qtbot.waitSignal(screen.panels["notes"].updated):
                cadss.save_button.click()

    # 09:40 The dose stops: 95 mL given, 5.8 mL wasted before the second nurse, each signing with their password.
    screen.show_section("dose")
    assert admin_part.mode == "stop"
    day.type_into(admin_part.given, "95")
    day.type_into(admin_part.wasted, "5.8")
    admin_part.witness.setCurrentIndex(admin_part.witness.findData(nurse2.id))
    qtbot.keyClicks(admin_part.witness_password, PASSWORD)
    day.sign(admin_part.sign)
    assert screen.status_badge.text() == "Recovering: infusion ended 0 min ago"

    # 09:55 and 10:10 Readings every 15 minutes after the infusion; at 10:05 a full score is not enough yet.
    day.now_is(*AFTER[0][:2])
    day.chart_vitals(screen, *AFTER[0][2:])
    day.now_is(10, 5)
    screen.show_section("discharge")
    discharge = screen.discharge
    for group in discharge.groups:
        group.button(2).click()
    assert any(t.startswith("Total 10 of 10: fit for discharge") for t in visible_texts(discharge))
    discharge.escort.setChecked(True)
    discharge.discharge_button.click()
    assert discharge.errors.form_error.text() == "Observation continues until 10:10 (30 minutes)."
    day.now_is(*AFTER[1][:2])
    day.chart_vitals(screen, *AFTER[1][2:])
    grid = [line for line in screen.panels["vitals"].row_texts() if len(line) > 1]
    assert [(line[0], line[1], line[3], line[8]) for line in grid] == [  # due, taken, BP, status
        ("—", "08:50", "128/82", "Baseline"), ("09:10", "09:10", "132/84", "On time"),
        ("09:20", "09:20", "185/100", "On time"), ("09:30", "09:30", "150/90", "On time"),
        ("09:40", "09:40", "138/86", "On time"), ("09:55", "09:55", "130/80", "On time"),
        ("10:10", "10:10", "126/78", "On time"), ("10:25", "", "", "Due in 15 min")]
    assert screen.panels["vitals"].row_texts()[3] == [
        "Alert: Systolic blood pressure 185 mmHg is above 180 mmHg (hypertensive urgency): act now and notify "
        "the physician.\nAlert: Systolic blood pressure 185 mmHg is at or above 166.4 mmHg, 30 % above the baseline "
        "of 128 mmHg.\n"
        "Action: Infusion slowed — Rate halved; BP re-checked in 5 min; Dr Okafor told"]

    # 10:12 The observation time is over: the same modified Aldrete of 10, escort present, discharged.
    day.now_is(10, 12)
    screen.show_section("discharge")
    assert discharge.answers() == [2] * 5 and discharge.escort.isChecked(), "what was chosen at 10:05 stays"
    discharge.discharge_button.click()
    assert screen.status_badge.text() == "Discharged 10:12"

    _the_database_holds_the_day(services, db, staff, pid, series.id, sid)


def _the_database_holds_the_day(services, db, staff, pid: int, series_id: int, sid: int) -> None:
    """Read back through the services, straight from the tables, and from the audit log."""
    desk, nurse, md, nurse2, admin = (staff[k] for k in ("front_desk", "nurse", "physician", "nurse2", "admin"))
    chart = services.patients.chart(md, pid)
    assert (chart.given_names, chart.family_name, chart.date_of_birth) == ("Zoë", "Nguyễn", date(1980, 5, 1))
    assert [(m.name, m.drug_class, m.dose) for m in chart.medications] == [("Sertraline", MedicationClass.OTHER,
                                                                            "100 mg daily")]
    weight = chart.latest_weight
    assert (weight.weight_kg, weight.entered_unit, weight.measured_on) == (176 * KG_PER_LB, WeightUnit.LB,
                                                                           date(2026, 3, 2))
    assert (chart.screening.screened_on, chart.screening.recorded_by) == (date(2026, 3, 2), "Dana Whitlock, RN")
    assert [(c.protocol, c.template_version, c.signed_at) for c in chart.consents] == [
        (Protocol.IV_INDUCTION, "2026.1", at(8, 6))]
    s = chart.series[0]
    assert s.id == series_id and len(chart.series) == 1
    assert (s.protocol, s.planned_sessions, s.weekdays, s.chair) == (Protocol.IV_INDUCTION, 6, (0, 2, 4), "Chair 1")
    assert [x.scheduled_at for x in s.sessions] == [at(9, 0).replace(day=d) for d in (2, 4, 6, 9, 11, 13)]

    detail = services.sessions.detail(nurse, sid)
    assert detail.summary.status is SessionStatus.DISCHARGED and detail.summary.discharged_at == at(10, 12)
    assert (detail.checked_in_at, detail.escort_name, detail.escort_confirmed, detail.npo_confirmed) == (
        at(8, 40), "Tom Nguyễn", True, True)
    dose = detail.dose
    assert (dose.mg_per_kg, dose.dose_mg, dose.ordered_by, dose.ordered_at) == (
        Decimal("0.5"), Decimal("39.9"), "Dr Imani Okafor, MD", at(8, 58))
    assert (dose.lot_number, dose.lot_expiry, dose.started_at, dose.stopped_at) == (
        "KX-2231", date(2027, 6, 30), at(9, 0), at(9, 40))
    assert (dose.volume_given_ml, dose.volume_wasted_ml, dose.administered_by, dose.waste_witness) == (
        Decimal("95"), Decimal("5.8"), "Dana Whitlock, RN", "Luis Ferreira, RN")
    assert [(g.meaning, g.name, g.signed_at, g.status) for g in dose.signatures] == [
        ("Ordered by", "Dr Imani Okafor, MD", at(8, 58), "valid"),
        ("Administered by", "Dana Whitlock, RN", at(9, 40), "valid"),
        ("Witnessed by", "Luis Ferreira, RN", at(9, 40), "valid")]

    def rows(sql: str, **types) -> list[tuple]:
        """A read-only query straight at the database file (no service in between)."""
        with db.engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql).columns(**types), {"pid": pid, "sid": sid})]

    when = UTCDateTime()
    assert rows("SELECT taken_at, phase, systolic, diastolic, heart_rate, recorded_by_id, alert_action, alert_note "
                "FROM vital_signs WHERE session_id = :sid ORDER BY taken_at", taken_at=when) == [
        (at(8, 50), "baseline", 128, 82, 76, nurse.id, None, ""),
        (at(9, 10), "during", 132, 84, 80, nurse.id, None, ""),
        (at(9, 20), "during", 185, 100, 96, nurse.id, "slow", "Rate halved; BP re-checked in 5 min; Dr Okafor told"),
        (at(9, 30), "during", 150, 90, 84, nurse.id, None, ""),
        (at(9, 40), "during", 138, 86, 78, nurse.id, None, ""),
        (at(9, 55), "after", 130, 80, 74, nurse.id, None, ""),
        (at(10, 10), "after", 126, 78, 72, nurse.id, None, "")]
    assert rows("SELECT taken_at, instrument, total, timepoint, rater, recorded_by_id FROM scale_responses "
                "WHERE patient_id = :pid ORDER BY taken_at", taken_at=when) == [
        (at(8, 56), "phq9", 13, "pre", "patient", nurse.id),
        (at(9, 35), "cadss", 6, "during", "clinician", nurse.id),
        (at(10, 12), "aldrete", 10, "post", "clinician", nurse.id)]
    assert rows("SELECT s.created_by_id, s.created_at, t.checked_in_at, t.discharged_at, t.discharged_by_id, "
                "t.status FROM infusion_series s JOIN treatment_sessions t ON t.series_id = s.id WHERE t.id = :sid",
                created_at=when, checked_in_at=when, discharged_at=when) == [
        (desk.id, at(8, 5), at(8, 40), at(10, 12), nurse.id, "discharged")]
    assert rows("SELECT w.recorded_by_id, w.created_at, r.recorded_by_id, c.recorded_by_id, c.witness_id, "
                "d.ordered_by_id, d.administered_by_id, d.waste_witness_id FROM weight_measurements w, "
                "screening_records r, consent_records c, dose_records d WHERE w.patient_id = :pid AND "
                "r.patient_id = :pid AND c.patient_id = :pid AND d.session_id = :sid", created_at=when) == [
        (nurse.id, at(8, 44), nurse.id, desk.id, nurse2.id, md.id, nurse.id, nurse2.id)]

    verification = services.audit.verify(admin)
    assert verification.ok, verification.message
    # Who registered and who checked in is kept by the audit log (the patient and session rows have no author).
    entries = list(reversed(services.audit.entries(admin, AuditFilter(patient_id=pid), limit=1000).rows))
    log = [(r.at.astimezone(ZONE).strftime("%H:%M"), r.user, r.action, r.object_type) for r in entries]
    assert log == [
        ("08:02", "Pat Lindqvist", "create", "patient"),
        ("08:05", "Pat Lindqvist", "create", "series"),
        ("08:06", "Pat Lindqvist", "create", "consent"),
        ("08:40", "Pat Lindqvist", "update", "session"),  # checked in
        ("08:44", "Dana Whitlock", "create", "weight"),
        ("08:46", "Dana Whitlock", "create", "screening"),
        ("08:50", "Dana Whitlock", "create", "vital_signs"),
        ("08:56", "Dana Whitlock", "create", "scale_response"),  # the patient's PHQ-9
        ("08:58", "Dr Imani Okafor", "create", "dose_order"),
        ("08:58", "Dr Imani Okafor", "sign", "dose_order"),
        ("09:00", "Dana Whitlock", "update", "administration"),  # started
        ("09:10", "Dana Whitlock", "create", "vital_signs"),
        ("09:20", "Dana Whitlock", "create", "vital_signs"),
        ("09:30", "Dana Whitlock", "create", "vital_signs"),
        ("09:35", "Dana Whitlock", "create", "scale_response"),  # CADSS
        ("09:40", "Dana Whitlock", "create", "vital_signs"),
        ("09:40", "Dana Whitlock", "sign", "administration"),
        ("09:40", "Luis Ferreira", "sign", "waste"),
        ("09:55", "Dana Whitlock", "create", "vital_signs"),
        ("10:10", "Dana Whitlock", "create", "vital_signs"),
        ("10:12", "Dana Whitlock", "update", "session"),  # discharged
    ]
    assert entries[3].details["status"] == {"old": "scheduled", "new": "checked_in"}
    assert (entries[12].details["new"]["systolic"], entries[12].details["new"]["alert_action"]) == (185, "slow")
    assert entries[-1].details["status"] == {"old": "recovering", "new": "discharged"}
    assert entries[-1].details["aldrete"] == 10
    sign_ins = [(r.at.astimezone(ZONE).strftime("%H:%M"), r.user, r.action)
                for r in reversed(services.audit.entries(admin, limit=1000).rows)
                if r.action in ("login", "lock", "signature_confirmed", "witness_confirmed", "patient_mode_exit",
                                "patient_mode_exit_failed")]
    assert sign_ins == [
        ("08:00", "Pat Lindqvist", "login"), ("08:44", "Pat Lindqvist", "lock"), ("08:44", "Dana Whitlock", "login"),
        ("08:56", "Dana Whitlock", "patient_mode_exit_failed"), ("08:56", "Dana Whitlock", "patient_mode_exit"),
        ("08:58", "Dana Whitlock", "lock"), ("08:58", "Dr Imani Okafor", "login"),
        ("08:58", "Dr Imani Okafor", "signature_confirmed"), ("09:00", "Dr Imani Okafor", "lock"),
        ("09:00", "Dana Whitlock", "login"), ("09:40", "Dana Whitlock", "signature_confirmed"),
        ("09:40", "Luis Ferreira", "witness_confirmed")]
