"""The dose section: the calculator as the physician types, refused and override doses, the signature, giving the
dose with waste and a witness, amending, and the previous dose beside the order."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt

from clinic_desktop.domain.enums import Protocol, SessionStatus
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.patients import PatientInput
from tests.conftest import sign_in_again
from tests.ui.session_support import IV_ORDER, PASSWORD, Acting, checked_in, given, screen_for
from tests.ui.ui_support import visible_texts


def _type(qtbot, edit, text: str) -> None:
    """Select what is there and type over it, key by key, as a person would."""
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def _sign(qtbot, sign, password: str) -> None:
    qtbot.keyClicks(sign.password, password)
    qtbot.keyClick(sign.password, Qt.Key.Key_Return)


def _order_screen(qtbot, services, staff):
    _pid, sid, _ = checked_in(services, staff)
    screen = screen_for(qtbot, services, Acting(staff["physician"]), sid)
    screen.show_section("dose")
    return sid, screen, screen.dose.form


def test_the_calculator_shows_the_dose_as_the_fields_change(qtbot, services, staff):
    """80 kg × 0.5 mg/kg from 50 mg/mL into 100 mL over 40 min: 40 mg, 100.8 mL, 151.2 mL/h, 0.75 mg/kg/h."""
    _sid, _screen, form = _order_screen(qtbot, services, staff)
    assert form.weight.text().startswith("80 kg (176.4 lb), weighed 2026-03-02")
    _type(qtbot, form.mg_per_kg, "0.25")
    assert form.values["dose"].text() == "20 mg"
    _type(qtbot, form.mg_per_kg, "0.5")
    form.vial.setCurrentIndex(form.vial.findData("50"))
    _type(qtbot, form.diluent, "100")
    _type(qtbot, form.duration, "40")
    shown = {key: form.values[key].text() for key in ("dose", "drug", "total", "rate", "mgkgh")}
    assert shown == {"dose": "40 mg", "drug": "0.8 mL", "total": "100.8 mL", "rate": "151.2 mL/h",
                     "mgkgh": "0.75 mg/kg/h"}
    _type(qtbot, form.duration, "60")
    assert form.values["rate"].text() == "100.8 mL/h" and form.values["mgkgh"].text() == "0.5 mg/kg/h"
    _type(qtbot, form.mg_per_kg, "")
    assert form.errors.shown()["mg_per_kg"] == "Dose per kg is required."
    assert form.values["dose"].text() == "—" and not form.sign.isEnabled()


def test_a_refused_dose_cannot_be_ordered(qtbot, services, staff):
    """1.2 mg/kg IV is above the hard limit: the finding says so in words and the signature is disabled."""
    sid, _screen, form = _order_screen(qtbot, services, staff)
    _type(qtbot, form.mg_per_kg, "1.2")
    assert form.calculation.refused and not form.sign.isEnabled()
    assert form.cannot.isVisible() and form.cannot.text().startswith("This dose cannot be ordered, not even with")
    assert any(t.startswith("Refused: 1.2 mg/kg IV is above the limit") for t in visible_texts(form))
    _sign(qtbot, form.sign, PASSWORD)
    assert services.sessions.detail(staff["nurse"], sid).dose is None


def test_an_override_dose_needs_the_physicians_reason(qtbot, services, staff):
    """0.9 mg/kg shows a required reason; signing without it is refused beside the field, with it is saved."""
    sid, screen, form = _order_screen(qtbot, services, staff)
    assert not form.override_reason.isVisible()
    _type(qtbot, form.mg_per_kg, "0.9")
    assert form.calculation.needs_override and form.override_reason.isVisible()
    assert any(t.startswith("Needs physician override: 0.9 mg/kg IV is above the usual maximum")
               for t in visible_texts(form))
    _sign(qtbot, form.sign, PASSWORD)
    assert form.errors.shown()["override_reason"].startswith("This order needs a physician override")
    assert services.sessions.detail(staff["nurse"], sid).dose is None
    form.override_reason.setPlainText("Partial response at 0.75 mg/kg")
    _sign(qtbot, form.sign, PASSWORD)
    dose = services.sessions.detail(staff["nurse"], sid).dose
    assert dose.override_level is Grade.OVERRIDE and dose.override_reason == "Partial response at 0.75 mg/kg"
    assert dose.dose_mg == 72 and screen.dose.form is None, "the signed order replaces the form"
    assert any(t.startswith("Ordered by Dr Imani Okafor, MD — ") for t in visible_texts(screen.dose))


def test_a_wrong_password_refuses_the_signature(qtbot, services, staff):
    """A wrong password: nothing is ordered, the message is beside the password and in the status bar."""
    sid, screen, form = _order_screen(qtbot, services, staff)
    with qtbot.waitSignal(screen.message) as said:
        _sign(qtbot, form.sign, "not my password")
    assert said.args == ["Not signed: That password is not right."]
    assert form.sign.error.text() == "Not signed: That password is not right."
    assert services.sessions.detail(staff["nurse"], sid).dose is None
    _sign(qtbot, form.sign, PASSWORD)
    assert services.sessions.detail(staff["nurse"], sid).dose.dose_mg == 40


def test_a_nurse_is_not_offered_the_order_form(qtbot, services, staff):
    """Ordering is a physician's: the nurse sees that no dose is ordered yet, and no form to sign."""
    _pid, sid, _ = checked_in(services, staff)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    screen.show_section("dose")
    assert screen.dose.form is None
    assert "No dose ordered yet: a physician orders and signs it here." in visible_texts(screen.dose)


