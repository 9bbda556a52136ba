"""One unit of work per user action: everything commits together or nothing does. A full disk or an I/O
error on the way becomes a StorageError whose message says the action was not saved."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from clinic_desktop.domain.errors import ClinicError, ConcurrentChange

log = logging.getLogger(__name__)

#: SQLite primary result codes (the low byte of an extended code such as SQLITE_IOERR_WRITE).
SQLITE_IOERR, SQLITE_FULL = 10, 13
#: PostgreSQL SQLSTATEs: disk_full, io_error.
PG_DISK_FULL, PG_IO_ERROR = "53100", "58030"
#: PostgreSQL SQLSTATE lock_not_available: a lock was not granted within lock_timeout (e.g. a restore held it).
PG_LOCK_NOT_AVAILABLE = "55P03"


class StorageError(ClinicError):
    """The database could not write (or read) its file: the action was not saved and nothing of it was kept."""


class StorageFull(StorageError):
    """The disk (or the database file's size limit) is full: the action was not saved."""


FULL_MESSAGE = ("The record was not saved: the disk is full (or the database file reached its size limit). "
                "Free some space and try again.")
BUSY_MESSAGE = ("The record was not saved: the database stayed busy for too long (another workstation was holding "
                "it, for example while restoring a backup). Try again in a moment.")
IO_MESSAGE = ("The record was not saved: the computer could not write to the database (a disk input/output "
              "error). Try again; if it happens again, tell your administrator, the disk may be failing.")


def storage_error(exc: BaseException) -> StorageError | None:
    """The StorageError a driver error stands for (full disk, I/O error, a lock not granted in time), or None for
    any other error."""
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    state = getattr(orig, "sqlstate", None)
    text = str(orig).lower()
    if (code is not None and code & 0xFF == SQLITE_FULL) or state == PG_DISK_FULL \
            or "database or disk is full" in text:
        return StorageFull(FULL_MESSAGE)
    if state == PG_LOCK_NOT_AVAILABLE:
        return StorageError(BUSY_MESSAGE)
    if (code is not None and code & 0xFF == SQLITE_IOERR) or state == PG_IO_ERROR or "disk i/o error" in text:
        return StorageError(IO_MESSAGE)
    return None


def stale_save(exc: BaseException) -> ConcurrentChange | None:
    """A versioned row changed by another workstation between this transaction's read and its write (PostgreSQL
    lets the two interleave; SQLite's write lock queues them): the save is refused, never half-applied."""
    if isinstance(exc, StaleDataError):
        return ConcurrentChange("This record was changed on another workstation while you saved. Nothing was "
                                "saved; reload to see the other change, then save again.")
    return None


class UnitOfWork:
    """A session that rolls back unless `commit()` is called before the block ends.

        with db.write() as uow:
            uow.session.add(thing)
            uow.commit()
    """

    def __init__(self, factory: sessionmaker[Session], on_commit: Callable[[dict], None] | None = None,
                 gate: Callable[[], AbstractContextManager[None]] | None = None) -> None:
        self._factory = factory
        self._on_commit = on_commit
        #: Entered for the unit's whole length (a restore in progress holds it shut: see Database.restoring).
        self._gate = gate() if gate is not None else None
        self.session: Session

    def __enter__(self) -> "UnitOfWork":
        if self._gate is not None:
            self._gate.__enter__()
        try:
            self.session = self._factory()
        except BaseException:
            self._leave_gate()
            raise
        return self

    def _leave_gate(self) -> None:
        if self._gate is not None:
            gate, self._gate = self._gate, None
            gate.__exit__(None, None, None)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        mapped = storage_error(exc) or stale_save(exc) if exc is not None else None
        try:
            self.session.rollback()
        except DBAPIError:
            # After a full disk or I/O error SQLite may already have rolled back (or the file is unusable):
            # the error being raised is the one to report, not the failed tidy-up.
            if mapped is None and exc is None:
                raise
            log.warning("Rolling back after a failed save also failed", exc_info=True)
        finally:
            try:
                self.session.close()
            finally:
                self._leave_gate()
        if mapped is not None:
            # Raised from the driver error: every service, and so every screen, sees one clear message.
            raise mapped from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except DBAPIError as exc:
            mapped = storage_error(exc)
            if mapped is None:
                raise
            raise mapped from exc
        if self._on_commit is not None:
            self._on_commit(self.session.info)

    def flush(self) -> None:
        self.session.flush()
