"""`clinic-desktop users ...` and `demo` accounts: passwords only from standard input, administrators only."""

from __future__ import annotations

import argparse
import io
import sys

import pytest

from clinic_desktop.app import open_services
from clinic_desktop.cli import build_parser, main
from clinic_desktop.services.auth import AuthenticationFailed

ADMIN_PW = "correct horse battery staple"
NURSE_PW = "plum tuesday lantern 42"
RESET_PW = "violet harbour engine 7"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run the command on one data folder with the given lines on a non-terminal stdin: (code, out, err)."""
    def run(*args: str, stdin: tuple[str, ...] = ()) -> tuple[int, str, str]:
        stream = io.StringIO("".join(line + "\n" for line in stdin))
        assert not stream.isatty()
        monkeypatch.setattr(sys, "stdin", stream)
        code = main(["--data-dir", str(tmp_path), *args])
        out, err = capsys.readouterr()
        return code, out, err
    run.folder = tmp_path
    run.capsys = capsys
    return run


def _can_sign_in(folder, username: str, password: str) -> bool:
    services, _ = open_services(str(folder), None)
    try:
        services.auth.login(username, password)
        return True
    except AuthenticationFailed:
        return False
    finally:
        services.context.db.close()


def _first_admin(cli) -> None:
    assert cli("users", "add", "boss", "--role", "administrator", "--name", "Rosa Achterberg",
               stdin=(ADMIN_PW,))[0] == 0


def test_the_first_account_is_an_administrator_with_the_password_from_stdin(cli):
    """`users add` on a new database needs no --as; the password comes from standard input."""
    code, out, err = cli("users", "add", "boss", "--role", "administrator", "--name", "Rosa Achterberg",
                         stdin=(ADMIN_PW,))
    assert (code, err) == (0, "") and "first administrator" in out
    assert _can_sign_in(cli.folder, "boss", ADMIN_PW)
    assert ADMIN_PW not in out


def test_the_first_account_must_be_an_administrator(cli):
    """A first account without administration rights is refused and nothing is created."""
    code, out, err = cli("users", "add", "nurse1", "--role", "nurse", stdin=(NURSE_PW,))
    assert code == 1 and err.count("\n") == 1 and "first account must be an administrator" in err
    services, _ = open_services(str(cli.folder), None)
    assert services.auth.needs_first_admin()
    services.context.db.close()


def test_a_physician_with_admin_rights_may_be_the_first_account(cli):
    """--admin makes a clinician the first administrator."""
    code, _out, _err = cli("users", "add", "okafor", "--role", "physician", "--admin", "--name", "Imani Okafor",
                           "--credentials", "MD", stdin=(ADMIN_PW,))
    assert code == 0 and _can_sign_in(cli.folder, "okafor", ADMIN_PW)


def test_an_administrator_adds_and_lists_accounts(cli):
    """`users add nurse1 --role nurse --as boss` reads the admin's password, then the new one; list shows it."""
    _first_admin(cli)
    code, out, err = cli("users", "add", "nurse1", "--role", "nurse", "--name", "Dana Whitlock",
                         "--credentials", "RN", "--as", "boss", stdin=(ADMIN_PW, NURSE_PW))
    assert (code, err) == (0, "") and "Added nurse1 (Nurse)" in out
    assert _can_sign_in(cli.folder, "nurse1", NURSE_PW)
    code, out, _err = cli("users", "list", "--as", "boss", stdin=(ADMIN_PW,))
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert code == 0 and set(lines) == {"boss", "nurse1"}
    assert "Dana Whitlock" in lines["nurse1"] and "active" in lines["nurse1"] and "admin" in lines["boss"]
    assert NURSE_PW not in out and ADMIN_PW not in out


def test_disable_enable_and_reset_password(cli):
    """Disable stops sign-in, enable restores it, reset-password sets a new one."""
    _first_admin(cli)
    cli("users", "add", "nurse1", "--role", "nurse", "--as", "boss", stdin=(ADMIN_PW, NURSE_PW))
    code, out, _err = cli("users", "disable", "nurse1", "--as", "boss", stdin=(ADMIN_PW,))
    assert code == 0 and "nurse1 is now disabled" in out
    assert not _can_sign_in(cli.folder, "nurse1", NURSE_PW)
    assert "disabled" in cli("users", "list", "--as", "boss", stdin=(ADMIN_PW,))[1]
    assert cli("users", "enable", "nurse1", "--as", "boss", stdin=(ADMIN_PW,))[0] == 0
    code, out, _err = cli("users", "reset-password", "nurse1", "--as", "boss", stdin=(ADMIN_PW, RESET_PW))
    assert code == 0 and "reset" in out
    assert _can_sign_in(cli.folder, "nurse1", RESET_PW) and not _can_sign_in(cli.folder, "nurse1", NURSE_PW)


