"""The `clinic-desktop` command: global options, demo data, info, and one-line errors with exit codes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from clinic_desktop.cli import main
from clinic_desktop.storage import schema


def _snapshot(db_path) -> list[tuple]:
    """What a demo wrote that must not vary between runs: people, schedule, doses and scores."""
    with sqlite3.connect(db_path) as conn:
        return [
            conn.execute("SELECT mrn, given_names, family_name, date_of_birth, sex, phone FROM patients "
                         "ORDER BY mrn").fetchall(),
            conn.execute("SELECT series_id, sequence, scheduled_at, status FROM treatment_sessions "
                         "ORDER BY id").fetchall(),
            conn.execute("SELECT session_id, dose_mg, started_at, lot_number FROM dose_records ORDER BY id").fetchall(),
            conn.execute("SELECT instrument, total, taken_at FROM scale_responses ORDER BY id").fetchall(),
            conn.execute("SELECT count(*) FROM vital_signs").fetchall(),
        ]


def test_demo_then_info_with_global_options_before_the_command(tmp_path, capsys):
    """`--data-dir DIR demo` fills that folder's database; `info` then counts the patients."""
    assert main(["--data-dir", str(tmp_path), "demo", "--patients", "6", "--seed", "3", "--today", "2026-03-04"]) == 0
    assert (tmp_path / "clinic.db").exists()
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path), "info"]) == 0
    out = capsys.readouterr().out
    assert "Patients:        6" in out
    assert f"Schema revision: {schema.HEAD}" in out


def test_demo_is_deterministic_for_a_seed_and_day(tmp_path):
    """The same seed and day give the same clinic, row for row; another seed gives another."""
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        folder = tmp_path / name
        assert main(["--data-dir", str(folder), "demo", "--patients", "8", "--seed", str(seed),
                     "--today", "2026-05-20"]) == 0
        runs[name] = _snapshot(folder / "clinic.db")
    assert runs["a"] == runs["b"]
    assert runs["a"][0] != runs["c"][0]
    assert runs["a"][4][0][0] > 0, "the demo charts vital signs"


def test_demo_refuses_a_database_that_already_has_patients(tmp_path, capsys):
    """Demo data never mixes into a real clinic's records: one line, exit 1, nothing added."""
    assert main(["--data-dir", str(tmp_path), "demo", "--patients", "2", "--today", "2026-03-04"]) == 0
    before = _snapshot(tmp_path / "clinic.db")
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path), "demo", "--patients", "2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("clinic-desktop: error: This database already has 2 patients")
    assert err.count("\n") == 1
    assert _snapshot(tmp_path / "clinic.db") == before


def test_environment_variable_chooses_the_data_folder(tmp_path, monkeypatch, capsys):
    """CLINIC_DESKTOP_DATA_DIR works like --data-dir."""
    monkeypatch.setenv("CLINIC_DESKTOP_DATA_DIR", str(tmp_path / "from-env"))
    assert main(["info"]) == 0
    assert str(tmp_path / "from-env") in capsys.readouterr().out
    assert (tmp_path / "from-env" / "clinic.db").exists()


def test_database_url_overrides_the_data_folder(tmp_path, capsys):
    """--database-url points at another SQLite file (or a PostgreSQL server)."""
    other = tmp_path / "elsewhere" / "clinic-copy.db"
    assert main(["--data-dir", str(tmp_path / "data"), "--database-url", f"sqlite:///{other}", "info"]) == 0
    assert other.exists()
    assert not (tmp_path / "data" / "clinic.db").exists()


@pytest.mark.parametrize("url, words", [
    ("not a url", "Not a database URL"),
    ("mysql://root@localhost/x", "Unsupported database"),
])
def test_bad_database_url_is_one_line_and_exit_1(tmp_path, capsys, url, words):
    """A wrong URL is explained in one line, never a traceback."""
    assert main(["--data-dir", str(tmp_path), "--database-url", url, "info"]) == 1
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and err.count("\n") == 1


def test_newer_database_is_refused_with_exit_1(tmp_path, capsys):
    """A database from a newer program version is refused and left as it was."""
    assert main(["--data-dir", str(tmp_path), "info"]) == 0
    db = tmp_path / "clinic.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path), "info"]) == 1
    assert "newer version of clinic_desktop" in capsys.readouterr().err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0099_future",)


