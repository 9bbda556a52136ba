"""A workstation learns what another changed: the audit log's newest sequence number is the change marker."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services import changes as changes_module
from clinic_desktop.services.changes import Changed
from clinic_desktop.services.registry import Services
from clinic_desktop.storage.database import open_database

from tests.conftest import PASSWORD, ZONE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def other(db, tmp_path, clock, passwords):
    """A second workstation: its own engine and services over the same database and audit key."""
    database = open_database(db.engine.url.render_as_string(hide_password=False), tmp_path / "backups", clock.now())
    yield Services.build(database, clock, ZONE, passwords)
    database.close()


def _edit(services, actor, chart, **fields):
    data = dict(given_names=chart.given_names, family_name=chart.family_name,
                date_of_birth=chart.date_of_birth.isoformat(), sex=chart.sex)
    data.update(fields)
    return services.patients.update(actor, chart.id, PatientInput(**data), expected_version=chart.row_version)


def test_a_change_at_another_workstation_is_listed_once(clinic, other):
    """A patient edited elsewhere shows up after the marker, with its patient; asking again gives nothing."""
    services, nurse = clinic.services, clinic.staff["nurse"]
    chart = clinic.patient(consent=None)
    marker = services.changes.latest(nurse)
    assert services.changes.changed_since(nurse, marker).items == frozenset()
    _edit(other, clinic.staff["front_desk"], chart, family_name="Byron")
    seen = services.changes.changed_since(nurse, marker)
    assert seen and seen.marker == marker + 1
    assert seen.items == {Changed("patient", str(chart.id), chart.id, clinic.staff["front_desk"].id)}
    assert seen.touches("patient", chart.id) and seen.touches_patient(chart.id)
    assert not seen.touches_patient(chart.id + 1) and not seen.everything
    assert not services.changes.changed_since(nurse, seen.marker)


def test_sign_ins_and_locks_are_not_changes(clinic):
    """Signing in and locking write audit entries but change nothing on screen: the marker moves, no items."""
    services, nurse = clinic.services, clinic.staff["nurse"]
    marker = services.changes.latest(nurse)
    services.auth.login("whitlock", PASSWORD)
    services.auth.lock(nurse)
    seen = services.changes.changed_since(nurse, marker)
    assert seen.marker == marker + 2 and seen.items == frozenset() and not seen


def test_too_many_changes_mean_reload_everything(clinic, monkeypatch):
    """More changes than MAX_CHANGES since the last look: `everything`, and the marker jumps to the newest."""
    monkeypatch.setattr(changes_module, "MAX_CHANGES", 2)
    services, nurse = clinic.services, clinic.staff["nurse"]
    marker = services.changes.latest(nurse)
    chart = clinic.patient(consent=None)  # register, weight, screening: three entries
    seen = services.changes.changed_since(nurse, marker)
    assert seen.everything and seen.touches_patient(chart.id + 99)
    assert seen.marker == services.changes.latest(nurse) == marker + 3


def test_an_administrator_without_patient_rights_is_refused(clinic):
    """The change feed names patients, so it needs the right to see them."""
    from clinic_desktop.domain.access import PermissionDenied

    with pytest.raises(PermissionDenied):
        clinic.services.changes.latest(clinic.staff["admin"])


CHILD = textwrap.dedent("""
    import sys
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo
    from clinic_desktop.domain.access import Principal
    from clinic_desktop.domain.clock import FixedClock
    from clinic_desktop.domain.enums import StaffRole
    from clinic_desktop.domain.patients import PatientInput
    from clinic_desktop.services.registry import Services
    from clinic_desktop.storage.database import open_database

    url, folder, staff_id, now = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), datetime.fromisoformat(sys.argv[4])
    db = open_database(url, folder / "backups", now)
    desk = Principal(staff_id, "Pat Lindqvist", "", StaffRole.FRONT_DESK, True, False, "lindqvist", signed_in_at=now)
    chart = Services.build(db, FixedClock(now), ZoneInfo("America/New_York")).patients.register(desk, PatientInput(
        given_names="Grace", family_name="Hopper", date_of_birth="1971-12-09", sex="female"))
    db.close()
    print(chart.id)
