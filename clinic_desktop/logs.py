"""The log for the clinic's IT: a rotating file in the data folder, whose lines never hold record content.

Each line: time (ISO with offset), level, workstation, the signed-in user's user name (or "-"), logger, message.
The services say who is signed in (`set_user`); `configure` is called once per command by the command line.
Patients' names and notes never reach it: the engine hides SQL parameters, and `PrivateFormatter` drops the
lines in which PostgreSQL echoes a row's values (DETAIL:, CONTEXT:) and any MRN a message names."""

from __future__ import annotations

import logging
import re
import socket
import sys
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from clinic_desktop.storage import file_modes, pg_tools

LOG_FILE_NAME = "clinic-desktop.log"
#: About a month of a busy workstation per file; six files in all at most (12 MB).
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
LINE_FORMAT = "%(asctime)s %(levelname)s %(workstation)s %(user)s %(name)s: %(message)s"
#: Lines of a database error that quote a row's values: PostgreSQL's "DETAIL:  Key (username)=(...)"
#: and "Failing row contains (...)", and "CONTEXT:" lines that quote the statement's data.
_ROW_VALUES = re.compile(r"^\s*(DETAIL|CONTEXT):.*$\n?", re.MULTILINE)
#: A medical record number in a message ("There is no patient with MRN '10000013'."): IT needs the sentence,
#: not whose record it was.
_MRN = re.compile(r"\bMRN\s+'?[\w-]+'?")

# A plain module value, not a ContextVar: a desktop workstation has one user at the keyboard, and a line
# logged from any thread (a timer, a library's worker) belongs to whoever is signed in there.
_user: str | None = None
_handler: PrivateFileHandler | None = None


def set_user(username: str | None) -> None:
    """Who is signed in at this workstation now (None while signed out or locked)."""
    global _user
    _user = username or None


def current_user() -> str:
    return _user or "-"


def redact(text: str) -> str:
    """`text` without the lines in which a database error quotes the values of a row, without MRNs, and without
    the password of any database URL it names."""
    return pg_tools.scrub(_MRN.sub("MRN [hidden]", _ROW_VALUES.sub("", text)))


class PrivateFormatter(logging.Formatter):
    """The line format, with the time as ISO 8601 in local time with its offset, and no row values."""

    def __init__(self) -> None:
        super().__init__(LINE_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        # The whole text, traceback included: an exception's message is where the values would be.
        return redact(super().format(record))


class WorkstationFilter(logging.Filter):
    """Stamps every record with this computer's name and the signed-in user's user name."""

    def __init__(self) -> None:
        super().__init__()
        self.workstation = socket.gethostname() or "-"

    def filter(self, record: logging.LogRecord) -> bool:
        record.workstation = self.workstation
        record.user = current_user()
        return True


class PrivateFileHandler(RotatingFileHandler):
    """A rotating UTF-8 file only its owner can read (0600 on POSIX, also after a rotation). A write that
    fails (a full disk) says so once on stderr, when there is one, and never stops the application."""

    def __init__(self, path: Path) -> None:
        self._complained = False
        super().__init__(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")

    def _open(self) -> TextIO:  # as logging's own
        # Private also when left by an older version or made under a looser umask (storage/file_modes.py).
        return file_modes.open_private(Path(self.baseFilename), "a", encoding=self.encoding,
                                       errors="backslashreplace")

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if not self._complained:
            self._complained = True
            _warn(f"a line could not be written to the log {self.baseFilename} ({sys.exc_info()[1]}); the "
                  "application carries on")


def configure(folder: Path) -> Path | None:
    """Log to `folder`/clinic-desktop.log from now on (replacing an earlier call's file); the file's path, or
    None when the folder cannot be written (a warning on stderr, and the application runs on without a log)."""
    global _handler
    stop()
    path = folder / LOG_FILE_NAME
    try:
        file_modes.private_folder(folder)
        handler = PrivateFileHandler(path)
    except OSError as exc:
        _warn(f"cannot write the log in {folder} ({exc.strerror or exc}); carrying on without it")
        return None
    handler.setLevel(logging.INFO)
    handler.setFormatter(PrivateFormatter())
    handler.addFilter(WorkstationFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    _handler = handler
    return path


def log_file() -> Path | None:
    """The file being written now, or None when there is no log."""
    return Path(_handler.baseFilename) if _handler is not None else None


def stop() -> None:
    """Close the log file (the next `configure` opens one again)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None


def _warn(text: str) -> None:
    if sys.stderr is not None:  # a windowed application has none
        print(f"clinic-desktop: warning: {text}", file=sys.stderr)