def test_an_administrator_may_reset_their_own_password(cli):
    """The reset ends the sign-in it was made with: the command still succeeds (nothing is left to sign out)."""
    _first_admin(cli)
    code, out, err = cli("users", "reset-password", "boss", "--as", "boss", stdin=(ADMIN_PW, RESET_PW))
    assert (code, err) == (0, "") and "reset" in out
    assert _can_sign_in(cli.folder, "boss", RESET_PW)


def test_an_administrator_cannot_disable_themselves(cli):
    """The only administrator disabling their own account: refused with a one-line error."""
    _first_admin(cli)
    code, _out, err = cli("users", "disable", "boss", "--as", "boss", stdin=(ADMIN_PW,))
    assert code == 1 and err.count("\n") == 1
    assert _can_sign_in(cli.folder, "boss", ADMIN_PW)


def test_a_wrong_admin_password_is_a_one_line_error_and_changes_nothing(cli):
    """Exit 1, one line on stderr, no traceback; the account was not added."""
    _first_admin(cli)
    code, out, err = cli("users", "add", "nurse1", "--role", "nurse", "--as", "boss",
                         stdin=("not the password", NURSE_PW))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("clinic-desktop: error: ") and "Traceback" not in err
    assert not _can_sign_in(cli.folder, "nurse1", NURSE_PW)


def test_a_non_administrator_cannot_manage_accounts(cli):
    """A nurse naming themselves with --as is refused (exit 1)."""
    _first_admin(cli)
    cli("users", "add", "nurse1", "--role", "nurse", "--as", "boss", stdin=(ADMIN_PW, NURSE_PW))
    code, _out, err = cli("users", "add", "nurse2", "--role", "nurse", "--as", "nurse1", stdin=(NURSE_PW, RESET_PW))
    assert code == 1 and err.count("\n") == 1 and "may not" in err


def test_missing_as_or_missing_stdin_line_is_a_clear_error(cli):
    """No --as after the first account, or no password line: exit 1 with a sentence."""
    _first_admin(cli)
    code, _out, err = cli("users", "list")
    assert code == 1 and "--as" in err
    code, _out, err = cli("users", "add", "nurse1", "--role", "nurse", "--as", "boss", stdin=(ADMIN_PW,))
    assert code == 1 and "standard input" in err


def _all_options(parser: argparse.ArgumentParser) -> list[str]:
    options = []
    for action in parser._actions:  # argparse offers no public walk
        options += action.option_strings + [action.dest]
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                options += _all_options(sub)
    return options


def test_a_password_is_never_accepted_as_an_argument(cli):
    """No option or argument of any command is a password; --password is a usage error (exit 2)."""
    names = _all_options(build_parser())
    assert "username" in names and "as_user" in names
    assert [n for n in names if "pass" in n.lower() or n.lower() in ("-p", "pw", "secret")] == []
    assert main(["--data-dir", str(cli.folder), "users", "add", "boss", "--role", "administrator",
                 "--password", ADMIN_PW]) == 2
    err = cli.capsys.readouterr().err
    assert "unrecognized" in err and "--password" in err and ADMIN_PW not in err, "the value is never echoed"


def _demo_accounts(out: str) -> dict[str, str]:
    lines = out.split("Demo accounts", 1)[1].splitlines()[1:]
    return {line.split()[0]: line.split()[1] for line in lines if line.startswith("  demo.")}


def test_demo_prints_accounts_that_can_sign_in(cli):
    """`demo` lists each demo account with its password, and each of them signs in."""
    code, out, _err = cli("demo", "--patients", "2", "--seed", "5", "--today", "2026-03-04")
    accounts = _demo_accounts(out)
    assert code == 0 and {"demo.physician", "demo.nurse", "demo.frontdesk", "demo.admin"} <= set(accounts)
    services, _ = open_services(str(cli.folder), None)
    try:
        for username, password in accounts.items():
            assert services.auth.login(username, password).username == username
        assert services.auth.login("demo.admin", accounts["demo.admin"]).is_admin
    finally:
        services.context.db.close()


def test_demo_refuses_a_database_that_already_has_accounts(cli):
    """A clinic's database (it has accounts) is never filled with demo data."""
    _first_admin(cli)
    code, out, err = cli("demo", "--patients", "2")
    assert code == 1 and "already has user accounts" in err and "demo." not in out
    services, _ = open_services(str(cli.folder), None)
    assert [u.member.username for u in services.auth.list_users(services.auth.login("boss", ADMIN_PW))] == ["boss"]
    services.context.db.close()
