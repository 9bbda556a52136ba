"""SQLite's own checks of a database file: damaged pages (quick_check at every open, the full integrity_check in
`audit verify` and before a restore) and rows that point at rows that do not exist (foreign_key_check).

Each returns a sentence naming the first problem, or None when the file passes. PostgreSQL checks its own pages
and enforces its foreign keys on every write, so there is nothing to ask it here."""

from __future__ import annotations

import sqlite3
from typing import Protocol

from sqlalchemy import Engine

#: How many problems SQLite is asked to list: the first is named, the rest are counted.
LISTED = 20


class _Executes(Protocol):  # a sqlite3 connection, or a SQLAlchemy connection's driver connection
    def execute(self, sql: str) -> sqlite3.Cursor: ...


def page_problem(con: _Executes, name: str, quick: bool = False) -> str | None:
    """`PRAGMA quick_check` (quick: every page and record, without comparing indexes to their tables, about
    the cost of reading the file once) or the full `integrity_check`."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = [r[0] for r in con.execute(f"PRAGMA {pragma}({LISTED})").fetchall()]
    except sqlite3.DatabaseError as exc:  # so damaged that the check itself cannot run
        return f"{name} is damaged: SQLite cannot even check it ({exc})."
    # One finding per line, after a "*** in database main ***" heading when SQLite names the database.
    rows = [" ".join(line.split()) for row in rows for line in str(row).splitlines()
            if line.strip() and not line.startswith("***")]
    if rows in (["ok"], []):
        return None
    more = f" (and {len(rows) - 1}{'+' if len(rows) >= LISTED else ''} more problems)" if len(rows) > 1 else ""
    return f"{name} is damaged: SQLite's check finds \"{rows[0]}\"{more}."


def foreign_key_problem(con: _Executes, name: str) -> str | None:
    """Rows whose reference points at no row (a row deleted or edited behind the application's back)."""
    try:
        orphans = con.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return f"{name} is damaged: SQLite cannot check its references ({exc})."
    if not orphans:
        return None
    table, rowid, parent = orphans[0][0], orphans[0][1], orphans[0][2]
    return (f"{name} has {len(orphans)} row{'s' if len(orphans) != 1 else ''} pointing at rows that do not exist "
            f"(the first: row {rowid} of table {table}, pointing into {parent}).")


def file_problem(con: _Executes, name: str) -> str | None:
    """The full check: every page and index, then every reference."""
    return page_problem(con, name) or foreign_key_problem(con, name)


def database_problem(engine: Engine, name: str = "The database") -> str | None:
    """The full check of an open database, for `audit verify`; None on PostgreSQL (see the module's note)."""
    if engine.dialect.name != "sqlite":
        return None
    raw = engine.raw_connection()
    try:
        return file_problem(raw.driver_connection, name)
    finally:
        raw.close()
