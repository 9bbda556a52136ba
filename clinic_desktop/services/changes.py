"""What changed: every change writes its audit entry in the same transaction, so this workstation hears of its own
commits as they happen (`subscribe`), and the audit log's highest sequence number is a cheap change marker (one
primary-key lookup) for what other workstations changed, on SQLite and PostgreSQL (`changed_since`)."""

from __future__ import annotations

from typing import Callable, Collection

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.clinic_profile import PREFIX as PROFILE_PREFIX
from clinic_desktop.domain.errors import ConcurrentChange
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services.context import ServiceContext, requires
from clinic_desktop.storage import models
from clinic_desktop.storage.change_set import NOT_CHANGES, Changed, ChangeSet, from_entries

__all__ = ["NOT_CHANGES", "ChangeService", "ChangeSet", "Changed", "subscribe"]

#: More entries than this since the last look (a restore, an import, a long pause): the caller reloads
#: everything it shows instead of receiving thousands of rows.
MAX_CHANGES = 500


def subscribe(ctx: ServiceContext, listener: Callable[[ChangeSet], None]) -> None:
    """`listener(changes)` after each commit made through these services (this workstation), in the thread that
    committed; a bound method is held weakly. Not an action of the access policy: it tells this process only of
    the commits its own signed-in users made."""
    ctx.db.add_commit_listener(listener)


class ChangeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.PATIENT_VIEW)
    def latest(self, actor: StaffMember) -> int:
        """The current change marker (0 for an empty log)."""
        with self._ctx.db.read() as uow:
            return uow.session.execute(select(func.coalesce(func.max(models.AuditEntry.seq), 0))).scalar_one()

    @requires(Action.PATIENT_VIEW)
    def changed_since(self, actor: StaffMember, marker: int, skip: Collection[int] = ()) -> ChangeSet:
        """What was changed after `marker` (by anyone, on any workstation), and the new marker; the entries
        numbered in `skip` (this workstation's own commits, already heard of) are left out."""
        entry = models.AuditEntry
        with self._ctx.db.read() as uow:
            rows = uow.session.execute(
                select(entry.seq, entry.action, entry.object_type, entry.object_id, entry.patient_id, entry.staff_id)
                .where(entry.seq > marker).order_by(entry.seq).limit(MAX_CHANGES + 1)).all()
            if len(rows) > MAX_CHANGES:
                newest = uow.session.execute(select(func.max(entry.seq))).scalar_one()
                return ChangeSet(newest, everything=True)
        if not rows:
            return ChangeSet(marker)
        skipped = frozenset(skip)
        others = [tuple(r) for r in rows if r.seq not in skipped]
        if not others:
            return ChangeSet(rows[-1].seq)
        found = from_entries(others)
        return ChangeSet(rows[-1].seq, found.items, seqs=found.seqs)


def _last_change_words(session: Session, ctx: ServiceContext, objects: tuple[tuple[str, int], ...]) -> str:
    """"Changed by Dana Whitlock, RN at 09:42." from the newest audit entry of any of `objects` ((object_type,
    object_id) pairs: the record and the other entries that change its row), for a refused stale save."""
    entry = models.AuditEntry
    ids_by_type: dict[str, list[str]] = {}
    for object_type, object_id in objects:
        ids_by_type.setdefault(object_type, []).append(str(object_id))
    which = or_(*(and_(entry.object_type == t, entry.object_id.in_(ids)) for t, ids in ids_by_type.items()))
    row = session.execute(select(entry.at, entry.details, models.Staff.full_name, models.Staff.credentials)
                          .outerjoin(models.Staff, models.Staff.id == entry.staff_id)
                          .where(which).order_by(entry.seq.desc()).limit(1)).first()
    return "" if row is None else _who_when_what(row, ctx, row.details)


def _who_when_what(row: Row, ctx: ServiceContext, details: object) -> str:
    who = f"{row.full_name}, {row.credentials}" if row.credentials else (row.full_name or "someone")
    return f"Changed by {who} at {row.at.astimezone(ctx.zone):%H:%M}.{changed_fields_words(details)}"


#: What a refused stale save says happened to the user's entries, unless the caller says better.
NOT_SAVED = "Nothing was saved; look at the chart as it is now and try again."


