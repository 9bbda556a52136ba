"""Two workstations save over each other's change: the stale save is refused, names who changed the record and
when, and leaves the other change as it was (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clinic_desktop.domain.enums import SeriesStatus, SessionStatus
from clinic_desktop.domain.errors import ConcurrentChange
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.registry import Services
from clinic_desktop.storage.database import open_database

from tests.conftest import ZONE


@pytest.fixture
def other(db, tmp_path, clock):
    """The second workstation: its own engine and services over the same database and audit key."""
    database = open_database(db.engine.url.render_as_string(hide_password=False), tmp_path / "backups", clock.now())
    yield Services.build(database, clock, ZONE)
    database.close()


def test_stale_patient_edit_is_refused_with_who_and_when(clinic, other):
    """Both open version 1; the front desk saves first; the nurse's save names the front desk and keeps theirs."""
    chart = clinic.patient(consent=None)
    desk, nurse = clinic.staff["front_desk"], clinic.staff["nurse"]

    def edit(services, actor, **fields):  # noqa: ANN001
        data = dict(given_names=chart.given_names, family_name=chart.family_name, sex=chart.sex,
                    date_of_birth=chart.date_of_birth.isoformat(), escort_name=chart.escort_name)
        services.patients.update(actor, chart.id, PatientInput(**{**data, **fields}), expected_version=chart.row_version)

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
