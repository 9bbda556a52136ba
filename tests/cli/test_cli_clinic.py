"""`clinic-desktop clinic show|set`: the letterhead from a script, in an administrator's name, every bad value a
one-line error that changes nothing."""

from __future__ import annotations

import io
import sys

import pytest

from clinic_desktop.app import open_services
from clinic_desktop.cli import main
from clinic_desktop.domain.clinic_profile import ClinicProfile

ADMIN_PW = "correct horse battery staple"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run the command on one data folder with the given lines on a non-terminal stdin: (code, out, err)."""
    def run(*args: str, stdin: tuple[str, ...] = (ADMIN_PW,)) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in stdin)))
        code = main(["--data-dir", str(tmp_path / "data"), *args])
        out, err = capsys.readouterr()
        return code, out, err
    assert run("users", "add", "boss", "--role", "administrator", "--name", "Rosa Achterberg")[0] == 0
    run.folder = tmp_path / "data"
    return run


def stored(folder) -> tuple[ClinicProfile, bytes | None]:
    services, _ = open_services(str(folder), None)
    try:
        admin = services.auth.login("boss", ADMIN_PW)
        return services.settings.profile(admin), services.settings.logo(admin)
    finally:
        services.context.db.close()


def test_set_changes_only_the_fields_given_and_show_lists_them(cli, tmp_path):
    """Name, a two-line address, phones, paper, numbers and zone are saved; what was not given stays."""
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (160, 60), (0, 80, 160)).save(logo)
    code, out, err = cli("clinic", "set", "--as", "boss", "--name", "Harbor View Clinic", "--address",
                         "12 Quay Street\\nFairview, OR 97024", "--phone", "(503) 555-0142", "--paper", "a4",
                         "--emergency-number", "112", "--time-zone", "Europe/Dublin", "--logo", str(logo))
    assert (code, err) == (0, "")
    profile, stored_logo = stored(cli.folder)
    assert profile == ClinicProfile("Harbor View Clinic", "12 Quay Street\nFairview, OR 97024", "(503) 555-0142",
                                    paper="a4", emergency_number="112", time_zone="Europe/Dublin")
    assert stored_logo == logo.read_bytes()
    code, out, _err = cli("clinic", "show", "--as", "boss")
    assert code == 0
    lines = out.splitlines()
    assert "Clinic name:        Harbor View Clinic" in lines
    assert lines[lines.index("Address:            12 Quay Street") + 1].strip() == "Fairview, OR 97024"
    assert "Paper size:         A4 (210 × 297 mm)" in lines and "Crisis line number: 988" in lines
    assert any(line.startswith("Logo:") and "KB image" in line for line in lines)
    assert cli("clinic", "set", "--as", "boss", "--no-logo")[0] == 0
    assert stored(cli.folder) == (profile, None)


def test_a_new_clinic_is_told_what_is_still_missing(cli):
    """Before anything is set, `show` names the name, address and phone as not set yet."""
    code, out, _err = cli("clinic", "show", "--as", "boss")
    assert code == 0
    assert "Not set yet: the clinic's name, its address, its phone number." in out


@pytest.mark.parametrize(("args", "words"), (
    (("--name", "Should Not Stick", "--phone", "call us"), "Clinic phone should be a phone number"),
    (("--name", "Should Not Stick", "--time-zone", "Mars/Olympus_Mons"), "not a time zone"),
    (("--name", "Should Not Stick", "--emergency-number", ""), "Emergency number is required"),
    ((), "Nothing to change"),
    (("--name", "Should Not Stick", "--logo", "no-such-file.png"), "Cannot read the logo"),
))
def test_bad_values_are_one_line_errors_and_change_nothing(cli, args, words):
    """Exit 1, one line on stderr naming the problem, and the stored profile as it was."""
    before = stored(cli.folder)
    code, out, err = cli("clinic", "set", "--as", "boss", *args)
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and words in err
    assert stored(cli.folder) == before


def test_a_nurse_cannot_change_the_letterhead(cli):
    """Only physicians and administrators change it: a nurse's attempt is refused and nothing changes."""
    assert cli("users", "add", "nina", "--role", "nurse", "--as", "boss", stdin=(ADMIN_PW, "nurse pass 1234 x",
                                                                               "nurse pass 1234 x"))[0] == 0
    code, _out, err = cli("clinic", "set", "--as", "nina", "--name", "Nina's Clinic", stdin=("nurse pass 1234 x",))
    assert code == 1 and "change" in err
    assert stored(cli.folder)[0] == ClinicProfile()
