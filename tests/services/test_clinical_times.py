"""Every service that takes a typed time for a clinical record refuses one before the patient's birth, long
before the session it belongs to, or in the future, beside its field, and saves nothing."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from clinic_desktop.domain.enums import NoteKind, Protocol, Timepoint, VitalsPhase
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.storage import models

from tests.conftest import PASSWORD, ZONE
from tests.pdf_text import flat, page_texts
from tests.services.service_support import ALDRETE_FULL, ALL_NO, LOT_EXPIRY, NORMAL, PHQ9_NO_ITEM9

#: Session 1 is booked for 09:00 in New York on the test's Monday, which is when the clock stands.
SESSION = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
YEAR_ONE = datetime(1, 1, 1, tzinfo=timezone.utc)

#: Each call that charts a typed time in a session, and the field its error belongs beside.
IN_SESSION = {
    "vital signs": ("taken_at", lambda s, st, pid, sid, when: s.monitoring.record_vitals(
        st["nurse"], sid, VitalsPhase.AFTER, NORMAL, taken_at=when)),
    "note": ("noted_at", lambda s, st, pid, sid, when: s.monitoring.add_note(
        st["nurse"], sid, NoteKind.FREE_TEXT, text="Resting comfortably.", noted_at=when)),
    "scale": ("taken_at", lambda s, st, pid, sid, when: s.monitoring.record_scale(
        st["nurse"], pid, "phq9", PHQ9_NO_ITEM9, Timepoint.POST, sid, taken_at=when)),
    "dose start": ("started_at", lambda s, st, pid, sid, when: s.doses.start(
        st["nurse"], sid, "LOT-1", LOT_EXPIRY, started_at=when)),
    "dose stop": ("stopped_at", lambda s, st, pid, sid, when: s.doses.stop(
        st["nurse"], sid, password=PASSWORD, stopped_at=when, volume_given_ml="100.8")),
    "amended start": ("started_at", lambda s, st, pid, sid, when: s.doses.amend_administration(
        st["nurse"], sid, "Start time typed wrong", PASSWORD, started_at=when)),
    "amended stop": ("stopped_at", lambda s, st, pid, sid, when: s.doses.amend_administration(
        st["nurse"], sid, "Stop time typed wrong", PASSWORD, stopped_at=when)),
    "discharge": ("discharged_at", lambda s, st, pid, sid, when: s.monitoring.discharge(
        st["nurse"], sid, ALDRETE_FULL, True, at=when)),
}


@pytest.fixture
def given(clinic, clock):
    """A patient born 1980-05-01 whose first session's dose was given 40 minutes ago."""
    p = clinic.patient()
    sid = clinic.plan(p.id).sessions[0].id
    clinic.prepare(p.id, sid)
    clinic.give(sid)
    return p.id, sid


def _refused(call, field: str) -> str:
    with pytest.raises(ValidationError) as err:
        call()
    assert err.value.field == field
    return err.value.message


@pytest.mark.parametrize("what", list(IN_SESSION))
@pytest.mark.parametrize("when, words", [
    (YEAR_ONE, "before the patient's date of birth (1980-05-01)"),
    (SESSION - timedelta(hours=24, minutes=1), "more than 24 hours before the session (2026-03-02 09:00)"),
    (datetime(2016, 3, 2, 9, 0, tzinfo=ZONE), "more than 24 hours before the session"),  # the year mistyped
    (SESSION + timedelta(days=1), "A time in the future cannot be recorded."),
])
def test_a_time_out_of_its_session_is_refused_and_nothing_changes(services, staff, given, what, when, words):
    pid, sid = given
    field, call = IN_SESSION[what]
    before = services.sessions.detail(staff["nurse"], sid)
    assert words in _refused(lambda: call(services, staff, pid, sid, when), field)
    assert services.sessions.detail(staff["nurse"], sid) == before


@pytest.fixture
def checked_in(clinic, staff, services):
    p = clinic.patient()
    sid = clinic.plan(p.id).sessions[0].id
    services.sessions.check_in(staff["nurse"], sid, escort_confirmed=True, npo_confirmed=True)
    return p.id, sid


BEFORE_DOSE = {
    "vital signs": lambda s, st, pid, sid, when: s.monitoring.record_vitals(
        st["nurse"], sid, VitalsPhase.BASELINE, NORMAL, taken_at=when).taken_at,
    "note": lambda s, st, pid, sid, when: s.monitoring.add_note(
        st["nurse"], sid, NoteKind.FREE_TEXT, text="Arrived early.", noted_at=when).noted_at,
    "scale": lambda s, st, pid, sid, when: s.monitoring.record_scale(
        st["nurse"], pid, "phq9", PHQ9_NO_ITEM9, Timepoint.PRE, sid, taken_at=when).taken_at,
}


@pytest.mark.parametrize("what", list(BEFORE_DOSE))
def test_up_to_a_day_before_the_session_is_accepted(services, staff, checked_in, what):
    """The default allowance: exactly 24 hours before the booked time is kept as typed."""
    pid, sid = checked_in
    when = SESSION - timedelta(hours=24)
    assert BEFORE_DOSE[what](services, staff, pid, sid, when) == when


