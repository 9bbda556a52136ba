"""The log for the clinic's IT: where it is, how it rotates, what each line says, and what it never holds."""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import stat
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from clinic_desktop import logs
from clinic_desktop.storage import schema
from clinic_desktop.cli import main
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.storage.database import open_database
from tests.conftest import PASSWORD
from tests.log_support import LogFile, log_file  # noqa: F401 (the fixture)

log = logging.getLogger("tests.logs")
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")
#: A fictional patient whose name must never reach the log.
GIVEN, FAMILY = "Quirinella", "Thistlewaite"
LINE = re.compile(r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) (?P<level>[A-Z]+) "
                  r"(?P<workstation>\S+) (?P<user>\S+) (?P<logger>\S+): (?P<message>.*)$")


def _handler() -> logs.PrivateFileHandler:
    return next(h for h in logging.getLogger().handlers if isinstance(h, logs.PrivateFileHandler))


def test_the_log_is_a_rotating_utf8_file_in_the_logs_folder(log_file, tmp_path):
    """logs/clinic-desktop.log, 2 MB a file, five older files kept, UTF-8."""
    assert log_file.path == tmp_path / "logs" / "clinic-desktop.log" == logs.log_file()
    handler = _handler()
    assert (handler.maxBytes, handler.backupCount, handler.encoding) == (2 * 1024 * 1024, 5, "utf-8")
    log.warning("Font for Zürich's letterhead: ✓")
    assert "Font for Zürich's letterhead: ✓" in log_file.path.read_bytes().decode("utf-8")


def test_each_line_has_time_level_workstation_user_logger_and_message(log_file):
    """ISO time with its offset, level, host name, the signed-in user's name or "-", the logger, the message."""
    log.info("before sign-in")
    logs.set_user("okafor")
    log.warning("after sign-in")
    first, second = (LINE.match(line) for line in log_file.text().splitlines()[-2:])
    assert first and second, log_file.text()
    assert first["level"] == "INFO" and first["user"] == "-" and first["message"] == "before sign-in"
    assert second["level"] == "WARNING" and second["user"] == "okafor" and second["logger"] == "tests.logs"
    assert first["workstation"] == socket.gethostname()


def test_old_files_rotate_and_five_are_kept(tmp_path, monkeypatch):
    """Past the size limit the file rotates to .1 ... .5; the oldest beyond five goes; each file is the user's."""
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    folder = tmp_path / "logs"
    logs.configure(folder)
    try:
        for n in range(400):
            log.warning("line %d of a busy day at the clinic", n)
    finally:
        logs.stop()
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["clinic-desktop.log"] + [f"clinic-desktop.log.{n}" for n in range(1, 6)]
    assert all(p.stat().st_size <= 2000 + 200 for p in folder.iterdir())
    if os.name == "posix":
        assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}


@posix_only
def test_log_file_and_folder_are_readable_only_by_their_owner(tmp_path):
    """The folder is 0700 and the file 0600, also when an older file was more open."""
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o755)
    (folder / logs.LOG_FILE_NAME).write_text("an older line\n", encoding="utf-8")
    os.chmod(folder / logs.LOG_FILE_NAME, 0o644)
    path = logs.configure(folder)
    try:
        log.warning("written")
    finally:
        logs.stop()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8").startswith("an older line\n")


def test_an_unwritable_log_folder_warns_and_the_application_runs_on(tmp_path, capsys):
    """A log folder that cannot be made: one warning on stderr, no log, and logging still never raises."""
    (tmp_path / "logs").write_text("a file where the folder should be", encoding="utf-8")
    assert logs.configure(tmp_path / "logs") is None
    assert logs.log_file() is None
    log.error("nowhere to go")
    err = capsys.readouterr().err
    assert err.startswith("clinic-desktop: warning: cannot write the log in ") and err.count("\n") == 1


def test_the_cli_runs_without_a_log_when_its_folder_cannot_be_written(tmp_path, capsys):
    """`info` still answers when logs/ cannot be created in the data folder."""
    (tmp_path / "logs").write_text("not a folder", encoding="utf-8")
    assert main(["--data-dir", str(tmp_path), "info"]) == 0
    out, err = capsys.readouterr()
    assert "Schema revision:" in out and "cannot write the log" in err


