"""Taking a verified backup with its manifest, verifying one before use, and restoring it over the live database."""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import Connection, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from clinic_desktop import __version__
from clinic_desktop.storage import audit_chain, database_lock, file_modes, migration_guard, pg_tools, schema
from clinic_desktop.storage.audit_chain import GENESIS, AuditKeyring
from clinic_desktop.storage.backup import STEP_PAGES, BackupError, pg_dump, sqlite_backup
from clinic_desktop.storage.backup_manifest import (
    PREFIXES,
    BackupKind,
    Manifest,
    check_hash,
    read_manifest,
    sha256_of,
    write_manifest,
)
from clinic_desktop.storage.models import AuditEntry
from clinic_desktop.storage.page_checks import file_problem

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CopyState:
    """What a verified copy holds."""

    revision: str | None
    audit_seq: int
    audit_hash: str


class _KnownHead(AuditKeyring):
    """The data folder's key, but a head given by the caller: a backup's own head (from its manifest), not
    the live database's head file, which has moved on since the backup was taken."""

    def __init__(self, keyring: AuditKeyring, head: tuple[int, str] | None) -> None:
        super().__init__(keyring.folder)
        self._real, self._head = keyring, head

    def key(self, create: bool = False) -> bytes:
        return self._real.key(False)  # verifying never makes a key

    def read_head(self) -> tuple[int, str] | None:
        return self._head

    def write_head(self, seq: int, entry_hash: str) -> None:
        raise AssertionError("verifying a backup never writes a head")


def source_text(url: str) -> str:
    """The SQLite path, or the server URL without its password, for manifests and messages."""
    parsed = make_url(url)
    return parsed.database or "" if parsed.get_backend_name() == "sqlite" else parsed.render_as_string(hide_password=True)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# --- SQLite files ------------------------------------------------------------------------------------------

