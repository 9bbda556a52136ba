"""Only the account that runs the clinic may read its files: the data folder 0700, every file in it 0600, created
so whatever the umask, and repaired (with a log line) at every start."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from clinic_desktop import logs
from clinic_desktop.app import open_services
from clinic_desktop.cli import main
from clinic_desktop.domain.clock import FixedClock
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.registry import Services
from clinic_desktop.settings import resolve_locations
from clinic_desktop.storage.backup_manifest import BackupKind
from clinic_desktop.storage.backup_restore import automatic_target, restore_backup, take_backup
from clinic_desktop.storage.database import open_database
from clinic_desktop.storage.file_modes import secure_data_folder
from tests.conftest import PASSWORD, START, ZONE

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's (Windows: see file_modes.py)")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def loose_umask():
    """The loosest umask a careless setup could have: nothing the application creates may rely on it."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _modes(folder: Path) -> dict[str, int]:
    """Every folder and file under `folder` (relative name -> mode)."""
    return {str(p.relative_to(folder)): mode(p) for p in sorted(folder.rglob("*"))}


def _use_the_clinic(folder: Path, passwords) -> Services:
    """A new clinic in `folder`: its first administrator, a patient, an automatic backup with its manifest, a log."""
    logs.configure(folder / "logs")
    services, locations = open_services(str(folder), None, FixedClock(START), ZONE)
    services = Services.build(services.context.db, FixedClock(START), ZONE, passwords)
    admin = services.auth.create_first_admin("okafor", "Dr Imani Okafor", PASSWORD, "MD", StaffRole.PHYSICIAN)
    services.patients.register(admin, PatientInput(given_names="Ada", family_name="Quennell",
                                                   date_of_birth="1980-05-01", sex="female"))
    db = services.context.db
    url = db.engine.url.render_as_string(hide_password=False)
    take_backup(url, db.keyring, automatic_target(locations.backups_dir, BackupKind.AUTOMATIC, START, url),
                BackupKind.AUTOMATIC, START)
    logging.getLogger("tests.file_modes").warning("a line, so the log file exists")
    return services


def test_every_file_the_application_creates_is_private_whatever_the_umask(tmp_path, loose_umask, passwords):
    """Database, -wal, -shm, audit key and head, backup and manifest, log: 0600; folders 0700 (umask 0)."""
    folder = tmp_path / "clinic"
    services = _use_the_clinic(folder, passwords)
    try:
        found = _modes(folder)
        expected_files = {"clinic.db", "clinic.db-wal", "clinic.db-shm", "audit.key", "audit-head.json",
                          "logs/clinic-desktop.log"}
        assert expected_files <= set(found), "every kind of file must exist, or the check proves nothing"
        backups = [name for name in found if name.startswith("backups/")]
        assert any(n.endswith(".db") for n in backups) and any(n.endswith(".manifest.json") for n in backups)
        assert mode(folder) == 0o700
        assert {name: m for name, m in found.items() if m != (0o700 if (folder / name).is_dir() else 0o600)} == {}
    finally:
        services.context.db.close()
        logs.stop()


def test_a_restore_into_a_missing_database_file_makes_it_private(tmp_path, loose_umask, passwords):
    """The restored file (and its safety copy) are 0600 even when the live file had to be made afresh."""
    folder = tmp_path / "clinic"
    services = _use_the_clinic(folder, passwords)
    db = services.context.db
    url = db.engine.url.render_as_string(hide_password=False)
    backup = next((folder / "backups").glob("clinic-auto-*.db"))
    db.close()
    logs.stop()
    for end in ("", "-wal", "-shm"):
        (folder / f"clinic.db{end}").unlink(missing_ok=True)
    restore_backup(backup, url, db.keyring, folder / "backups", START)
    assert mode(folder / "clinic.db") == 0o600


