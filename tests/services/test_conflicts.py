"""Two workstations save over each other's change: the stale save is refused, names who changed the record and
when, and leaves the other change as it was (on SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from clinic_desktop.domain.enums import SeriesStatus, SessionStatus
from clinic_desktop.domain.errors import ConcurrentChange
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.registry import Services
from clinic_desktop.storage.database import open_database

from tests.conftest import PASSWORD, ZONE
from tests.services.service_support import IV_ORDER


@pytest.fixture
def other(db, tmp_path, clock, passwords):
    """The second workstation: its own engine and services over the same database and audit key."""
    database = open_database(db.engine.url.render_as_string(hide_password=False), tmp_path / "backups", clock.now())
    yield Services.build(database, clock, ZONE, passwords)
    database.close()


def test_stale_patient_edit_is_refused_with_who_and_when(clinic, other):
    """Both open version 1; the front desk saves first; the nurse's save names the front desk and keeps theirs."""
    chart = clinic.patient(consent=None)
    desk, nurse = clinic.staff["front_desk"], clinic.staff["nurse"]

    def edit(services, actor, **fields):
        data = dict(given_names=chart.given_names, family_name=chart.family_name, sex=chart.sex,
                    date_of_birth=chart.date_of_birth.isoformat(), escort_name=chart.escort_name)
        services.patients.update(actor, chart.id, PatientInput(**{**data, **fields}),
                                 expected_version=chart.row_version)

    edit(other, desk, family_name="Byron")
    with pytest.raises(ConcurrentChange, match=r"Changed by Pat Lindqvist at 09:00\. They changed family name "
                                               r"from Lovelace to Byron;.* Your entries are kept"):
        edit(clinic.services, nurse, phone="555-0142")
    now = clinic.services.patients.chart(nurse, chart.id)
    assert (now.family_name, now.phone, now.row_version) == ("Byron", "", chart.row_version + 1)


def test_moving_a_session_changed_elsewhere_is_refused(clinic, other):
    """The session was moved at another workstation: a move made on the old version is refused."""
    chart = clinic.patient()
    series = clinic.plan(chart.id, start=clinic.services.context.today() + timedelta(days=7))
    session = series.sessions[0]
    first = session.scheduled_at + timedelta(hours=1)
    other.series.reschedule(clinic.staff["front_desk"], session.id, first, expected_version=session.row_version)
    with pytest.raises(ConcurrentChange, match=r"This session was changed .* Changed by Pat Lindqvist at 09:00\."):
        clinic.services.series.reschedule(clinic.staff["nurse"], session.id, session.scheduled_at + timedelta(hours=2),
                                          expected_version=session.row_version)
    moved = clinic.services.series.get(clinic.staff["nurse"], series.id).sessions[0]
    assert moved.scheduled_at == first and moved.row_version == session.row_version + 1


def test_stopping_a_series_changed_elsewhere_is_refused(clinic, other):
    """A check-in elsewhere made the series active: a stop decided on the planned series is refused, and
    with the current version it goes through."""
    chart = clinic.patient()
    series = clinic.plan(chart.id)
    other.sessions.check_in(clinic.staff["nurse2"], series.sessions[0].id, escort_confirmed=True)
    with pytest.raises(ConcurrentChange, match=r"This series was changed .* Changed by Luis Ferreira, RN at 09:00\."):
        clinic.services.series.stop(clinic.staff["physician"], series.id, "Patient moved away",
                                    expected_version=series.row_version)
    current = clinic.services.series.get(clinic.staff["physician"], series.id)
    assert current.status is SeriesStatus.ACTIVE and current.sessions[0].status is SessionStatus.CHECKED_IN
    stopped = clinic.services.series.stop(clinic.staff["physician"], series.id, "Patient moved away",
                                          expected_version=current.row_version)
    assert stopped.status is SeriesStatus.STOPPED


# --- the other editing paths: each takes the version the screen showed ------------------------------------------

def test_extending_a_series_changed_elsewhere_is_refused(clinic, other):
    """The front desk extended the series at another workstation: an extension decided on the old plan is
    refused naming them, adds nothing, and with the current version it goes through."""
    series = clinic.plan(clinic.patient().id)
    other.series.extend(clinic.staff["front_desk"], series.id, 2, "Good response", expected_version=series.row_version)
    with pytest.raises(ConcurrentChange, match=r"This series was changed .* Changed by Pat Lindqvist at 09:00\. "
                                               r"They changed planned sessions from 6 to 8\. Nothing was saved"):
        clinic.services.series.extend(clinic.staff["physician"], series.id, 1, "One more",
                                      expected_version=series.row_version)
    current = clinic.services.series.get(clinic.staff["physician"], series.id)
    assert current.planned_sessions == 8 and len(current.sessions) == 8
    extended = clinic.services.series.extend(clinic.staff["physician"], series.id, 1, "One more",
                                             expected_version=current.row_version)
    assert extended.planned_sessions == 9


