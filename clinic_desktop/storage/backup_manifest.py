"""The manifest written beside every backup: what the copy holds and the hash that proves it is unchanged."""

from __future__ import annotations

import enum
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.storage import file_modes

MANIFEST_SUFFIX = ".manifest.json"
#: Bumped when a field's meaning changes; a manifest of an unknown format is refused, not guessed at.
FORMAT = 1


class ManifestError(ClinicError):
    """The manifest is missing, unreadable or does not match its backup: the backup must not be restored."""


class BackupKind(enum.StrEnum):
    """Why a backup was taken; only automatic ones are pruned."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"
    BEFORE_UPGRADE = "before upgrade"
    BEFORE_RESTORE = "before restore"


#: File name prefixes by kind (the pre-upgrade name is made by backup.backup_before_upgrade).
PREFIXES: dict[BackupKind, str] = {
    BackupKind.AUTOMATIC: "clinic-auto-",
    BackupKind.MANUAL: "clinic-manual-",
    BackupKind.BEFORE_UPGRADE: "clinic-before-upgrade-",
    BackupKind.BEFORE_RESTORE: "clinic-before-restore-",
}


def kind_of(path: Path) -> BackupKind:
    """The kind a file name says; a copy saved under any other name (e.g. `backup --to`) counts as manual."""
    for kind, prefix in PREFIXES.items():
        if path.name.startswith(prefix):
            return kind
    return BackupKind.MANUAL


def backup_name(kind: BackupKind, at: datetime, sqlite: bool) -> str:
    """e.g. clinic-auto-20260302T140000Z.db: sorts by time, says its kind, no characters any system refuses."""
    return f"{PREFIXES[kind]}{at.strftime('%Y%m%dT%H%M%SZ')}{'.db' if sqlite else '.dump'}"


@dataclass(frozen=True)
class Manifest:
    file: str
    sha256: str
    size: int
    #: UTC, ISO 8601.
    created_at: str
    kind: str
    #: "sqlite" or "postgresql": a dump is restored only into the kind of database it came from.
    engine: str
    schema_revision: str | None
    #: The newest audit entry in the copy (0 and the genesis hash for an empty log).
    audit_seq: int
    audit_hash: str
    #: Where it came from: the SQLite path, or the PostgreSQL URL without its password.
    source: str
    app_version: str
    #: Every check passed when it was written (a safety copy of a damaged database says False).
    verified: bool
    problem: str = ""
    format: int = FORMAT


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(backup: Path, manifest: Manifest) -> Path:
    """Written to a partial file and renamed, so a half-written manifest never sits beside a backup."""
    target = manifest_path(backup)
    partial = target.with_name(target.name + ".partial")
    with file_modes.open_private(partial) as handle:
        json.dump(asdict(manifest), handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return target


def read_manifest(backup: Path) -> Manifest:
    path = manifest_path(backup)
    if not path.exists():
        raise ManifestError(f"The backup {backup.name} has no manifest ({path.name} should be beside it), so it "
                            "cannot be checked and will not be restored.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        return Manifest(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise ManifestError(f"The manifest {path.name} cannot be read ({exc}); the backup will not be "
                            "restored.") from None


def check_hash(backup: Path, manifest: Manifest) -> None:
    """The file is byte for byte what was verified when the backup was taken."""
    if not backup.exists():
        raise ManifestError(f"The backup file {backup} does not exist.")
    if backup.stat().st_size != manifest.size or sha256_of(backup) != manifest.sha256:
        raise ManifestError(f"The backup {backup.name} does not match its manifest (its SHA-256 differs): it was "
                            "changed or damaged after it was taken and will not be restored.")


@dataclass(frozen=True)
class BackupFile:
    """A backup found in the backups folder, with its manifest when it has one."""

    path: Path
    kind: BackupKind
    size: int
    manifest: Manifest | None


def list_backups(folder: Path) -> list[BackupFile]:
    """Every backup in the folder, newest first (by the time in its manifest, else the file's own time)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        if path.suffix not in (".db", ".dump") or not path.is_file():
            continue
        try:
            manifest = read_manifest(path)
        except ManifestError:
            manifest = None
        found.append(BackupFile(path, kind_of(path), path.stat().st_size, manifest))
    return sorted(found, key=lambda b: (b.manifest.created_at if b.manifest else "", b.path.name), reverse=True)


def prune_automatic(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest automatic backups beyond `keep` (with their manifests); other kinds are never touched."""
    automatic = [b for b in list_backups(folder) if b.kind is BackupKind.AUTOMATIC]
    removed = []
    for old in automatic[max(keep, 1):]:
        old.path.unlink(missing_ok=True)
        manifest_path(old.path).unlink(missing_ok=True)
        removed.append(old.path)
    return removed
