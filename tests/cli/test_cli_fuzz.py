"""Every command given hostile input, generated: each option in turn gets every hostile value of its kind (record
numbers, dates, counts, paths, names, passwords) while the rest stay valid. Each run must end with a non-zero
exit status and exactly one line on standard error, no traceback, and no change to the data folder (its files
by hash, its database by rows) or to any folder beside it. Run in-process through `main(argv)`, plus a few real
processes for what only a real process can be given (bytes that are not UTF-8 in its arguments and input)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from clinic_desktop.cli import main
from clinic_desktop.services import passwords as password_module
from tests.cli.folder_state import audit_actions_after, folder_state, last_audit_seq

TODAY = "2026-03-20"
#: What a run that signs someone in (and out again) may add to the audit log; nothing else may change.
SIGN_IN_ACTIONS = {"login", "logout", "login_failed"}

IDS = ["", " ", "0", "-1", "-0", str(-2**63), str(2**31), str(2**31 - 1 + 1), str(2**63 - 1), str(2**63),
       str(2**64), "9" * 5000, "1e3", "0x1f", "1.5", "NaN", "inf", "1_000", "12abc", "\x1b[31m7", "7\n8",
       "\u0663\u0663\u0663\u0663\u0663\u0663\u0663"]  # Arabic-Indic digits: a number int() reads, of no record
DATES = ["", "0001-01-01", "9999-12-31", "2009-12-31", "2200-01-01", "2026-02-30", "2026-13-01", "2026-00-10",
         "20260101", "2026-1-1", "+2026-01-01", "-2026-01-01", "2026-03-02T10:00", "yesterday", "x" * 5000,
         "2026-03-02\n"]
COUNTS = ["", "0", "-1", str(1_000_001), str(2**63), "1e3", "many", "9" * 5000, "1.0"]
SEEDS = ["", "one", "1.5", "9" * 100_000 + "x"]
TEXTS = ["", " ", "\t", "x" * 100_000, "<b>bold</b>", "&amp;&#60;", "a\x1b[2Jb", "line\nbreak", "\u202eevil",
         "\u0301\u200b", "Zoë O'Brien", "'; DROP TABLE patients; --", "%s%n", "\\x00", "bad\udcff",
         "\ud800", "-", "--"]
PASSWORDS = ["", "x" * 1_000_000, "bad\udcff", "\ud83d", "\x00\x01\x02", "wrong password"]
ZONES = ["Not/AZone", "../../../etc/passwd", "UTC/../UTC", "x" * 5000, "America/New_York\x00"]


@dataclass(frozen=True)
class Case:
    argv: tuple[str, ...]
    stdin: str = ""


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """A small demo clinic with cheap password hashes (signing in would otherwise dominate the run), a folder
    beside it for outputs, hostile files there (a pipe, a symbolic link to the database, a damaged backup), and
    the administrator's and front desk's accounts."""
    patch = pytest.MonkeyPatch()
    cheap = password_module.HashPolicy(memory_kib=password_module.OWASP_MIN_MEMORY_KIB,
                                       time_cost=password_module.OWASP_MIN_TIME_COST, parallelism=1)
    patch.setattr(password_module, "HashPolicy", lambda: cheap)
    root = tmp_path_factory.mktemp("fuzz")
    folder, outside = root / "data", root / "outside"
    outside.mkdir()
    out = io.StringIO()
    real = sys.stdout
    sys.stdout = out
    try:
        assert main(["--data-dir", str(folder), "demo", "--patients", "3", "--today", TODAY]) == 0
        assert main(["--data-dir", str(folder), "backup"]) == 0
    finally:
        sys.stdout = real
    accounts = {line.split()[2]: line.split()[:2] for line in out.getvalue().splitlines()
                if line.startswith("  demo.")}
    (backup,) = (folder / "backups").glob("clinic-manual-*.db")
    damaged = outside / "damaged.db"
    damaged.write_bytes(backup.read_bytes()[:-4096] + b"\0" * 4096)
    damaged.with_name("damaged.db.manifest.json").write_bytes(
        backup.with_name(backup.name + ".manifest.json").read_bytes())
    (outside / "existing.pdf").write_bytes(b"an earlier sheet")
    (outside / "not-utf8.txt").write_bytes(b"title: \xff\xfe\n")
    (outside / "empty.txt").write_bytes(b"")
    (outside / "text-not-image.png").write_text("not an image")
    (outside / "a-file").write_bytes(b"a file, not a folder")
    (outside / "sub").mkdir()
    if os.name == "posix":
        os.mkfifo(outside / "pipe")
        (outside / "link-to-db.pdf").symlink_to(folder / "clinic.db")
        (outside / "link-to-data").symlink_to(folder)
    yield folder, outside, backup, accounts
    patch.undo()


def hostile_paths(folder: Path, outside: Path, backup: Path) -> list[str]:
    paths = [folder / "clinic.db", folder / "clinic.db-wal", folder / "clinic.db-shm", folder / "audit.key",
             folder / "audit-head.json", folder, folder / "backups", backup, folder / "logs" / "clinic-desktop.log",
             folder / "new.pdf", outside / ".." / folder.name / "clinic.db", Path(f"{folder}//./clinic.db"),
             outside / "existing.pdf", outside, outside / "missing" / "x.pdf", outside / "a-file" / "x.pdf",
             outside / ("x" * 300), outside / ("deep/" * 900 + "x.pdf"), outside / "missing" / "a\x1b[2Jb.pdf"]
    if os.name == "posix":
        paths += [Path("/dev/null"), Path("/dev/zero"), Path("/dev/full"), outside / "pipe",
                  outside / "link-to-db.pdf", outside / "link-to-data" / "audit.key", outside / "link-to-data" / "x"]
    return [str(p) for p in paths] + ["", ".", "bad\udcff.pdf"]


def cases(folder: Path, outside: Path, backup: Path, accounts: dict[str, list[str]]) -> list[Case]:
    admin, admin_pw = accounts["Administrator"]
    desk, desk_pw = accounts["Front"]
    paths = hostile_paths(folder, outside, backup)
    data = ("--data-dir", str(folder))
    made: list[Case] = []

    def add(*argv: str, stdin: str = "") -> None:
        made.append(Case((*data, *argv), stdin))

    def each(values, make) -> None:
        for value in values:
            make(value)

    # demo: counts, seeds, days (the folder already holds a clinic: a valid demo is refused too).
    each(COUNTS, lambda v: add("demo", "--patients", v, "--today", TODAY))
    each(SEEDS, lambda v: add("demo", "--patients", "2", "--seed", v))
    each(DATES, lambda v: add("demo", "--patients", "2", "--today", v))
    # print: every sheet, every id option, the MRN, the output path, the user and the password.
    for sheet, option in (("discharge", "--session"), ("record", "--session"), ("summary", "--series"),
                          ("consent", "--series")):
        extra = ("--patient", "000001") if sheet == "consent" else ()
        each(IDS, lambda v, s=sheet, o=option, e=extra: add("print", s, *e, o, v, "--out",
                                                            str(outside / "sheet.pdf"), "--as", desk,
                                                            stdin=desk_pw + "\n"))
    each(TEXTS, lambda v: add("print", "consent", "--patient", v, "--out", str(outside / "c.pdf"), "--as", desk,
                              stdin=desk_pw + "\n"))
    each(["", "im", "IV_INDUCTION", "x" * 5000], lambda v: add("print", "consent", "--patient", "000001",
                                                               "--protocol", v, "--out", str(outside / "c.pdf")))
    # With --force an existing ordinary file outside the data folder is a legitimate target: left out there.
    replaceable = str(outside / "existing.pdf")
    for force in ((), ("--force",)):
        each([p for p in paths if not (force and p == replaceable)],
             lambda v, f=force: add("print", "record", "--session", "1", "--out", v, *f, "--as", desk,
                                    stdin=desk_pw + "\n"))
    each(TEXTS, lambda v: add("print", "record", "--session", "1", "--out", str(outside / "r.pdf"), "--as", v,
                              stdin="whatever\n"))
    each(PASSWORDS, lambda v: add("print", "record", "--session", "1", "--out", str(outside / "r.pdf"),
                                  "--as", "no.such.user", stdin=v + "\n"))
    add("print", "record", "--session", "1", "--out", str(outside / "r.pdf"), "--as", desk, stdin="")
    # backup and restore.
    for force in ((), ("--force",)):
        each([p for p in paths if not (force and p == replaceable)], lambda v, f=force: add("backup", "--to", v, *f))
    # Every path but the one good backup (restoring that is no bad input).
    each([p for p in paths if p != str(backup)] + [str(outside / "damaged.db"), str(outside / "not-utf8.txt")],
         lambda v: add("restore", v))
    # users: names, roles, the administrator, passwords.
    each(TEXTS, lambda v: add("users", "add", v, "--role", "no-such-role", "--as", admin))
    each(TEXTS, lambda v: add("users", "add", "newcomer", "--role", "nurse", "--as", v, stdin="whatever\n"))
    for action in ("disable", "enable"):
        each(TEXTS, lambda v, a=action: add("users", a, v, "--as", admin, stdin=admin_pw + "\n"))
    each(TEXTS, lambda v: add("users", "reset-password", v, "--as", admin, stdin=admin_pw + "\n"))
    each(PASSWORDS, lambda v: add("users", "list", "--as", "no.such.user", stdin=v + "\n"))
    add("users", "list", "--as", admin, stdin="")
    # clinic: what a setting refuses, the logo file, the administrator.
    each(ZONES, lambda v: add("clinic", "set", "--time-zone", v, "--as", admin, stdin=admin_pw + "\n"))
    each(["", "legal", "A5", "x" * 5000], lambda v: add("clinic", "set", "--paper", v, "--as", admin))
    each(paths + [str(outside / "text-not-image.png"), str(outside / "empty.txt")],
         lambda v: add("clinic", "set", "--logo", v, "--as", admin, stdin=admin_pw + "\n"))
    add("clinic", "set", "--as", admin, stdin=admin_pw + "\n")
    each(TEXTS, lambda v: add("clinic", "show", "--as", v, stdin="whatever\n"))
    # chairs: names of no chair, positions.
    for action in ("retire", "reinstate"):
        each(TEXTS, lambda v, a=action: add("chairs", a, v, "--as", admin, stdin=admin_pw + "\n"))
    each(TEXTS, lambda v: add("chairs", "rename", v, "Renamed", "--as", admin, stdin=admin_pw + "\n"))
    each(COUNTS + IDS, lambda v: add("chairs", "move", "Chair 1", v, "--as", admin, stdin=admin_pw + "\n"))
    # sheets: kinds, versions, files to import.
    each(TEXTS, lambda v: add("sheets", "show", v, "--as", admin))
    each(TEXTS, lambda v: add("sheets", "show", "discharge", "--version", v, "--as", admin,
                              stdin=admin_pw + "\n"))
    each(paths + [str(outside / "not-utf8.txt"), str(outside / "empty.txt")],
         lambda v: add("sheets", "import", "discharge", v, "--as", admin, stdin=admin_pw + "\n"))
    # the commands themselves, and options nobody defined (a password typed as one is never echoed).
    for argv in (("no-such-command",), ("users",), ("print",), ("print", "record"), ("audit",), ("chairs",),
                 ("info", "--password", "s3cret"), ("info", "extra"), ("--data-dir",), ("backup", "--to"),
                 ("audit", "verify", "--all"), ("demo", "--patients")):
        add(*argv)
    # Global options: the data folder and the database URL, for the commands without a sign-in.
    urls = ["not a url", "mysql://root@localhost/x", "sqlite:////dev/null", "sqlite:///" + str(outside),
            "sqlite:///" + str(outside / "pipe"), "postgresql+psycopg://clinic:pw@127.0.0.1:9/x",
            "sqlite:///" + str(outside / "a-file" / "x.db"), "bad\udcff://x"]
    folders = [str(outside / "a-file"), str(outside / "pipe"), "/dev/null", str(outside / "a-file" / "sub"),
               str(outside / ("x" * 300)), str(outside / ("deep/" * 900)), "bad\udcff"]
    for command in (("info",), ("audit", "verify"), ("backup",), ("demo", "--patients", "2")):
        for url in urls:
            made.append(Case(("--data-dir", str(outside / "sub"), "--database-url", url, *command)))
        for other in folders:
            made.append(Case(("--data-dir", other, *command)))
    return made


def run_in_process(case: Case, capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(case.stdin))
    try:
        code = main(list(case.argv))
    except SystemExit as stop:  # only --help and --version may exit this way, with status 0
        code = stop.code if isinstance(stop.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def check(case: Case, code: int, err: str) -> str:
    """The run's outcome for the tally, after asserting what every outcome must be."""
    shown = repr(case.argv)[:300]
    assert "Traceback" not in err, (shown, err)
    assert code not in (0, None), (shown, err)
    assert err.count("\n") == 1 and err.endswith("\n"), (shown, err)
    assert code == 3 or err.startswith("clinic-desktop: error: "), (shown, err)
    assert "something unexpected went wrong" not in err, (shown, err)
    assert "s3cret" not in err and "wrong password" not in err, (shown, err)
    return f"exit {code}"


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if "logs" not in p.parts)


