"""The `clinic-desktop` command: opens the application, or runs an administrative subcommand."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timezone
from typing import Sequence

from clinic_desktop import __version__
from clinic_desktop.domain.errors import ClinicError

PROG = "clinic-desktop"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Run a ketamine infusion clinic: patients, series, sessions, monitoring, outcomes.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder for the database and backups (default: the user data folder; "
                             "env CLINIC_DESKTOP_DATA_DIR)")
    parser.add_argument("--database-url", metavar="URL",
                        help="database to use instead of the SQLite file in the data folder, e.g. "
                             "postgresql+psycopg://clinic@server/clinic (env CLINIC_DESKTOP_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("gui", help="open the application window (the default)")
    demo = commands.add_parser("demo", help="fill an empty database with fictional clinic history")
    demo.add_argument("--patients", type=_positive_int, default=50, metavar="N", help="how many patients (default 50)")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="random seed; same seed and day, same data")
    demo.add_argument("--today", type=_iso_date, metavar="YYYY-MM-DD",
                      help="lay the history out around this day instead of today")
    commands.add_parser("info", help="show where the data lives and what the database holds")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError("must be between 1 and 1,000,000")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in (None, "gui"):
            from clinic_desktop.app import run_gui

            return run_gui(args.data_dir, args.database_url)
        if args.command == "demo":
            return _demo(args)
        if args.command == "info":
            return _info(args)
    except ClinicError as exc:
        print(f"{PROG}: error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing partial was saved", file=sys.stderr)
        return 130
    raise AssertionError(f"unhandled command {args.command!r}")


def _demo(args: argparse.Namespace) -> int:
    from clinic_desktop.app import clinic_zone, open_services
    from clinic_desktop.domain.clock import FixedClock, SystemClock
    from clinic_desktop.services.demo import DemoBuilder

    zone = clinic_zone()
    clock = SystemClock()
    if args.today is not None:
        # Mid-morning on the chosen day, so the board shows sessions done, under way and still to come.
        clock = FixedClock(datetime.combine(args.today, time(11, 0), tzinfo=zone).astimezone(timezone.utc))
    services, _locations = open_services(args.data_dir, args.database_url, clock, zone)
    summary = DemoBuilder(services.context, args.seed).build(
        args.patients, progress=lambda n: print(f"\r  {n} of {args.patients} patients", end="", flush=True))
    where = services.context.db.engine.url.render_as_string(hide_password=True)
    print(f"\nDemo data written to {where}: {summary.patients} patients, {summary.series} series, "
          f"{summary.sessions} sessions, {summary.vitals} vital-sign readings. All names are fictional.")
    return 0


def _info(args: argparse.Namespace) -> int:
    from clinic_desktop.app import open_services

    services, locations = open_services(args.data_dir, args.database_url)
    db = services.context.db
    print(f"Data folder:     {locations.data_dir}")
    print(f"Database:        {db.engine.url.render_as_string(hide_password=True)}")
    print(f"Schema revision: {db.revision()}")
    print(f"Patients:        {services.patients.count()}")
    print(f"Staff:           {len(services.staff.list())}")
    return 0