def test_loose_modes_are_repaired_at_start_up_with_a_line_naming_each_file(tmp_path, passwords, caplog):
    """A data folder copied with 0755/0644 (say, restored from a USB stick): the next start narrows every file
    and folder, and says which, with the old and the new mode."""
    folder = tmp_path / "clinic"
    _use_the_clinic(folder, passwords).context.db.close()
    logs.stop()
    outside = tmp_path / "someone-elses-notes.txt"
    outside.write_text("not the clinic's")
    outside.chmod(0o644)
    (folder / "link-to-notes").symlink_to(outside)
    loosened = [p for p in folder.rglob("*") if not p.is_symlink()]
    for path in [folder, *loosened]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    caplog.set_level(logging.INFO)
    caplog.clear()
    services, _locations = open_services(str(folder), None, FixedClock(START), ZONE)
    services.context.db.close()
    assert mode(folder) == 0o700
    assert {str(p.relative_to(folder)): mode(p) for p in loosened if mode(p) not in (0o600, 0o700)} == {}
    assert mode(outside) == 0o644, "a symbolic link in the data folder must not change what it points to"
    lines = [r.getMessage() for r in caplog.records if "mode was changed" in r.getMessage()]
    for path in [folder, *loosened]:
        old, new = ("0755", "0700") if path.is_dir() else ("0644", "0600")
        assert any(str(path) in line and f"from {old} to {new}" in line for line in lines), path
    assert not any("Quennell" in line for line in lines)


def test_a_clean_data_folder_is_left_alone_and_unlogged(tmp_path, passwords, caplog):
    folder = tmp_path / "clinic"
    _use_the_clinic(folder, passwords).context.db.close()
    logs.stop()
    caplog.set_level(logging.INFO)
    caplog.clear()
    before = _modes(folder)
    assert secure_data_folder(folder, (folder / "backups", folder / "logs")) == []
    assert _modes(folder) == before
    assert not [r for r in caplog.records if "mode was changed" in r.getMessage()]


def test_a_database_kept_outside_the_data_folder_is_checked_too(tmp_path, caplog):
    """--database-url sqlite:///elsewhere/clinic.db: the file and its -wal/-shm are narrowed at start."""
    elsewhere = tmp_path / "elsewhere" / "clinic.db"
    elsewhere.parent.mkdir()
    url = f"sqlite:///{elsewhere}"
    open_database(url, tmp_path / "data" / "backups", START).close()
    elsewhere.chmod(0o664)
    caplog.set_level(logging.INFO)
    services, _locations = open_services(str(tmp_path / "data"), url, FixedClock(START), ZONE)
    services.context.db.close()
    assert mode(elsewhere) == 0o600
    assert any(str(elsewhere) in r.getMessage() and "from 0664 to 0600" in r.getMessage() for r in caplog.records)


def test_every_command_that_opens_the_data_folder_repairs_it(tmp_path, capsys):
    """The command line (here `info`) runs the same check as the window, before it reads anything."""
    folder = tmp_path / "clinic"
    assert main(["--data-dir", str(folder), "info"]) == 0
    database = resolve_locations(str(folder)).data_dir / "clinic.db"
    folder.chmod(0o755)
    database.chmod(0o644)
    assert main(["--data-dir", str(folder), "info"]) == 0
    assert (mode(folder), mode(database)) == (0o700, 0o600)
    log_text = (folder / "logs" / "clinic-desktop.log").read_text()
    assert f"{database} could be read by other users" in log_text and "from 0644 to 0600" in log_text


def test_a_restore_from_the_command_line_repairs_the_folder_before_it_replaces_the_database(tmp_path, passwords):
    """restore does not open the database first (it may be the damaged one), yet its folder is checked too."""
    folder = tmp_path / "clinic"
    _use_the_clinic(folder, passwords).context.db.close()
    logs.stop()
    backup = next((folder / "backups").glob("clinic-auto-*.db"))
    for path in (folder, folder / "clinic.db", backup):
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert main(["--data-dir", str(folder), "restore", str(backup)]) == 0
    assert (mode(folder), mode(folder / "clinic.db"), mode(backup)) == (0o700, 0o600, 0o600)
    assert not [p for p in (folder / "backups").iterdir() if mode(p) != 0o600]


def test_a_data_folder_that_is_a_file_is_refused_and_left_as_it_was(tmp_path, capsys):
    not_a_folder = tmp_path / "clinic"
    not_a_folder.write_text("a file")
    not_a_folder.chmod(0o644)
    assert main(["--data-dir", str(not_a_folder), "info"]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    assert mode(not_a_folder) == 0o644
