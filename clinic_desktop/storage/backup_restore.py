"""Taking a verified backup with its manifest, verifying one before use, and restoring it over the live database."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from clinic_desktop import __version__
from clinic_desktop.storage import audit_chain, migration_guard, schema
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
        result = audit_chain.verify(session, _KnownHead(keyring, head(seq)))
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
        target.parent.mkdir(parents=True, exist_ok=True)
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
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools and try again.")
    return tool


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
            verified = audit_chain.verify(session, keyring)
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


def restore_backup(backup: Path, url: str, keyring: AuditKeyring, backups_dir: Path, now: datetime,
                   progress: Progress | None = None) -> Restored:
    """Verify, keep a safety copy of the live database, restore, then reset the audit head to the backup's.
    The caller opens the result with open_database and verifies it (see verify_restored)."""
    manifest = verify_backup(backup, keyring, url)
    safety = None
    live_path = Path(make_url(url).database or "") if is_sqlite(url) else None
    if live_path is None or live_path.exists():
        safety = automatic_target(backups_dir, BackupKind.BEFORE_RESTORE, now, url)
        take_backup(url, keyring, safety, BackupKind.BEFORE_RESTORE, now, strict=False)
    if live_path is not None:
        _sqlite_restore(backup, live_path, progress)
        # The restored file replaces whatever an interrupted upgrade left: its marker no longer applies.
        migration_guard.finish(migration_guard.marker_path(live_path))
    else:
        _pg_restore(backup, url)
    # The head file described the database that was replaced; the restored log ends at the backup's head.
    keyring.head_path.unlink(missing_ok=True)
    if manifest.audit_seq:
        keyring.write_head(manifest.audit_seq, manifest.audit_hash)
    log.warning("Restored the backup %s (taken %s); the database as it was is kept as %s", backup.name,
                manifest.created_at, safety.name if safety else "(none)")
    return Restored(manifest, safety)


def _sqlite_restore(backup: Path, live: Path, progress: Progress | None) -> None:
    """The backup API writing into the live file through an ordinary connection: it takes the write lock,
    goes through the WAL like any write, and other connections see either the old or the new database."""
    try:
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
    except sqlite3.Error as exc:
        raise BackupError(f"Restoring {backup.name} into {live} failed ({exc}); the database is as it was, and a "
                          "safety copy was kept in the backups folder.") from None


def _pg_restore(dump: Path, url: str) -> None:
    target = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    result = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--single-transaction",
                             "--no-owner", f"--dbname={target}", str(dump)], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, so nothing was changed: {result.stderr.strip()}")


def verify_restored(session: Session, keyring: AuditKeyring, sqlite: bool) -> None:
    """After a restore and open: the live database is intact and its audit log verifies with the new head."""
    if sqlite:
        integrity = session.execute(text("PRAGMA integrity_check")).scalar()
        orphans = session.execute(text("PRAGMA foreign_key_check")).all()
        if integrity != "ok" or orphans:
            raise BackupError(f"The restored database does not verify (integrity: {integrity}; "
                              f"{len(orphans)} broken references).")
    result = audit_chain.verify(session, keyring)
    if not result.ok:
        raise BackupError(f"The restored database's audit log does not verify: {result.message}")

