"""What a command may not change in a data folder, as something to compare before and after: every file's
SHA-256, except the log (each command writes a line) and the live database's files, whose bytes SQLite's own
housekeeping moves on every open (the write-ahead log is merged back when the last connection closes). The
database is compared by its rows instead, read without writing."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

#: Moved by SQLite itself, compared by the rows they hold.
LIVE_FILES = ("clinic.db", "clinic.db-wal", "clinic.db-shm", "clinic.db-journal")


def folder_state(folder: Path, audited: bool = False) -> dict[str, str]:
    """File name -> SHA-256 (and "rows of <table>" -> SHA-256 of its rows). `audited=True` leaves out what a
    command that signs someone in and out legitimately adds: the audit log's new entries and its head file
    (check those with audit_actions_after)."""
    state = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or relative.parts[0] == "logs" or str(relative) in LIVE_FILES:
            continue
        if audited and str(relative) == "audit-head.json":
            continue
        state[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    database = folder / "clinic.db"
    if database.exists():
        con = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            for table in tables:
                if audited and table == "audit_log":
                    continue
                digest = hashlib.sha256()
                for row in con.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
                    digest.update(repr(row).encode())
                state[f"rows of {table}"] = digest.hexdigest()
            schema = con.execute("SELECT group_concat(sql, ';') FROM sqlite_master").fetchone()[0]
            state["schema"] = hashlib.sha256(str(schema).encode()).hexdigest()
        finally:
            con.close()
    return state


def last_audit_seq(folder: Path) -> int:
    con = sqlite3.connect(f"{(folder / 'clinic.db').resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()[0]
    finally:
        con.close()


def audit_actions_after(folder: Path, seq: int) -> list[str]:
    con = sqlite3.connect(f"{(folder / 'clinic.db').resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT action FROM audit_log WHERE seq > ? ORDER BY seq", (seq,))]
    finally:
        con.close()