def refuse_if_changed(session: Session, ctx: ServiceContext, what: str, row: object, expected_version: int | None,
                      *, object_type: str = "", also: tuple[tuple[str, int], ...] = (),
                      outcome: str = NOT_SAVED) -> None:
    """ConcurrentChange naming who changed `row` last, when and what, if its row_version moved on from
    `expected_version` (the version the user's screen showed); None skips the check (callers that show no
    version). `what` is the word for the record ("session"); `object_type` its audit name when that differs;
    `also`: other audit objects whose entries change the same row (see the *_audit_objects below)."""
    if expected_version is None or row.row_version == expected_version:
        return
    raise_changed_elsewhere(session, ctx, what, ((object_type or what, row.id),) + also, outcome)


def raise_changed_elsewhere(session: Session, ctx: ServiceContext, what: str, objects: tuple[tuple[str, int], ...],
                            outcome: str = NOT_SAVED) -> None:
    """The ConcurrentChange of a stale save, for records that tell staleness some other way than a row_version
    (a chair compares the name the user saw)."""
    raise ConcurrentChange(f"This {what} was changed on another workstation after you opened it. "
                           + _last_change_words(session, ctx, objects) + " " + outcome)


#: How far back a refusal looks for the entry that changed one of a record's fields (see below).
FIELD_LOOKBACK = 200


def raise_fields_changed_elsewhere(session: Session, ctx: ServiceContext, what: str, object_type: str,
                                   fields: Collection[str], outcome: str = NOT_SAVED) -> None:
    """The ConcurrentChange of a stale save for a record kept as one row per field (the clinic settings): names
    the newest entry of `object_type` that changed one of `fields`, and only those fields' changes."""
    entry = models.AuditEntry
    rows = session.execute(select(entry.at, entry.details, models.Staff.full_name, models.Staff.credentials)
                           .outerjoin(models.Staff, models.Staff.id == entry.staff_id)
                           .where(entry.object_type == object_type).order_by(entry.seq.desc())
                           .limit(FIELD_LOOKBACK)).all()
    words = ""
    for row in rows:
        if isinstance(row.details, dict) and set(row.details) & set(fields):
            words = _who_when_what(row, ctx, {f: v for f, v in row.details.items() if f in fields})
            break
    raise ConcurrentChange(f"This {what} was changed on another workstation after you opened it. {words} {outcome}"
                           .replace("  ", " "))


def series_audit_objects(series: models.InfusionSeries) -> tuple[tuple[str, int], ...]:
    """A series also changes through its sessions (a check-in makes it active)."""
    return tuple(("session", ts.id) for ts in series.sessions)


def session_audit_objects(ts: models.TreatmentSession) -> tuple[tuple[str, int], ...]:
    """The audit entries besides "session" ones that change a session's row: its checklist explanations and
    override, and the dose's start and stop (which move the session to infusing and recovering)."""
    dose = (("administration", ts.dose_record.id),) if ts.dose_record is not None else ()
    return (("session_check", ts.id), ("checks_override", ts.id)) + dose


def dose_audit_objects(dose: models.DoseRecord) -> tuple[tuple[str, int], ...]:
    """The audit entries that change a dose record besides its order: giving it, and the waste witnessed."""
    return (("administration", dose.id), ("waste", dose.id))


#: How many changed fields a refusal spells out (the rest are counted), and how long each value may be.
MAX_FIELDS, MAX_VALUE = 5, 40


def changed_fields_words(details: object) -> str:
    """" They changed phone from 555-0142 to 555-0199." from an update's audit details ({field: {old, new}}, or
    an amendment's {"changes": {...}}), other details left out; empty for entries with no such pairs (a signature),
    which say who and when only."""
    if isinstance(details, dict) and isinstance(details.get("changes"), dict):
        details = details["changes"]  # an amendment: {"changes": {field: {old, new}}, "reason": ...}
    if not isinstance(details, dict):
        return ""
    # Only the {old, new} pairs that differ: a move's reason, a stop's list of cancelled sessions, a chair
    # left as it was are not changes to spell out.
    details = {field: v for field, v in details.items()
               if isinstance(v, dict) and set(v) == {"old", "new"} and v["old"] != v["new"]}
    if not details:
        return ""

    def shown(value: object) -> str:
        if isinstance(value, dict) and "sha256" in value:
            return "an image"  # a file's digest and size (the clinic's logo) say nothing to a reader
        text = "nothing" if value in (None, "", [], {}) else str(value)
        return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"

    parts = [f"{field.removeprefix(PROFILE_PREFIX).replace('_', ' ')} from {shown(v['old'])} to {shown(v['new'])}"
             for field, v in list(details.items())[:MAX_FIELDS]]
    more = len(details) - MAX_FIELDS
    return f" They changed {'; '.join(parts)}" + (f"; and {more} more" if more > 0 else "") + "."
