"""`clinic-desktop chairs ...`: list, add, rename, move, retire and reinstate, as a signed-in administrator."""

from __future__ import annotations

import io
import sys
from datetime import time

import pytest
from sqlalchemy import func, select

from clinic_desktop.app import open_services
from clinic_desktop.cli import main
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.storage import models

ADMIN_PW = "correct horse battery staple"
DOCTOR_PW = "plum tuesday lantern 42"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run the command on one data folder with the given lines on stdin: (code, out, err). The folder starts
    with an administrator `boss` and the chairs Chair 1, Chair 2, Chair 3."""
    def run(*args: str, stdin: tuple[str, ...] = (ADMIN_PW,)) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in stdin)))
        code = main(["--data-dir", str(tmp_path), *args])
        out, err = capsys.readouterr()
        return code, out, err
    run.folder = tmp_path
    assert run("users", "add", "boss", "--role", "administrator", "--name", "Rosa Achterberg")[0] == 0
    for name in ("Chair 1", "Chair 2", "Chair 3"):
        assert run("chairs", "add", name, "--as", "boss")[0] == 0
    return run


def listing(cli) -> list[list[str]]:
    """The list's rows split at two or more spaces, headings first."""
    code, out, err = cli("chairs", "list", "--as", "boss")
    assert (code, err) == (0, "")
    return [[cell.strip() for cell in line.strip().split("  ") if cell.strip()] for line in out.splitlines()]


def signed_in_entries(folder) -> int:
    """How many sign-ins are still open (each command signs out after itself)."""
    services, _ = open_services(str(folder), None)
    try:
        with services.context.db.read() as uow:
            logins, logouts = (uow.session.execute(select(func.count()).select_from(models.AuditEntry)
                                                   .where(models.AuditEntry.action == a)).scalar_one()
                               for a in ("login", "logout"))
        return logins - logouts
    finally:
        services.context.db.close()


def test_list_shows_position_name_status_and_bookings_in_columns(cli):
    """Headings, then one aligned row per chair in board order; every command signed out after itself."""
    code, out, _err = cli("chairs", "list", "--as", "boss")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["Position", "Name", "Status", "Booked", "from", "today"]
    assert [line.split()[:3] for line in lines[1:]] == [["1", "Chair", "1"], ["2", "Chair", "2"], ["3", "Chair", "3"]]
    assert len({line.index("active") for line in lines[1:]}) == 1  # the Status column is aligned
    assert signed_in_entries(cli.folder) == 0


def test_add_rename_move_retire_and_reinstate(cli):
    """Each command does one thing and says what the board now shows."""
    code, out, err = cli("chairs", "add", "Recliner by the window", "--as", "boss")
    assert (code, err) == (0, "") and out.startswith("Added Recliner by the window at position 4.")
    code, out, _err = cli("chairs", "move", "recliner BY the window", "1", "--as", "boss")
    assert code == 0 and "left to right: Recliner by the window, Chair 1, Chair 2, Chair 3." in out
    code, out, _err = cli("chairs", "rename", "chair 2", "Bay B", "--as", "boss")
    assert (code, out) == (0, "Renamed Chair 2 to Bay B.\n")
    code, out, _err = cli("chairs", "retire", "Chair 1", "--as", "boss")
    assert code == 0 and "left to right: Recliner by the window, Bay B, Chair 3." in out
    assert listing(cli)[1:] == [["1", "Recliner by the window", "active", "0"], ["2", "Bay B", "active", "0"],
                                ["3", "Chair 3", "active", "0"], ["-", "Chair 1", "retired", "0"]]
    code, out, _err = cli("chairs", "reinstate", "Chair 1", "--as", "boss")
    assert code == 0 and out.startswith("Reinstated Chair 1 at position 4.")


@pytest.mark.parametrize("args, message", [
    (("add", "CHAIR 1"), "There is already a chair called Chair 1."),
    (("add", "  "), "Chair name is required."),
    (("rename", "Chair 9", "Bay A"), "There is no chair called 'Chair 9'."),
    (("rename", "Chair 1", "chair 2"), "There is already a chair called Chair 2."),
    (("move", "Chair 1", "4"), "The position must be a whole number from 1 to 3 (the board has 3 chairs)."),
    (("move", "Chair 1", "0"), "The position must be a whole number from 1 to 3"),
    (("move", "Chair 1", "first"), "The position must be a whole number from 1 to 3, not 'first'."),
    (("move", "Chair 9", "1"), "There is no chair called 'Chair 9'."),
    (("retire", "Chair 9"), "There is no chair called 'Chair 9'."),
    (("reinstate", "Chair 1"), "Chair 1 is already on the board."),
])
def test_a_refused_command_says_why_on_one_line_and_changes_nothing(cli, args, message):
    """Unknown chair, duplicate name, bad position: one line on stderr, exit 1, the chairs as they were."""
    before = listing(cli)
    code, out, err = cli("chairs", *args, "--as", "boss")
    assert (code, out) == (1, "") and err.count("\n") == 1 and message in err
    assert listing(cli) == before
    assert signed_in_entries(cli.folder) == 0


def test_every_chairs_command_needs_an_administrator(cli):
    """Without --as, or as a physician, nothing is done."""
    code, _out, err = cli("chairs", "add", "Chair 4")
    assert code == 1 and "--as ADMIN" in err
    assert cli("users", "add", "okafor", "--role", "physician", "--name", "Imani Okafor", "--as", "boss",
               stdin=(ADMIN_PW, DOCTOR_PW))[0] == 0
    code, _out, err = cli("chairs", "add", "Chair 4", "--as", "okafor", stdin=(DOCTOR_PW,))
    assert code == 1 and err.count("\n") == 1 and "Chair 4" not in [row[1] for row in listing(cli)[1:]]


def test_a_chair_with_booked_sessions_is_not_retired(cli):
    """Three sessions planned in Chair 2: the list counts them and retire is refused with how many and when."""
    assert cli("users", "add", "okafor", "--role", "physician", "--name", "Imani Okafor", "--as", "boss",
               stdin=(ADMIN_PW, DOCTOR_PW))[0] == 0
    services, _ = open_services(str(cli.folder), None)
    try:
        doctor = services.auth.login("okafor", DOCTOR_PW)
        chair = services.chairs.find(doctor, "Chair 2")
        patient = services.patients.register(doctor, PatientInput(
            given_names="Ada", family_name="Lovelace", date_of_birth="1980-05-01", sex="female"))
        services.series.plan(doctor, patient.id, "iv_induction", services.context.today(), (0, 1, 2, 3, 4, 5, 6), 3,
                             time(23, 30), "0.5", chair.id)
        first = services.chairs.list(doctor)[1]
        services.auth.logout(doctor)
    finally:
        services.context.db.close()
    assert listing(cli)[2] == ["2", "Chair 2", "active", "3"] and first.booked == 3
    code, out, err = cli("chairs", "retire", "Chair 2", "--as", "boss")
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert "Chair 2 still has 3 sessions booked from today on, the first on " in err and "23:30" in err
    assert listing(cli)[2] == ["2", "Chair 2", "active", "3"]