def check_sqlite_file(path: Path, keyring: AuditKeyring, head: Callable[[int], tuple[int, str] | None]) -> CopyState:
    """integrity_check, foreign_key_check, a known schema revision and the audit chain with this folder's key.
    `head(last_seq)` says which head the log must reach (None: the chain alone)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            problem = file_problem(con, path.name)
            if problem is not None:
                raise BackupError(problem)
        finally:
            con.close()
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool,
                               hide_parameters=True)
        try:
            with Session(engine) as session:
                return _check_contents(session, path.name, keyring, head)
        finally:
            engine.dispose()
    except (sqlite3.Error, SQLAlchemyError) as exc:
        raise BackupError(f"{path.name} cannot be read as a clinic database: {getattr(exc, 'orig', None) or exc}") from None


def _check_contents(session: Session, name: str, keyring: AuditKeyring,
                    head: Callable[[int], tuple[int, str] | None]) -> CopyState:
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision is None or not schema.is_known(revision):
        raise BackupError(f"{name} holds schema {revision or 'none'}, which this version of clinic_desktop does not "
                          f"know (it knows up to {schema.HEAD}): it was made by a newer version. Install that "
                          "version to restore it.")
    if not inspect(session.connection()).has_table(AuditEntry.__tablename__):
        return CopyState(revision, 0, GENESIS)  # a schema from before the audit log (a pre-upgrade copy): no chain
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, entry_hash = (last.seq, last.hash) if last else (0, GENESIS)
    try:
        result = audit_chain.verify(session, _KnownHead(keyring, head(seq)), witnesses=False)
    except audit_chain.AuditKeyError as exc:
        raise BackupError(exc.message) from None
    if not result.ok:
        raise BackupError(f"The audit log in {name} does not verify with this data folder's audit key "
                          f"({result.message}) A backup taken in another clinic's data folder, or one whose "
                          "audit log was altered, cannot be restored here.")
    return CopyState(revision, seq, entry_hash)


# --- taking a backup ---------------------------------------------------------------------------------------

def take_backup(url: str, keyring: AuditKeyring, target: Path, kind: BackupKind, now: datetime,
                progress: Progress | None = None, strict: bool = True) -> Manifest:
    """A consistent copy, verified, with its manifest beside it. `strict=False` (the safety copy before a
    restore) keeps a copy that does not verify, marked so in its manifest, instead of refusing."""
    try:
        if not target.parent.is_dir():  # a folder of the user's choosing that exists keeps its own mode
            file_modes.private_folder(target.parent)  # (and a file in the way is refused)
    except OSError as exc:
        raise BackupError(f"Cannot create the folder {target.parent}: {exc.strerror or exc}.") from None
    if is_sqlite(url):
        sqlite_backup(Path(make_url(url).database or ""), target, progress, check=strict)
    else:
        pg_dump(create_engine(url, poolclass=NullPool, hide_parameters=True), target)
    manifest = describe_copy(url, keyring, target, kind, now, strict)
    log.info("Backup taken: %s (%s%s)", target.name, kind.value, "" if manifest.verified else ", does not verify")
    return manifest


def describe_copy(url: str, keyring: AuditKeyring, target: Path, kind: BackupKind, now: datetime,
                  strict: bool = True) -> Manifest:
    """Verify a copy just taken of the database at `url` and write its manifest; with `strict` a copy that
    does not verify raises (after its manifest, saying why, is written)."""
    problem, state = "", CopyState(None, 0, GENESIS)
    if is_sqlite(url):
        live = keyring.read_head()

        def head(last_seq: int) -> tuple[int, str] | None:
            # Another process may commit after the snapshot: only a head the copy has reached must be in it.
            return live if live is not None and live[0] <= last_seq else None
        try:
            state = check_sqlite_file(target, keyring, head)
        except BackupError as exc:
            problem = exc.message
    else:
        try:
            state = _check_pg_dump(url, target, keyring)
        except (BackupError, audit_chain.AuditKeyError) as exc:
            problem = exc.message
    manifest = Manifest(file=target.name, sha256=sha256_of(target), size=target.stat().st_size,
                        created_at=now.astimezone(timezone.utc).isoformat(), kind=kind.value,
                        engine="sqlite" if is_sqlite(url) else "postgresql", schema_revision=state.revision,
                        audit_seq=state.audit_seq, audit_hash=state.audit_hash, source=source_text(url),
                        app_version=__version__, verified=not problem, problem=problem)
    write_manifest(target, manifest)
    if problem and strict:
        raise BackupError(f"The backup written to {target} does not verify: {problem}")
    return manifest


def automatic_target(folder: Path, kind: BackupKind, now: datetime, url: str) -> Path:
    """A new file name in the backups folder; a second backup in the same second gets a suffix, never overwrites."""
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    suffix = ".db" if is_sqlite(url) else ".dump"
    target, n = folder / f"{PREFIXES[kind]}{stamp}{suffix}", 1
    while target.exists():
        n += 1
        target = folder / f"{PREFIXES[kind]}{stamp}-{n}{suffix}"
    return target


# --- PostgreSQL dumps --------------------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    try:
        return pg_tools.find_tool(name)
    except pg_tools.ToolMissing as exc:
        raise BackupError(exc.message) from None


def pg_list(dump: Path) -> str:
    """The dump's table of contents; pg_restore refuses a damaged or foreign file here."""
    result = subprocess.run([_pg_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise BackupError(f"{dump.name} is not a readable PostgreSQL dump: {result.stderr.strip()}")
    return result.stdout


def _check_pg_dump(url: str, dump: Path, keyring: AuditKeyring) -> CopyState:
    """The dump lists, the live log verifies, and the dump's newest audit entry is the live log's entry."""
    if "TABLE DATA public audit_log" not in pg_list(dump):
        raise BackupError(f"{dump.name} holds no audit log: it is not a clinic database dump.")
    result = subprocess.run([_pg_tool("pg_restore"), "--data-only", "--table=audit_log", "--file=-", str(dump)],
                            capture_output=True, text=True, check=False)
    seq, entry_hash = _last_copied_entry(result.stdout)
    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
    try:
        with Session(engine) as session:
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
            # The chain and the head file, as a SQLite copy is checked: a backup is still taken when another
            # witness disagrees (that is reported at sign-in and by verify), since it may be what is needed next.
            verified = audit_chain.verify(session, keyring, witnesses=False)
            live_hash = session.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq)).scalar()
    finally:
        engine.dispose()
    if not verified.ok:
        raise BackupError(verified.message)
    if seq and live_hash != entry_hash:
        raise BackupError(f"The dump's audit entry {seq} differs from the database's.")
    return CopyState(revision, seq, entry_hash)


