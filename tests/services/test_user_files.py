"""The one rule for files a person names: what may be written, and that a write is whole or absent."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from clinic_desktop.services import user_files
from clinic_desktop.services.user_files import OutputRefused, ProtectedPlaces, check_output, read_input, write_output

posix_only = pytest.mark.skipif(os.name != "posix", reason="symbolic links, devices and pipes as POSIX has them")


@pytest.fixture
def clinic(tmp_path):
    """A data folder with its database, -wal/-shm, key, head and one backup; `outside` is a folder beside it."""
    data = tmp_path / "data"
    (data / "backups").mkdir(parents=True)
    for name in ("clinic.db", "clinic.db-wal", "clinic.db-shm", "audit.key", "audit-head.json", "notes.txt",
                 "backups/clinic-manual-1.db"):
        (data / name).write_bytes(f"original {name}".encode())
    (tmp_path / "outside").mkdir()
    places = (ProtectedPlaces.of(data, data / "clinic.db"),)
    return data, tmp_path / "outside", places


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name, what", [
    ("clinic.db", "the clinic's live database"), ("clinic.db-wal", "the live database's write-ahead log"),
    ("clinic.db-shm", "the live database's shared-memory file"), ("audit.key", "the audit log's key"),
    ("audit-head.json", "the audit log's head file"),
])
def test_the_clinics_own_files_are_never_written_even_with_replace(clinic, name, what):
    data, _outside, places = clinic
    before = contents(data)
    with pytest.raises(OutputRefused) as refused:
        write_output(data / name, b"overwritten", replace=True, places=places)
    assert refused.value.message == (f"{data / name} is {what}: it is never overwritten. Choose a file outside "
                                     f"the data folder {data}.")
    assert contents(data) == before


def test_other_spellings_of_a_protected_file_are_refused(clinic):
    """"..", a doubled slash and a relative path reach the same file: refused all the same."""
    data, outside, places = clinic
    for spelling in (outside / ".." / "data" / "clinic.db", Path(f"{data}//backups/../clinic.db")):
        with pytest.raises(OutputRefused, match="is the clinic's live database"):
            check_output(spelling, replace=True, places=places)
    os.chdir(outside)
    with pytest.raises(OutputRefused, match="is the audit log's key"):
        check_output(Path("../data/audit.key"), replace=True, places=places)


@posix_only
def test_a_symbolic_or_hard_link_to_a_protected_file_is_refused(clinic):
    data, outside, places = clinic
    (outside / "innocent.pdf").symlink_to(data / "clinic.db")
    (outside / "to-data").symlink_to(data)
    os.link(data / "audit.key", outside / "hard-link.pdf")
    for target, words in ((outside / "innocent.pdf", "is the clinic's live database"),
                          (outside / "to-data" / "audit-head.json", "is the audit log's head file"),
                          (outside / "hard-link.pdf", "is the audit log's key"),
                          (outside / "to-data" / "new.pdf", "is inside the clinic's data folder")):
        with pytest.raises(OutputRefused, match=words):
            write_output(target, b"x", replace=True, places=places)
    assert (data / "clinic.db").read_bytes() == b"original clinic.db"
    assert (data / "audit.key").read_bytes() == b"original audit.key"


@pytest.mark.skipif(sys.platform not in ("darwin", "win32"), reason="a case-insensitive file system")
def test_another_case_of_a_protected_name_is_refused(clinic):
    data, _outside, places = clinic
    with pytest.raises(OutputRefused, match="is the clinic's live database"):
        check_output(data / "CLINIC.DB", replace=True, places=places)


def test_inside_the_data_folder_only_a_new_file_directly_in_backups(clinic):
    data, _outside, places = clinic
    assert check_output(data / "backups" / "mine.db", places=places) == (data / "backups" / "mine.db").resolve()
    for target in (data / "notes.txt", data / "new.pdf", data / "logs" / "x.log",
                   data / "backups" / "clinic-manual-1.db", data / "backups" / "sub" / "x.db"):
        with pytest.raises(OutputRefused) as refused:
            check_output(target, replace=True, places=places)
        assert refused.value.message == (f"{target} is inside the clinic's data folder {data}: only a new file "
                                         "directly in its backups folder may be written there. Choose another place.")


def test_folders_and_existing_files(clinic):
    data, outside, places = clinic
    with pytest.raises(OutputRefused, match=r"is a folder: give the name of a file to write\.$"):
        check_output(outside, replace=True, places=places)
    (outside / "old.pdf").write_bytes(b"old")
    with pytest.raises(OutputRefused) as refused:
        write_output(outside / "old.pdf", b"new", how_to_replace=user_files.FORCE_HINT, places=places)
    assert refused.value.message == f"{outside / 'old.pdf'} already exists: choose another name, or add --force " \
                                    "to replace it."
    assert (outside / "old.pdf").read_bytes() == b"old"
    write_output(outside / "old.pdf", b"new", replace=True, places=places)
    assert (outside / "old.pdf").read_bytes() == b"new"
    with pytest.raises(OutputRefused, match="the folder .* does not exist"):
        check_output(outside / "missing" / "x.pdf", places=places)
    (outside / "a-file").write_bytes(b"")
    with pytest.raises(OutputRefused, match="a part of that path is a file, not a folder"):
        check_output(outside / "a-file" / "x.pdf", places=places)
    with pytest.raises(OutputRefused, match="File name too long"):
        check_output(outside / ("x" * 300), places=places)


@posix_only
@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero", "/dev/full"])
def test_devices_are_refused(device, clinic):
    with pytest.raises(OutputRefused, match=r"is not an ordinary file \(a device, pipe or socket\)"):
        write_output(Path(device), b"x", replace=True, places=clinic[2])


@posix_only
def test_a_pipe_is_refused_for_writing_and_reading(clinic):
    outside = clinic[1]
    os.mkfifo(outside / "pipe")
    with pytest.raises(OutputRefused, match="is not an ordinary file"):
        write_output(outside / "pipe", b"x", replace=True, places=clinic[2])
    with pytest.raises(user_files.ValidationError, match=r"is not an ordinary file \(a device or a pipe\)"):
        read_input(outside / "pipe", 100)  # refused at once, not waiting for a writer


@posix_only
def test_the_written_file_is_private_and_no_partial_file_is_left(clinic):
    outside = clinic[1]
    path = write_output(outside / "sheet.pdf", b"%PDF-1.4 whole", places=clinic[2])
    assert path.read_bytes() == b"%PDF-1.4 whole"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in outside.iterdir()) == ["sheet.pdf"]


def test_a_failed_write_leaves_the_old_file_and_no_partial(clinic, monkeypatch):
    """The disk fills up half-way: the file that was there is still whole, and no temporary file remains."""
    outside = clinic[1]
    (outside / "report.csv").write_bytes(b"the old export")

    def full_disk(fd, _fd2=None):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(user_files.os, "fsync", full_disk)
    with pytest.raises(OutputRefused) as refused:
        write_output(outside / "report.csv", b"a new export", replace=True, places=clinic[2])
    assert refused.value.message == (f"Could not write {outside / 'report.csv'}: No space left on device. Nothing "
                                     "was written there.")
    assert sorted(p.name for p in outside.iterdir()) == ["report.csv"]
    assert (outside / "report.csv").read_bytes() == b"the old export"


def test_a_name_taken_between_the_check_and_the_rename_is_not_overwritten(clinic, monkeypatch):
    """Without replace, the rename is a hard link that fails on an existing name: another program's file that
    appeared after the check stays as it is."""
    outside = clinic[1]
    real_check = user_files.check_output

    def check_then_someone_writes(*args, **kwargs):
        path = real_check(*args, **kwargs)
        path.write_bytes(b"someone else's")
        return path
    monkeypatch.setattr(user_files, "check_output", check_then_someone_writes)
    with pytest.raises(OutputRefused, match="already exists"):
        write_output(outside / "race.pdf", b"ours", places=clinic[2])
    assert (outside / "race.pdf").read_bytes() == b"someone else's"
    assert sorted(p.name for p in outside.iterdir()) == ["race.pdf"]


def test_reading_is_bounded_and_only_ordinary_files(clinic):
    data, outside, _places = clinic
    (outside / "logo.png").write_bytes(b"x" * 11)
    assert read_input(outside / "logo.png", 11) == b"x" * 11
    with pytest.raises(user_files.ValidationError, match="is larger than 10 bytes"):
        read_input(outside / "logo.png", 10)
    with pytest.raises(user_files.ValidationError, match="is a folder, not a file"):
        read_input(outside, 10)
    with pytest.raises(user_files.ValidationError, match="No such file or directory"):
        read_input(outside / "missing.png", 10)
    if os.name == "posix":
        with pytest.raises(user_files.ValidationError, match="is not an ordinary file"):
            read_input(Path("/dev/zero"), 10)


def test_every_opened_clinic_is_protected_without_being_named(services, tmp_path):
    """Services.build registers its database's places: a write with no places given still refuses them."""
    with pytest.raises(OutputRefused, match="is the audit log's key|is inside the clinic's data folder"):
        write_output(services.context.db.keyring.key_path, b"x", replace=True)
    if services.context.db.sqlite_path is not None:
        with pytest.raises(OutputRefused, match="is the clinic's live database"):
            write_output(services.context.db.sqlite_path, b"x", replace=True)
