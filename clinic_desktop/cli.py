"""The `clinic-desktop` command: opens the application, or runs an administrative subcommand."""

from __future__ import annotations

import argparse
import functools
import logging
import sys
from datetime import datetime, time, timezone
from typing import Sequence

from clinic_desktop import __version__
from clinic_desktop.cli_args import (
    ArgumentError,
    OneLineParser,
    check_text,
    iso_date,
    one_line,
    positive_int,
    whole_number,
)
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError

PROG = "clinic-desktop"


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG, description="Run a ketamine infusion clinic: patients, series, sessions, monitoring, outcomes.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation on a demo clinic in a temporary folder, then exit "
                             "(0 when every step worked)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder for the database and backups (default: the user data folder; "
                             "env CLINIC_DESKTOP_DATA_DIR)")
    parser.add_argument("--database-url", metavar="URL",
                        help="database to use instead of the SQLite file in the data folder, e.g. "
                             "postgresql+psycopg://clinic@server/clinic (env CLINIC_DESKTOP_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("gui", help="open the application window (the default)")
    demo = commands.add_parser("demo", help="fill an empty database with fictional clinic history")
    demo.add_argument("--patients", type=positive_int, default=50, metavar="N", help="how many patients (default 50)")
    demo.add_argument("--seed", type=whole_number, default=1, metavar="S", help="random seed; same seed and day, same data")
    demo.add_argument("--today", type=iso_date, metavar="YYYY-MM-DD",
                      help="lay the history out around this day instead of today")
    commands.add_parser("info", help="show where the data lives and what the database holds")

    users = commands.add_parser("users", help="user accounts (administrators)").add_subparsers(
        dest="users_command", metavar="ACTION", required=True)
    add = users.add_parser("add", help="add an account; the password is read from the terminal or standard input")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in StaffRole])
    add.add_argument("--name", help="full name as printed on signatures (default: the user name)")
    add.add_argument("--credentials", default="", help='letters after the name, e.g. "RN" or "MD"')
    add.add_argument("--admin", action="store_true", help="also give administration rights")
    for name, text in (("list", "list the accounts"), ("disable", "disable an account"),
                       ("enable", "enable a disabled account"),
                       ("reset-password", "set a new password (read like add's) and lift a lockout")):
        sub = users.add_parser(name, help=text)
        if name != "list":
            sub.add_argument("username")
    for sub in users.choices.values():
        sub.add_argument("--as", dest="as_user", metavar="ADMIN",
                         help="the administrator doing this (their password is asked first); not needed for "
                              "the very first account")

    audit = commands.add_parser("audit", help="the audit log").add_subparsers(
        dest="audit_command", metavar="ACTION", required=True)
    audit.add_parser("verify", help="check every entry's hash and link, every record's seal and signature and the "
                                    "log's protection; exit 0 when intact, 3 when altered")
    from clinic_desktop.cli_audit import add_audit_commands

    add_audit_commands(audit)

    from clinic_desktop.cli_print import add_print_parser

    add_print_parser(commands)
    from clinic_desktop.cli_backup import add_backup_parsers

    add_backup_parsers(commands)
    from clinic_desktop.cli_clinic import add_clinic_parser

    add_clinic_parser(commands)
    from clinic_desktop.cli_chairs import add_chairs_parsers

    add_chairs_parsers(commands)
    from clinic_desktop.cli_sheets import add_sheets_parser

    add_sheets_parser(commands)
    return parser


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """Built once per process (argparse's set-up is most of a wrong argument's cost); parsing keeps no state."""
    return build_parser()


def main(argv: Sequence[str] | None = None) -> int:
    _standard_streams()
    _no_tracebacks_on_the_terminal()
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except Exception:  # the last line of defence: one line here, the traceback in the log when there is one
        logging.getLogger(__name__).exception("The command stopped on an unexpected error")
        print(f"{PROG}: error: something unexpected went wrong; see logs/clinic-desktop.log in the data folder",
              file=sys.stderr)
        return 1