""")


def test_another_process_change_is_seen_within_seconds(clinic, db, tmp_path):
    """A separate process registers a patient in the same database; this one's next look lists it."""
    services, nurse = clinic.services, clinic.staff["nurse"]
    marker = services.changes.latest(nurse)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.run([sys.executable, "-c", CHILD, db.engine.url.render_as_string(hide_password=False),
                            str(tmp_path), str(clinic.staff["front_desk"].id), clinic.clock.now().isoformat()],
                           capture_output=True, text=True, timeout=60, env=env)
    assert child.returncode == 0, child.stderr
    written = int(child.stdout.strip())
    deadline, seen = time.monotonic() + 5, None
    while time.monotonic() < deadline:  # committed before the child exited: normally the first look finds it
        seen = services.changes.changed_since(nurse, marker)
        if seen:
            break
        time.sleep(0.1)
    assert seen is not None and seen.touches("patient", written) and seen.touches_patient(written)


def test_a_stale_day_answer_is_refused_and_names_the_other_change(clinic, other):
    """Both workstations open the checked-in session; the second's answer on the old version is refused with
    who changed it and when, and what the first saved stays."""
    from clinic_desktop.domain.errors import ConcurrentChange

    chart = clinic.patient()
    sid = clinic.plan(chart.id).sessions[0].id
    clinic.services.sessions.check_in(clinic.staff["nurse"], sid, escort_confirmed=True)
    seen = clinic.services.sessions.detail(clinic.staff["nurse"], sid).row_version
    other.sessions.update_day_answers(clinic.staff["nurse2"], sid, npo_confirmed=True, expected_version=seen)
    with pytest.raises(ConcurrentChange, match=r"Changed by Luis Ferreira, RN at 09:00\."):
        clinic.services.sessions.update_day_answers(clinic.staff["nurse"], sid, npo_confirmed=False,
                                                    expected_version=seen)
    now = clinic.services.sessions.detail(clinic.staff["nurse"], sid)
    assert now.npo_confirmed is True and now.row_version == seen + 1


def test_the_words_for_another_workstation_s_change_name_each_field_briefly():
    from clinic_desktop.services.changes import changed_fields_words

    assert changed_fields_words({"phone": {"old": "", "new": "555-0199"}}) == \
        " They changed phone from nothing to 555-0199."
    many = {f"field_{k}": {"old": k, "new": "x" * 60} for k in range(7)}
    words = changed_fields_words(many)
    assert words.count(" from ") == 5 and words.endswith("; and 2 more.") and "x" * 39 + "…" in words
    assert changed_fields_words({"new": {"status": "checked_in"}}) == ""  # not an update: who and when only


# --- the words of a refused stale save, at their edges ---------------------------------------------------------

def test_the_words_name_the_last_change_of_that_record_not_of_another_of_its_kind(clinic, other):
    """Patient A was edited by the front desk, then patient B by a nurse: a stale save of A names the front desk."""
    from clinic_desktop.domain.errors import ConcurrentChange
    from clinic_desktop.services.changes import raise_changed_elsewhere

    first, second = clinic.patient(consent=None), clinic.patient(consent=None)
    _edit(other, clinic.staff["front_desk"], first, family_name="Byron")
    _edit(other, clinic.staff["nurse2"], second, family_name="Shelley")
    ctx = clinic.services.context
    with ctx.db.read() as uow, pytest.raises(ConcurrentChange) as caught:
        raise_changed_elsewhere(uow.session, ctx, "patient", (("patient", first.id),))
    words = caught.value.message
    assert words.startswith("This patient was changed on another workstation after you opened it. Changed by Pat "
                            "Lindqvist at 09:00. They changed ")
    assert "family name from Lovelace to Byron" in words and "Shelley" not in words
    assert words.endswith(". Nothing was saved; look at the chart as it is now and try again.")