def test_cancelling_a_session_moved_elsewhere_is_refused(clinic, other):
    """The session was moved at another workstation: cancelling the one on show (at its old time) is refused, the
    session stays scheduled at its new time; cancelling it as it is now goes through."""
    series = clinic.plan(clinic.patient().id, start=clinic.services.context.today() + timedelta(days=7))
    session = series.sessions[0]
    other.series.reschedule(clinic.staff["front_desk"], session.id, session.scheduled_at + timedelta(hours=1),
                            expected_version=session.row_version)
    nurse = clinic.staff["nurse"]
    with pytest.raises(ConcurrentChange, match=r"This session was changed .* Changed by Pat Lindqvist at 09:00\. "
                                               r"They changed scheduled at from [^;]* to [^;]*\. Nothing"):
        clinic.services.sessions.cancel(nurse, session.id, "Patient unwell", expected_version=session.row_version)
    now = clinic.services.series.get(nurse, series.id).sessions[0]
    assert now.status is SessionStatus.SCHEDULED and now.scheduled_at == session.scheduled_at + timedelta(hours=1)
    cancelled = clinic.services.sessions.cancel(nurse, session.id, "Patient unwell", expected_version=now.row_version)
    assert cancelled.summary.status is SessionStatus.CANCELLED


def test_a_no_show_over_a_checklist_explanation_elsewhere_is_refused(clinic, other):
    """A checklist explanation saved elsewhere changes the session too: the no-show on the old version is refused
    naming that nurse."""
    sid = clinic.plan(clinic.patient().id).sessions[0].id
    seen = clinic.services.sessions.detail(clinic.staff["nurse"], sid).row_version
    other.sessions.explain_check(clinic.staff["nurse2"], sid, "escort", "Sister drives; confirmed by phone",
                                 expected_version=seen)
    with pytest.raises(ConcurrentChange, match=r"Changed by Luis Ferreira, RN at 09:00\. They changed note from "
                                               r"nothing to Sister drives"):
        clinic.services.sessions.mark_no_show(clinic.staff["front_desk"], sid, expected_version=seen)
    now = clinic.services.sessions.detail(clinic.staff["front_desk"], sid)
    assert now.summary.status is SessionStatus.SCHEDULED and now.row_version == seen + 1
    assert clinic.services.sessions.mark_no_show(clinic.staff["front_desk"], sid, expected_version=now.row_version
                                                 ).summary.status is SessionStatus.NO_SHOW


def test_a_checklist_explanation_over_a_day_answer_elsewhere_is_refused(clinic, other):
    """Fasting was answered at another workstation: an explanation written on the old checklist is refused with
    who answered what, nothing of it is stored, and written again on the current one it is kept."""
    sid = clinic.plan(clinic.patient().id).sessions[0].id
    clinic.services.sessions.check_in(clinic.staff["nurse"], sid)
    seen = clinic.services.sessions.detail(clinic.staff["nurse"], sid).row_version
    other.sessions.update_day_answers(clinic.staff["nurse2"], sid, npo_confirmed=True, expected_version=seen)
    with pytest.raises(ConcurrentChange, match=r"Changed by Luis Ferreira, RN at 09:00\. They changed npo confirmed "
                                               r"from nothing to True\. Your explanation was not saved"):
        clinic.services.sessions.explain_check(clinic.staff["nurse"], sid, "npo", "Clear water at 07:00 only",
                                               expected_version=seen)
    now = clinic.services.sessions.detail(clinic.staff["nurse"], sid)
    assert "npo" not in now.check_notes and now.row_version == seen + 1
    clinic.services.sessions.explain_check(clinic.staff["nurse"], sid, "npo", "Clear water at 07:00 only",
                                           expected_version=now.row_version)
    assert clinic.services.sessions.detail(clinic.staff["nurse"], sid).check_notes["npo"][0] == \
        "Clear water at 07:00 only"


