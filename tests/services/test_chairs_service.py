"""The clinic's chairs: added at the end, renamed, moved, retired (not while booked) and reinstated, all audited."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.errors import ConcurrentChange, NotFound, RuleViolation, ValidationError
from clinic_desktop.domain.records import Chair
from clinic_desktop.services.changes import Changed
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import models
from clinic_desktop.storage.database import open_database
from tests.conftest import ZONE, sign_in_again


@pytest.fixture
def admin(staff):
    return staff["admin"]


@pytest.fixture
def four(clinic, admin):
    """Chair 1 (the clinic fixture's) and Chairs 2 to 4, in that order on the board."""
    for n in (2, 3, 4):
        clinic.services.chairs.add(admin, f"Chair {n}")
    return clinic


def names(services, actor) -> list[tuple[str, int, bool]]:
    return [(c.name, c.position, c.active) for c in services.chairs.list(actor)]


def audit(db, action: str | None = None) -> list[models.AuditEntry]:
    with db.session() as s:
        stmt = select(models.AuditEntry).where(models.AuditEntry.object_type == "chair")
        if action:
            stmt = stmt.where(models.AuditEntry.action == action)
        return list(s.execute(stmt.order_by(models.AuditEntry.seq)).scalars())


def test_new_chairs_go_to_the_end_of_the_board(four, admin):
    """Each chair added takes the next position; the list is the board's order."""
    assert names(four.services, admin) == [("Chair 1", 1, True), ("Chair 2", 2, True), ("Chair 3", 3, True),
                                           ("Chair 4", 4, True)]
    assert [c.name for c in four.services.chairs.bookable(four.staff["front_desk"])] == [
        "Chair 1", "Chair 2", "Chair 3", "Chair 4"]


@pytest.mark.parametrize("name, message", [
    ("   ", "Chair name is required."),
    ("x" * 41, "at most 40"),
    ("Chair\x075", "cannot be stored"),
    ("Chair\n5", "cannot be stored"),
    ("  chair 1 ", "already a chair called Chair 1"),
])
def test_a_bad_or_duplicate_name_is_refused_and_nothing_is_added(clinic, admin, name, message):
    """Required, at most 40 characters, no control characters, unique ignoring case and spaces around it."""
    with pytest.raises(ValidationError, match=message) as refused:
        clinic.services.chairs.add(admin, name)
    assert refused.value.field == "name"
    assert names(clinic.services, admin) == [("Chair 1", 1, True)]


def test_names_are_trimmed_and_may_be_exactly_40_characters(clinic, admin):
    """Spaces around a name are dropped; 40 characters fit."""
    assert clinic.services.chairs.add(admin, "  Recliner by the window  ").name == "Recliner by the window"
    assert len(clinic.services.chairs.add(admin, "R" * 40).name) == 40


def test_only_an_administrator_manages_chairs(clinic, staff):
    """A nurse or physician may list the chairs but not add, rename, move or retire them."""
    for who in ("nurse", "physician", "front_desk"):
        with pytest.raises(PermissionDenied):
            clinic.services.chairs.add(staff[who], "Chair 9")
        with pytest.raises(PermissionDenied):
            clinic.services.chairs.retire(staff[who], clinic.chair_id)
    assert [c.name for c in clinic.services.chairs.list(staff["nurse"])] == ["Chair 1"]


def test_rename_keeps_the_chair_and_its_sessions(clinic, admin):
    """A renamed chair is the same chair: its sessions show the new name; the audit keeps old and new."""
    p = clinic.patient()
    clinic.plan(p.id)
    renamed = clinic.services.chairs.rename(admin, clinic.chair_id, "Bay A", seen_name="Chair 1")
    assert (renamed.id, renamed.name, renamed.position, renamed.booked) == (clinic.chair_id, "Bay A", 1, 6)
    chart = clinic.services.patients.chart(clinic.staff["nurse"], p.id)
    assert {s.chair for s in chart.series[0].sessions} == {"Bay A"}
    [entry] = audit(clinic.services.context.db, "update")
    assert entry.details == {"name": {"old": "Chair 1", "new": "Bay A"}} and entry.object_id == str(clinic.chair_id)


def test_a_rename_over_a_rename_made_elsewhere_is_refused(four, admin, staff):
    """The name the caller saw no longer matches: refused, naming who renamed it and to what."""
    chairs = four.services.chairs
    chairs.rename(admin, four.chair_id, "Bay A", seen_name="Chair 1")
    with pytest.raises(ConcurrentChange, match="Sam Adeyemi.*from Chair 1 to Bay A"):
        chairs.rename(admin, four.chair_id, "Window chair", seen_name="Chair 1")
    with pytest.raises(ValidationError, match="already a chair called Chair 2"):
        chairs.rename(admin, four.chair_id, "CHAIR 2", seen_name="Bay A")
    with pytest.raises(ValidationError, match="already called Bay A"):
        chairs.rename(admin, four.chair_id, "Bay A")
    assert chairs.find(admin, "bay a").name == "Bay A"
    assert chairs.rename(admin, four.chair_id, "bay a").name == "bay a"  # only the case changes: allowed


def test_moving_a_chair_closes_up_the_others(four, admin):
    """Chair 4 to position 1 pushes the others right; back to 4 restores the order; positions stay 1..n."""
    chairs = four.services.chairs
    fourth = chairs.find(admin, "Chair 4")
    assert chairs.move(admin, fourth.id, 1).position == 1
    assert [n for n, _p, _a in names(four.services, admin)] == ["Chair 4", "Chair 1", "Chair 2", "Chair 3"]
    chairs.move(admin, chairs.find(admin, "Chair 1").id, 3)
    assert names(four.services, admin) == [("Chair 4", 1, True), ("Chair 2", 2, True), ("Chair 1", 3, True),
                                           ("Chair 3", 4, True)]
    [first, _second] = audit(four.services.context.db, "move")
    assert first.details == {"position": {"old": 4, "new": 1}, "board_order": {
        "old": ["Chair 1", "Chair 2", "Chair 3", "Chair 4"], "new": ["Chair 4", "Chair 1", "Chair 2", "Chair 3"]}}


@pytest.mark.parametrize("position", [0, 5, -1])
def test_a_position_off_the_board_is_refused(four, admin, position):
    """Positions run from 1 to the number of active chairs; anything else changes nothing."""
    with pytest.raises(ValidationError, match="from 1 to 4") as refused:
        four.services.chairs.move(admin, four.chair_id, position)
    assert refused.value.field == "position"
    assert [p for _n, p, _a in names(four.services, admin)] == [1, 2, 3, 4]


def test_retiring_takes_a_chair_off_the_board_and_reinstating_puts_it_at_the_end(four, admin, staff):
    """Chair 2 retired: the others close up, it lists last as retired; reinstated, it comes back rightmost."""
    chairs = four.services.chairs
    second = chairs.find(admin, "Chair 2")
    assert chairs.retire(admin, second.id) == Chair(second.id, "Chair 2", False, 0, 0)
    assert names(four.services, admin) == [("Chair 1", 1, True), ("Chair 3", 2, True), ("Chair 4", 3, True),
                                           ("Chair 2", 0, False)]
    assert [c.name for c in chairs.bookable(staff["nurse"])] == ["Chair 1", "Chair 3", "Chair 4"]
    assert [c.name for c in four.services.board.day(staff["nurse"]).chairs] == ["Chair 1", "Chair 3", "Chair 4"]
    with pytest.raises(RuleViolation, match="already retired"):
        chairs.retire(admin, second.id)
    with pytest.raises(RuleViolation, match="reinstate it first"):
        chairs.move(admin, second.id, 1)
    with pytest.raises(ValidationError, match=r"Chair 2 \(retired: reinstate it instead\)"):
        chairs.add(admin, "chair 2")
    assert chairs.reinstate(admin, second.id).position == 4
    with pytest.raises(RuleViolation, match="already on the board"):
        chairs.reinstate(admin, second.id)
    db = four.services.context.db
    assert audit(db, "retire")[0].details == {"name": "Chair 2", "active": {"old": True, "new": False},
                                              "position": {"old": 2, "new": 0}}
    assert audit(db, "reinstate")[0].details == {"name": "Chair 2", "active": {"old": False, "new": True},
                                                 "position": {"old": 0, "new": 4}}
    assert [e.details for e in audit(db, "create")][-1] == {"new": {"name": "Chair 4", "position": 4}}


def test_a_chair_with_sessions_booked_from_today_cannot_be_retired(clinic, admin):
    """Six sessions from today 09:00: refused with how many and the first; once they are gone, retired."""
    p = clinic.patient()
    series = clinic.plan(p.id)
    with pytest.raises(RuleViolation, match=r"Chair 1 still has 6 sessions booked from today on, the first on "
                                            r"Mon 2026-03-02 09:00\. Move them to another chair first"):
        clinic.services.chairs.retire(admin, clinic.chair_id)
    assert clinic.services.chairs.list(admin)[0].active and not audit(clinic.services.context.db, "retire")
    clinic.services.series.stop(clinic.staff["physician"], series.id, "Patient moved away")
    assert not clinic.services.chairs.retire(admin, clinic.chair_id).active


def test_a_retired_chair_keeps_its_history(clinic, admin, clock, staff):
    """A session of a past day still names its chair; that day's board shows it as a retired column."""
    p = clinic.patient()
    clinic.plan(p.id, sessions=1)
    clock.advance(days=1)
    sign_in_again(staff, clock)
    clinic.services.chairs.add(staff["admin"], "Chair 2")
    clinic.services.chairs.retire(staff["admin"], clinic.chair_id)
    chart = clinic.services.patients.chart(staff["nurse"], p.id)
    assert chart.series[0].sessions[0].chair == "Chair 1"
    past = clinic.services.board.day(staff["nurse"], date(2026, 3, 2))
    assert [(c.name, c.active) for c in past.chairs] == [("Chair 2", True), ("Chair 1", False)]
    assert [(c.name, c.active) for c in clinic.services.board.day(staff["nurse"]).chairs] == [("Chair 2", True)]


def test_planning_and_moving_sessions_refuse_a_retired_chair(four, admin, staff):
    """A retired chair cannot be planned into, moved into, or kept by a session moved to a new time."""
    chairs, series_service = four.services.chairs, four.services.series
    p = four.patient()
    planned = four.plan(p.id, sessions=1)
    chair3 = chairs.find(admin, "Chair 3")
    chairs.retire(admin, chair3.id)
    four.chair_id = chair3.id
    with pytest.raises(ValidationError, match="Chair 3 is retired; choose another chair") as refused:
        four.plan(p.id)
    assert refused.value.field == "chair"
    session = planned.sessions[0]
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=ZONE)
    with pytest.raises(ValidationError, match="Chair 3 is retired") as refused:
        series_service.reschedule(staff["front_desk"], session.id, friday, chair3.id)
    assert refused.value.field == "chair_id"
    chair4 = chairs.find(admin, "Chair 4")
    moved = series_service.reschedule(staff["front_desk"], session.id, friday, chair4.id)
    assert moved.sessions[0].chair == "Chair 4"


