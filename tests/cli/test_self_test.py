"""`clinic-desktop --self-test`: a throw-away demo clinic, one line per step, exit 1 naming what failed."""

from __future__ import annotations

import sys

import pytest

from clinic_desktop.cli import main
from clinic_desktop.printing import fonts
from clinic_desktop.settings import ENV_DATA_DIR, ENV_DATABASE_URL
from tests.postgres_support import scratch_database

STEPS = ("database", "demo", "sheets", "checks", "window", "desktop")


def run(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["--self-test", *args])
    return code, capsys.readouterr().out.splitlines()


def outcomes(lines: list[str]) -> dict[str, str]:
    """{step: "ok" or "FAILED"} from the step lines ("ok  sheets: ...")."""
    return {line.split(":")[0].split()[1]: line.split()[0] for line in lines[:-1]}


def test_every_step_works_and_the_real_data_folder_is_left_alone(capsys, tmp_path, monkeypatch):
    """All five steps say ok and the exit is 0; the folder the environment names as the data folder (and the
    database it names) stay untouched, and the temporary folder is gone afterwards."""
    real = tmp_path / "real-data"
    real.mkdir()
    monkeypatch.setenv(ENV_DATA_DIR, str(real))
    monkeypatch.setenv(ENV_DATABASE_URL, f"sqlite:///{tmp_path / 'clinic-real.db'}")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    code, lines = run(capsys)
    assert code == 0, lines
    assert outcomes(lines) == dict.fromkeys(STEPS, "ok") and len(lines) == len(STEPS) + 1
    assert "4 rendered" in lines[2] and lines[-1].startswith("Self-test passed")
    assert list(real.iterdir()) == [] and not (tmp_path / "clinic-real.db").exists()
    assert list((tmp_path / "temp").iterdir()) == []


def test_a_missing_font_fails_the_sheets_step_by_name_and_the_others_still_run(capsys, monkeypatch):
    """With the body font gone from the installation the sheets step fails naming the file, the steps that
    do not print still pass, and the exit is 1 with the failed step named last."""
    real_path = fonts.resource_path

    def without_body_font(*parts: str):
        if parts == ("fonts", "DejaVuSans.ttf"):
            raise FileNotFoundError("The application's file fonts/DejaVuSans.ttf is missing from this installation.")
        return real_path(*parts)

    fonts.register_fonts.cache_clear()
    monkeypatch.setattr(fonts, "resource_path", without_body_font)
    try:
        code, lines = run(capsys)
    finally:
        monkeypatch.undo()
        fonts.register_fonts.cache_clear()  # the next test registers the real fonts again
    assert code == 1
    assert outcomes(lines) == {"database": "ok", "demo": "ok", "sheets": "FAILED", "checks": "ok", "window": "ok",
                               "desktop": "ok"}
    assert "fonts/DejaVuSans.ttf" in lines[2] and lines[-1] == "Self-test FAILED: sheets."


def test_a_database_that_already_holds_a_clinic_is_refused_and_kept(capsys, tmp_path):
    """Given --database-url of a database with accounts in it, the self-test writes nothing into it: the first
    step fails saying why, the rest are not run, and the exit is 1."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    assert main(["--database-url", url, "--data-dir", str(tmp_path), "demo", "--patients", "1"]) == 0
    capsys.readouterr()
    before = _contents(tmp_path / "clinic.db")
    code, lines = run(capsys, "--database-url", url)
    assert code == 1
    assert lines[0].startswith("FAILED  database:") and "new, empty database" in lines[0]
    assert outcomes(lines) == {**dict.fromkeys(STEPS, "FAILED"), "desktop": "ok"}  # it needs no database
    assert "not run, because database failed" in lines[1]
    assert lines[-1] == "Self-test FAILED: database, demo, sheets, checks, window."
    assert _contents(tmp_path / "clinic.db") == before


def _contents(path) -> list[str]:
    """Every table's rows as SQL (the file's size moves when SQLite folds its write-ahead log in; rows do not)."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def test_a_desktop_plugin_that_cannot_load_fails_naming_the_missing_library(monkeypatch):
    """When the desktop's window plug-in lacks a system library (a minimal Linux without libxcb-icccm), the
    desktop step fails with the loader's words, which name the library."""
    import ctypes

    from clinic_desktop.domain.errors import ClinicError
    from clinic_desktop.self_test_window import desktop_step

    def missing(path, *args, **kwargs):
        raise OSError("libxcb-icccm.so.4: cannot open shared object file: No such file or directory")
    monkeypatch.setattr(ctypes, "CDLL", missing)
    with pytest.raises(ClinicError, match="libxcb-icccm.so.4"):
        desktop_step(None)


def test_without_standard_streams_it_still_runs_and_exits_by_its_result(monkeypatch):
    """A windowed program on Windows has no stdout or stdin (None): the self-test neither crashes nor prints,
    and its exit code still tells the result."""
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stdin", None)
    assert main(["--self-test"]) == 0


@pytest.mark.postgres
def test_on_an_empty_postgresql_database_every_step_works(capsys):
    """--database-url of a new PostgreSQL database: created, migrated and filled there, every step ok."""
    with scratch_database("clinic_selftest") as url:
        code, lines = run(capsys, "--database-url", url)
    assert code == 0, lines
    assert lines[0].startswith("ok  database: postgresql database created")