def test_an_override_signed_on_a_checklist_changed_elsewhere_is_refused(clinic, other):
    """The physician overrides the checklist they read: an explanation added elsewhere since makes the override
    refused (nothing signed, the items still open); signed on the current checklist it covers them."""
    sid = clinic.plan(clinic.patient().id).sessions[0].id
    clinic.services.sessions.check_in(clinic.staff["nurse"], sid, npo_confirmed=True)
    clinic.services.doses.order(clinic.staff["physician"], sid, IV_ORDER, PASSWORD)
    md = clinic.staff["physician"]
    seen = clinic.services.sessions.detail(md, sid).row_version
    other.sessions.explain_check(clinic.staff["nurse2"], sid, "escort", "Escort is parking the car",
                                 expected_version=seen)
    with pytest.raises(ConcurrentChange, match=r"Changed by Luis Ferreira, RN at 09:00\..* Nothing was signed"):
        clinic.services.sessions.override_checks(md, sid, "Escort arriving; manual BP next", PASSWORD,
                                                 expected_version=seen)
    now = clinic.services.sessions.detail(md, sid)
    assert now.checks_override_reason == "" and now.checks_override_signature is None
    assert {i.key for i in clinic.services.sessions.open_blocks(md, sid)} == {"escort", "baseline_vitals"}
    clinic.services.sessions.override_checks(md, sid, "Escort arriving; manual BP next", PASSWORD,
                                             expected_version=now.row_version)
    assert clinic.services.sessions.open_blocks(md, sid) == ()


def test_amending_an_order_amended_elsewhere_is_refused(clinic, other):
    """Two amendments of the same signed order: the second, made on the order as first shown, is refused with
    what the first changed; the first's dose stands; amended again on the current order it is signed."""
    chart = clinic.patient()
    sid = clinic.plan(chart.id).sessions[0].id
    md = clinic.staff["physician"]
    order = clinic.services.doses.order(md, sid, IV_ORDER, PASSWORD)
    other.doses.amend_order(md, sid, replace(IV_ORDER, mg_per_kg="0.4"), "Dissociation last time", PASSWORD,
                            expected_version=order.row_version)
    with pytest.raises(ConcurrentChange, match=r"This dose record was changed .* Changed by Dr Imani Okafor, MD at "
                                               r"09:00\. They changed dose mg from 40\.0 to 32\.0;.* mg per kg from "
                                               r"0\.5 to 0\.4;.* Nothing was amended or signed"):
        clinic.services.doses.amend_order(md, sid, replace(IV_ORDER, duration_min="60"), "Slower", PASSWORD,
                                          expected_version=order.row_version)
    now = clinic.services.sessions.detail(md, sid).dose
    assert now.mg_per_kg == Decimal("0.4") and now.duration_min == Decimal("40") and len(now.amendments) == 1
    amended = clinic.services.doses.amend_order(md, sid, replace(IV_ORDER, mg_per_kg="0.4", duration_min="60"),
                                                "Slower", PASSWORD, expected_version=now.row_version)
    assert (amended.mg_per_kg, amended.duration_min, len(amended.amendments)) == (Decimal("0.4"), Decimal("60"), 2)


def test_amending_an_administration_amended_elsewhere_is_refused(clinic, other):
    """The lot was corrected at another workstation: a volume correction made on the record as shown before is
    refused naming who corrected what; made on the current record it keeps their lot."""
    chart = clinic.patient()
    sid = clinic.plan(chart.id).sessions[0].id
    clinic.prepare(chart.id, sid)
    clinic.give(sid)
    nurse, nurse2 = clinic.staff["nurse"], clinic.staff["nurse2"]
    shown = clinic.services.sessions.detail(nurse, sid).dose
    other.doses.amend_administration(nurse2, sid, "Lot misread", PASSWORD, lot_number="LOT-2",
                                     expected_version=shown.row_version)
    with pytest.raises(ConcurrentChange, match=r"Changed by Luis Ferreira, RN at 09:40\. They changed lot number "
                                               r"from LOT-1 to LOT-2\."):
        clinic.services.doses.amend_administration(nurse, sid, "Pump residue", PASSWORD, volume_given_ml="100",
                                                   expected_version=shown.row_version)
    now = clinic.services.sessions.detail(nurse, sid).dose
    assert now.lot_number == "LOT-2" and now.volume_given_ml == shown.volume_given_ml and len(now.amendments) == 1
    amended = clinic.services.doses.amend_administration(nurse, sid, "Pump residue", PASSWORD, volume_given_ml="100",
                                                         expected_version=now.row_version)
    assert (amended.lot_number, amended.volume_given_ml) == ("LOT-2", Decimal("100"))
