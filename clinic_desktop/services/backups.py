"""Backups for administrators (list, back up now, restore) and the automatic daily and on-exit backups."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from clinic_desktop import logs
from clinic_desktop.domain.access import Action
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services.auth import reauthenticate
from clinic_desktop.services.context import ServiceContext, acting_staff, load_settings, requires
from clinic_desktop.services.sheet_text_store import seed_at_start
from sqlalchemy.orm import Session

from clinic_desktop.storage import models
from clinic_desktop.storage.backup_manifest import BackupFile, BackupKind, Manifest, list_backups, prune_automatic
from clinic_desktop.storage.head_witness import restore_details
# storage.backup_restore (the backup and restore engine) is imported where a backup or restore is taken: opening
# the window never needs it, and start-up does not pay for loading it.

log = logging.getLogger(__name__)

#: A daily backup is taken when the newest automatic one is at least this old.
DAILY = timedelta(days=1)
#: `progress(done, total)` in database pages.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BackupEntry:
    """One backup as the Backup and Restore page lists it."""

    file_name: str
    path: Path
    kind: BackupKind
    #: From the manifest (UTC); None for a file without one.
    taken_at: datetime | None
    size: int
    verified: bool
    problem: str


@dataclass(frozen=True)
class RestoreOutcome:
    file_name: str
    safety_copy: Path | None
    taken_at: datetime


def backups_folder(ctx: ServiceContext) -> Path:
    """The data folder's backups/ (the audit key lives in the data folder itself)."""
    return ctx.db.keyring.folder / "backups"


def _url(ctx: ServiceContext) -> str:
    return ctx.db.engine.url.render_as_string(hide_password=False)


def _entry(found: BackupFile) -> BackupEntry:
    m = found.manifest
    return BackupEntry(found.path.name, found.path, found.kind, datetime.fromisoformat(m.created_at) if m else None,
                       found.size, bool(m and m.verified), m.problem if m else "No manifest beside it.")


def _record(ctx: ServiceContext, actor: StaffMember | None, manifest: Manifest, reason: str,
            username: str = "") -> None:
    with ctx.db.write() as uow:
        if actor is not None:
            acting_staff(uow.session, actor)
        ctx.audit(uow.session, actor, "backup", object_type="backup", object_id=manifest.file[:40],
                  details={"file": manifest.file, "kind": manifest.kind, "reason": reason, "sha256": manifest.sha256,
                           "audit_seq": manifest.audit_seq}, username=username)
        uow.commit()


