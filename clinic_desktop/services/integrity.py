"""`audit verify`, whole: on SQLite the file's own integrity first, then the audit log's chain, then what the log
and the seals say against the rows, the signatures, and the database's own protection of the log. The first
problem found is the one reported, named in words a clinic administrator understands. Runs without a sign-in (the command line) or behind
AuditService.verify (the audit viewer's Verify button, on the window's worker thread).

To add a check, write a function `(session, keyring) -> Finding | None` (storage/row_check.py has the others)
and put it in CHECKS at the place its findings should be reported in."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy.orm import Session

from clinic_desktop.services.signature_check import check_signatures
from clinic_desktop.storage import audit_chain, page_checks
from clinic_desktop.storage.audit_chain import AuditKeyring
from clinic_desktop.storage.row_check import Check, Finding, check_append_only, check_audited_records, check_seals

#: The check run before the chain: a chain read from damaged pages proves little.
DATABASE_FILE = "database file"


INTACT = ("Every record matches its seal and the audit log, every signature holds, and the database still refuses "
          "changes to the log.")


@dataclass(frozen=True)
class Integrity:
    """The result, shaped like audit_chain.Verification (ok, entries, first_bad_seq, problem, message)."""

    ok: bool
    entries: int
    #: The first audit entry found wrong or missing (a problem in the chain), else None.
    first_bad_seq: int | None = None
    problem: str = ""
    #: Which check found the problem ("audit log", "rows", "signatures", ...); "" when intact.
    check: str = ""
    #: The chain's own message (intact or not).
    chain_message: str = ""
    #: What could not be checked but is no alarm (a second copy of the head that is not plugged in).
    notes: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if self.ok:
            return f"{self.chain_message} {INTACT}"
        if self.check == "audit log":
            return self.chain_message
        if self.check == DATABASE_FILE:
            return self.problem
        return f"The clinic's records have been altered: {self.problem}"


def _sqlite_connection(session: Session) -> sqlite3.Connection:
    return session.connection().connection.driver_connection


def check_database_file(session: Session) -> Finding | None:
    """SQLite's full check of every page and index; PostgreSQL checks its own pages."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    problem = page_checks.page_problem(_sqlite_connection(session), "The database")
    return Finding(DATABASE_FILE, problem) if problem is not None else None


def check_references(session: Session, _keyring: AuditKeyring) -> Finding | None:
    """Rows pointing at rows that are gone (SQLite; PostgreSQL enforces its foreign keys on every write). After
    the row checks: a record deleted behind the application's back is better named by them than by the rows
    left pointing at it."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    problem = page_checks.foreign_key_problem(_sqlite_connection(session), "The database")
    return Finding(DATABASE_FILE, problem) if problem is not None else None


#: The checks after the chain, in the order they run (each only if those before it found nothing).
CHECKS: tuple[Check, ...] = (check_seals, check_audited_records, check_signatures, check_append_only,
                             check_references)


def verify(session: Session, keyring: AuditKeyring, checks: tuple[Check, ...] = CHECKS) -> Integrity:
    damaged = check_database_file(session)
    if damaged is not None:
        return Integrity(False, 0, None, damaged.message, damaged.check)
    chain = audit_chain.verify(session, keyring)
    if not chain.ok:
        return Integrity(False, chain.entries, chain.first_bad_seq, chain.problem, "audit log", chain.message,
                         chain.notes)
    for check in checks:
        finding = check(session, keyring)
        if finding is not None:
            return Integrity(False, chain.entries, None, finding.message, finding.check, chain.message, chain.notes)
    return Integrity(True, chain.entries, chain_message=chain.message, notes=chain.notes)
