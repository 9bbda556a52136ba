"""Every command's log: where it starts (version, data folder), how it ends (exit status), and an unexpected
error's traceback in the log file with one line on the terminal instead.

Only the command's name is logged, never its arguments: they carry medical record numbers and file names."""

from __future__ import annotations

import argparse
import contextlib
import logging
import platform
import sys
from typing import Callable

from clinic_desktop import __version__, logs
from clinic_desktop.cli_args import one_line
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.settings import Locations, prepare_data_dir, resolve_locations

log = logging.getLogger("clinic_desktop.cli")

#: The parser's `dest` of each command's sub-command, for the name in the log ("users add", "print record").
_SUBCOMMANDS = ("users_command", "audit_command", "sheet")


def command_name(args: argparse.Namespace) -> str:
    words = [args.command or "gui"]
    words += [getattr(args, dest) for dest in _SUBCOMMANDS if getattr(args, dest, None)]
    return " ".join(words)


def _secure(locations: Locations) -> None:
    """Every command, the window included, first makes the data folder private to this user (and logs what it
    repaired): also those that replace the database before opening it (restore)."""
    from clinic_desktop.app import secure_locations
    from clinic_desktop.domain.errors import ClinicError

    # An unusable folder: the command says so itself, in one line, when it needs it.
    with contextlib.suppress(ClinicError):
        secure_locations(locations)


def run_logged(args: argparse.Namespace, run: Callable[[argparse.Namespace], int], prog: str) -> int:
    """Start the log in the data folder this command uses, run it, and log how it ended. A data folder that
    cannot be used is one line (the window shows it in its start-up box instead)."""
    name = command_name(args)
    try:
        locations = resolve_locations(args.data_dir, args.database_url)
        prepare_data_dir(locations.data_dir)
    except ClinicError as exc:
        if name == "gui":
            return run(args)
        print(f"{prog}: error: {one_line(exc.message)}", file=sys.stderr)
        return 1
    logs.configure(locations.logs_dir)
    log.info("Clinic Desktop %s (Python %s, %s): %s, data folder %s", __version__, platform.python_version(),
             platform.platform(terse=True), name, locations.data_dir)
    try:
        _secure(locations)
        status = run(args)
    except Exception:  # the last resort: the traceback goes to the log, not to the terminal
        log.exception("%s stopped on an unexpected error", name)
        where = logs.log_file()
        details = f"the details are in the log: {where}" if where else "the log could not be written"
        print(f"{prog}: error: something unexpected went wrong; {details}", file=sys.stderr)
        status = 1
    log.info("%s ended with exit status %s", name, status)
    return status
