"""Witnesses of the audit log's head: records, kept outside the database, of the newest entry once written.

A log whose tail was cut off (or an older database put back) still verifies entry by entry; only something that
remembers how far it once reached shows the loss. The witnesses are the head file beside the database, its copy
in a second folder the administrator chose (`HeadRecord.mirror`), and the head recorded in every backup's
manifest. Each says "entry S with hash H was written"; the log must still hold exactly that entry, unless a
restore recorded in the log explains it (the restore entry names the head it replaced, see `restore_details`):
then the head file and its copy move to the restored log's end, with a log line, and a manifest stays as it is.

Each check returns a problem sentence for an administrator (or None), and notes that are not alarms (e.g. the
second folder is not plugged in).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desktop.storage.audit_chain import HEAD_FILE, AuditKeyring, HeadRecord
from clinic_desktop.storage.backup_manifest import BackupKind, list_backups
from clinic_desktop.storage.models import AuditEntry, Staff

log = logging.getLogger(__name__)

#: The audit action of a restore; its details carry the head of the log it replaced.
RESTORE_ACTION = "restore"
#: An administrator's acceptance of the log as it stands when this data folder had no head file.
ACCEPT_ACTION = "audit_head_accepted"
#: Workstations' clocks differ a little: a head written this long after a restore still counts as before it.
CLOCK_TOLERANCE = timedelta(minutes=5)
VERIFY_HINT = "Administration > Audit log > Verify log runs the whole check."


@dataclass(frozen=True)
class Witness:
    #: How an administrator knows it, e.g. "the backup clinic-auto-20260302T140000Z.db (taken ...)".
    what: str
    seq: int
    hash: str
    #: When it was recorded (None for a head file from before the time was kept).
    at: datetime | None
    #: The head file and its copy follow a restore; a backup's manifest keeps what it recorded.
    follows_restore: bool


@dataclass(frozen=True)
class HeadCheck:
    problem: str | None = None
    notes: tuple[str, ...] = ()
    #: The first entry the problem concerns (the first one missing, or the one recorded differently).
    first_bad_seq: int | None = None


def restore_details(replaced: tuple[int, str] | None) -> dict[str, Any]:
    """What a restore's audit entry records of the log it replaced, so every workstation's witnesses of that
    log are explained rather than reported as a cut-off tail."""
    if replaced is None:
        return {"replaced_seq": 0, "replaced_hash": ""}
    return {"replaced_seq": replaced[0], "replaced_hash": replaced[1]}


def check_head(session: Session, keyring: AuditKeyring, last_seq: int, last_hash: str,
               follow_restores: bool = True) -> HeadCheck:
    """Every witness against the log that ends at (last_seq, last_hash). With `follow_restores`, a head file
    (and its copy) that a restore explains is moved to the log's end."""
    notes: list[str] = []
    record = keyring.read_head_record()
    if isinstance(record, str):
        return HeadCheck(f"The head file {HEAD_FILE} beside the database, which records the newest audit entry, "
                         f"is {record}: it was damaged, or rewritten without the key.")
    witnesses: list[Witness] = []
    if record is None:
        problem = missing_head_problem(session, keyring, last_seq)
        if problem is not None:
            return HeadCheck(problem, first_bad_seq=last_seq + 1)
    else:
        witnesses.append(Witness(f"the head file {HEAD_FILE} beside the database", record.seq, record.hash, record.at,
                                 True))
        if record.mirror is not None:
            mirrored, problem, note = _mirror_witness(keyring, record.mirror)
            if problem is not None:
                return HeadCheck(problem)
            witnesses += [mirrored] if mirrored is not None else []
            notes += [note] if note is not None else []
    witnesses += manifest_witnesses(keyring.folder / "backups")
    log_view = _LogView(session, last_seq, last_hash)
    moved = []
    for witness in witnesses:
        if log_view.holds(witness):
            continue
        if not log_view.restore_explains(witness):
            return HeadCheck(_disagreement(witness, last_seq), tuple(notes),
                             last_seq + 1 if witness.seq > last_seq else witness.seq)
        if witness.follows_restore:
            moved.append(witness)
    if moved and follow_restores and record is not None and last_seq > 0:
        keyring.reset_head(last_seq, last_hash, at=log_view.time_of(last_seq))
        log.info("The audit head of this workstation (entry %d) described the log before a restore; it now "
                 "follows the restored log to entry %d", record.seq, last_seq)
        notes.append(f"This workstation's record of the newest audit entry ({record.seq}) was from before a "
                     f"restore; it now follows the restored log (entry {last_seq}).")
    return HeadCheck(None, tuple(notes))


def missing_head_problem(session: Session, keyring: AuditKeyring, last_seq: int) -> str | None:
    """No head file: only an empty log that was never more than that has no head to show."""
    if last_seq > 0:
        return (f"The head file {HEAD_FILE}, which records the newest audit entry, is missing from the data folder "
                f"{keyring.folder} although the log holds {last_seq} entries: it was deleted, perhaps together with "
                "the newest entries. If this workstation is new or its data folder was set up again, copy "
                f"{HEAD_FILE} from another workstation of the clinic, or have an administrator accept the log as "
                "it stands (`clinic-desktop audit accept-head`, itself recorded in the log).")
    # Accounts that can sign in were each made by an audited action; staff rows from before the audit log
    # existed (a first-release database, upgraded) have no password and no entry.
    accounts = session.execute(select(func.count()).select_from(Staff)
                               .where(Staff.password_hash.is_not(None))).scalar_one()
    if accounts:
        return (f"The audit log is empty although the database holds {accounts} staff account(s), each of which "
                f"was recorded in it: every entry was deleted (and the file {HEAD_FILE} with them).")
    return None