def test_no_hostile_input_gives_a_traceback_or_changes_a_file(clinic, capsys, monkeypatch, tmp_path):
    folder, outside, backup, accounts = clinic
    monkeypatch.chdir(tmp_path)  # a relative path that slipped through would land here
    everything = cases(folder, outside, backup, accounts)
    before, beside = folder_state(folder, audited=True), listing(outside)
    existing = (outside / "existing.pdf").read_bytes()
    seq = last_audit_seq(folder)
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    for case in everything:
        code, _out, err = run_in_process(case, capsys, monkeypatch)
        outcomes[check(case, code, err)] += 1
    seconds = time.monotonic() - started
    assert folder_state(folder, audited=True) == before
    assert set(audit_actions_after(folder, seq)) <= SIGN_IN_ACTIONS
    assert listing(outside) == beside and (outside / "existing.pdf").read_bytes() == existing
    assert list(tmp_path.iterdir()) == []
    print(f"\nCLI fuzz: {len(everything)} hostile inputs in-process in {seconds:.1f} s: "
          + ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
          + f"; {len(audit_actions_after(folder, seq))} sign-in entries audited; no traceback, no file changed")
    assert len(everything) >= 500 and outcomes["exit 2"] and outcomes["exit 1"]


def _process(argv: list[bytes], stdin: bytes, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "", "LC_ALL": "C.UTF-8"}
    env.pop("CLINIC_DESKTOP_DATA_DIR", None)
    return subprocess.run([os.fsencode(sys.executable), b"-m", b"clinic_desktop", *argv], input=stdin,
                          capture_output=True, cwd=cwd, env=env, timeout=120, check=False)


