"""A PostgreSQL password never reaches a command line, a message or the log: pg_dump and pg_restore get it in
their environment, and whatever they print is scrubbed of it. The local server uses trust authentication, so the
URLs below carry a fictional password that the server ignores and the code must still hide."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from clinic_desktop import logs
from clinic_desktop.storage import backup, pg_tools
from clinic_desktop.storage.backup import BackupError
from clinic_desktop.storage.backup_manifest import BackupKind, manifest_path
from clinic_desktop.storage.backup_restore import restore_backup, take_backup
from clinic_desktop.storage.database import DatabaseError, make_engine, open_database
from tests.postgres_support import scratch_database
from tests.storage.backup_support import nurse, register, services_over

#: Characters that URL encoding changes, so both spellings of the password are looked for.
SECRET = "fictional:S3cret/pw@x"
ENCODED = "fictional%3AS3cret%2Fpw%40x"


def with_password(url: str) -> str:
    return url.replace("postgres@", f"postgres:{ENCODED}@", 1)


def _leaks(text: str) -> bool:
    return SECRET in text or ENCODED in text


@pytest.fixture
def calls(monkeypatch) -> list[tuple[list[str], dict | None]]:
    """Every subprocess.run and Popen the PostgreSQL tools make: (argv, env), the real call still made."""
    seen: list[tuple[list[str], dict | None]] = []

    def spying(real):
        def spy(args, *rest, **kwargs):
            seen.append(([str(a) for a in args], kwargs.get("env")))
            return real(args, *rest, **kwargs)
        return spy
    monkeypatch.setattr(subprocess, "run", spying(subprocess.run))
    monkeypatch.setattr(subprocess, "Popen", spying(subprocess.Popen))
    return seen


@pytest.mark.postgres
def test_backup_and_restore_pass_the_password_in_the_environment_only(tmp_path, clock, calls, caplog):
    """pg_dump and pg_restore against the real server: no argument holds the password; pg_dump, which connects,
    has it in its environment; pg_restore only turns the dump into SQL (the restore runs that SQL over the
    application's own connection); neither the manifest nor the log mentions it."""
    caplog.set_level(logging.DEBUG)
    with scratch_database("clinic_secret") as url:
        db = open_database(url, tmp_path / "backups", clock.now())
        try:
            services = services_over(db, clock)
            register(services, nurse(services, clock.now()), "Kept")
            target = tmp_path / "backups" / "clinic.dump"
            take_backup(with_password(url), db.keyring, target, BackupKind.MANUAL, clock.now())
            db.engine.dispose()
            restore_backup(target, with_password(url), db.keyring, tmp_path / "backups", clock.now())
        finally:
            db.close()
    connecting = [(argv, env) for argv, env in calls if any(a.startswith("--dbname=") for a in argv)]
    assert {Path(argv[0]).name for argv, _env in connecting} == {"pg_dump"}, "pg_dump must have connected"
    assert "pg_restore" in {Path(argv[0]).name for argv, _env in calls}, "the restore must have run pg_restore"
    assert [argv for argv, _env in calls if any(_leaks(a) for a in argv)] == []
    assert all(env is not None and env.get("PGPASSWORD") == SECRET for _argv, env in connecting)
    assert not _leaks(manifest_path(target).read_text())
    assert not _leaks(caplog.text)


@pytest.mark.postgres
def test_a_failing_pg_dump_names_no_password(tmp_path, calls):
    """The real pg_dump refused (no such database): the message says why, without the password."""
    with scratch_database("clinic_secret") as url:
        missing = with_password(url.rsplit("/", 1)[0] + "/clinic_no_such_database")
        with pytest.raises(BackupError) as refused:
            backup.pg_dump(make_engine(missing), tmp_path / "x.dump")
    assert "pg_dump failed" in refused.value.message and "clinic_no_such_database" in refused.value.message
    assert not _leaks(refused.value.message)
    assert [argv for argv, _env in calls if any(_leaks(a) for a in argv)] == []


def _echoing_tool(folder: Path, name: str) -> Path:
    """A stand-in for a client tool that prints everything it was given (arguments, PGPASSWORD, a URL with the
    password) to stderr and fails: the worst a tool's message could do."""
    script = folder / name
    script.write_text(f"#!{sys.executable}\nimport os, sys\n"
                      f"sys.stderr.write(' '.join(sys.argv) + ' ' + os.environ.get('PGPASSWORD', '') + "
                      f"' postgresql://postgres:{ENCODED}@server/clinic')\nsys.exit(1)\n")
    script.chmod(0o700)
    return script


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in tool is a script with a #! line")
def test_whatever_a_tool_echoes_is_scrubbed_from_the_message_and_the_log(tmp_path, monkeypatch, caplog):
    tool = _echoing_tool(tmp_path, "pg_dump")
    monkeypatch.setattr(backup.shutil, "which", lambda name: str(tool) if name == "pg_dump" else None)
    url = "postgresql+psycopg://postgres:" + ENCODED + "@127.0.0.1:1/clinic"
    with pytest.raises(BackupError) as refused:
        backup.pg_dump(make_engine(url), tmp_path / "x.dump")
    message = refused.value.message
    assert "pg_dump failed" in message and "--dbname=postgresql://postgres@127.0.0.1:1/clinic" in message
    assert not _leaks(message) and pg_tools.HIDDEN in message
    log_file = tmp_path / "logs"
    logs.configure(log_file)
    try:
        logging.getLogger("tests.pg").warning("as a careless caller might: %s %s", message, url)
    finally:
        logs.stop()
    written = (log_file / logs.LOG_FILE_NAME).read_text()
    assert "as a careless caller might" in written and not _leaks(written)


def test_a_password_given_as_a_uri_parameter_is_moved_off_the_command_line_too():
    target, env = pg_tools.connection(make_url(f"postgresql+psycopg://postgres@host/clinic?password={ENCODED}"
                                               "&sslmode=require"))
    assert not _leaks(target) and "sslmode=require" in target and env["PGPASSWORD"] == SECRET


def test_an_unparsable_database_url_is_reported_without_its_password():
    with pytest.raises(DatabaseError) as refused:
        make_engine(f"postgresql+psycopg://postgres:{ENCODED}@host:notaport/clinic")
    assert not _leaks(refused.value.message)
