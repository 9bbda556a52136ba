"""Files a person names (a PDF to save, an audit export, a backup's destination): the one rule for what may be
written, and writing so that a failure leaves the old file or nothing.

Refused: the live database and its -wal/-shm/-journal files, the audit key and head file, anything else inside
the data folder except a new file directly in its backups/ folder, a folder, a device, pipe or socket, and an
existing file unless the caller says to replace it (the window's save dialog has asked; the command line needs
--force). Paths are compared as the file system sees them (symbolic links, "..", another spelling of the same
file on a case-insensitive disk, a hard link), not as typed.

Every database opened by this process (Services.build) registers its places here, so every writer protects
every clinic this process has open without being handed them."""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.settings import shown_path
from clinic_desktop.storage import file_modes

if TYPE_CHECKING:
    from clinic_desktop.storage.database import Database

#: Beside the database: SQLite's write-ahead log, its shared-memory index and its rollback journal.
DATABASE_COMPANIONS = (("", "the clinic's live database"), ("-wal", "the live database's write-ahead log"),
                       ("-shm", "the live database's shared-memory file"), ("-journal", "the live database's journal"))
#: What the command line adds to "already exists".
FORCE_HINT = ", or add --force to replace it"


class OutputRefused(ValidationError):
    """A file that must not be written there: the message says which and why, in one sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


@dataclass(frozen=True)
class ProtectedPlaces:
    """One clinic's data folder, its backups folder, and the files in it that are never written by a person's
    choice (each with what it is, for the message)."""

    data_dir: Path
    backups_dir: Path
    files: tuple[tuple[Path, str], ...]

    @classmethod
    def of(cls, data_dir: Path, database: Path | None, key_file: Path | None = None,
           head_file: Path | None = None) -> ProtectedPlaces:
        from clinic_desktop.storage.audit_chain import HEAD_FILE, KEY_FILE

        files = [(Path(f"{database}{suffix}"), what) for suffix, what in DATABASE_COMPANIONS] if database else []
        files += [(key_file or data_dir / KEY_FILE, "the audit log's key"),
                  (head_file or data_dir / HEAD_FILE, "the audit log's head file")]
        return cls(_absolute(data_dir), _absolute(data_dir / "backups"), tuple((_absolute(p), w) for p, w in files))

    @classmethod
    def of_database(cls, db: Database) -> ProtectedPlaces:
        keyring = db.keyring
        return cls.of(keyring.folder, db.sqlite_path, keyring.key_path, keyring.head_path)


_protected: list[ProtectedPlaces] = []
_lock = threading.Lock()


def protect(places: ProtectedPlaces) -> None:
    """Protect this clinic's places from every write through this module, for the life of the process."""
    with _lock:
        if places not in _protected:
            _protected.append(places)


def protected_places() -> tuple[ProtectedPlaces, ...]:
    with _lock:
        return tuple(_protected)


def check_output(target: Path, replace: bool = False, *, how_to_replace: str = "",
                 places: tuple[ProtectedPlaces, ...] | None = None) -> Path:
    """The file to write for `target` (absolute, links followed), or OutputRefused saying why not.
    `how_to_replace` ends the "already exists" sentence (the command line's FORCE_HINT)."""
    shown = shown_path(target)
    try:
        path = Path(os.path.abspath(os.fspath(target)))
        real = path.resolve()
        now = _stat(real, shown)
        parent = _stat(real.parent, shown)
    except (OSError, ValueError) as exc:  # a name too long, a NUL character
        raise OutputRefused(f"Cannot write {shown}: {getattr(exc, 'strerror', None) or exc}.") from None
    if now is not None and stat.S_ISDIR(now.st_mode):
        raise OutputRefused(f"{shown} is a folder: give the name of a file to write.")
    if now is not None and not stat.S_ISREG(now.st_mode):
        raise OutputRefused(f"{shown} is not an ordinary file (a device, pipe or socket): give the name of a file.")
    for clinic in protected_places() if places is None else places:
        _refuse_clinic_file(real, now, parent, clinic, shown)
    if parent is None:
        raise OutputRefused(f"Cannot write {shown}: the folder {shown_path(real.parent)} does not exist.")
    if not stat.S_ISDIR(parent.st_mode):
        raise OutputRefused(f"Cannot write {shown}: {shown_path(real.parent)} is not a folder.")
    if now is not None and not replace:
        raise OutputRefused(f"{shown} already exists: choose another name{how_to_replace}.")
    return real


def write_output(target: Path, data: bytes, replace: bool = False, *, how_to_replace: str = "",
                 places: tuple[ProtectedPlaces, ...] | None = None) -> Path:
    """Write `data` to `target` through a private temporary file in the same folder (readable only by its owner),
    synced and then renamed into place, so a failure leaves the old file or nothing. The file written."""
    import tempfile  # only when a file is written: not on the way to the window

    path = check_output(target, replace, how_to_replace=how_to_replace, places=places)
    shown = shown_path(target)
    partial: str | None = None
    try:
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".clinic-desktop-", suffix=".partial")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(partial, path)
        else:
            _rename_new(partial, path, shown, how_to_replace)
        partial = None
        file_modes.sync_folder(path.parent)
    except OSError as exc:
        raise OutputRefused(f"Could not write {shown}: {exc.strerror or exc}. Nothing was written there.") from None
    finally:
        if partial is not None:
            Path(partial).unlink(missing_ok=True)
    return path


