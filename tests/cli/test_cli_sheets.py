"""`clinic-desktop sheets ...`: list, show and import the sheet texts as an administrator; one-line errors."""

from __future__ import annotations

import io
import sys

import pytest

from clinic_desktop.app import open_services
from clinic_desktop.cli import main
from tests.conftest import NEW_CONSENT_SENTENCE, revised_consent_text

ADMIN_PW = "correct horse battery staple"
NURSE_PW = "plum tuesday lantern 42"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """A data folder with an administrator (boss) and a nurse; run(...) -> (code, out, err)."""
    def run(*args: str, stdin: tuple[str, ...] = (ADMIN_PW,)) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in stdin)))
        code = main(["--data-dir", str(tmp_path), *args])
        out, err = capsys.readouterr()
        return code, out, err
    assert run("users", "add", "boss", "--role", "administrator", "--name", "Rosa Achterberg")[0] == 0
    assert run("users", "add", "nurse1", "--role", "nurse", "--as", "boss", stdin=(ADMIN_PW, NURSE_PW, NURSE_PW))[0] == 0
    run.folder = tmp_path
    return run


def stored_versions(folder, kind: str) -> list[str]:
    services, _ = open_services(str(folder), None)
    try:
        admin = services.auth.login("boss", ADMIN_PW)
        return [v.version for v in services.sheet_texts.list(admin) if v.kind == kind]
    finally:
        services.context.db.close()


def test_list_shows_every_shipped_text_in_use(cli):
    """A new database lists the shipped texts: each kind's newest in use, discharge's first version earlier."""
    code, out, err = cli("sheets", "list", "--as", "boss")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[:3] for line in lines] == [["consent-racemic", "2026.1", "in"],
                                                      ["consent-esketamine", "2026.1", "in"],
                                                      ["discharge", "2026.2", "in"],
                                                      ["discharge", "2026.1", "earlier"]]
    assert all("shipped" in line and "(application)" in line for line in lines)


def test_import_stores_the_next_version_and_show_prints_either(cli, tmp_path):
    """The file becomes 2026.2; `show` prints it, `show --version 2026.1` the shipped one; list marks both."""
    path = tmp_path / "revised.txt"
    path.write_text(revised_consent_text(), encoding="utf-8")
    code, out, err = cli("sheets", "import", "consent-racemic", str(path), "--as", "boss")
    assert (code, err) == (0, "") and "Stored consent-racemic version 2026.2" in out and "re-consent" in out
    assert NEW_CONSENT_SENTENCE in cli("sheets", "show", "consent-racemic", "--as", "boss")[1]
    code, old, _ = cli("sheets", "show", "consent-racemic", "--version", "2026.1", "--as", "boss")
    assert code == 0 and old.startswith("title: Consent to treatment with ketamine") and NEW_CONSENT_SENTENCE not in old
    listed = cli("sheets", "list", "--as", "boss")[1].splitlines()
    assert listed[0].split()[:3] == ["consent-racemic", "2026.2", "in"]
    assert listed[1].split()[:3] == ["consent-racemic", "2026.1", "earlier"] and "Rosa Achterberg" in listed[0]


def test_an_explicit_version_is_used(cli, tmp_path):
    """--version 2027.1 stores that version."""
    path = tmp_path / "revised.txt"
    path.write_text(revised_consent_text(), encoding="utf-8")
    assert cli("sheets", "import", "consent-racemic", str(path), "--version", "2027.1", "--as", "boss")[0] == 0
    assert stored_versions(cli.folder, "consent-racemic") == ["2027.1", "2026.1"]


@pytest.mark.parametrize("content, args, words", [
    ("title: Broken\n# 1. No separator\nText.\n", (), "'---'"),
    (None, ("--version", "2026.1"), "not higher than 2026.1"),
    ("title: Demo\n---\n# 1. About\n{clinic_fax}\n# Agreement\nYes.\n", (), "Line 4: {clinic_fax}"),
])
def test_a_refused_file_is_one_line_exit_1_and_nothing_stored(cli, tmp_path, content, args, words):
    """A malformed text, a version not above the newest, an unknown placeholder: one line naming the file."""
    path = tmp_path / "revised.txt"
    path.write_text(content or revised_consent_text(), encoding="utf-8")
    code, out, err = cli("sheets", "import", "consent-racemic", str(path), *args, "--as", "boss")
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert "revised.txt" in err and words in err and "Nothing was stored" in err
    assert stored_versions(cli.folder, "consent-racemic") == ["2026.1"]


def test_a_missing_file_is_refused_before_the_password_is_asked(cli, tmp_path):
    """No password is read for a file that cannot be read."""
    code, _out, err = cli("sheets", "import", "discharge", str(tmp_path / "nope.txt"), "--as", "boss", stdin=())
    assert code == 1 and err.count("\n") == 1 and "Cannot read nope.txt" in err


def test_a_nurse_and_a_missing_as_are_refused(cli, tmp_path):
    """Only an administrator revises the texts; the command says who must run it."""
    code, _out, err = cli("sheets", "list", "--as", "nurse1", stdin=(NURSE_PW,))
    assert code == 1 and err.count("\n") == 1 and "may not revise the consent and discharge texts" in err
    code, _out, err = cli("sheets", "list")
    assert code == 1 and "--as ADMIN" in err


def test_an_unknown_version_or_kind(cli):
    """`show` of a version that does not exist is one line; an unknown kind is an argument error (exit 2)."""
    code, _out, err = cli("sheets", "show", "discharge", "--version", "2030.1", "--as", "boss")
    assert code == 1 and "no version 2030.1" in err
    code, _out, err = cli("sheets", "show", "consent-im", "--as", "boss")
    assert code == 2 and "invalid choice: 'consent-im'" in err and err.count("\n") == 1
