"""Consistent copies of the database: SQLite's online backup API (never a file copy), pg_dump for PostgreSQL."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.storage import file_modes, pg_tools

log = logging.getLogger(__name__)


class BackupError(ClinicError):
    """A backup could not be taken or does not verify: the operation that needed it must not go ahead."""


def backup_before_upgrade(engine: Engine, backups_dir: Path, revision: str, now: datetime) -> Path:
    """A verified copy taken before a migration, named after the schema it holds."""
    try:
        file_modes.private_folder(backups_dir)
    except OSError as exc:
        raise BackupError(f"Cannot create the backups folder {backups_dir}: {exc.strerror or exc}. The database "
                          "was not upgraded.") from None
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    if engine.dialect.name == "sqlite":
        target = backups_dir / f"clinic-before-upgrade-from-{revision}-{stamp}.db"
        sqlite_backup(Path(engine.url.database or ""), target)
    else:
        target = backups_dir / f"clinic-before-upgrade-from-{revision}-{stamp}.dump"
        pg_dump(engine, target)
    _manifest_for_upgrade_copy(engine, target, backups_dir.parent, now)
    return target


def _manifest_for_upgrade_copy(engine: Engine, target: Path, data_dir: Path, now: datetime) -> None:
    """A manifest beside the pre-upgrade copy too, so `restore` accepts it (after a failed migration, say).
    The copy itself is already checked; a manifest that cannot be written must not stop the upgrade."""
    from clinic_desktop.storage.audit_chain import AuditKeyring
    from clinic_desktop.storage.backup_manifest import BackupKind
    from clinic_desktop.storage.backup_restore import describe_copy

    try:
        describe_copy(engine.url.render_as_string(hide_password=False), AuditKeyring(data_dir), target,
                      BackupKind.BEFORE_UPGRADE, now, strict=False)
    except (ClinicError, OSError, SQLAlchemyError, sqlite3.Error) as exc:
        log.warning("No manifest was written beside %s: %s", target, exc)


#: Pages copied per step when progress is reported: small enough for a smooth bar, large enough to be quick.
STEP_PAGES = 64


def sqlite_backup(source: Path, target: Path, progress: Callable[[int, int], None] | None = None,
                  check: bool = True) -> None:
    """Copy a live SQLite database page by page with the backup API, then check the copy's integrity.

    `progress(done, total)` is told the pages copied after each step. `check=False` keeps a copy of a
    database that may itself be damaged (the safety copy before a restore) instead of refusing it."""
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)  # left by an interrupted backup: not a database to write into
        os.close(file_modes.create_private(partial))  # SQLite keeps an empty file's mode (and gives it its journal)
        # A percent-encoded URI: a "#", "?" or "%" in a folder name must not cut the path short.
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            dst = sqlite3.connect(partial)
            try:
                if progress is None:
                    src.backup(dst)
                else:
                    # One read transaction held over every step: the copy is one snapshot, and a write by
                    # another process between steps does not restart the backup (it could starve otherwise).
                    src.execute("BEGIN")
                    src.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    src.backup(dst, pages=STEP_PAGES,
                               progress=lambda _status, remaining, total: progress(total - remaining, total))
                    src.execute("COMMIT")
                if check:
                    result = dst.execute("PRAGMA integrity_check").fetchone()[0]
                    if result != "ok":
                        raise BackupError(f"The backup copy failed its integrity check: {result}")
                # The copy is a single self-contained file: no -wal beside it.
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Could not back up the database to {target}: {exc}") from None
    except BackupError:
        partial.unlink(missing_ok=True)
        raise


def pg_dump(engine: Engine, target: Path) -> None:
    """A custom-format dump made with the server's own tool; refuses to proceed without it."""
    tool = shutil.which("pg_dump")
    if tool is None:
        raise BackupError("pg_dump was not found, so the PostgreSQL database cannot be backed up before it is "
                          "upgraded. Install the PostgreSQL client tools and try again.")
    # Into a partial file renamed when complete: a failed dump leaves the file that was there, or nothing.
    partial = target.with_name(target.name + ".partial")
    os.close(file_modes.create_private(partial))  # pg_dump writes into it and keeps its mode
    # The password goes in pg_dump's environment, never on its command line (pg_tools.py).
    result = pg_tools.run([tool, "--format=custom", f"--file={partial}"], engine.url)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    os.replace(partial, target)
