"""`clinic-desktop print ...`: a patient's paperwork to a PDF file, printed in a signed-in user's name."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clinic_desktop.app import open_services
from clinic_desktop.cli_args import record_id
from clinic_desktop.cli_users import read_line, read_password
from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.paperwork import PrintedSheet
from clinic_desktop.services.registry import Services
from clinic_desktop.services.user_files import FORCE_HINT, check_output, write_output


def add_print_parser(commands: argparse._SubParsersAction) -> None:  # argparse keeps this type private
    sheets = commands.add_parser("print", help="write a patient's paperwork to a PDF file").add_subparsers(
        dest="sheet", metavar="SHEET", required=True)
    consent = sheets.add_parser("consent", help="the consent form for a patient's treatment")
    consent.add_argument("--patient", required=True, metavar="MRN", help="the patient's medical record number")
    consent.add_argument("--series", type=record_id, metavar="ID",
                         help="the series it covers (default: the patient's newest series)")
    consent.add_argument("--protocol", choices=[p.value for p in Protocol],
                         help="a treatment without a planned series")
    for name, text in (("discharge", "the discharge sheet of a session"),
                       ("record", "the infusion record of a session")):
        sheets.add_parser(name, help=text).add_argument("--session", type=record_id, required=True,
                                                                            metavar="ID")
    summary = sheets.add_parser("summary", help="the series summary letter to the referring clinician")
    summary.add_argument("--series", type=record_id, required=True, metavar="ID")
    for sub in sheets.choices.values():
        sub.add_argument("--out", required=True, metavar="FILE", help="the PDF file to write")
        sub.add_argument("--force", action="store_true", help="replace the file if it already exists")
        sub.add_argument("--as", dest="as_user", metavar="USER",
                         help="who is printing (their password is asked); asked on the terminal when left out")


def run_print(args: argparse.Namespace) -> int:
    out = Path(args.out)
    services, _locations = open_services(args.data_dir, args.database_url)
    # Checked before anyone signs in (a wrong path costs no password), and again when written.
    check_output(out, args.force, how_to_replace=FORCE_HINT)
    user = _sign_in(services, args.as_user)
    try:
        sheet = _render(services, user, args)
        write_output(out, sheet.pdf, args.force, how_to_replace=FORCE_HINT)
        services.paperwork.record_print(user, sheet, f"PDF file: {out.name}")
    finally:
        services.auth.logout(user)
    version = f", form version {sheet.template_version}" if sheet.template_version else ""
    print(f"Wrote {sheet.title}{version} to {out}.")
    return 0


def _render(services: Services, user: Principal, args: argparse.Namespace) -> PrintedSheet:
    paperwork = services.paperwork
    if args.sheet == "consent":
        patient = services.patients.find_by_mrn(user, args.patient)
        series_id = args.series
        if series_id is None and args.protocol is None:
            if not patient.series:
                raise ClinicError(f"MRN {patient.mrn} has no series yet: give --protocol, or plan a series first.")
            series_id = patient.series[0].id  # newest first
        return paperwork.consent(user, patient.id, series_id, Protocol(args.protocol) if args.protocol else None)
    if args.sheet == "discharge":
        return paperwork.discharge(user, args.session)
    if args.sheet == "record":
        return paperwork.infusion_record(user, args.session)
    return paperwork.summary_letter(user, args.series)


def _sign_in(services: Services, username: str | None) -> Principal:
    if not username:
        if not sys.stdin.isatty():
            raise ClinicError("Say who is printing with --as USER.")
        username = read_line("Your user name: ", "user name")
    return services.auth.login(username, read_password(f"Password for {username}: ", confirm=False))