def test_start_and_stop_with_waste_signed_by_a_witness(qtbot, services, staff, clock):
    """Start with lot and expiry; stop with 10.8 mL wasted: the witness (not the giver) types their own password."""
    _pid, sid, _ = checked_in(services, staff)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    screen = screen_for(qtbot, services, Acting(staff["nurse"]), sid)
    screen.show_section("dose")
    admin = screen.dose.administration
    admin.lot.setText("KX-2231")
    admin.expiry.setText("2026-02")
    qtbot.keyClick(admin.expiry, Qt.Key.Key_Return)
    assert admin.errors.shown()["lot_expiry"] == "This lot expired on 2026-02-28: use another vial."
    _type(qtbot, admin.expiry, "2027-06")
    qtbot.keyClick(admin.expiry, Qt.Key.Key_Return)
    assert services.sessions.detail(staff["nurse"], sid).summary.status is SessionStatus.INFUSING
    clock.advance(minutes=40)
    screen.reload()
    assert admin.mode == "stop" and admin.given.text() == "100.8"
    witnesses = [admin.witness.itemText(i) for i in range(1, admin.witness.count())]
    assert witnesses == ["Dr Imani Okafor, MD", "Luis Ferreira, RN"], "not the giver, not the front desk"
    assert not admin.witness.isVisible()
    _type(qtbot, admin.given, "90")
    _type(qtbot, admin.wasted, "10.8")
    assert admin.witness.isVisible() and admin.witness_password.isVisible()
    _sign(qtbot, admin.sign, PASSWORD)
    assert admin.errors.shown()["witness_id"] == "Wasted drug needs a witness."
    admin.witness.setCurrentIndex(admin.witness.findData(staff["nurse2"].id))
    qtbot.keyClicks(admin.witness_password, "wrong")
    _sign(qtbot, admin.sign, PASSWORD)
    assert admin.errors.shown()["witness_password"].startswith("Not signed: The witness's password was refused")
    assert services.sessions.detail(staff["nurse"], sid).summary.status is SessionStatus.INFUSING
    qtbot.keyClicks(admin.witness_password, PASSWORD)
    _sign(qtbot, admin.sign, PASSWORD)
    dose = services.sessions.detail(staff["nurse"], sid).dose
    assert (dose.volume_given_ml, dose.volume_wasted_ml, dose.waste_witness) == (90, Decimal("10.8"),
                                                                                 "Luis Ferreira, RN")
    texts = visible_texts(screen.dose)
    assert "Volume given 90 mL, wasted 10.8 mL (witnessed by Luis Ferreira, RN)" in texts
    assert any(t.startswith("Administered by Dana Whitlock, RN — 2026-03-02 09:40") for t in texts)
    assert any(t.startswith("Witnessed by Luis Ferreira, RN — 2026-03-02 09:40") for t in texts)