def test_extending_a_series_whose_chair_was_retired_books_no_chair(clinic, admin, staff):
    """The series' chair retired since: its new sessions are booked in no chair, for the desk to place."""
    p = clinic.patient()
    series = clinic.plan(p.id, sessions=1)
    clinic.services.series.stop(staff["physician"], series.id, "Paused")
    second = clinic.plan(p.id, sessions=1)
    clinic.services.sessions.cancel(staff["nurse"], second.sessions[0].id, "Unwell")
    clinic.services.chairs.retire(admin, clinic.chair_id)
    longer = clinic.services.series.extend(staff["physician"], second.id, 1, "One more")
    assert [s.chair for s in longer.sessions] == ["Chair 1", ""]


def test_a_chair_change_reaches_other_workstations(clinic, admin, db, tmp_path, clock, staff):
    """Another workstation's change feed lists the chair; its board shows the new order."""
    other_db = open_database(db.engine.url.render_as_string(hide_password=False), tmp_path / "backups", clock.now())
    other = Services.build(other_db, clock, ZONE)
    try:
        nurse = staff["nurse"]
        marker = other.changes.latest(nurse)
        added = clinic.services.chairs.add(admin, "Chair 2")
        clinic.services.chairs.move(admin, added.id, 1)
        seen = other.changes.changed_since(nurse, marker)
        assert seen.items == {Changed("chair", str(added.id), None, admin.id)}
        assert seen.touches("chair", added.id)
        assert [c.name for c in other.board.day(nurse).chairs] == ["Chair 2", "Chair 1"]
    finally:
        other_db.close()


def test_an_unknown_chair_is_not_found(clinic, admin):
    """By name and by number, a chair that does not exist is named in the refusal."""
    with pytest.raises(NotFound, match="no chair called 'Chair 9'"):
        clinic.services.chairs.find(admin, " Chair 9 ")
    with pytest.raises(NotFound):
        clinic.services.chairs.rename(admin, 9999, "Chair 9")
