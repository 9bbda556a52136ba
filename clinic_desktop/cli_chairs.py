"""`clinic-desktop chairs ...`: the clinic's chairs from the command line, for scripted roll-outs (administrators)."""

from __future__ import annotations

import argparse

from clinic_desktop.app import open_services
from clinic_desktop.cli_users import add_as_option, sign_in_admin
from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.records import Chair
from clinic_desktop.services.registry import Services

#: The list's column headings, in order.
HEADINGS = ("Position", "Name", "Status", "Booked from today")


def add_chairs_parsers(commands: argparse._SubParsersAction) -> None:  # argparse keeps this type private
    chairs = commands.add_parser("chairs", help="the clinic's chairs, in the board's order (administrators)")
    actions = chairs.add_subparsers(dest="chairs_command", metavar="ACTION", required=True)
    actions.add_parser("list", help="every chair: position on the board, name, status, sessions booked")
    actions.add_parser("add", help="add a chair at the right-hand end of the board").add_argument("name")
    rename = actions.add_parser("rename", help="give a chair a new name (its sessions follow)")
    rename.add_argument("name", help="the chair's name now (case is ignored)")
    rename.add_argument("new_name")
    move = actions.add_parser("move", help="put a chair at another place on the board (1 is leftmost)")
    move.add_argument("name")
    move.add_argument("position", help="1 to the number of chairs on the board")
    actions.add_parser("retire", help="take a chair off the board (refused while sessions are booked in it)"
                       ).add_argument("name")
    actions.add_parser("reinstate", help="put a retired chair back, at the end of the board").add_argument("name")
    add_as_option(actions)


def run_chairs(args: argparse.Namespace) -> int:
    services, _locations = open_services(args.data_dir, args.database_url)
    admin = sign_in_admin(services, args.as_user)
    try:
        print(_run(services, admin, args))
    finally:
        services.auth.logout(admin)
    return 0


def _run(services: Services, admin: Principal, args: argparse.Namespace) -> str:
    """What was done, in words (the list itself for `list`)."""
    chairs = services.chairs
    action = args.chairs_command
    if action == "list":
        return table(chairs.list(admin))
    if action == "add":
        chair = chairs.add(admin, args.name)
        return f"Added {chair.name} at position {chair.position}. {board_words(chairs.bookable(admin))}"
    chair = chairs.find(admin, args.name)
    if action == "rename":
        renamed = chairs.rename(admin, chair.id, args.new_name, seen_name=chair.name)
        return f"Renamed {chair.name} to {renamed.name}."
    if action == "move":
        moved = chairs.move(admin, chair.id, _position(args.position, len(chairs.bookable(admin))))
        return f"{moved.name} is now at position {moved.position}. {board_words(chairs.bookable(admin))}"
    if action == "retire":
        chairs.retire(admin, chair.id)
        return f"Retired {chair.name}; its past sessions keep its name. {board_words(chairs.bookable(admin))}"
    reinstated = chairs.reinstate(admin, chair.id)
    return f"Reinstated {reinstated.name} at position {reinstated.position}. {board_words(chairs.bookable(admin))}"


def table(chairs: list[Chair]) -> str:
    """The chairs in aligned columns under their headings."""
    rows = [HEADINGS] + [(str(c.position) if c.active else "-", c.name, "active" if c.active else "retired",
                          str(c.booked)) for c in chairs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADINGS))]
    lines = ["  ".join(cell.rjust(w) if i in (0, 3) else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             .rstrip() for row in rows]
    return "\n".join(lines) if chairs else "\n".join(lines + ["(no chairs yet: add one with `chairs add NAME`)"])


def board_words(board: list[Chair]) -> str:
    """"The board shows, left to right: Chair 1, Chair 2." (what the clinic will see)."""
    if not board:
        return "The board shows no chairs."
    return f"The board shows, left to right: {', '.join(c.name for c in board)}."


def _position(text: str, on_board: int) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValidationError(f"The position must be a whole number from 1 to {on_board}, not {text!r}.",
                              "position") from None