def test_signed_records_are_amended_with_a_reason_and_a_password(qtbot, services, staff, clock):
    """The order and the administration are read-only once signed; each amendment keeps the reason."""
    _pid, sid, _ = checked_in(services, staff)
    given(services, staff, clock, sid)
    acting = Acting(staff["nurse"])
    screen = screen_for(qtbot, services, acting, sid)
    screen.show_section("dose")
    admin = screen.dose.administration
    assert not screen.dose.amend_link.isVisible(), "amending an order is a physician's"
    qtbot.mouseClick(admin.amend_link, Qt.MouseButton.LeftButton)
    assert admin.mode == "amend" and admin.lot.text() == "LOT-1"
    _type(qtbot, admin.lot, "LOT-2")
    _sign(qtbot, admin.sign, PASSWORD)
    assert admin.errors.shown()["reason"] == "Reason for the amendment is required."
    admin.amend_reason.setText("Lot misread from the vial")
    _sign(qtbot, admin.sign, PASSWORD)
    assert services.sessions.detail(staff["nurse"], sid).dose.lot_number == "LOT-2" and admin.mode == "done"
    acting.principal = staff["physician"]
    screen.reload()
    qtbot.mouseClick(screen.dose.amend_link, Qt.MouseButton.LeftButton)
    form = screen.dose.form
    assert form.amending and form.mg_per_kg.text() == "0.5"
    _type(qtbot, form.duration, "45")
    form.amend_reason.setPlainText("Ran over 45 minutes")
    _sign(qtbot, form.sign, PASSWORD)
    dose = services.sessions.detail(staff["nurse"], sid).dose
    assert dose.duration_min == 45 and [a.reason for a in dose.amendments] == ["Lot misread from the vial",
                                                                                "Ran over 45 minutes"]
    assert any("Reason: Ran over 45 minutes" in t for t in visible_texts(screen.dose))


def test_the_previous_dose_and_its_tolerance_are_shown_beside_the_order(qtbot, services, staff, clock):
    """Session 2's order shows session 1's dose, its peak BP and its date."""
    pid, sid, sessions = checked_in(services, staff)
    given(services, staff, clock, sid)
    clock.advance(minutes=30)
    services.monitoring.discharge(staff["nurse"], sid, [2] * 5, True)
    clock.set(clock.now() + timedelta(days=2) - timedelta(minutes=70))
    sign_in_again(staff, clock)
    services.sessions.check_in(staff["nurse"], sessions[1], escort_confirmed=True, npo_confirmed=True)
    screen = screen_for(qtbot, services, Acting(staff["physician"]), sessions[1])
    screen.show_section("dose")
    texts = visible_texts(screen.dose)
    assert "Session 1 of 6, Mon 2026-03-02 09:00" in texts
    assert "40 mg (0.5 mg/kg) over 40 min" in texts and "124/78 mmHg, HR 72" in texts


def test_an_esketamine_order_is_56_or_84_mg_in_nasal_devices(qtbot, services, staff):
    """Esketamine: no weight, vial or pump; a fixed dose of 56 or 84 mg and the devices it takes; first dose 56."""
    nurse, md = staff["nurse"], staff["physician"]
    chair = services.chairs.add(staff["admin"], "Chair 2").id
    p = services.patients.register(nurse, PatientInput(given_names="Zoë", family_name="Nguyễn",
                                                       date_of_birth="1990-02-03", sex="male"))
    series = services.series.plan(md, p.id, Protocol.ESKETAMINE, services.context.today(), (0, 3), 8,
                                  time(9, 0), "56", chair)
    screen = screen_for(qtbot, services, Acting(md), series.sessions[0].id)
    screen.show_section("dose")
    form = screen.dose.form
    assert not form.mg_per_kg.isVisible() and not form.vial.isVisible() and form.dose_mg.isVisible()
    assert form.values["dose"].text() == "56 mg" and form.values["devices"].text().startswith("2 (28 mg each")
    assert not form.values["rate"].isVisible()
    form.dose_mg.setCurrentIndex(form.dose_mg.findData("84"))
    assert form.calculation.refused and form.cannot.isVisible() and not form.sign.isEnabled()
    assert any("The first esketamine dose must be 56 mg" in t for t in visible_texts(form))
