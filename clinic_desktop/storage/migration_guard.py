"""A marker beside a SQLite database while it is being upgraded: a migration that fails or is killed midway
leaves it behind, the next start refuses to open the file as it is and offers the copy taken just before."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.storage import file_modes

MARKER_SUFFIX = ".migration-in-progress.json"
#: The SQLite files that make up one database (the main file first).
COMPANIONS = ("", "-wal", "-shm", "-journal")


class RestoreError(ClinicError):
    """The copy taken before the upgrade cannot be put back: the message says why; nothing was changed."""


@dataclass(frozen=True)
class InterruptedMigration:
    """What the marker says: which database, the copy taken before, and the upgrade that did not finish."""

    marker: Path
    database: Path
    backup: Path | None
    from_revision: str
    to_revision: str
    started_at: str


def marker_path(database: Path) -> Path:
    return database.with_name(database.name + MARKER_SUFFIX)


def begin(database: Path, backup: Path, from_revision: str, to_revision: str, now: datetime) -> Path:
    """Written (durably, in one piece) after the pre-upgrade copy is verified and before the first change."""
    marker = marker_path(database)
    partial = marker.with_name(marker.name + ".partial")
    data = {"database": str(database), "backup": str(backup), "from": from_revision, "to": to_revision,
            "started_at": now.isoformat(), "pid": os.getpid()}
    with file_modes.open_private(partial) as handle:
        json.dump(data, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, marker)
    file_modes.sync_folder(marker.parent)
    return marker


def finish(marker: Path) -> None:
    """The upgrade committed: the marker goes (a crash before this is recognised by the schema being at HEAD)."""
    marker.unlink(missing_ok=True)
    file_modes.sync_folder(marker.parent)


def pending(database: Path) -> InterruptedMigration | None:
    """The unfinished upgrade recorded beside `database`, if any. A marker that cannot be read still counts:
    the upgrade did not finish, only the copy's name is unknown."""
    marker = marker_path(database)
    if not marker.exists():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        return InterruptedMigration(marker, database, Path(data["backup"]) if data.get("backup") else None,
                                    str(data["from"]), str(data["to"]), str(data.get("started_at", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return InterruptedMigration(marker, database, None, "?", "?", "")


def describe(interrupted: InterruptedMigration, command: bool = True) -> str:
    """What happened, where the copy is and what to do: one paragraph for the command line (`command` adds the
    restore command), or lines for a dialog that offers the restore itself (`command=False`)."""
    when = f", started {_when(interrupted.started_at)}," if interrupted.started_at else ""
    head = (f"The upgrade of the database {interrupted.database} from schema {interrupted.from_revision} to "
            f"{interrupted.to_revision}{when} did not finish (the program stopped or failed during it), so the "
            "database was not opened.")
    if interrupted.backup is None:
        return (f"{head} The note naming the copy taken before the upgrade ({interrupted.marker}) cannot be read; "
                "restore the newest clinic-before-upgrade copy from the backups folder.")
    if not command:
        return f"{head}\n\nThe copy taken just before the upgrade:\n{interrupted.backup}"
    return (f"{head} The copy taken just before the upgrade is {interrupted.backup}; restore it with: "
            f"clinic-desktop restore {interrupted.backup}")


def _when(started_at: str) -> str:
    try:
        return datetime.fromisoformat(started_at).strftime("%Y-%m-%d %H:%M %Z").strip()
    except ValueError:
        return started_at


def restore_pre_migration(interrupted: InterruptedMigration, now: datetime) -> Path | None:
    """Put the pre-upgrade copy back with SQLite's backup API; the database as the failed upgrade left it is
    kept beside it as clinic-failed-migration-<stamp>.db (returned; None if there was none). Then the marker
    goes, so the next open upgrades the restored file afresh (after a new pre-upgrade copy)."""
    backup = interrupted.backup
    if backup is None or not backup.is_file():
        raise RestoreError(f"The copy taken before the upgrade ({backup or 'unknown'}) is not there, so nothing was "
                           "restored. Restore the newest clinic-before-upgrade copy from the backups folder.")
    database = interrupted.database
    staged = database.with_name(database.name + ".restoring")
    _copy_verified(backup, staged, interrupted.from_revision)
    aside = None
    if database.exists():
        # Renamed, not copied: a half-upgraded file may not even open, and it is kept whole for inspection.
        aside = database.with_name(f"clinic-failed-migration-{now.strftime('%Y%m%dT%H%M%SZ')}.db")
        for suffix in COMPANIONS:
            part = Path(str(database) + suffix)
            if part.exists():
                os.replace(part, Path(str(aside) + suffix))
    for suffix in COMPANIONS[1:]:  # any left over belong to the old file, never to the restored one
        Path(str(database) + suffix).unlink(missing_ok=True)
    os.replace(staged, database)
    file_modes.sync_folder(database.parent)
    finish(interrupted.marker)
    return aside


def _copy_verified(backup: Path, target: Path, revision: str) -> None:
    """Copy the backup page by page into `target` and check it is whole and at the revision it was taken at."""
    target.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
                check = dst.execute("PRAGMA integrity_check").fetchone()[0]
                rows = dst.execute("SELECT version_num FROM alembic_version").fetchall()
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file until it is opened
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise RestoreError(f"The copy taken before the upgrade ({backup}) cannot be read ({exc}); nothing was "
                           "restored.") from None
    problem = (f"it fails its integrity check ({check})" if check != "ok" else
               f"it holds schema {rows} instead of {revision}" if revision != "?" and rows != [(revision,)] else "")
    if problem:
        target.unlink(missing_ok=True)
        raise RestoreError(f"The copy taken before the upgrade ({backup}) cannot be restored: {problem}. Nothing was "
                           "changed.")