def _main(argv: list[str]) -> int:
    try:
        check_text(argv)
        args = _parser().parse_args(argv)
    except ArgumentError as exc:
        print(f"{PROG}: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    if args.self_test:
        from clinic_desktop.self_test import run_self_test

        return run_self_test(args.database_url, sys.stdout)
    from clinic_desktop.cli_log import run_logged

    return run_logged(args, _run, PROG)


def _run(args: argparse.Namespace) -> int:
    try:
        return _command(args)
    finally:
        from clinic_desktop.storage.database import close_all

        close_all()  # what the command opened is let go, as it would be when its process ends


def _command(args: argparse.Namespace) -> int:
    try:
        if args.command in (None, "gui"):
            from clinic_desktop.app import run_gui

            return run_gui(args.data_dir, args.database_url)
        if args.command == "demo":
            return _demo(args)
        if args.command == "info":
            return _info(args)
        if args.command == "users":
            from clinic_desktop.cli_users import run_users

            return run_users(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == "print":
            from clinic_desktop.cli_print import run_print

            return run_print(args)
        if args.command == "clinic":
            from clinic_desktop.cli_clinic import run_clinic

            return run_clinic(args)
        if args.command == "sheets":
            from clinic_desktop.cli_sheets import run_sheets

            return run_sheets(args)
        if args.command in ("backup", "restore"):
            from clinic_desktop.cli_backup import run_backup, run_restore

            return run_backup(args) if args.command == "backup" else run_restore(args)
        if args.command == "chairs":
            from clinic_desktop.cli_chairs import run_chairs

            return run_chairs(args)
    except ClinicError as exc:
        logging.getLogger(__name__).warning("%s", exc.message)
        print(f"{PROG}: error: {one_line(exc.message)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing partial was saved", file=sys.stderr)
        return 130
    raise AssertionError(f"unhandled command {args.command!r}")


def _standard_streams() -> None:
    """A windowed program on Windows starts without standard streams (None): point them at the null device, so
    printing and reading a password fail politely instead of with an AttributeError. A file name that is not
    valid text (Linux) is printed escaped rather than stopping the command after its work is done."""
    import os

    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115 (lives with the process)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _no_tracebacks_on_the_terminal() -> None:
    """Without a log file (a data folder that cannot be written), Python's logging would print an error's
    traceback on standard error by itself ("last resort"); the command's one-line message says it instead."""
    root = logging.getLogger()
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())


def _demo(args: argparse.Namespace) -> int:
    from clinic_desktop.app import clinic_zone, open_services
    from clinic_desktop.domain.clock import FixedClock, SystemClock
    from clinic_desktop.cli_progress import ProgressBar
    from clinic_desktop.services.demo import DemoBuilder, check_demo_day

    zone = clinic_zone()
    clock = SystemClock()
    if args.today is not None:
        check_demo_day(args.today)
        # Mid-morning on the chosen day, so the board shows sessions done, under way and still to come.
        clock = FixedClock(datetime.combine(args.today, time(11, 0), tzinfo=zone).astimezone(timezone.utc))
    services, _locations = open_services(args.data_dir, args.database_url, clock, zone)
    bar = ProgressBar(args.patients, "patients", sys.stderr)
    summary = DemoBuilder(services.context, args.seed).build(args.patients, progress=bar.show)
    bar.close()
    where = services.context.db.engine.url.render_as_string(hide_password=True)
    print(f"Demo data written to {where}: {summary.patients} patients, {summary.series} series, "
          f"{summary.sessions} sessions, {summary.vitals} vital-sign readings. All names are fictional.")
    print("\nDemo accounts (for exploring each role; this database is for demonstration only):")
    for account in summary.accounts:
        print(f"  {account.username:<18} {account.password:<30} {account.role.label} ({account.full_name})")
    return 0


def _audit(args: argparse.Namespace) -> int:
    if args.audit_command != "verify":
        from clinic_desktop.cli_audit import run_audit

        return run_audit(args)
    from clinic_desktop.app import open_services
    from clinic_desktop.services.integrity import verify

    services, _locations = open_services(args.data_dir, args.database_url)
    db = services.context.db
    with db.read() as uow:  # the file's own check first (services/integrity.py), then the log and the rows
        result = verify(uow.session, db.keyring)
    print(one_line(result.message), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 3


def _info(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from clinic_desktop.app import open_services
    from clinic_desktop.storage import models, patient_queries

    services, locations = open_services(args.data_dir, args.database_url)
    db = services.context.db
    # Counts only, read straight from the database: `info` runs without a signed-in user (no service call).
    with db.read() as uow:
        patients = patient_queries.count_matches(uow.session, "")
        staff = uow.session.execute(select(func.count()).select_from(models.Staff)
                                    .where(models.Staff.active.is_(True))).scalar_one()
    print(f"Data folder:     {locations.data_dir}")
    print(f"Database:        {db.engine.url.render_as_string(hide_password=True)}")
    print(f"Schema revision: {db.revision()}")
    print(f"Patients:        {patients}")
    print(f"Staff:           {staff}")
    return 0
