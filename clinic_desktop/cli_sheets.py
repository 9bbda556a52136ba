"""`clinic-desktop sheets ...`: the consent and discharge texts, listed, shown, or revised from a file, by an
administrator (password from the terminal or standard input, as for `users`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from clinic_desktop.app import open_services
from clinic_desktop.cli_users import add_as_option, sign_in_admin
from clinic_desktop.domain.errors import ClinicError, ValidationError
from clinic_desktop.domain.sheet_texts import KINDS, SheetTextVersion, is_consent
from clinic_desktop.services.sheet_texts import read_text_file


def add_sheets_parser(commands: argparse._SubParsersAction) -> None:  # argparse keeps this type private
    sheets = commands.add_parser("sheets", help="the consent and discharge texts (administrators)").add_subparsers(
        dest="sheets_command", metavar="ACTION", required=True)
    sheets.add_parser("list", help="every text with its versions, newest first")
    show = sheets.add_parser("show", help="print a version's text (the one in use by default)")
    show.add_argument("kind", choices=list(KINDS), metavar="KIND", help=f"one of {', '.join(KINDS)}")
    show.add_argument("--version", metavar="V", help="an earlier version, e.g. 2026.1")
    revise = sheets.add_parser("import", help="store a UTF-8 text file as the next version of a text")
    revise.add_argument("kind", choices=list(KINDS), metavar="KIND", help=f"one of {', '.join(KINDS)}")
    revise.add_argument("file", metavar="FILE", help="the text in the template format")
    revise.add_argument("--version", metavar="V", help="the version to store (default: the next after the newest)")
    add_as_option(sheets)


def run_sheets(args: argparse.Namespace) -> int:
    if not args.as_user:
        raise ClinicError("Say which administrator is doing this with --as ADMIN.")
    # The file is read (and refused if unreadable) before anyone signs in: a bad path costs no password.
    text = read_text_file(Path(args.file)) if args.sheets_command == "import" else ""
    services, _locations = open_services(args.data_dir, args.database_url)
    admin = sign_in_admin(services, args.as_user)
    texts = services.sheet_texts
    try:
        if args.sheets_command == "list":
            zone = services.context.zone
            current = ""
            for v in texts.list(admin):
                state = "in use" if v.kind != current else "earlier"
                current = v.kind
                print(f"{v.kind:<20} {v.version:<10} {state:<8} {v.source.value:<9} "
                      f"{v.created_at.astimezone(zone):%Y-%m-%d %H:%M}  {v.created_by or '(application)'}")
        elif args.sheets_command == "show":
            print(texts.text(admin, args.kind, args.version), end="")
        else:
            try:
                stored = texts.import_text(admin, args.kind, text, args.version)
            except ValidationError as exc:  # the file's problem, named with the file
                raise ClinicError(f"{Path(args.file).name}: {exc.message} Nothing was stored.") from None
            print(_stored(stored))
    finally:
        services.auth.logout(admin)
    return 0


def _stored(v: SheetTextVersion) -> str:
    follow = " Patients who signed an earlier version will be asked to re-consent." \
        if is_consent(v.kind) else ""
    return f"Stored {v.kind} version {v.version} (SHA-256 {v.sha256}); new sheets print it.{follow}"
