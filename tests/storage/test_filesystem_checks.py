"""A SQLite database is refused on a network file system or through a symbolic link, with a message that says
to use the PostgreSQL mode for several workstations; a local file by its real path opens as before."""

from __future__ import annotations

import os
import sys
from pathlib import Path, PurePosixPath

import pytest

from clinic_desktop.storage.database import DatabaseError, open_database
from clinic_desktop.storage.filesystem import (
    DRIVE_REMOTE,
    Mount,
    mount_of,
    network_mount,
    parse_mount_output,
    parse_mountinfo,
    sqlite_location_problem,
    windows_network_drive,
)

#: A workstation's mounts: local root and home, an NFS share, a Samba share with a space in its mount point,
#: an sshfs folder, and a local disk mounted inside the NFS tree.
MOUNTINFO = """\
22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw
23 22 8:3 / /home rw,relatime shared:2 - xfs /dev/sda3 rw
40 22 0:50 / /srv/clinic rw,relatime shared:20 - nfs4 fileserver:/export/clinic rw,vers=4.2
41 22 0:51 / /mnt/front\\040desk rw,relatime - cifs //frontdesk/share rw,vers=3.1.1
42 23 0:52 / /home/dana/remote rw,nosuid,nodev - fuse.sshfs dana@laptop:/home/dana rw
43 40 8:17 / /srv/clinic/local-cache rw,relatime - ext4 /dev/sdb1 rw
"""

MAC_MOUNT = """\
/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse, protect)
//dana@fileserver/Clinic on /Volumes/Clinic (smbfs, nodev, nosuid, mounted by dana)
fileserver:/export/x on /Volumes/NFS Share (nfs, nodev, nosuid, mounted by dana)
"""


def _where(path: str, mounts: list[Mount]) -> str | None:
    mount = network_mount(PurePosixPath(path), mounts)
    return mount.fstype if mount else None


def test_mountinfo_is_parsed_with_escaped_mount_points():
    """Mount points, types and sources come out of mountinfo, \\040 turned back into a space."""
    mounts = parse_mountinfo(MOUNTINFO)
    assert [(m.point, m.fstype) for m in mounts][2:4] == [("/srv/clinic", "nfs4"), ("/mnt/front desk", "cifs")]
    assert mounts[1].source == "/dev/sda3"


@pytest.mark.parametrize(("path", "fstype"), [
    ("/home/dana/clinic/clinic.db", None),
    ("/srv/clinic/clinic.db", "nfs4"),
    ("/srv/clinic/sub/dir/clinic.db", "nfs4"),
    ("/srv/clinic/local-cache/clinic.db", None),  # a local disk mounted inside the share
    ("/srv/clinical/clinic.db", None),  # a prefix of the name is not the same folder
    ("/mnt/front desk/clinic.db", "cifs"),
    ("/home/dana/remote/clinic.db", "fuse.sshfs"),
    ("/home/dana/remote", "fuse.sshfs"),
])
def test_network_file_systems_are_found_by_the_deepest_mount(path, fstype):
    """The mount holding the path decides; only network types count."""
    assert _where(path, parse_mountinfo(MOUNTINFO)) == fstype


def test_macos_mount_output_finds_smb_and_nfs_volumes():
    """macOS lists mounts as `source on point (type, ...)`: smbfs and nfs volumes are network ones."""
    mounts = parse_mount_output(MAC_MOUNT)
    assert _where("/Volumes/Clinic/clinic.db", mounts) == "smbfs"
    assert _where("/Volumes/NFS Share/clinic.db", mounts) == "nfs"
    assert _where("/Users/dana/Library/Application Support/clinic_desktop/clinic.db", mounts) is None


def test_a_later_mount_at_the_same_point_hides_the_earlier():
    """Mounting over a point: the newest mount (listed last) is the one in use."""
    mounts = [Mount("/data", "ext4", "/dev/sdb1"), Mount("/data", "nfs", "server:/x")]
    assert mount_of(PurePosixPath("/data/clinic.db"), mounts).fstype == "nfs"
    assert network_mount(PurePosixPath("/data/clinic.db"), list(reversed(mounts))) is None