def manifest_witnesses(backups: Path) -> list[Witness]:
    found = []
    for backup in list_backups(backups):
        m = backup.manifest
        if m is None or m.audit_seq <= 0:
            continue
        at = datetime.fromisoformat(m.created_at)
        found.append(Witness(f"the backup {backup.path.name} (taken {_when(at)})", m.audit_seq, m.audit_hash, at,
                             False))
    return found


def last_backup_check(backups: Path) -> str | None:
    """The result of the full check the newest backup ran, when it found a problem (a safety copy taken before
    a restore describes the database that was replaced, so it is not counted)."""
    for backup in list_backups(backups):
        m = backup.manifest
        if m is None or backup.kind is BackupKind.BEFORE_RESTORE:
            continue
        if m.verified:
            return None
        return (f"The check run with the newest backup, {backup.path.name} (taken "
                f"{_when(datetime.fromisoformat(m.created_at))}), found a problem: {m.problem}")
    return None


def quick_check(session: Session, keyring: AuditKeyring) -> HeadCheck:
    """What can be checked in a moment (at sign-in): the witnesses against the log's end, and the newest
    backup's full check. Problems end with where to see the whole check."""
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    result = check_head(session, keyring, last.seq if last else 0, last.hash if last else "")
    problem = result.problem or last_backup_check(keyring.folder / "backups")
    return HeadCheck(f"{problem} {VERIFY_HINT}" if problem else None, result.notes)


def accept_problem(session: Session, keyring: AuditKeyring) -> str | None:
    """Why the log may not be accepted as the start of this data folder's head (None: it may)."""
    record = keyring.read_head_record()
    if isinstance(record, HeadRecord):
        return (f"This data folder already has its {HEAD_FILE}; there is nothing to accept. Audit log > Verify "
                "says whether the log agrees with it.")
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    if last is None:
        return "The audit log is empty: its first entry starts the head by itself."
    log_view = _LogView(session, last.seq, last.hash)
    for witness in manifest_witnesses(keyring.folder / "backups"):
        if not log_view.holds(witness) and not log_view.restore_explains(witness):
            return (f"The log cannot be accepted as it stands: {_disagreement(witness, last.seq)} Restore the "
                    "newest backup instead.")
    return None


def _mirror_witness(keyring: AuditKeyring, folder: str) -> tuple[Witness | None, str | None, str | None]:
    """(witness, problem, note) for the copy of the head in the second location."""
    where = Path(folder)
    unavailable = (f"The second copy of the audit head in {folder} could not be checked: the folder is not "
                   "available (a stick that is not plugged in, or a share that is offline). The application runs "
                   "on without it.")
    try:
        if not where.is_dir():
            return None, None, unavailable
        record = keyring.read_head_at(where / keyring.mirror_name)
    except OSError as exc:
        return None, None, f"{unavailable[:-1]} ({exc.strerror or exc})."
    if record is None:
        return None, None, (f"The second location {folder} holds no copy of this workstation's audit head (another "
                            "stick or share?); it is written again at the next save.")
    if isinstance(record, str):
        return None, (f"The second copy of the audit head, in {folder}, is {record}: it was damaged, or rewritten "
                      "without the key."), None
    note = (f"The second copy of the audit head could not be written at the last save: {keyring.mirror_problem}."
            if keyring.mirror_problem else None)
    return Witness(f"the second copy of the audit head in {folder}", record.seq, record.hash, record.at, True), \
        None, note


class _LogView:
    """The few facts of the log the witnesses are compared with, each read once."""

    def __init__(self, session: Session, last_seq: int, last_hash: str) -> None:
        self._session, self.last_seq, self.last_hash = session, last_seq, last_hash
        self._restores: list[tuple[int, datetime, Any]] | None = None

    def holds(self, witness: Witness) -> bool:
        if witness.seq > self.last_seq:
            return False
        if witness.seq == self.last_seq:
            return witness.hash == self.last_hash
        found = self._session.execute(select(AuditEntry.hash).where(AuditEntry.seq == witness.seq)).scalar()
        return found == witness.hash

    def time_of(self, seq: int) -> datetime | None:
        return self._session.execute(select(AuditEntry.at).where(AuditEntry.seq == seq)).scalar()

    def restore_explains(self, witness: Witness) -> bool:
        """A restore recorded after the witness was, replacing a log that reached at least its entry."""
        if self._restores is None:  # only when a witness disagrees: restores are few, but the log may be long
            self._restores = [tuple(row) for row in self._session.execute(
                select(AuditEntry.seq, AuditEntry.at, AuditEntry.details)
                .where(AuditEntry.action == RESTORE_ACTION, AuditEntry.seq <= self.last_seq))]
        for _seq, at, details in self._restores:
            replaced = details.get("replaced_seq") if isinstance(details, dict) else None
            # A restore recorded before the replaced head was kept explains what came before it in time.
            reaches = replaced is None or (isinstance(replaced, int) and witness.seq <= replaced)
            if reaches and (witness.at is None or witness.at <= at + CLOCK_TOLERANCE):
                return True
        return False


def _disagreement(witness: Witness, last_seq: int) -> str:
    what = witness.what[0].upper() + witness.what[1:]
    if witness.seq > last_seq:
        return (f"{what} records audit entry {witness.seq}, but the log now ends at entry {last_seq}: the newest "
                "entries were cut off, or an older copy of the database was put back.")
    return (f"{what} records audit entry {witness.seq} differently from the log: the log was rewritten from that "
            "entry on (by someone holding the audit key), or an older copy of the database was put back.")


def _when(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