def test_the_words_without_an_audit_entry_say_only_that_it_changed(clinic):
    from clinic_desktop.domain.errors import ConcurrentChange
    from clinic_desktop.services.changes import raise_changed_elsewhere

    ctx = clinic.services.context
    with ctx.db.read() as uow, pytest.raises(ConcurrentChange) as caught:
        raise_changed_elsewhere(uow.session, ctx, "chair", (("chair", 987654),), "Reload the chairs.")
    assert caught.value.message == "This chair was changed on another workstation after you opened it.  Reload " \
                                   "the chairs."


def test_changed_fields_words_of_details_that_are_not_changes_are_empty():
    from clinic_desktop.services.changes import changed_fields_words

    assert changed_fields_words(None) == ""
    assert changed_fields_words(["phone"]) == ""
    assert changed_fields_words({"phone": {"old": "1", "new": "1"}}) == ""  # left as it was
    assert changed_fields_words({"changes": {"dose_mg": {"old": 40, "new": 32}}, "reason": "Dissociation"}) == \
        " They changed dose mg from 40 to 32."


def test_changed_fields_words_show_forty_characters_whole_and_cut_longer_values_to_forty():
    from clinic_desktop.services.changes import changed_fields_words

    forty, forty_one = "a" * 40, "b" * 41
    assert changed_fields_words({"note": {"old": forty, "new": forty_one}}) == \
        f" They changed note from {forty} to {'b' * 39}…."


def test_changed_fields_words_count_the_fields_beyond_five():
    from clinic_desktop.services.changes import changed_fields_words

    def fields(n):
        return {f"f{k}": {"old": k, "new": k + 1} for k in range(n)}

    five = "f0 from 0 to 1; f1 from 1 to 2; f2 from 2 to 3; f3 from 3 to 4; f4 from 4 to 5"
    assert changed_fields_words(fields(5)) == f" They changed {five}."
    assert changed_fields_words(fields(6)) == f" They changed {five}; and 1 more."


def test_a_session_and_a_dose_also_change_through_the_entries_that_sign_them():
    """The audit names a stale session or dose save looks up besides its own: the names the signing entries use."""
    from types import SimpleNamespace

    from clinic_desktop.services import signing
    from clinic_desktop.services.changes import dose_audit_objects, session_audit_objects

    dose = SimpleNamespace(id=9)
    assert session_audit_objects(SimpleNamespace(id=5, dose_record=dose)) == (
        ("session_check", 5), ("checks_override", 5), ("administration", 9))
    assert session_audit_objects(SimpleNamespace(id=5, dose_record=None)) == (
        ("session_check", 5), ("checks_override", 5))
    assert dose_audit_objects(dose) == (("administration", 9), ("waste", 9))
    assert {"administration", "waste"} <= set(signing.MEANINGS)


def test_this_workstation_hears_of_its_own_commits(clinic):
    """subscribe(): after a commit through these services, the listener gets what changed."""
    from clinic_desktop.services.changes import subscribe

    heard = []

    class Screen:
        def changed(self, change_set):
            heard.append(change_set)

    screen = Screen()
    subscribe(clinic.services.context, screen.changed)
    chart = clinic.patient(consent=None)
    assert any(c.touches_patient(chart.id) for c in heard)


def test_the_words_for_a_change_made_by_no_signed_in_person_say_someone(clinic):
    """An entry without a member of staff (written by the application itself) is named "someone"."""
    from clinic_desktop.domain.errors import ConcurrentChange
    from clinic_desktop.services.changes import raise_changed_elsewhere

    ctx = clinic.services.context
    with ctx.db.write() as uow:
        ctx.audit(uow.session, None, "chair.rename", object_type="chair", object_id=424242,
                  details={"name": {"old": "Chair 1", "new": "Window"}})
        uow.commit()
    with ctx.db.read() as uow, pytest.raises(ConcurrentChange) as caught:
        raise_changed_elsewhere(uow.session, ctx, "chair", (("chair", 424242),), "Reload the chairs.")
    assert caught.value.message == ("This chair was changed on another workstation after you opened it. Changed by "
                                    "someone at 09:00. They changed name from Chair 1 to Window. Reload the chairs.")