def _last_copied_entry(sql: str) -> tuple[int, str]:
    """(seq, hash) of the last row in the dump's COPY block for audit_log."""
    columns: list[str] = []
    last: tuple[int, str] = (0, GENESIS)
    for line in sql.splitlines():
        if line.startswith("COPY public.audit_log ("):
            columns = [c.strip().strip('"') for c in line[line.index("(") + 1:line.index(")")].split(",")]
        elif columns and line == "\\.":
            break
        elif columns:
            values = line.split("\t")
            seq = int(values[columns.index("seq")])
            if seq > last[0]:
                last = (seq, values[columns.index("hash")])
    return last


# --- verifying and restoring -------------------------------------------------------------------------------

def verify_backup(backup: Path, keyring: AuditKeyring, url: str) -> Manifest:
    """Everything checked before a restore: manifest present and matching, right kind of database, readable,
    intact, a schema this program knows, and (SQLite) the audit chain up to the manifest's head."""
    manifest = read_manifest(backup)
    check_hash(backup, manifest)
    wanted = "sqlite" if is_sqlite(url) else "postgresql"
    if manifest.engine != wanted:
        raise BackupError(f"{backup.name} is a {manifest.engine} backup; this clinic uses {wanted}.")
    revision = manifest.schema_revision
    if revision is None or not schema.is_known(revision):
        raise BackupError(f"{backup.name} holds schema {revision or 'none'}, which this version does not know (it "
                          f"knows up to {schema.HEAD}): install the newer version to restore it.")
    if wanted == "sqlite":
        head = (manifest.audit_seq, manifest.audit_hash) if manifest.audit_seq else None
        state = check_sqlite_file(backup, keyring, lambda _last: head)
        if (state.revision, state.audit_seq, state.audit_hash) != (revision, manifest.audit_seq, manifest.audit_hash):
            raise BackupError(f"{backup.name} does not hold what its manifest says.")
    else:
        pg_list(backup)
    return manifest


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    #: The database as it was just before the restore.
    safety_copy: Path | None
    #: (seq, hash) of the newest audit entry of the database that was replaced, None when it had none: the
    #: restore's audit entry records it (head_witness.restore_details), so the witnesses of that log are explained.
    replaced: tuple[int, str] | None = None


#: `record(session, restored)` writes the restore's audit entry in a session of the restored database, before
#: that database replaces the live one (so the restored database is never in place without it).
Record = Callable[[Session, Restored], None]


def restore_backup(backup: Path, url: str, keyring: AuditKeyring, backups_dir: Path, now: datetime,
                   progress: Progress | None = None, record: Record | None = None) -> Restored:
    """Verify; then, holding the database exclusively (refused while any other window, command or workstation
    has it open): keep a safety copy, prepare the restored database with its audit entry (`record`), put it in
    place in one transaction, and move the audit head to it. Killed at any point, the old database is left, or
    the new one with its audit entry (the head catches up at the next open: finish_interrupted_restore)."""
    manifest = verify_backup(backup, keyring, url)
    if is_sqlite(url):
        safety, replaced = _restore_sqlite_file(backup, Path(make_url(url).database or ""), keyring, backups_dir,
                                                now, progress, _recording(record, backup))
    else:
        safety, replaced = _restore_pg(backup, url, keyring, backups_dir, now, _recording(record, backup))
    log.warning("Restored the backup %s (taken %s); the database as it was is kept as %s", backup.name,
                manifest.created_at, safety.name if safety else "(none)")
    return Restored(manifest, safety, replaced)


def _head_or_file(newest: Callable[[], tuple[int, str] | None], keyring: AuditKeyring) -> tuple[int, str] | None:
    """The newest audit entry of the database about to be replaced; the head file's when that database cannot
    be read (the damaged database a restore is replacing)."""
    try:
        return newest()
    except (sqlite3.Error, SQLAlchemyError):
        head = keyring.read_head()
        return head if head is not None and head[0] > 0 else None


#: `recording(session, safety_copy, replaced_head)`: `record` with the backup's manifest bound.
Recording = Callable[[Session, Path | None, tuple[int, str] | None], None]


def _recording(record: Record | None, backup: Path) -> Recording | None:
    if record is None:
        return None
    manifest = read_manifest(backup)
    return lambda session, safety, replaced: record(session, Restored(manifest, safety, replaced))


def _known(record: Recording | None, safety: Path | None,
           replaced: tuple[int, str] | None) -> Callable[[Session], None] | None:
    return None if record is None else functools.partial(record, safety=safety, replaced=replaced)


