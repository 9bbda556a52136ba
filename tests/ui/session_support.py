"""Support for the session-screen tests: a patient checked in for session 1, and the screen over it."""

from __future__ import annotations

from datetime import time

from clinic_desktop.domain.enums import Protocol, Timepoint, VitalsPhase
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.records import AllergyEntry
from clinic_desktop.domain.screening import QUESTIONS
from clinic_desktop.ui.session_screen.session_screen import SessionScreen
from tests.conftest import PASSWORD
from tests.services.signing_support import IV_ORDER, LOT_EXPIRY, NORMAL

__all__ = ["IV_ORDER", "LOT_EXPIRY", "PASSWORD", "Acting", "checked_in", "screen_for", "given", "hosted"]


class Acting:
    """Who is signed in at the screen, changeable in the middle of a test (the nurse hands over to the physician)."""

    def __init__(self, principal) -> None:
        self.principal = principal

    def __call__(self):
        return self.principal


def checked_in(services, staff, *, npo: bool | None = True, consent: bool = True, vitals: bool = True,
               allergies: tuple[AllergyEntry, ...] = ()) -> tuple[int, int, tuple[int, ...]]:
    """(patient id, session 1 id, every session id): weighed 80 kg, screened, consented, planned (six IV
    induction sessions) and checked in with the escort confirmed and fasting as `npo`; baseline vitals and a
    PHQ-9 taken unless `vitals` is False."""
    nurse, md = staff["nurse"], staff["physician"]
    chairs = services.chairs.bookable(nurse)
    chair_id = chairs[0].id if chairs else services.chairs.add(staff["admin"], "Chair 1").id
    p = services.patients.register(nurse, PatientInput(given_names="Ada", family_name="Lovelace",
                                                       date_of_birth="1980-05-01", sex="female",
                                                       escort_name="Tom Lovelace", height="165",
                                                       allergies=allergies))
    services.patients.record_weight(nurse, p.id, "80", "kg")
    services.patients.record_screening(nurse, p.id, {q.key: "no" for q in QUESTIONS})
    if consent:
        services.patients.record_consent(nurse, p.id, Protocol.IV_INDUCTION, "2026.1", witness_id=staff["nurse2"].id)
    series = services.series.plan(md, p.id, Protocol.IV_INDUCTION, services.context.today(), (0, 2, 4), 6,
                                  time(9, 0), "0.5", chair_id)
    sid = series.sessions[0].id
    services.sessions.check_in(nurse, sid, escort_confirmed=True, npo_confirmed=npo)
    if vitals:
        services.monitoring.record_vitals(nurse, sid, VitalsPhase.BASELINE, NORMAL)
        services.monitoring.record_scale(nurse, p.id, "phq9", [2] * 8 + [0], Timepoint.PRE, sid)
    return p.id, sid, tuple(s.id for s in series.sessions)


def given(services, staff, clock, sid: int, minutes: int = 40) -> None:
    """Order (physician), start (nurse), run `minutes`, stop with all 100.8 mL given."""
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY)
    clock.advance(minutes=minutes)
    services.doses.stop(staff["nurse"], sid, password=PASSWORD, volume_given_ml="100.8")


def screen_for(qtbot, services, acting: Acting, sid: int) -> SessionScreen:
    """The session screen, shown (offscreen) at a comfortable size."""
    screen = SessionScreen(services, acting, sid)
    qtbot.addWidget(screen)
    screen.resize(1280, 900)
    screen.show()
    return screen


def hosted(panel, services, actor, sid: int):  # any Panel
    """A panel on its own, fed the way the session screen feeds it: one read now, a save's update applied
    (or the session read again when the update asks for it or the panel says `changed`)."""
    def read() -> None:
        panel.show_view(services.sessions.screen(actor, sid))

    def apply(update) -> None:  # view_updates.Update
        view = update(panel.view)
        panel.show_view(view) if view is not None else read()
    panel.changed.connect(read)
    panel.updated.connect(apply)
    read()
    return panel
