"""How the command line reads its arguments: one-line errors with exit status 2 (never a usage dump), record
numbers within what the database can hold, dates, and arguments that are not valid text."""

from __future__ import annotations

import argparse
from datetime import date
from typing import NoReturn, Sequence

#: The largest record number (id) there can be: the id columns are 32-bit integers on PostgreSQL, and a larger
#: number would reach the database as an overflow instead of "there is no such record".
MAX_RECORD_ID = 2**31 - 1


class ArgumentError(Exception):
    """A wrong argument: main prints it as one line and exits with status 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, except that a wrong argument raises ArgumentError (one sentence) instead of printing the
    usage and exiting: the README promises one line on standard error. `--help` still prints the usage."""

    def error(self, message: str) -> NoReturn:
        raise ArgumentError(f"{message} (see {self.prog} --help)")

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """As argparse's, but words it does not know are named by their option only: the value after a
        mistyped option may be a password, which must not reach the terminal's scrollback or a script's log."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            options = [word.split("=", 1)[0] for word in extras if word.startswith("-")]
            unknown = f"unrecognized option {', '.join(options)}" if options else \
                f"{len(extras)} unexpected word{'s' if len(extras) > 1 else ''} at the end"
            self.error(unknown)
        return parsed


def record_id(text: str) -> int:
    """A record number (session, series): a whole number from 1 to MAX_RECORD_ID."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a record number (a whole number)") from None
    if not 1 <= value <= MAX_RECORD_ID:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a record number: they run from 1 to "
                                         f"{MAX_RECORD_ID:,}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError("must be between 1 and 1,000,000")
    return value


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number") from None


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a date written YYYY-MM-DD") from None


def check_text(argv: Sequence[str]) -> None:
    """Every argument must be valid UTF-8 text: a file or user name made of other bytes (Linux hands them over
    as lone surrogates) would otherwise fail deep inside the database driver or the PDF writer."""
    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise ArgumentError(f"argument {position} ({_shown(arg)}) is not valid UTF-8 text; rename the file "
                                "or folder, or type it again") from None


def one_line(message: str) -> str:
    """An error message as the terminal gets it: one line, whatever a typed name or file name held (a line
    break, a terminal escape sequence), those characters written as escapes."""
    return "".join(c if c.isprintable() or c == " " else ascii(c)[1:-1] for c in message)


def _shown(text: str, limit: int = 60) -> str:
    """An argument as it may be shown in one line: quoted, control and undecodable characters escaped, cut."""
    shown = ascii(text) if not text.isprintable() else repr(text)
    return shown if len(shown) <= limit else shown[:limit - 4] + "...'"
