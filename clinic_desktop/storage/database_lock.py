"""Who has a SQLite clinic database open on this computer. Every open database holds a shared lock on a small
file beside it (`clinic.db.in-use`) for as long as it is open; a restore takes that lock exclusively, so it goes
ahead only when no other window or command has the database open, and none can open it until the swap is done.

SQLite's own locks cannot tell this: an idle connection in WAL mode holds none. The lock is the operating
system's (flock on POSIX, LockFileEx on Windows), so a process that dies lets go of it with no clean-up."""

from __future__ import annotations

import os
import sys
import time
import weakref
from pathlib import Path

from clinic_desktop.domain.errors import ClinicError

SUFFIX = ".in-use"
#: The restored database is prepared here, beside the live one, before it replaces it (see backup_restore).
STAGING_SUFFIX = ".restoring"
#: How long opening waits for a restore under way on this computer before saying so.
OPEN_WAIT_S = 10.0
_POLL_S = 0.05


class DatabaseInUse(ClinicError):
    """Another window or command has the database open (or a restore holds it): the message says what to do."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def staging_path(database: Path) -> Path:
    return database.with_name(database.name + STAGING_SUFFIX)


def pending_head_path(data_dir: Path) -> Path:
    """A PostgreSQL restore notes here the audit head its commit gives the log, until the head file has it."""
    return data_dir / "audit-head.restoring.json"


class Hold:
    """One lock on the in-use file: shared while a database is open, exclusive for a restore. Each hold has
    its own file handle, so two holds in one process see each other as they would across processes."""

    def __init__(self, database: Path, exclusive: bool, wait_s: float) -> None:
        self.path = lock_path(database)
        self.exclusive = exclusive
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        # A database dropped without being closed lets go of its lock too (when it is collected).
        self._closer = weakref.finalize(self, os.close, self._fd)
        deadline = time.monotonic() + wait_s
        try:
            while not _try_lock(self._fd, exclusive):
                if time.monotonic() >= deadline:
                    raise DatabaseInUse(_busy_message(exclusive))
                time.sleep(_POLL_S)
        except BaseException:
            self.release()
            raise

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            self._fd = None
            self._closer()  # closing the handle lets go of its lock


def _busy_message(exclusive: bool) -> str:
    if exclusive:
        return ("Another Clinic Desktop window or command on this computer has the clinic database open, so it "
                "cannot be replaced now: a save made there would be lost. Close every other Clinic Desktop window "
                "(and let any command finish), then restore again. Nothing was changed.")
    return ("A backup is being restored into the clinic database on this computer. Open Clinic Desktop again "
            "once the restore has finished.")


def shared(database: Path, wait_s: float | None = None) -> Hold:
    """Held for as long as the database is open; waits (up to `wait_s`, OPEN_WAIT_S by default) for a restore
    under way."""
    return Hold(database, exclusive=False, wait_s=OPEN_WAIT_S if wait_s is None else wait_s)


def exclusive(database: Path) -> Hold:
    """For a restore: refused at once (DatabaseInUse) while anyone else has the database open."""
    return Hold(database, exclusive=True, wait_s=0.0)


if sys.platform == "win32":
    import ctypes
    import msvcrt
    from ctypes import wintypes

    class _Overlapped(ctypes.Structure):
        _fields_ = [("Internal", ctypes.c_void_p), ("InternalHigh", ctypes.c_void_p), ("Offset", wintypes.DWORD),
                    ("OffsetHigh", wintypes.DWORD), ("hEvent", wintypes.HANDLE)]

    _LOCKFILE_FAIL_IMMEDIATELY, _LOCKFILE_EXCLUSIVE_LOCK = 0x1, 0x2
    _ERROR_LOCK_VIOLATION, _ERROR_IO_PENDING = 33, 997

    def _try_lock(fd: int, exclusive: bool) -> bool:
        flags = _LOCKFILE_FAIL_IMMEDIATELY | (_LOCKFILE_EXCLUSIVE_LOCK if exclusive else 0)
        handle = wintypes.HANDLE(msvcrt.get_osfhandle(fd))
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        if kernel32.LockFileEx(handle, flags, 0, 1, 0, ctypes.byref(_Overlapped())):
            return True
        error = ctypes.get_last_error()
        if error in (_ERROR_LOCK_VIOLATION, _ERROR_IO_PENDING):
            return False
        raise OSError(error, f"cannot lock {fd}")
else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