def _rename_new(partial: str, path: Path, shown: str, how_to_replace: str) -> None:
    """Into place only if nothing took the name since the check: a hard link fails on an existing name."""
    try:
        os.link(partial, path)
    except FileExistsError:
        raise OutputRefused(f"{shown} already exists: choose another name{how_to_replace}.") from None
    except OSError:  # a file system without hard links (FAT, some network shares): the check stands
        if os.path.lexists(path):
            raise OutputRefused(f"{shown} already exists: choose another name{how_to_replace}.") from None
        os.replace(partial, path)
        return
    os.unlink(partial)


def _refuse_clinic_file(real: Path, now: os.stat_result | None, parent: os.stat_result | None,
                        clinic: ProtectedPlaces, shown: str) -> None:
    for protected, what in clinic.files:
        same = _same_name(real, protected)
        if not same and now is not None:
            same = _same_file(now, _stat_quietly(protected))
        if same:
            raise OutputRefused(f"{shown} is {what}: it is never overwritten. Choose a file outside the data "
                                f"folder {shown_path(clinic.data_dir)}.")
    if not _inside(real, clinic.data_dir):
        return
    in_backups = _same_name(real.parent, clinic.backups_dir) or _same_file(parent, _stat_quietly(clinic.backups_dir))
    if not in_backups or now is not None:
        raise OutputRefused(f"{shown} is inside the clinic's data folder {shown_path(clinic.data_dir)}: only a new "
                            "file directly in its backups folder may be written there. Choose another place.")


def _inside(real: Path, folder: Path) -> bool:
    """Whether `real` lies in `folder`, by name or because one of its folders is `folder` under another name."""
    if _same_name(real, folder) or any(_same_name(p, folder) for p in real.parents):
        return True
    folder_stat = _stat_quietly(folder)
    if folder_stat is None:
        return False
    return any(_same_file(_stat_quietly(p), folder_stat) for p in (real, *real.parents))


def _same_name(a: Path, b: Path) -> bool:
    return os.path.normcase(a) == os.path.normcase(b.resolve())


def _same_file(a: os.stat_result | None, b: os.stat_result | None) -> bool:
    return a is not None and b is not None and (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stat(path: Path, shown: str) -> os.stat_result | None:
    """The file's status (links followed), None when it does not exist; a path through a file is refused."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise OutputRefused(f"Cannot write {shown}: a part of that path is a file, not a folder.") from None


def _stat_quietly(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except (OSError, ValueError):
        return None


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve()



def check_input(path: Path, name: str | None = None) -> Path:
    """An ordinary file a person named for reading (a backup to restore): it exists, is no folder, device or
    pipe, and can be opened; the absolute path, or ValidationError saying why not."""
    shown = name or shown_path(path)
    try:
        real = Path(os.path.abspath(os.fspath(path)))
        status = real.stat()
        if stat.S_ISDIR(status.st_mode):
            raise ValidationError(f"Cannot read {shown}: it is a folder, not a file.", "file")
        if not stat.S_ISREG(status.st_mode):
            raise ValidationError(f"Cannot read {shown}: it is not an ordinary file (a device or a pipe).", "file")
        with open(real, "rb"):
            pass
    except (OSError, ValueError) as exc:
        raise ValidationError(f"Cannot read {shown}: {getattr(exc, 'strerror', None) or exc}.", "file") from None
    return real


def read_input(path: Path, limit: int, name: str | None = None) -> bytes:
    """An ordinary file a person named (a logo, a sheet text), at most `limit` bytes: a device such as /dev/zero,
    a pipe or a folder is refused instead of being read for ever or failing half-way. `name`: how messages call
    the file (default: its path)."""
    shown = name or shown_path(path)
    try:
        # Non-blocking: opening a pipe would otherwise wait for a writer before the check below could refuse it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as handle:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise ValidationError(f"Cannot read {shown}: it is a folder, not a file.", "file")
            if not stat.S_ISREG(mode):
                raise ValidationError(f"Cannot read {shown}: it is not an ordinary file (a device or a pipe).",
                                      "file")
            data = handle.read(limit + 1)
    except IsADirectoryError:
        raise ValidationError(f"Cannot read {shown}: it is a folder, not a file.", "file") from None
    except (OSError, ValueError) as exc:
        raise ValidationError(f"Cannot read {shown}: {getattr(exc, 'strerror', None) or exc}.", "file") from None
    if len(data) > limit:
        raise ValidationError(f"Cannot read {shown}: it is larger than {limit:,} bytes.", "file")
    return data