def _restore_sqlite_file(backup: Path, live: Path, keyring: AuditKeyring, backups_dir: Path, now: datetime,
                         progress: Progress | None,
                         record: Recording | None) -> tuple[Path | None, tuple[int, str] | None]:
    live.parent.mkdir(parents=True, exist_ok=True)
    hold = database_lock.exclusive(live)  # no one else has it open, and no one opens it until we are done
    try:
        if database_lock.staging_path(live).exists():
            finish_interrupted_restore(live, keyring)
        safety, replaced = None, None
        if live.exists():
            replaced = _head_or_file(lambda: _newest_entry(live, strict=True), keyring)
            safety = automatic_target(backups_dir, BackupKind.BEFORE_RESTORE, now, f"sqlite:///{live}")
            take_backup(f"sqlite:///{live}", keyring, safety, BackupKind.BEFORE_RESTORE, now, strict=False)
        staging, head = _stage(backup, live, keyring, backups_dir, now, _known(record, safety, replaced))
        # The one step that changes the live file: a single transaction, so a kill leaves old or new.
        _sqlite_restore(staging, live, progress)
        # The restored file replaces whatever an interrupted upgrade left: its marker no longer applies.
        migration_guard.finish(migration_guard.marker_path(live))
        _move_head(keyring, head)
        _remove_staging(live)  # last: while it is there, the next open checks the head (see above)
        return safety, replaced
    finally:
        hold.release()


class _StagedHead(_KnownHead):
    """The head of the database being prepared: kept here, not in the head file, which describes the live
    database until the restored one replaces it."""

    def write_head(self, seq: int, entry_hash: str, at: datetime | None = None) -> None:
        self._head = (seq, entry_hash)


def _stage(backup: Path, live: Path, keyring: AuditKeyring, backups_dir: Path, now: datetime,
           record: Callable[[Session], None] | None) -> tuple[Path, tuple[int, str] | None]:
    """The backup copied beside the live file, opened as at start-up (an older schema is upgraded), given the
    restore's audit entry and verified. Returns the copy and its audit head."""
    from clinic_desktop.storage.database import open_database  # database imports this module on first use

    _remove_staging(live)
    staging = database_lock.staging_path(live)
    manifest = read_manifest(backup)
    try:
        shutil.copyfile(backup, staging)
    except OSError as exc:
        _remove_staging(live)
        raise BackupError(f"Could not copy {backup.name} beside the database ({exc.strerror or exc}); nothing was "
                          "changed.") from None
    try:
        staged = open_database(f"sqlite:///{staging}", backups_dir, now, keyring.folder)
        held = _StagedHead(keyring, (manifest.audit_seq, manifest.audit_hash) if manifest.audit_seq else None)
        staged.keyring = held
        try:
            if record is not None:
                with staged.write() as uow:
                    record(uow.session)
                    uow.commit()
            with staged.read() as uow:
                verify_restored(uow.session, held, sqlite=True)
        finally:
            staged.close()  # the last connection: its write-ahead log is folded in and removed
    except BaseException:
        _remove_staging(live)
        raise
    # The copy's newest entry, read back: its head file update is skipped when the live head file is missing.
    return staging, _newest_entry(staging) or held.read_head()


def _move_head(keyring: AuditKeyring, head: tuple[int, str] | None) -> None:
    """The head file described the database that was replaced; the restored log ends at `head`."""
    if head is not None:
        keyring.reset_head(*head)  # keeps the second location of the head, if one is set
    else:
        keyring.head_path.unlink(missing_ok=True)


def _remove_staging(live: Path) -> None:
    staging = database_lock.staging_path(live)
    for path in [staging.with_name(staging.name + c) for c in migration_guard.COMPANIONS] + [
            database_lock.lock_path(staging), migration_guard.marker_path(staging)]:
        path.unlink(missing_ok=True)


