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


@pytest.mark.parametrize("args", [["demo", "--patients", "0"], ["demo", "--patients", "many"],
                                  ["demo", "--today", "2026-02-30"], ["no-such-command"]])
def test_bad_arguments_exit_2_with_usage(tmp_path, capsys, args):
    """argparse refuses bad arguments with exit status 2 and says which."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", str(tmp_path), *args])
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


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
