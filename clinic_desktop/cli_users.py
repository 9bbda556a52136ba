"""`clinic-desktop users ...`: account administration from the command line (passwords never as arguments)."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from typing import Callable

from clinic_desktop.app import open_services
from clinic_desktop.domain.access import Principal, SignInRequired
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.services.registry import Services


def read_password(prompt: str, confirm: bool) -> str:
    """From the terminal without echo (asked twice for a new one), or one line of standard input."""
    if sys.stdin.isatty():
        first = _typed(lambda: getpass.getpass(prompt), "password")
        if confirm and _typed(lambda: getpass.getpass("Again: "), "password") != first:
            raise ClinicError("The two passwords differ; nothing was changed.")
        return first
    line = _typed(sys.stdin.readline, "password")
    if not line:
        raise ClinicError(f"Expected a password on standard input ({prompt.strip().rstrip(':')}).")
    return line.rstrip("\r\n")


def read_line(prompt: str, what: str) -> str:
    """One typed line (a user name), refused when it is not valid text."""
    return _typed(lambda: input(prompt), what).strip()


def _typed(read: Callable[[], str], what: str) -> str:
    """What `read` returns, which must be valid UTF-8: bytes that are not arrive as a decoding error, or (in
    a POSIX locale) as lone surrogates that the password hasher and the database cannot take."""
    try:
        text = read()
        text.encode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise ClinicError(f"The {what} given is not valid UTF-8 text; nothing was done.") from None
    except EOFError:
        raise ClinicError(f"Expected a {what} on standard input.") from None
    return text


def run_users(args: argparse.Namespace) -> int:
    services, _locations = open_services(args.data_dir, args.database_url)
    action = args.users_command
    if action == "add" and services.auth.needs_first_admin():
        return _first_admin(services, args)
    admin = sign_in_admin(services, args.as_user)
    try:
        if action == "add":
            member = services.auth.add_user(admin, args.username, args.name or args.username, args.role,
                                            read_password(f"Password for {args.username}: ", confirm=True),
                                            args.credentials, args.admin)
            print(f"Added {member.username} ({member.role.label}{', administrator' if member.is_admin else ''}).")
        elif action == "list":
            for account in services.auth.list_users(admin):
                m = account.member
                state = "active" if m.active else "disabled"
                if account.locked_until is not None:
                    state += f", locked until {account.locked_until.astimezone(services.context.zone):%H:%M}"
                print(f"{m.username or '-':<20} {m.full_name:<28} {m.role.label:<14} "
                      f"{'admin ' if m.is_admin else ''}{state}")
        elif action in ("disable", "enable"):
            member = services.auth.set_active(admin, args.username, action == "enable")
            print(f"{member.username} is now {'active' if member.active else 'disabled'}.")
        elif action == "reset-password":
            member = services.auth.reset_password(admin, args.username,
                                                  read_password(f"New password for {args.username}: ", True))
            print(f"Password of {member.username} reset; any lockout is lifted.")
    finally:
        # An administrator who reset their own password has ended this sign-in already: nothing to sign out.
        with contextlib.suppress(SignInRequired):
            services.auth.logout(admin)
    return 0


def _first_admin(services: Services, args: argparse.Namespace) -> int:
    """The very first account needs no one to vouch for it, but it must be able to manage the others."""
    if not (args.admin or args.role == StaffRole.ADMINISTRATOR.value):
        raise ClinicError("The first account must be an administrator: use --role administrator, or --admin.")
    principal = services.auth.create_first_admin(
        args.username, args.name or args.username, read_password(f"Password for {args.username}: ", True),
        args.credentials, StaffRole(args.role))
    services.auth.logout(principal)
    print(f"Added {principal.username}, the first administrator.")
    return 0


def add_as_option(actions: argparse._SubParsersAction, who: str = "ADMIN") -> None:  # argparse keeps this type private
    """`--as WHO` on every action of a command: the account doing it, its password read as sign_in_admin does."""
    for sub in actions.choices.values():
        sub.add_argument("--as", dest="as_user", metavar=who,
                         help="who is doing this (their password is read from the terminal or standard input)")


def sign_in_admin(services: Services, username: str | None) -> Principal:
    """The administrator (or, where the command allows, any user) named by --as, with their password from the
    terminal or standard input; the services then decide what that account may do."""
    if not username:
        raise ClinicError("Say which administrator is doing this with --as ADMIN.")
    return services.auth.login(username, read_password(f"Password for {username}: ", confirm=False))
