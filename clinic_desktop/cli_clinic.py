"""`clinic-desktop clinic show|set`: the clinic's letterhead, paper, emergency numbers and zone, for scripted
roll-outs (the same fields as the Clinic page, listed once in domain.clinic_profile.PROFILE_FIELDS)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from clinic_desktop.app import open_services
from clinic_desktop.cli_users import add_as_option, sign_in_admin
from clinic_desktop.domain.clinic_profile import ClinicProfile, PROFILE_FIELDS, PaperSize
from clinic_desktop.domain.errors import ClinicError, ValidationError
from clinic_desktop.services.user_files import read_input
from clinic_desktop.settings import shown_path

#: The most of a logo file that is read (the service refuses anything over 1 MB; this stops a huge file early).
LOGO_READ_LIMIT = 2_000_000


def add_clinic_parser(commands: argparse._SubParsersAction) -> None:  # argparse keeps this type private
    clinic = commands.add_parser("clinic", help="the clinic's name, address, phones and paper (administrators)")
    actions = clinic.add_subparsers(dest="clinic_command", metavar="ACTION", required=True)
    actions.add_parser("show", help="show what every printed sheet carries")
    change = actions.add_parser("set", help="change some of it; options left out stay as they are")
    for field in PROFILE_FIELDS:
        extra = {"choices": [p.value for p in PaperSize]} if field.name == "paper" else {}
        text = field.hint or field.label
        if field.name == "address":
            text += ' Write "\\n" for a line break.'
        change.add_argument(field.option, dest=field.name, metavar="TEXT", help=text, **extra)
    logo = change.add_mutually_exclusive_group()
    logo.add_argument("--logo", metavar="FILE", help="a PNG or JPEG image for the letterhead (at most 1 MB)")
    logo.add_argument("--no-logo", action="store_true", help="print sheets without a logo")
    add_as_option(actions)


def run_clinic(args: argparse.Namespace) -> int:
    services, _locations = open_services(args.data_dir, args.database_url)
    logo = _read_logo(Path(args.logo)) if getattr(args, "logo", None) else None
    user = sign_in_admin(services, args.as_user)
    settings = services.settings
    try:
        if args.clinic_command == "set":
            changes = {f.name: _unescaped(getattr(args, f.name)) for f in PROFILE_FIELDS
                       if getattr(args, f.name) is not None}
            if not changes and logo is None and not args.no_logo:
                raise ClinicError("Nothing to change: give at least one option, e.g. --phone.")
            if changes:
                # The fields not given stay as read; a change saved elsewhere meanwhile refuses this one.
                seen = settings.profile_seen(user)
                settings.update_profile(user, dataclasses.replace(seen.profile, **changes), seen=seen.stamp)
            if logo is not None or args.no_logo:
                settings.set_logo(user, logo)
            print("Saved. Sheets printed from now on carry these details:")
        _show(settings.profile(user), settings.logo(user))
    finally:
        services.auth.logout(user)
    return 0


def _show(profile: ClinicProfile, logo: bytes | None) -> None:
    width = max(len(f.label) for f in PROFILE_FIELDS) + 2
    for field in PROFILE_FIELDS:
        value = getattr(profile, field.name)
        if field.name == "paper":
            value = PaperSize(value).label
        elif field.name == "time_zone" and not value:
            value = "this computer's zone"
        lines = (value or "(not set)").splitlines() or [""]
        print(f"{field.label + ':':<{width}}{lines[0]}")
        for line in lines[1:]:
            print(f"{'':<{width}}{line}")
    print(f"{'Logo:':<{width}}{f'{len(logo) // 1024 or 1} KB image' if logo else '(none)'}")
    if profile.missing():
        print(f"\nNot set yet: {', '.join(profile.missing())}. Sheets leave them out until they are.")


def _unescaped(text: str) -> str:
    """A typed "\\n" becomes a line break (an address has several lines; a shell makes real ones awkward)."""
    return text.replace("\\n", "\n")


def _read_logo(path: Path) -> bytes:
    try:
        return read_input(path, LOGO_READ_LIMIT, f"the logo {shown_path(path)}")
    except ValidationError as exc:
        raise ClinicError(f"{exc.message} Use a PNG or JPEG image of at most 1 MB.") from None
