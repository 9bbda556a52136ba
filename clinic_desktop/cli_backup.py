"""`clinic-desktop backup` and `clinic-desktop restore`: verified copies of the database, and putting one back.

Both run without a sign-in, like `audit verify`: whoever can run them as the operating-system user that owns
the data folder can already read (and replace) the database file and the audit key, so a clinic password
would protect nothing. Each is audited with no staff member and the operating-system user's name instead,
so the log still says who did it.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from clinic_desktop.domain.clock import SystemClock
from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.storage.audit_chain import AuditKeyring

if TYPE_CHECKING:  # the application's modules load only when a command runs
    from sqlalchemy.orm import Session

    from clinic_desktop.services.registry import Services


def add_backup_parsers(commands: argparse._SubParsersAction) -> None:
    backup = commands.add_parser("backup", help="take a verified backup of the database, with its manifest")
    backup.add_argument("--to", metavar="FILE", type=Path,
                        help="where to write it (default: a time-stamped file in the data folder's backups/)")
    backup.add_argument("--force", action="store_true", help="replace the file given with --to if it exists")
    restore = commands.add_parser("restore", help="verify a backup, keep the current database as a safety copy, "
                                                  "then restore the backup")
    restore.add_argument("file", metavar="FILE", type=Path, help="the backup (its .manifest.json must be beside it)")


def _os_user() -> str:
    try:
        return getpass.getuser()[:64]
    except (OSError, KeyError):  # no login name in this environment (e.g. a container without a passwd entry)
        return ""


def _audit(services: Services, action: str, details: dict) -> None:
    ctx = services.context
    with ctx.db.write() as uow:
        ctx.audit(uow.session, None, action, object_type="backup", object_id=str(details["file"])[:40],
                  details=details, username=_os_user())
        uow.commit()


def run_backup(args: argparse.Namespace) -> int:
    from clinic_desktop.app import open_services
    from clinic_desktop.storage.backup_manifest import BackupKind, manifest_path
    from clinic_desktop.services.user_files import FORCE_HINT, check_output
    from clinic_desktop.storage.backup_restore import automatic_target, take_backup

    services, locations = open_services(args.data_dir, args.database_url)
    db, now = services.context.db, services.context.now()
    try:
        url = db.engine.url.render_as_string(hide_password=False)
        if args.to is None:
            locations.backups_dir.mkdir(mode=0o700, exist_ok=True)
        target = args.to or automatic_target(locations.backups_dir, BackupKind.MANUAL, now, url)
        # The copy and its manifest beside it: neither may land on the clinic's own files or an existing file.
        written = check_output(target, args.force, how_to_replace=FORCE_HINT)
        check_output(manifest_path(written), args.force, how_to_replace=FORCE_HINT)
        manifest = take_backup(url, db.keyring, written, BackupKind.MANUAL, now)
        _audit(services, "backup", {"file": manifest.file, "kind": manifest.kind, "reason": "command line",
                                    "sha256": manifest.sha256, "audit_seq": manifest.audit_seq})
    finally:
        db.close()
    print(f"Backed up to {target} and verified (schema {manifest.schema_revision}, {manifest.audit_seq} audit "
          f"entries, SHA-256 {manifest.sha256[:12]}...); manifest {manifest_path(target).name} beside it.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from clinic_desktop.app import open_services
    from clinic_desktop.settings import resolve_locations, shown_path
    from clinic_desktop.storage import audit_chain
    from clinic_desktop.storage.backup_restore import Restored, is_sqlite, restore_backup, verify_restored
    from clinic_desktop.storage.head_witness import restore_details

    from clinic_desktop.services.user_files import check_input
    from clinic_desktop.storage.backup_manifest import manifest_path

    locations = resolve_locations(args.data_dir, args.database_url)
    # The backup and its manifest must be ordinary files that can be read before anything else is done.
    check_input(args.file)
    try:
        manifest_path(args.file).exists()  # a name the file system cannot hold (too long) raises here
    except OSError as exc:
        raise ClinicError(f"Cannot read the manifest {shown_path(manifest_path(args.file))}: "
                          f"{exc.strerror or exc}.") from None
    # Not opened through open_database first: the database being replaced may be the damaged one.
    keyring = AuditKeyring(locations.data_dir)
    now = datetime.now(timezone.utc)
    offset = int((now.astimezone().utcoffset() or timedelta(0)).total_seconds() // 60)

    def record(session: Session, restored: Restored) -> None:  # into the restored database, before it is in place
        audit_chain.append(session, keyring, at=now, utc_offset_min=offset, staff_id=None, action="restore",
                           object_type="backup", object_id=args.file.name[:40], username=_os_user(),
                           details={"file": args.file.name, "taken_at": restored.manifest.created_at,
                                    "safety_copy": restored.safety_copy.name if restored.safety_copy else None,
                                    **restore_details(restored.replaced)})

    restored = restore_backup(args.file, locations.database_url, keyring, locations.backups_dir, now, record=record)
    services, _locations = open_services(args.data_dir, args.database_url, SystemClock())
    db = services.context.db
    try:
        with db.read() as uow:
            verify_restored(uow.session, db.keyring, is_sqlite(locations.database_url))
    finally:
        db.close()
    kept = f" The database as it was is kept at {restored.safety_copy}." if restored.safety_copy else ""
    print(f"Restored {args.file} (taken {restored.manifest.created_at}); it opens and verifies.{kept}")
    return 0
