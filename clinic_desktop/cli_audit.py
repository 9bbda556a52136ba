"""`clinic-desktop audit accept-head | head-copy | key`: the witnesses of the audit log's head and where its key
is kept (services/audit_head.py). Like `audit verify` and `backup`, they run without a sign-in, as the
operating-system user that owns the data folder, and each is audited under that user's name."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_audit_commands(audit: argparse._SubParsersAction) -> None:
    audit.add_parser("accept-head", help="this data folder has no audit-head.json (a new workstation set up "
                                         "without copying one): accept the log as it stands; audited")
    copy = audit.add_parser("head-copy", help="keep a second copy of the audit head in a folder outside the data "
                                              "folder (a USB stick, a share on another computer)")
    where = copy.add_mutually_exclusive_group(required=True)
    where.add_argument("folder", nargs="?", type=Path, help="the folder for the copy")
    where.add_argument("--off", action="store_true", help="stop keeping a second copy")
    key = audit.add_parser("key", help="where the audit key is kept: audit.key in the data folder, or the "
                                       "operating system's credential store")
    move = key.add_mutually_exclusive_group(required=True)
    move.add_argument("--to-store", action="store_true", help="move it into the credential store")
    move.add_argument("--to-file", action="store_true", help="move it back into audit.key")
    move.add_argument("--where", action="store_true", help="say where it is kept now")


def run_audit(args: argparse.Namespace) -> int:
    from clinic_desktop.app import open_services
    from clinic_desktop.cli_backup import _os_user
    from clinic_desktop.services import audit_head

    services, _locations = open_services(args.data_dir, args.database_url)
    ctx = services.context
    keyring = ctx.db.keyring
    try:
        if args.audit_command == "accept-head":
            seq = audit_head.accept_log(ctx, None, _os_user())
            print(f"The audit log was accepted as it stands; {keyring.head_path.name} now records entry {seq} "
                  "(the acceptance itself).")
        elif args.audit_command == "head-copy":
            folder = None if args.off else args.folder
            audit_head.set_head_copy(ctx, None, folder, _os_user())
            print("No second copy of the audit head is kept." if folder is None else
                  f"A second copy of the audit head is kept in {folder.expanduser().absolute()} and written with "
                  "every save; `audit verify` compares it.")
        elif args.where:
            print("The audit key is kept in the operating system's credential store." if keyring.key_in_store()
                  else f"The audit key is kept in {keyring.key_path}.")
        else:
            audit_head.move_key(ctx, None, args.to_store, _os_user())
            print("The audit key is now kept in the operating system's credential store; audit.key was removed "
                  "from the data folder." if args.to_store else f"The audit key is now kept in {keyring.key_path}.")
    finally:
        ctx.db.close()
    return 0