@pytest.mark.skipif(sys.platform == "win32", reason="arguments as bytes are POSIX")
def test_real_processes_given_bytes_that_are_not_text(clinic, tmp_path):
    """Arguments and a password that are not UTF-8, and a record number past 64 bits, given to a real process:
    one line on standard error, a non-zero exit, and nothing written."""
    folder, outside, _backup, accounts = clinic
    desk, desk_pw = accounts["Front"]
    before, beside = folder_state(folder, audited=True), listing(outside)
    seq = last_audit_seq(folder)
    data = [b"--data-dir", os.fsencode(folder)]
    runs = [
        ([b"--data-dir", os.fsencode(tmp_path) + b"/bad\xff\xfe", b"info"], b""),
        ([*data, b"print", b"record", b"--session", b"1", b"--out", os.fsencode(outside) + b"/\xff.pdf",
          b"--as", desk.encode()], desk_pw.encode() + b"\n"),
        ([*data, b"print", b"record", b"--session", b"1", b"--out", os.fsencode(outside / "p.pdf"),
          b"--as", desk.encode()], b"\xff\xfe\xfd\n"),
        ([*data, b"print", b"summary", b"--series", str(2**63).encode(), b"--out", os.fsencode(outside / "s.pdf")],
         b""),
        ([b"--data-dir", os.fsencode(tmp_path / "fresh"), b"demo", b"--today", b"0001-01-01"], b""),
        ([b"--data-dir", os.fsencode(outside / "a-file"), b"info"], b""),
    ]
    for argv, stdin in runs:
        result = _process(argv, stdin, tmp_path)
        err = result.stderr.decode("utf-8", "backslashreplace")
        assert result.returncode in (1, 2), (argv, err)
        assert b"Traceback" not in result.stderr and err.count("\n") == 1, (argv, err)
        assert err.startswith("clinic-desktop: error: ") and result.stdout == b"", (argv, err)
    assert folder_state(folder, audited=True) == before
    assert set(audit_actions_after(folder, seq)) <= SIGN_IN_ACTIONS
    assert listing(outside) == beside
    assert not (tmp_path / "fresh" / "clinic.db").exists()