def test_a_write_that_fails_says_so_once_and_never_raises(log_file, capsys):
    """A full disk under the log: one line on stderr for the first failed line, then silence."""
    class FullDisk:
        def write(self, _text: str) -> None:
            raise OSError(28, "No space left on device")

        def flush(self) -> None:
            pass

        def seek(self, *_args: int) -> int:
            return 0

        def tell(self) -> int:
            return 0

        def close(self) -> None:
            pass

    _handler().stream = FullDisk()
    log.warning("one")
    log.warning("two")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "carries on" in err


def test_lines_quoting_a_rows_values_are_dropped_and_mrns_hidden():
    """PostgreSQL's DETAIL: and CONTEXT: lines go; the error and the SQL without values stay; MRNs are hidden."""
    message = ('(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint "uq_staff"\n'
               "DETAIL:  Key (username)=(quirinella) already exists.\n"
               "CONTEXT:  COPY staff, line 1: \"Quirinella\"\n"
               "[SQL: INSERT INTO staff (username) VALUES (%(username)s)]\n")
    kept = logs.redact(message)
    assert "quirinella" not in kept.lower()
    assert "duplicate key value" in kept and "[SQL: INSERT INTO staff" in kept
    assert logs.redact("There is no patient with MRN '10000013'.") == "There is no patient with MRN [hidden]."
    assert logs.redact("MRN 10000013 has no series yet") == "MRN [hidden] has no series yet"


def _insert_nameless_row(db) -> IntegrityError:
    """A patient row missing required fields, carrying the fictional name: the database refuses it."""
    try:
        with db.write() as uow:
            uow.session.execute(text("INSERT INTO patients (mrn, given_names, family_name) VALUES (:m, :g, :f)"),
                                {"m": "ZZ-1", "g": GIVEN, "f": FAMILY})
            uow.commit()
    except IntegrityError as exc:
        return exc
    raise AssertionError("the insert was accepted")


def test_a_failed_statement_logs_no_values_on_sqlite(db, log_file):
    """The engine hides SQL parameters: the traceback names the statement, never the name it carried."""
    exc = _insert_nameless_row(db)
    log.error("Unexpected error", exc_info=exc)
    logged = log_file.text()
    assert "IntegrityError" in logged and "INSERT INTO patients" in logged and "Traceback" in logged
    assert GIVEN not in logged and FAMILY not in logged


@pytest.mark.postgres
def test_postgres_detail_lines_with_row_values_are_kept_out(postgres_database, tmp_path, clock, log_file):
    """PostgreSQL's error quotes the failing row (DETAIL:): the exception holds the name, the log does not."""
    db = open_database(postgres_database.reset(), tmp_path / "backups", clock.now())
    try:
        exc = _insert_nameless_row(db)
    finally:
        db.close()
    assert FAMILY in str(exc) and "DETAIL:" in str(exc)  # what would have leaked
    log.error("Unexpected error", exc_info=exc)
    logged = log_file.text()
    assert "NotNullViolation" in logged and "Traceback" in logged
    assert GIVEN not in logged and FAMILY not in logged and "DETAIL:" not in logged


# --- what the services and the command line log -------------------------------------------------------

def test_sign_in_lock_unlock_sign_out_and_lockout_are_logged_by_user_name(services, staff, log_file):
    """Each by user name, each line carrying who is signed in; a password never appears."""
    auth = services.auth
    nurse = auth.login("whitlock", PASSWORD)
    auth.lock(nurse)
    auth.unlock(nurse, PASSWORD)
    auth.logout(nurse)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            auth.login("okafor", "Tuesday-wrong-guess")
    with pytest.raises(AuthenticationFailed):
        auth.login("someone-unknown", PASSWORD)
    lines = [LINE.match(line) for line in log_file.text().splitlines()]
    said = [(m["user"], m["message"]) for m in lines if m and m["logger"] == "clinic_desktop.services.auth"]
    assert said[:4] == [("whitlock", "whitlock signed in"), ("whitlock", "whitlock locked the screen"),
                        ("whitlock", "whitlock unlocked the screen"), ("whitlock", "whitlock signed out")]
    assert said[4][0] == "-"  # signed out: the next lines are no one's
    assert any(m.startswith("Account okafor locked until ") for _, m in said)
    assert said[-1] == ("-", "Sign-in refused: an unknown user name")
    logged = log_file.text()
    assert PASSWORD not in logged and "Tuesday-wrong-guess" not in logged and "someone-unknown" not in logged