def _newest_entry(path: Path, strict: bool = False) -> tuple[int, str] | None:
    """The file's newest audit entry; None when its log is empty, or (unless `strict`) when it cannot be read."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        if strict:
            raise
        return None
    return (int(row[0]), str(row[1])) if row else None


def finish_interrupted_restore(live: Path, keyring: AuditKeyring) -> None:
    """A restore was killed and left its prepared copy beside the database. If the copy had replaced the live
    database (the live log ends at the copy's newest entry), the head file is moved to it, as the restore would
    have; otherwise the live database is the old one and its head stands. The copy is removed either way."""
    staged = _newest_entry(database_lock.staging_path(live))
    if staged is not None and staged == _newest_entry(live):
        _move_head(keyring, staged)
        log.warning("A restore was interrupted after the restored database was in place; its audit head is "
                    "recorded now")
    else:
        log.warning("A restore was interrupted before it replaced the database, which is as it was")
    _remove_staging(live)


def _sqlite_restore(backup: Path, live: Path, progress: Progress | None) -> None:
    """The backup API writing into the live file through an ordinary connection: it takes the write lock,
    goes through the WAL like any write, and commits once at the end, so a kill leaves the old database."""
    try:
        file_modes.make_private(live)  # a missing live file is made private before SQLite writes into it
        src = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(live, timeout=10, isolation_level=None)
            try:
                dst.execute("PRAGMA synchronous = FULL")
                src.backup(dst, pages=STEP_PAGES if progress else -1,
                           progress=(lambda _s, remaining, total: progress(total - remaining, total)) if progress
                           else None)
            finally:
                dst.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"Restoring {backup.name} into {live} failed ({exc}); the database is as it was, and a "
                          "safety copy was kept in the backups folder.") from None


def _restore_pg(backup: Path, url: str, keyring: AuditKeyring, backups_dir: Path, now: datetime,
                record: Recording | None) -> tuple[Path, tuple[int, str] | None]:
    """pg_restore in one transaction while this is the only session on the database, then the restore's audit
    entry. The append lock is held throughout: a workstation that connects meanwhile cannot have a save
    acknowledged before the swap (its save waits, then fails on the lock timeout, and is not kept)."""
    from clinic_desktop.storage.database import open_database  # database imports this module on first use

    engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
    try:
        with engine.connect() as guard:
            guard.execute(text("SELECT pg_advisory_lock(:k)"), {"k": audit_chain.PG_APPEND_LOCK})
            guard.commit()
            _refuse_other_sessions(guard)
            replaced = _head_or_file(lambda: _newest_pg_entry(guard), keyring)
            safety = automatic_target(backups_dir, BackupKind.BEFORE_RESTORE, now, url)
            take_backup(url, keyring, safety, BackupKind.BEFORE_RESTORE, now, strict=False)
            recording = _known(record, safety, replaced)
            same_schema = read_manifest(backup).schema_revision == schema.HEAD
            with Session(bind=guard) as session:
                # The dump's SQL and the restore's entry in one transaction: a kill leaves old or new-with-entry.
                _run_dump_sql(session, backup)
                if recording is not None and same_schema:
                    recording(session)
                head = _commit_noting_head(session, keyring)
            if not same_schema:
                # Opened as at start-up: the older schema is upgraded (after its own backup), then given its entry.
                open_database(url, backups_dir, now, keyring.folder).close()
                if recording is not None:
                    with Session(bind=guard) as session:
                        recording(session)
                        head = _commit_noting_head(session, keyring)
            _move_head(keyring, head)
            database_lock.pending_head_path(keyring.folder).unlink(missing_ok=True)
            with Session(bind=guard) as session:
                verify_restored(session, keyring, sqlite=False)
    finally:
        engine.dispose()
    return safety, replaced


def _commit_noting_head(session: Session, keyring: AuditKeyring) -> tuple[int, str] | None:
    """Commit, noting first (beside the head file) the head the committed log will have: if the process dies
    between the commit and moving the head, the next open moves it (finish_interrupted_pg_restore)."""
    session.flush()
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    head = (int(last.seq), str(last.hash)) if last else None
    if head is not None:
        note = database_lock.pending_head_path(keyring.folder)
        partial = note.with_name(note.name + ".partial")
        partial.write_text(json.dumps({"seq": head[0], "hash": head[1]}))
        os.replace(partial, note)
    session.commit()
    return head


def finish_interrupted_pg_restore(session: Session, keyring: AuditKeyring) -> None:
    """A restore noted the head its commit would give the log and was killed before moving the head file: if the
    log ends there, the commit happened and the head follows it; otherwise the database is the old one."""
    note = database_lock.pending_head_path(keyring.folder)
    try:
        data = json.loads(note.read_text())
        noted = (int(data["seq"]), str(data["hash"]))
    except (OSError, ValueError, KeyError, TypeError):
        noted = None
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    if noted is not None and last is not None and (last.seq, last.hash) == noted:
        _move_head(keyring, noted)
        log.warning("A restore was interrupted after the restored database was committed; its audit head is "
                    "recorded now")
    note.unlink(missing_ok=True)


#: How long a connection closed just before a restore may still be listed by the server.
_CLOSING_GRACE_S = 2.0


def _newest_pg_entry(connection: Connection) -> tuple[int, str] | None:
    try:
        last = connection.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc())
                                  .limit(1)).first()
    finally:
        connection.rollback()
    return (int(last.seq), str(last.hash)) if last else None


def _refuse_other_sessions(connection: Connection) -> None:
    """DatabaseInUse naming how many workstations (and other programs) are connected to this database."""
    from clinic_desktop.storage.database import WORKSTATION

    # A connection this process has just closed (the window's pool, disposed for the restore) leaves the
    # server's list a moment after it is gone: look again for a short while before refusing.
    deadline = time.monotonic() + _CLOSING_GRACE_S
    while True:
        names = connection.execute(text(
            "SELECT DISTINCT coalesce(nullif(application_name, ''), 'another program') FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
            "ORDER BY 1")).scalars().all()
        connection.commit()
        if not names:
            return
        if time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    shown = ", ".join(n.replace(WORKSTATION, "this computer") for n in names[:5]) + (", ..." if len(names) > 5 else "")
    many = len(names) != 1
    raise database_lock.DatabaseInUse(
        f"{len(names)} other workstation{'s are' if many else ' is'} connected to the clinic database ({shown}), "
        "so it cannot be replaced now: a save made there would be lost. Ask everyone to close Clinic Desktop on "
        f"{'those workstations' if many else 'that workstation'}, then restore again. Nothing was changed.")


#: psql's own commands that pg_restore writes into its SQL (they guard psql, which is not used here).
_PSQL_COMMANDS = (b"\\restrict ", b"\\unrestrict ")


def _run_dump_sql(session: Session, dump: Path) -> None:
    """pg_restore turns the dump into SQL (dropping and re-creating every table, then COPY blocks of data), run
    here in the session's transaction: nothing is committed until the caller commits, so a process killed
    midway leaves the database as it was. pg_restore itself never connects (no password on its command line)."""
    proc = subprocess.Popen([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--file=-", str(dump)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    import psycopg  # the PostgreSQL driver, present whenever a PostgreSQL database is in use

    raw = session.connection().connection.dbapi_connection
    try:
        try:
            with raw.cursor() as cursor:
                _feed(cursor, iter(proc.stdout))
            session.execute(text("RESET ALL"))  # the dump's SET search_path = '' and the rest, for what follows
        except (SQLAlchemyError, psycopg.Error) as exc:
            raise BackupError(f"Restoring {dump.name} failed, so nothing was changed: "
                              f"{getattr(exc, 'orig', None) or exc}") from None
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        proc.stdout.close()
    error = proc.stderr.read().decode(errors="replace").strip()
    proc.stderr.close()
    if proc.wait() != 0:
        raise BackupError(f"pg_restore could not read {dump.name}, so nothing was changed: {error}")


def _feed(cursor: Any, lines: Iterator[bytes]) -> None:
    """Statements between COPY blocks are sent as they come; each COPY block's rows go through COPY FROM STDIN."""
    pending: list[bytes] = []
    for line in lines:
        if line.startswith(b"COPY ") and line.rstrip().endswith(b"FROM stdin;"):
            _send(cursor, pending)
            with cursor.copy(line.rstrip().decode()) as copy:
                for row in lines:
                    if row.rstrip(b"\r\n") == b"\\.":
                        break
                    copy.write(row)
                else:
                    raise BackupError("The dump's data ends in the middle of a table.")
        elif not line.startswith(_PSQL_COMMANDS):
            pending.append(line)
    _send(cursor, pending)


def _send(cursor: Any, pending: list[bytes]) -> None:
    sql = b"".join(pending).decode()
    pending.clear()
    if sql.strip():
        cursor.execute(sql)


def verify_restored(session: Session, keyring: AuditKeyring, sqlite: bool) -> None:
    """After a restore and open: the live database is intact and its audit log verifies with the new head."""
    if sqlite:
        integrity = session.execute(text("PRAGMA integrity_check")).scalar()
        orphans = session.execute(text("PRAGMA foreign_key_check")).all()
        if integrity != "ok" or orphans:
            raise BackupError(f"The restored database does not verify (integrity: {integrity}; "
                              f"{len(orphans)} broken references).")
    # Against the head the restore wrote: the other witnesses wait for the restore's own entry (which names
    # the head it replaced, so they are explained).
    result = audit_chain.verify(session, keyring, witnesses=False)
    if not result.ok:
        raise BackupError(f"The restored database's audit log does not verify: {result.message}")

