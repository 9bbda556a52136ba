"""The clinic's chairs: adding and naming them, ordering them as the room is laid out, retiring and reinstating.

A chair is never deleted: its past sessions keep naming it. Retired, it leaves the board and planning.
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.enums import SessionStatus
from clinic_desktop.domain.errors import NotFound, RuleViolation, ValidationError
from clinic_desktop.domain.records import Chair, StaffMember
from clinic_desktop.domain.text import checked_text
from clinic_desktop.services.changes import raise_changed_elsewhere
from clinic_desktop.services.context import ServiceContext, acting_staff, get_or_404, requires
from clinic_desktop.storage import models

#: As long as the column allows (storage/models/treatment.py).
MAX_NAME = 40
#: Sessions that still need their chair: booked, or under way.
OPEN_STATUSES = tuple(s for s in SessionStatus if s.is_open)
RENAMED_NOT_SAVED = "Nothing was saved; look at the chairs as they are now and try again."


class ChairService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.STAFF_VIEW)
    def list(self, actor: StaffMember) -> list[Chair]:
        """Every chair: the board's chairs left to right, then the retired ones by name; each with its bookings."""
        with self._ctx.db.read() as uow:
            booked = self._booked(uow.session)
            active = [_record(row, i, booked) for i, row in enumerate(_on_board(uow.session), start=1)]
            retired = [_record(row, 0, booked) for row in uow.session.execute(
                select(models.Chair).where(models.Chair.active.is_(False)).order_by(models.Chair.name)).scalars()]
        return active + retired

    @requires(Action.STAFF_VIEW)
    def bookable(self, actor: StaffMember) -> list[Chair]:
        """The chairs a session may be booked in (planning, rescheduling): the active ones in board order."""
        with self._ctx.db.read() as uow:
            return [_record(row, i, {}) for i, row in enumerate(_on_board(uow.session), start=1)]

    @requires(Action.STAFF_VIEW)
    def find(self, actor: StaffMember, name: str) -> Chair:
        """The chair with this name (case ignored), active or retired; NotFound names what was asked for."""
        wanted = _fold(name)
        return next((c for c in self.list(actor) if _fold(c.name) == wanted), None) or _not_found(name)

    @requires(Action.CHAIR_MANAGE)
    def add(self, actor: StaffMember, name: str) -> Chair:
        """A new chair at the right-hand end of the board."""
        label = _checked_name(name)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            _refuse_duplicate(uow.session, label)
            board = _on_board(uow.session)
            row = models.Chair(name=label, active=True, position=len(board) + 1)
            uow.session.add(row)
            _renumber(board + [row])
            uow.flush()
            self._ctx.audit(uow.session, actor, "create", object_type="chair", object_id=row.id,
                            details={"new": {"name": label, "position": row.position}})
            uow.commit()
            return _record(row, row.position, {})

    @requires(Action.CHAIR_MANAGE)
    def rename(self, actor: StaffMember, chair_id: int, new_name: str, seen_name: str | None = None) -> Chair:
        """A new name for a chair; with `seen_name` (the name on the caller's screen) a rename made at another
        workstation since is refused rather than overwritten."""
        label = _checked_name(new_name)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = get_or_404(uow.session, models.Chair, chair_id, "chair")
            if seen_name is not None and row.name != seen_name:
                raise_changed_elsewhere(uow.session, self._ctx, "chair", (("chair", row.id),), RENAMED_NOT_SAVED)
            if row.name == label:
                raise ValidationError(f"The chair is already called {label}.", "name")
            _refuse_duplicate(uow.session, label, row.id)
            old, row.name = row.name, label
            self._ctx.audit(uow.session, actor, "update", object_type="chair", object_id=row.id,
                            details={"name": {"old": old, "new": label}})
            uow.commit()
            return self._one(uow.session, row)

    @requires(Action.CHAIR_MANAGE)
    def move(self, actor: StaffMember, chair_id: int, to_position: int) -> Chair:
        """Put an active chair at `to_position` on the board (1 = leftmost); the others close up around it."""
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = get_or_404(uow.session, models.Chair, chair_id, "chair")
            if not row.active:
                raise RuleViolation(f"{row.name} is retired and not on the board; reinstate it first.")
            board = _on_board(uow.session)
            if not isinstance(to_position, int) or not 1 <= to_position <= len(board):
                raise ValidationError(f"The position must be a whole number from 1 to {len(board)} "
                                      f"(the board has {_chairs_words(len(board))}).", "position")
            old_order, old_position = [c.name for c in board], board.index(row) + 1
            board.remove(row)
            board.insert(to_position - 1, row)
            _renumber(board)
            if to_position != old_position:
                self._ctx.audit(uow.session, actor, "move", object_type="chair", object_id=row.id, details={
                    "position": {"old": old_position, "new": to_position},
                    "board_order": {"old": old_order, "new": [c.name for c in board]}})
            uow.commit()
            return self._one(uow.session, row)

    @requires(Action.CHAIR_MANAGE)
    def retire(self, actor: StaffMember, chair_id: int) -> Chair:
        """Take a chair off the board and out of planning. Refused while sessions are booked in it from today on:
        they are moved to another chair first (each from its patient's chart), so no patient loses a place."""
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = get_or_404(uow.session, models.Chair, chair_id, "chair")
            if not row.active:
                raise RuleViolation(f"{row.name} is already retired.")
            count, first = self._booked(uow.session).get(row.id, (0, None))
            if count:
                raise RuleViolation(
                    f"{row.name} still has {count} session{'s' if count != 1 else ''} booked from today on, the "
                    f"first on {first.astimezone(self._ctx.zone):%a %Y-%m-%d %H:%M}. Move "
                    f"{'them' if count != 1 else 'it'} to another chair first (Reschedule in the patient's chart); "
                    f"nothing was changed.")
            board = _on_board(uow.session)
            old_position = board.index(row) + 1
            board.remove(row)
            row.active = False
            _renumber(board)
            row.position = 0
            self._ctx.audit(uow.session, actor, "retire", object_type="chair", object_id=row.id, details={
                "name": row.name, "active": {"old": True, "new": False}, "position": {"old": old_position, "new": 0}})
            uow.commit()
            return self._one(uow.session, row)

    @requires(Action.CHAIR_MANAGE)
    def reinstate(self, actor: StaffMember, chair_id: int) -> Chair:
        """Put a retired chair back on the board, at its right-hand end."""
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = get_or_404(uow.session, models.Chair, chair_id, "chair")
            if row.active:
                raise RuleViolation(f"{row.name} is already on the board.")
            board = _on_board(uow.session)
            row.active = True
            _renumber(board + [row])
            self._ctx.audit(uow.session, actor, "reinstate", object_type="chair", object_id=row.id, details={
                "name": row.name, "active": {"old": False, "new": True}, "position": {"old": 0, "new": row.position}})
            uow.commit()
            return self._one(uow.session, row)

    # --- helpers ---------------------------------------------------------------------------------
    def _booked(self, session: Session) -> dict[int, tuple[int, datetime]]:
        """{chair id: (open sessions from the start of today, the first of them)}."""
        start = datetime.combine(self._ctx.today(), time(0), tzinfo=self._ctx.zone)
        ts = models.TreatmentSession
        rows = session.execute(select(ts.chair_id, func.count(), func.min(ts.scheduled_at))
                               .where(ts.chair_id.is_not(None), ts.scheduled_at >= start,
                                      ts.status.in_(OPEN_STATUSES))
                               .group_by(ts.chair_id)).all()
        return {chair_id: (count, first) for chair_id, count, first in rows}

    def _one(self, session: Session, row: models.Chair) -> Chair:
        return _record(row, row.position if row.active else 0, self._booked(session))