@pytest.mark.parametrize("what", list(BEFORE_DOSE))
def test_the_clinics_allowance_before_the_session_is_the_one_applied(services, staff, checked_in, what):
    """Set to 48 hours, 30 hours early is accepted; set to 2 hours, 3 hours early is refused."""
    pid, sid = checked_in
    field = IN_SESSION[what][0]
    services.settings.update(staff["physician"], {"charting_before_session_hours": 48})
    early = SESSION - timedelta(hours=30)
    assert BEFORE_DOSE[what](services, staff, pid, sid, early) == early
    services.settings.update(staff["physician"], {"charting_before_session_hours": 2})
    message = _refused(lambda: BEFORE_DOSE[what](services, staff, pid, sid, SESSION - timedelta(hours=3)), field)
    assert "more than 2 hours before the session" in message
    assert BEFORE_DOSE[what](services, staff, pid, sid, SESSION - timedelta(hours=2)) == SESSION - timedelta(hours=2)


def test_an_early_check_in_moves_the_start_of_the_session(clinic, services, staff, clock):
    """A patient checked in two days before the booked day may be charted from the check-in on."""
    p = clinic.patient()
    later = clinic.plan(p.id, sessions=6).sessions[1]  # Wednesday, two days after the test's Monday
    assert later.scheduled_at - clock.now() == timedelta(days=2)
    services.sessions.check_in(staff["nurse"], later.id, escort_confirmed=True, npo_confirmed=True)
    entry = services.monitoring.record_vitals(staff["nurse"], later.id, VitalsPhase.BASELINE, NORMAL)
    assert entry.taken_at == clock.now()


#: Each call that dates a record in the chart outside any session: (field, a day or a time, the call, which
#: returns the date it stored).
OUTSIDE_SESSIONS = {
    "weight": ("measured_on", "day", lambda s, st, pid, when: s.patients.record_weight(
        st["nurse"], pid, "80", "kg", measured_on=when).measured_on),
    "screening": ("screened_on", "day", lambda s, st, pid, when: s.patients.record_screening(
        st["nurse"], pid, ALL_NO, screened_on=when).screened_on),
    "REMS enrollment": ("enrolled_on", "day", lambda s, st, pid, when: s.patients.record_rems_enrollment(
        st["physician"], pid, enrolled_on=when).rems_enrolled_on),
    "consent": ("signed_at", "time", lambda s, st, pid, when: s.patients.record_consent(
        st["nurse"], pid, Protocol.IV_INDUCTION, "2026.1", signed_at=when).signed_at),
    "visit scale": ("taken_at", "time", lambda s, st, pid, when: s.monitoring.record_scale(
        st["nurse"], pid, "phq9", PHQ9_NO_ITEM9, Timepoint.VISIT, taken_at=when).taken_at),
}
DAY_BEFORE_BIRTH = {"day": date(1980, 4, 30), "time": datetime(1980, 4, 30, 23, 59, tzinfo=ZONE)}
BIRTH_DAY = {"day": date(1980, 5, 1), "time": datetime(1980, 5, 1, 0, 0, tzinfo=ZONE)}
YEAR_ONE_OF = {"day": date(1, 1, 1), "time": YEAR_ONE}


@pytest.mark.parametrize("what", list(OUTSIDE_SESSIONS))
def test_a_chart_record_before_the_birth_is_refused_and_the_day_of_birth_accepted(clinic, services, staff, what):
    field, kind, call = OUTSIDE_SESSIONS[what]
    pid = clinic.patient(consent=None, weight=None).id
    before = services.patients.chart(staff["nurse"], pid)
    for when in (YEAR_ONE_OF[kind], DAY_BEFORE_BIRTH[kind]):
        assert "date of birth (1980-05-01)" in _refused(lambda when=when: call(services, staff, pid, when), field)
    assert services.patients.chart(staff["nurse"], pid) == before
    assert call(services, staff, pid, BIRTH_DAY[kind]) == BIRTH_DAY[kind]


@pytest.mark.parametrize("what", list(OUTSIDE_SESSIONS))
def test_a_chart_record_in_the_future_is_refused(clinic, services, staff, clock, what):
    field, kind, call = OUTSIDE_SESSIONS[what]
    pid = clinic.patient(consent=None, weight=None).id
    tomorrow = {"day": date(2026, 3, 3), "time": clock.now() + timedelta(minutes=3)}[kind]
    assert "future" in _refused(lambda: call(services, staff, pid, tomorrow), field)


def test_a_reading_stored_behind_the_applications_back_cannot_make_the_record_slow_or_large(
        services, staff, given, db):
    """Readings inserted straight into the table at year 1 and year 9999 print in their table with their date and
    stay off the chart; the sheet takes a moment and about the size of the same sheet without them."""
    pid, sid = given
    normal = services.paperwork.infusion_record(staff["nurse"], sid).pdf
    with db.session() as s:
        for at in (YEAR_ONE, datetime(9999, 12, 31, 23, 0, tzinfo=timezone.utc)):
            s.add(models.VitalSignsReading(session_id=sid, taken_at=at, phase=VitalsPhase.AFTER, systolic=120,
                                           diastolic=80, heart_rate=70, spo2=98, resp_rate=14, alert_note="",
                                           recorded_by_id=staff["nurse"].id, created_at=SESSION))
        s.commit()
    began = time.perf_counter()
    pdf = services.paperwork.infusion_record(staff["nurse"], sid).pdf
    assert time.perf_counter() - began < 10
    assert len(pdf) < 1.5 * len(normal)
    text = flat("\n".join(page_texts(pdf)))
    assert "2 readings are dated outside this session (2026-03-01 09:00 to 2026-03-02 09:42)" in text
    squeezed = "".join(text.split())  # a whole date wraps in the narrow time column
    assert "0001-01-0100:00" in squeezed and "9999-12-3118:00" in squeezed