@pytest.mark.parametrize("args, words", [
    (["demo", "--patients", "0"], "argument --patients: must be between 1 and 1,000,000"),
    (["demo", "--patients", "many"], "argument --patients: 'many' is not a whole number"),
    (["demo", "--today", "2026-02-30"], "'2026-02-30' is not a date written YYYY-MM-DD"),
    (["no-such-command"], "invalid choice: 'no-such-command'"),
    (["print", "record", "--session", str(2**63), "--out", "x.pdf"], "is not a record number: they run from 1"),
    (["print", "summary", "--series", "-1", "--out", "x.pdf"], "'-1' is not a record number"),
    (["print", "discharge", "--session", "0", "--out", "x.pdf"], "'0' is not a record number"),
    (["print", "record", "--out", "x.pdf"], "the following arguments are required: --session"),
    (["info", "--bogus"], "unrecognized option --bogus"), (["info", "extra", "words"], "2 unexpected words at the end"),
    (["--data-dir", "bad\udcff", "info"], "argument 4 ('bad\\udcff') is not valid UTF-8 text"),
])
def test_bad_arguments_are_one_line_with_exit_2_and_no_usage(tmp_path, capsys, args, words):
    """A wrong argument: exit status 2 and one line saying which and why, never the usage dump; nothing is
    created (the data folder is not even made)."""
    folder = tmp_path / "data"
    assert main(["--data-dir", str(folder), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("clinic-desktop: error: ") and words in err, err
    assert err.count("\n") == 1 and "usage:" not in err
    assert not folder.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2009-12-31", "2200-01-01"])
def test_demo_day_the_calendar_cannot_hold_is_refused_in_one_line(tmp_path, capsys, day):
    """A demo laid out around a day whose history or bookings fall off the calendar: one line, exit 1, no data."""
    assert main(["--data-dir", str(tmp_path), "demo", "--patients", "2", "--today", day]) == 1
    err = capsys.readouterr().err
    assert err == (f"clinic-desktop: error: A demo clinic is laid out around a day from 2010-01-01 to 2199-12-31; "
                   f"{day} is outside that.\n")
    assert not (tmp_path / "clinic.db").exists()


def test_data_folder_that_is_a_file_too_long_or_not_text_is_one_line(tmp_path, capsys, monkeypatch):
    """--data-dir (or the environment's) naming a file, a name too long for the file system, or bytes that are
    not UTF-8: one line, exit 1, and the file is left as it was."""
    a_file = tmp_path / "a-file"
    a_file.write_bytes(b"not a folder")
    assert main(["--data-dir", str(a_file), "info"]) == 1
    assert capsys.readouterr().err == (f"clinic-desktop: error: The data folder {a_file} is a file, not a folder: "
                                       "choose a folder with --data-dir.\n")
    assert a_file.read_bytes() == b"not a folder"
    assert main(["--data-dir", str(tmp_path / ("x" * 5000)), "info"]) == 1
    err = capsys.readouterr().err
    assert "Cannot use the data folder" in err and "File name too long" in err and err.count("\n") == 1
    assert len(err) < 400, "a very long path is shortened in the message"
    monkeypatch.setenv("CLINIC_DESKTOP_DATA_DIR", str(tmp_path) + "/bad\udcff")
    assert main(["info"]) == 1
    assert capsys.readouterr().err == ("clinic-desktop: error: The data folder " + str(tmp_path) +
                                       "/bad\\udcff is not valid UTF-8 text: rename it, or choose another.\n")


def test_unknown_schema_stamp_is_refused_unchanged(tmp_path, capsys):
    """A stamp this program never wrote (older-looking or not): one line naming it, exit 1, file untouched."""
    assert main(["--data-dir", str(tmp_path), "info"]) == 0
    with sqlite3.connect(tmp_path / "clinic.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0000_before_everything'")
    before = (tmp_path / "clinic.db").read_bytes()
    capsys.readouterr()
    assert main(["--data-dir", str(tmp_path), "info"]) == 1
    err = capsys.readouterr().err
    assert "stamped with schema '0000_before_everything', which this program does not know" in err
    assert err.count("\n") == 1 and (tmp_path / "clinic.db").read_bytes() == before


def test_python_dash_m_runs_the_same_command():
    """`python -m clinic_desktop --version` works like the console script."""
    result = subprocess.run([sys.executable, "-m", "clinic_desktop", "--version"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("clinic-desktop ")



def test_errors_never_show_a_database_password(tmp_path, capsys):
    """A server that cannot be reached is reported without the password in its URL."""
    url = "postgresql+psycopg://clinic:s3cret-pw@127.0.0.1:9/clinic"  # port 9: nothing listens there
    assert main(["--data-dir", str(tmp_path), "--database-url", url, "info"]) == 1
    err = capsys.readouterr().err
    assert "Cannot open the database" in err and "s3cret-pw" not in err


def test_a_data_folder_this_user_may_not_use_is_one_line(tmp_path, capsys, monkeypatch):
    """A folder the user cannot read and write (checked by access rights, which a test run as root cannot
    lose, so the answer is given here): one line, exit 1, and no log or database is made in it."""
    import os

    folder = tmp_path / "locked"
    folder.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if str(path) == str(folder)
                        else real_access(path, mode, **kw))
    assert main(["--data-dir", str(folder), "info"]) == 1
    assert capsys.readouterr().err == (f"clinic-desktop: error: Cannot use the data folder {folder}: this user may "
                                       "not read and write in it. Choose another with --data-dir, or ask IT to give "
                                       "it back to this user.\n")
    assert list(folder.iterdir()) == []
