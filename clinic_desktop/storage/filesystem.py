"""Where a SQLite file may live: on this computer's own disk, opened by its real path. A network file system
breaks SQLite's locking (and WAL needs shared memory on one host), and a file reached under two names gets
two sets of -wal/-shm files: both corrupt databases (sqlite.org/howtocorrupt.html)."""

from __future__ import annotations

import ntpath
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Callable, Iterable

#: File system types that live on another machine (Linux /proc/self/mountinfo and macOS/BSD `mount` names).
NETWORK_FSTYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "smb2", "ncpfs", "9p", "afs", "openafs", "ceph", "glusterfs",
    "lustre", "gpfs", "beegfs", "orangefs", "afpfs", "webdav", "davfs", "coda", "fuse.sshfs", "sshfs",
    "fuse.glusterfs", "fuse.cephfs", "fuse.s3fs", "fuse.rclone", "fuse.davfs2", "fuse.gcsfuse", "fuse.juicefs",
})
#: Windows GetDriveTypeW's answer for a mapped network drive.
DRIVE_REMOTE = 4
#: How to run several workstations instead, said in every refusal.
POSTGRES_HINT = ("for several workstations, use the PostgreSQL mode "
                 "(--database-url postgresql+psycopg://user@server/clinic)")


@dataclass(frozen=True)
class Mount:
    point: str
    fstype: str
    source: str


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash in paths as octal escapes (\\040 ...)."""
    out, i = [], 0
    while i < len(field):
        code = field[i + 1:i + 4]
        if field[i] == "\\" and len(code) == 3 and code.isdigit():
            out.append(chr(int(code, 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[Mount]:
    """Linux /proc/self/mountinfo: `id parent dev root POINT options [optional...] - FSTYPE SOURCE super`."""
    mounts = []
    for line in text.splitlines():
        fields = line.split(" ")
        if "-" not in fields or len(fields) < 7:
            continue
        tail = fields[fields.index("-") + 1:]
        if len(tail) >= 2:
            mounts.append(Mount(_unescape(fields[4]), tail[0], _unescape(tail[1])))
    return mounts


def parse_mount_output(text: str) -> list[Mount]:
    """macOS/BSD `mount`: `SOURCE on POINT (FSTYPE, option, ...)`."""
    mounts = []
    for line in text.splitlines():
        head, sep, rest = line.rpartition(" (")
        source, on, point = head.partition(" on ")
        if sep and on and rest:
            mounts.append(Mount(point, rest.split(",")[0].rstrip(")").strip(), source))
    return mounts


def mount_of(path: PurePath, mounts: Iterable[Mount]) -> Mount | None:
    """The mount holding `path` (absolute, symbolic links resolved): the longest mount point above it; the
    last one listed wins among equals, as a later mount hides an earlier one at the same place."""
    best: Mount | None = None
    for mount in mounts:
        point = PurePath(mount.point)
        deeper = best is None or len(point.parts) >= len(PurePath(best.point).parts)
        if deeper and (path == point or point in path.parents):
            best = mount
    return best


def network_mount(path: PurePath, mounts: Iterable[Mount]) -> Mount | None:
    """The network mount `path` lies on, or None when it is on a local disk (or the mounts are unknown)."""
    mount = mount_of(path, mounts)
    return mount if mount is not None and mount.fstype.lower() in NETWORK_FSTYPES else None


def windows_network_drive(path: str, drive_type: Callable[[str], int]) -> str | None:
    """A Windows path on another machine: a UNC path (\\\\server\\share\\...) or a drive letter mapped to one."""
    if path.startswith(("\\\\", "//")) and not path.startswith(("\\\\?\\", "\\\\.\\", "//?/", "//./")):
        return "a network share"
    if path.startswith(("\\\\?\\UNC\\", "//?/UNC/")):
        return "a network share"
    drive = path.removeprefix("\\\\?\\")[:2]
    if len(drive) == 2 and drive[1] == ":" and drive_type(drive + "\\") == DRIVE_REMOTE:
        return f"the network drive {drive}"
    return None


def symlink_on_the_way(path: Path) -> Path | None:
    """The first component of `path` (absolute) that is a symbolic link, the file itself included.

    Links directly under the root (/tmp and /var on macOS, /home on Fedora Silverblue) are the system's own
    layout rather than a choice of where the clinic's data lives, and every program sees the same name
    through them, so they are let through."""
    parts = path.parts
    for depth in range(2, len(parts) + 1):
        candidate = Path(*parts[:depth])
        if depth > 2 and candidate.is_symlink():
            return candidate
    return None


def _system_mounts() -> list[Mount] | None:
    """This computer's mounts, or None where they cannot be listed (then only the other checks apply)."""
    try:
        if sys.platform.startswith("linux"):
            return parse_mountinfo(Path("/proc/self/mountinfo").read_text(errors="replace"))
        if sys.platform == "darwin" or "bsd" in sys.platform:
            result = subprocess.run(["/sbin/mount"], capture_output=True, text=True, timeout=5, check=False)
            return parse_mount_output(result.stdout) if result.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None
    return None


def _windows_drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def sqlite_location_problem(path: Path, mounts: list[Mount] | None = None,
                            platform: str = sys.platform,
                            drive_type: Callable[[str], int] | None = None) -> str | None:
    """Why a SQLite file must not be opened at `path` (a message that says what to do), or None when it may.
    `mounts` and `drive_type` stand in for the system's in tests."""
    if platform == "win32":
        where = windows_network_drive(ntpath.abspath(str(path)), drive_type or _windows_drive_type)
        if where is not None:
            return (f"The database {path} is on {where}. SQLite must be on this computer's own disk: over a "
                    f"network its locking does not hold and the file can be corrupted. Move it to a local "
                    f"folder, or, {POSTGRES_HINT}.")
    path = Path(os.path.abspath(path))
    link = symlink_on_the_way(path)
    if link is not None:
        return (f"The database {path} is reached through a symbolic link ({link} -> {os.readlink(link)}). SQLite "
                f"must be opened by its real path, or its journal can be split between two names and the file "
                f"corrupted: open {path.resolve()} directly, or, {POSTGRES_HINT}.")
    if platform != "win32":
        mount = network_mount(path.resolve(), mounts if mounts is not None else (_system_mounts() or []))
        if mount is not None:
            return (f"The database {path} is on a network file system ({mount.fstype} from {mount.source}, "
                    f"mounted at {mount.point}). SQLite must be on this computer's own disk: over a network its "
                    f"locking does not hold and the file can be corrupted. Move it to a local folder, or, "
                    f"{POSTGRES_HINT}.")
    return None