def test_backups_are_logged_by_file_name(services, staff, log_file, tmp_path):
    """A backup taken appears with its file name only."""
    entry = services.backups.back_up_now(staff["admin"])
    [line] = log_file.lines("Backup taken")
    assert line.endswith(f"Backup taken: {entry.file_name} (manual)") and str(tmp_path) not in line


def test_a_command_logs_its_name_and_exit_status_not_its_arguments(tmp_path, tmp_path_factory, capsys, monkeypatch):
    """Start (version, data folder), the ClinicError's message as a warning, the exit status; never the MRN
    typed, nor the password."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--data-dir", str(tmp_path), "users", "add", "okafor", "--role", "physician", "--admin"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--data-dir", str(tmp_path), "print", "consent", "--patient", "77Q3", "--out",
                 str(tmp_path_factory.mktemp("out") / "x.pdf"), "--as", "okafor"]) == 1
    assert "There is no patient with MRN '77Q3'." in capsys.readouterr().err
    log_text = LogFile(tmp_path / "logs" / logs.LOG_FILE_NAME).text()
    assert "Clinic Desktop 0.1.0" in log_text and f"data folder {tmp_path}" in log_text
    assert f"at schema revision {schema.HEAD}" in log_text
    assert "users add ended with exit status 0" in log_text and "print consent ended with exit status 1" in log_text
    [warning] = [line for line in log_text.splitlines() if " WARNING " in line]
    assert warning.endswith("clinic_desktop.cli: There is no patient with MRN [hidden].")
    assert "77Q3" not in log_text and PASSWORD not in log_text


def test_an_unexpected_error_in_a_command_goes_to_the_log_with_one_line_on_stderr(tmp_path, capsys, monkeypatch):
    """Exit 1, one line naming the log file, no traceback on the terminal; the traceback is in the log."""
    from clinic_desktop import cli

    def broken(_args):
        raise RuntimeError("a bug nobody foresaw")
    monkeypatch.setattr(cli, "_info", broken)
    assert main(["--data-dir", str(tmp_path), "info"]) == 1
    err = capsys.readouterr().err
    path = tmp_path / "logs" / logs.LOG_FILE_NAME
    assert err == f"clinic-desktop: error: something unexpected went wrong; the details are in the log: {path}\n"
    logged = path.read_text(encoding="utf-8")
    assert "Traceback" in logged and "RuntimeError: a bug nobody foresaw" in logged
    assert "info ended with exit status 1" in logged


def test_a_registered_patients_name_is_not_logged_by_the_services(services, staff, log_file):
    """Registering and opening a chart write nothing of the patient to the log."""
    nurse = services.auth.login("whitlock", PASSWORD)
    p = services.patients.register(nurse, PatientInput(given_names=GIVEN, family_name=FAMILY,
                                                       date_of_birth="1980-05-01", sex="female"))
    services.patients.chart(nurse, p.id)
    services.auth.logout(nurse)
    assert GIVEN not in log_file.text() and FAMILY not in log_file.text()


def test_with_postgresql_the_log_stays_in_the_data_folder_and_hides_the_password(tmp_path, capsys):
    """--database-url elsewhere: the log is still the data folder's, and the URL's password is never in it."""
    url = "postgresql+psycopg://clinic:Hidden-pw-42@127.0.0.1:1/clinic"
    assert main(["--data-dir", str(tmp_path), "--database-url", url, "info"]) == 1  # nothing listens on port 1
    logged = (tmp_path / "logs" / logs.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "info ended with exit status 1" in logged and "Cannot open the database" in logged
    assert "Hidden-pw-42" not in logged