class BackupService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        #: Taken by the application itself with no one signed in (on exit, on a timer): not a user action.
        self.automatic = AutomaticBackups(ctx)

    @requires(Action.BACKUP_MANAGE)
    def list(self, actor: StaffMember) -> list[BackupEntry]:
        """Every backup in the backups folder, newest first."""
        return [_entry(b) for b in list_backups(backups_folder(self._ctx))]

    @requires(Action.BACKUP_MANAGE)
    def back_up_now(self, actor: StaffMember, progress: Progress | None = None) -> BackupEntry:
        """A manual backup into the backups folder (never pruned), verified, with its manifest; audited."""
        folder = backups_folder(self._ctx)
        from clinic_desktop.storage.backup_restore import automatic_target, take_backup  # on first use (see the imports)

        target = automatic_target(folder, BackupKind.MANUAL, self._ctx.now(), _url(self._ctx))
        manifest = take_backup(_url(self._ctx), self._ctx.db.keyring, target, BackupKind.MANUAL, self._ctx.now(),
                               progress)
        _record(self._ctx, actor, manifest, "manual")
        return _entry(BackupFile(target, BackupKind.MANUAL, manifest.size, manifest))

    @requires(Action.BACKUP_MANAGE)
    def restore(self, actor: StaffMember, file_name: str, password: str,
                progress: Progress | None = None) -> RestoreOutcome:
        """The administrator's password again, then verify, keep a safety copy, restore (with its audit entry in
        the restored database) and verify. Refused (DatabaseInUse, nothing changed) while another window, command
        or workstation has the database open: a clinic closes the others first rather than have a nurse's unsaved
        entries cut off. Everyone must sign in again afterwards: the accounts are those of the restored database."""
        folder = backups_folder(self._ctx)
        if not isinstance(file_name, str) or Path(file_name).name != file_name:
            raise ValidationError("Choose one of the backups listed.", "backup")
        backup = folder / file_name
        if not backup.is_file():
            raise ValidationError(f"There is no backup called {file_name} in {folder}.", "backup")
        reauthenticate(self._ctx, actor, password, "restore_confirmed")
        db, url = self._ctx.db, _url(self._ctx)
        from clinic_desktop.storage.backup_restore import Restored, restore_backup  # on first use (see the imports)

        def record(session: Session, restored: Restored) -> None:
            """The restore's entry, written into the restored database before it replaces this one."""
            # The restored database may not hold this administrator's account (or holds another under its id).
            row = session.get(models.Staff, actor.id)
            staff_id = actor.id if row is not None and row.username == actor.username else None
            self._ctx.audit(session, None, "restore", object_type="backup", object_id=file_name[:40],
                            details={"file": file_name, "taken_at": restored.manifest.created_at,
                                     "safety_copy": restored.safety_copy.name if restored.safety_copy else None,
                                     "by_staff_id": staff_id, **restore_details(restored.replaced)},
                            username=actor.username)

        # Refused while another window, command or workstation has the database open; this window's own
        # reads wait meanwhile, so none of them sees the database half-replaced.
        with db.restoring():
            restored = restore_backup(backup, url, db.keyring, folder, self._ctx.now(), progress, record)
        # A backup from before this version of the application lacks the texts it ships: store them now.
        seed_at_start(self._ctx)
        log.info("%s restored %s; everyone signs in again", actor.username, file_name)
        logs.set_user(None)  # the accounts are now the backup's
        return RestoreOutcome(file_name, restored.safety_copy, datetime.fromisoformat(restored.manifest.created_at))


class AutomaticBackups:
    """Daily and on-exit backups into backups/, pruned to the clinic's `backup_generations`.

    Deliberately not a guarded service action: the application takes them itself, with no one signed in
    (on exit, or on a timer behind the lock screen), to a fixed place with a fixed rule, and no one can
    restore through it. Each is audited as done by the application (no staff member)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def run(self, reason: str) -> BackupEntry | None:
        """"daily": only when the newest automatic backup is a day old (or there is none); "exit": always.
        Returns the new backup, or None when none was due. Raises ClinicError when it fails."""
        if reason not in ("daily", "exit"):
            raise ValueError(f"unknown automatic backup reason {reason!r}")
        folder, now = backups_folder(self._ctx), self._ctx.now()
        if reason == "daily" and not self.due(now):
            return None
        from clinic_desktop.storage.backup_restore import automatic_target, take_backup  # on first use (see the imports)

        target = automatic_target(folder, BackupKind.AUTOMATIC, now, _url(self._ctx))
        manifest = take_backup(_url(self._ctx), self._ctx.db.keyring, target, BackupKind.AUTOMATIC, now)
        _record(self._ctx, None, manifest, reason, username="")
        with self._ctx.db.read() as uow:
            keep = load_settings(uow.session).backup_generations
        for removed in prune_automatic(folder, keep):
            log.info("Removed the automatic backup %s (keeping %d)", removed.name, keep)
        return _entry(BackupFile(target, BackupKind.AUTOMATIC, manifest.size, manifest))

    def due(self, now: datetime) -> bool:
        newest = next((b for b in list_backups(backups_folder(self._ctx))
                       if b.kind is BackupKind.AUTOMATIC and b.manifest is not None), None)
        return newest is None or now - datetime.fromisoformat(newest.manifest.created_at) >= DAILY
