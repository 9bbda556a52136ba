"""Reading the audit log (administrators): filtered pages, a CSV export (itself audited), verification."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services import integrity, user_files
from clinic_desktop.services.context import ServiceContext, acting_staff, requires
from clinic_desktop.services.audit_head import accept_log
from clinic_desktop.storage import audit_chain, head_witness, models

PAGE = 200
#: Spreadsheet programs run a cell that starts with these as a formula (CSV injection): such cells are quoted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    patient_id: int | None = None
    #: The patient's MRN, for viewers who may not open patient records (a pure administrator).
    patient_mrn: str | None = None
    staff_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    utc_offset_min: int
    user: str
    patient: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]
    emergency: bool


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    #: Pass as `before` for the next (older) page; None when there is none.
    before: int | None


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.AUDIT_VIEW)
    def entries(self, actor: StaffMember, where: AuditFilter = AuditFilter(), before: int | None = None,
                limit: int = PAGE) -> AuditPage:
        """Newest first, a page at a time (keyset on the sequence number)."""
        with self._ctx.db.read() as uow:
            stmt = _filtered(where).order_by(models.AuditEntry.seq.desc()).limit(limit + 1)
            if before is not None:
                stmt = stmt.where(models.AuditEntry.seq < before)
            rows = uow.session.execute(stmt).all()
            more = len(rows) > limit
            # Built inside the unit of work: its closing rollback expires the ORM rows.
            page = tuple(_row(*r) for r in rows[:limit])
        return AuditPage(page, page[-1].seq if more and page else None)

    @requires(Action.AUDIT_VIEW)
    def action_names(self, actor: StaffMember) -> list[str]:
        with self._ctx.db.read() as uow:
            return list(uow.session.execute(select(models.AuditEntry.action).distinct()
                                            .order_by(models.AuditEntry.action)).scalars())

    @requires(Action.AUDIT_VIEW)
    def verify(self, actor: StaffMember) -> integrity.Integrity:
        """The audit log's chain, then the rows, signatures and the log's protection (see services/integrity.py)."""
        with self._ctx.db.read() as uow:
            return integrity.verify(uow.session, self._ctx.db.keyring)

    @requires(Action.AUDIT_VIEW)
    def quick_check(self, actor: StaffMember) -> head_witness.HeadCheck:
        """The checks that take a moment (at an administrator's sign-in): the witnesses of the head against the
        log's end, and the newest backup's full check. The whole walk is `verify`."""
        with self._ctx.db.read() as uow:
            return head_witness.quick_check(uow.session, self._ctx.db.keyring)

    @requires(Action.AUDIT_VIEW)
    def accept_head(self, actor: StaffMember) -> int:
        """Accept the log as it stands when this data folder has no head file (audited; see audit_head)."""
        return accept_log(self._ctx, actor)

    @requires(Action.AUDIT_EXPORT)
    def export_csv(self, actor: StaffMember, target: Path, where: AuditFilter = AuditFilter(),
                   replace: bool = False) -> int:
        """Write the filtered entries, oldest first, to a CSV file; the export itself is audited. `replace`: an
        existing file may be replaced (the save dialog asked)."""
        user_files.check_output(target, replace)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["seq", "time (UTC)", "local offset (min)", "user", "patient", "action", "object",
                         "object id", "details", "emergency"])
        count = 0
        with self._ctx.db.read() as uow:
            for entry, user, patient in uow.session.execute(_filtered(where).order_by(models.AuditEntry.seq)):
                row = _row(entry, user, patient)
                writer.writerow([_cell(v) for v in (row.seq, row.at.isoformat(), row.utc_offset_min, row.user,
                                                    row.patient, row.action, row.object_type, row.object_id,
                                                    audit_chain.canonical(row.details).decode(), row.emergency)])
                count += 1
        user_files.write_output(target, buffer.getvalue().encode("utf-8"), replace)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            self._ctx.audit(uow.session, actor, "export", object_type="audit_log", details={
                "file": str(target), "entries": count, "filter": {k: v for k, v in vars(where).items() if v}})
            uow.commit()
        return count


def _filtered(where: AuditFilter) -> Select:
    staff, patient = models.Staff, models.Patient
    stmt = (select(models.AuditEntry, staff.full_name, patient.mrn)
            .outerjoin(staff, staff.id == models.AuditEntry.staff_id)
            .outerjoin(patient, patient.id == models.AuditEntry.patient_id))
    if where.patient_id is not None:
        stmt = stmt.where(models.AuditEntry.patient_id == where.patient_id)
    if where.patient_mrn:
        stmt = stmt.where(patient.mrn == where.patient_mrn.strip())
    if where.staff_id is not None:
        stmt = stmt.where(models.AuditEntry.staff_id == where.staff_id)
    if where.action:
        stmt = stmt.where(models.AuditEntry.action == where.action)
    if where.since is not None:
        stmt = stmt.where(models.AuditEntry.at >= where.since)
    if where.until is not None:
        stmt = stmt.where(models.AuditEntry.at < where.until)
    return stmt


def _row(entry: models.AuditEntry, user: str | None, mrn: str | None) -> AuditRow:
    return AuditRow(entry.seq, entry.at, entry.utc_offset_min, user or entry.username, f"MRN {mrn}" if mrn else "",
                    entry.action, entry.object_type, entry.object_id, dict(entry.details), entry.emergency)


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