def _on_board(session: Session) -> list[models.Chair]:
    """The active chairs left to right (ties, e.g. chairs added before positions existed, by name)."""
    return list(session.execute(select(models.Chair).where(models.Chair.active.is_(True))
                                .order_by(models.Chair.position, models.Chair.name, models.Chair.id)).scalars())


def _renumber(board: list[models.Chair]) -> None:
    """Positions 1..n with no gaps, in the order given."""
    for index, row in enumerate(board, start=1):
        if row.position != index:
            row.position = index


def _record(row: models.Chair, position: int, booked: dict[int, tuple[int, datetime]]) -> Chair:
    return Chair(row.id, row.name, row.active, position, booked.get(row.id, (0, None))[0])


def _checked_name(name: str | None) -> str:
    return checked_text(name, "name", "Chair name", required=True, max_length=MAX_NAME)


def _fold(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def _refuse_duplicate(session: Session, label: str, except_id: int | None = None) -> None:
    """Names are unique ignoring case, retired chairs included (their sessions still name them)."""
    for other in session.execute(select(models.Chair)).scalars():
        if other.id != except_id and _fold(other.name) == _fold(label):
            hint = " (retired: reinstate it instead)" if not other.active else ""
            raise ValidationError(f"There is already a chair called {other.name}{hint}.", "name")


def _not_found(name: str) -> Chair:
    raise NotFound(f"There is no chair called {(name or '').strip()!r}.")


def _chairs_words(n: int) -> str:
    return f"{n} chair{'s' if n != 1 else ''}"