@pytest.mark.parametrize(("path", "drives", "expected"), [
    (r"\\fileserver\clinic\clinic.db", {}, "a network share"),
    (r"\\?\UNC\fileserver\clinic\clinic.db", {}, "a network share"),
    (r"Z:\clinic\clinic.db", {"Z:\\": DRIVE_REMOTE}, "the network drive Z:"),
    (r"C:\Users\dana\AppData\Local\clinic_desktop\clinic.db", {"C:\\": 3}, None),  # DRIVE_FIXED
    (r"\\?\C:\clinic\clinic.db", {"C:\\": 3}, None),
])
def test_windows_unc_paths_and_mapped_network_drives(path, drives, expected):
    """UNC paths and drive letters GetDriveTypeW calls remote are network locations; local disks are not."""
    assert windows_network_drive(path, lambda root: drives.get(root, 3)) == expected


def test_refusal_message_names_the_share_and_the_postgres_mode(tmp_path):
    """The message says where the file is, that SQLite needs a local disk, and how to share a clinic instead."""
    fake = [Mount("/", "ext4", "/dev/sda2"), Mount(str(tmp_path), "nfs4", "fileserver:/export/clinic")]
    message = sqlite_location_problem(tmp_path / "clinic.db", mounts=fake, platform="linux")
    assert "network file system (nfs4 from fileserver:/export/clinic" in message
    assert "own disk" in message and "--database-url postgresql+psycopg://" in message
    assert sqlite_location_problem(tmp_path / "clinic.db", mounts=fake[:1], platform="linux") is None


def test_windows_refusal_through_the_pure_function():
    """On Windows a mapped drive is refused with the same advice."""
    message = sqlite_location_problem(Path("Z:/clinic/clinic.db"), platform="win32",
                                      drive_type=lambda root: DRIVE_REMOTE)
    assert message is not None and "network drive Z:" in message and "PostgreSQL mode" in message


def test_the_real_mounts_of_this_computer_pass_for_a_local_temp_folder(tmp_path):
    """With the system's own mount list, a test's temp folder (a local disk here) is accepted."""
    assert sqlite_location_problem(tmp_path / "clinic.db") is None


# --- symbolic links, for real ----------------------------------------------------------------------

pytestmark_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")


@pytestmark_symlinks
def test_database_file_reached_through_a_symlink_is_refused(tmp_path, clock):
    """A link to a real database file is refused, naming the real path; the file itself opens."""
    real = tmp_path / "real"
    open_database(f"sqlite:///{real / 'clinic.db'}", tmp_path / "backups", clock.now()).close()
    link = tmp_path / "clinic-link.db"
    link.symlink_to(real / "clinic.db")
    with pytest.raises(DatabaseError) as caught:
        open_database(f"sqlite:///{link}", tmp_path / "backups", clock.now())
    message = caught.value.message
    assert "symbolic link" in message and str((real / "clinic.db").resolve()) in message
    assert "--database-url postgresql+psycopg://" in message
    assert not (tmp_path / "clinic-link.db-wal").exists()  # refused before anything was opened


@pytestmark_symlinks
def test_data_folder_reached_through_a_symlink_is_refused(tmp_path, clock):
    """A symlinked folder on the way (e.g. a data folder linked to a mounted share) is refused too, also for
    a new database, and nothing is created."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "data").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(DatabaseError, match="symbolic link"):
        open_database(f"sqlite:///{tmp_path / 'data' / 'clinic.db'}", tmp_path / "backups", clock.now())
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytestmark_symlinks
def test_open_services_shows_the_refusal_as_a_clinic_error(tmp_path):
    """Through the composition root (what the GUI and CLI call): a ClinicError, not a traceback."""
    from clinic_desktop.app import open_services
    from clinic_desktop.domain.errors import ClinicError

    (tmp_path / "real").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    with pytest.raises(ClinicError, match="PostgreSQL mode"):
        open_services(str(tmp_path / "linked"), None)


@pytestmark_symlinks
def test_links_directly_under_the_root_are_the_systems_own_layout(tmp_path):
    """/tmp -> private/tmp (macOS) or /home -> var/home (Silverblue) are not the user's choice: let through."""
    from clinic_desktop.storage.filesystem import symlink_on_the_way

    top_level = [Path("/") / name for name in os.listdir("/") if (Path("/") / name).is_symlink()]
    for link in top_level:
        assert symlink_on_the_way(link / "clinic.db") is None
    assert symlink_on_the_way(tmp_path / "clinic.db") is None
