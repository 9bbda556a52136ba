"""Who may read the clinic's files: only the operating-system account that runs the application.

The data folder holds the database (every patient's record), its -wal/-shm files, the backups and their
manifests, the audit key and head, and the log. On POSIX systems the folders are 0700 and the files 0600:

- every file the application writes is created that way from the start, whatever the umask (`open_private`,
  `create_private`), and a file another program creates for us (SQLite's database file) is made private before
  anything is written into it (`make_private`); SQLite gives its -wal, -shm and journal files the mode of the
  database file they belong to;
- at start-up `secure_data_folder` looks at the data folder, `backups/` and `logs/` and at the database file
  and takes away what group and others may do, with one log line per file naming it and its old and new mode.

On Windows these calls change nothing: there a file's access is decided by its ACL, not by mode bits. The default
data folder is under %LOCALAPPDATA%, whose ACL gives access only to the user, SYSTEM and the Administrators
group, and the files in it inherit that. A data folder chosen elsewhere (--data-dir) keeps the ACL of the place
it is in: the README says how to check and narrow it."""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
#: The permission bits of group and others: none may be set on the clinic's files.
_SHARED_BITS = 0o077
#: Mode bits are how POSIX systems decide who may read a file; Windows uses ACLs (see the module's docstring).
ENFORCED = os.name == "posix"


@dataclass(frozen=True)
class Repair:
    """A file or folder whose mode was narrowed at start-up."""

    path: Path
    old: int
    new: int


def private_folder(folder: Path) -> Path:
    """`folder` readable and writable by its owner only; made if missing, with any missing parents made private
    too (the data folder's own parent may be made for it: the logs folder is often opened first)."""
    if folder.exists():
        if not folder.is_dir():  # never a file's mode: the caller names what is wrong
            raise NotADirectoryError(20, "Not a folder", str(folder))
        if ENFORCED:  # an existing folder keeps its own mode otherwise
            os.chmod(folder, PRIVATE_FOLDER)
        return folder
    missing = [folder, *[p for p in folder.parents if not p.exists()]]
    for path in reversed(missing):
        path.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
        if ENFORCED:
            os.chmod(path, PRIVATE_FOLDER)  # mkdir's mode is cut by the umask
    return folder


def create_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """os.open of a file only its owner may read or write, whatever the umask; an existing file opened this
    way is made private too (its content is about to be replaced or extended by ours). Returns the descriptor."""
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), PRIVATE_FILE)
    if ENFORCED:
        try:
            os.fchmod(fd, PRIVATE_FILE)
        except BaseException:
            os.close(fd)
            raise
    return fd


def open_private(path: Path, mode: str = "w", encoding: str | None = "utf-8", **kwargs: object) -> IO:
    """Like open(path, mode) for writing ("w", "wb", "a", "x"...), the file created private from the start."""
    flags = {"w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC, "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
             "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL}[mode[0]]
    fd = create_private(path, flags)
    if "b" in mode:
        return os.fdopen(fd, mode)
    return os.fdopen(fd, mode, encoding=encoding, **kwargs)  # type: ignore[arg-type]


def write_private_text(path: Path, text: str) -> None:
    with open_private(path) as handle:
        handle.write(text)


def make_private(path: Path) -> None:
    """A file another program created for us (SQLite's database file), made private before it holds anything;
    a missing one is created empty and private first, so the program opens ours instead of creating its own."""
    if not path.exists():
        os.close(create_private(path, os.O_WRONLY | os.O_CREAT))
    elif ENFORCED:
        os.chmod(path, PRIVATE_FILE)


# --- the check at start-up ----------------------------------------------------------------------------------

def secure_data_folder(data_dir: Path, folders: Iterable[Path] = (), files: Iterable[Path] = ()) -> list[Repair]:
    """Make the data folder private (creating it), and narrow what group and others may do with every regular
    file directly in it and in `folders` (backups, logs), and with `files` (a database kept elsewhere and its
    -wal/-shm). Each repair is logged with the file's name and its old and new mode; symbolic links are left
    alone (a link in the data folder must not make us change the mode of whatever it points to)."""
    before = _mode(data_dir) if data_dir.is_dir() and not data_dir.is_symlink() else None
    private_folder(data_dir)
    repairs = []
    if before is not None and ENFORCED and before != PRIVATE_FOLDER:
        repairs.append(_logged(Repair(data_dir, before, PRIVATE_FOLDER)))
    if not ENFORCED:
        return repairs
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink():
            repairs += _narrowed(folder, folder=True)
    for folder in (data_dir, *[f for f in folders if f.is_dir() and not f.is_symlink()]):
        for entry in sorted(folder.iterdir()):
            repairs += _narrowed(entry, folder=False)
    for path in files:
        repairs += _narrowed(path, folder=False)
    return repairs


def _narrowed(path: Path, folder: bool) -> list[Repair]:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return []
    wanted = stat.S_ISDIR(info.st_mode) if folder else stat.S_ISREG(info.st_mode)
    old = stat.S_IMODE(info.st_mode)
    if not wanted or not old & _SHARED_BITS:
        return []
    new = PRIVATE_FOLDER if folder else old & ~_SHARED_BITS & 0o777
    try:
        os.chmod(path, new)
    except OSError as exc:  # another user's file in our folder: say so, and carry on
        log.warning("Could not make %s private (mode %s): %s", path, _octal(old), exc.strerror or exc)
        return []
    return [_logged(Repair(path, old, new))]


def _logged(repair: Repair) -> Repair:
    log.warning("%s could be read by other users of this computer: its mode was changed from %s to %s",
                repair.path, _octal(repair.old), _octal(repair.new))
    return repair


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _octal(mode: int) -> str:
    return f"{mode:04o}"


def sync_folder(folder: Path) -> None:
    """Make a rename or removal in `folder` durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
