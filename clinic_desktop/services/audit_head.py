"""Administering the witnesses of the audit log's head and where its key is kept (storage/head_witness.py):
the check at start, accepting the log when this data folder has no head, the second copy of the head, and
moving the key to the operating system's credential store and back. Each change is itself audited.

These run for an administrator in the window or for whoever runs the command line as the operating-system
user that owns the data folder (who can replace those files anyway, see cli_backup.py)."""

from __future__ import annotations

import logging
from pathlib import Path

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services.context import ServiceContext, acting_staff
from clinic_desktop.storage import audit_key_store, head_witness
from clinic_desktop.storage.audit_chain import PENDING_HEAD, HeadRecord

log = logging.getLogger(__name__)


def check_at_start(ctx: ServiceContext) -> head_witness.HeadCheck:
    """The quick checks, logged: run when the window opens (an administrator's sign-in shows them too)."""
    with ctx.db.read() as uow:
        result = head_witness.quick_check(uow.session, ctx.db.keyring)
    if result.problem:
        log.warning("The audit log does not agree with its witnesses: %s", result.problem)
    for note in result.notes:
        log.info("%s", note)
    return result


def accept_log(ctx: ServiceContext, actor: StaffMember | None, username: str = "") -> int:
    """Start this data folder's head at the log's newest entry, when it has no head file (a new workstation
    on a shared database set up without copying one, or a head file lost). Refused when any backup shows the
    log reached further. Returns the seq of the acceptance's own entry, which the head then names."""
    keyring = ctx.db.keyring
    with ctx.db.write() as uow:
        problem = head_witness.accept_problem(uow.session, keyring)
        if problem is not None:
            raise ClinicError(problem)
        if actor is not None:
            acting_staff(uow.session, actor)
        reason = "missing" if keyring.read_head_record() is None else "unreadable"
        ctx.audit(uow.session, actor, head_witness.ACCEPT_ACTION, object_type="audit_log",
                  details={"head_file": reason, "data_folder": str(keyring.folder)}, username=username)
        seq, entry_hash, _began, at = uow.session.info[PENDING_HEAD]
        uow.commit()
    keyring.reset_head(seq, entry_hash, mirror=None, at=at)
    log.warning("The audit log was accepted as it stands (head file %s); the head starts at entry %d", reason, seq)
    return seq


def set_head_copy(ctx: ServiceContext, actor: StaffMember | None, folder: Path | None, username: str = "") -> None:
    """Keep a copy of the head in `folder` (a USB stick, a share on another computer), written with every
    head; None stops it. The folder must be writable now and outside the data folder."""
    keyring = ctx.db.keyring
    record = keyring.read_head_record()
    if not isinstance(record, HeadRecord):
        raise ClinicError("This data folder has no readable audit head yet, so there is nothing to copy: check the "
                          "log first (`clinic-desktop audit verify`).")
    target = None
    if folder is not None:
        resolved = folder.expanduser().absolute()
        if not resolved.is_dir():
            raise ClinicError(f"{resolved} is not a folder that can be reached now: plug the stick in or connect "
                              "the share, then try again.")
        if resolved == keyring.folder.absolute() or keyring.folder.absolute() in resolved.parents:
            raise ClinicError("Choose a folder outside the data folder: a copy beside the database witnesses "
                              "nothing its holder cannot also change.")
        target = str(resolved)
    previous = record.mirror
    keyring.reset_head(record.seq, record.hash, mirror=target, at=record.at)
    if keyring.mirror_problem is not None:
        problem = keyring.mirror_problem
        keyring.reset_head(record.seq, record.hash, mirror=previous, at=record.at)
        raise ClinicError(f"The copy of the audit head could not be kept there: {problem}.")
    with ctx.db.write() as uow:
        if actor is not None:
            acting_staff(uow.session, actor)
        ctx.audit(uow.session, actor, "audit_head_copy", object_type="audit_log",
                  details={"folder": target, "previous": previous}, username=username)
        uow.commit()


def move_key(ctx: ServiceContext, actor: StaffMember | None, to_store: bool, username: str = "") -> None:
    """Move the audit key into the operating system's credential store (to_store) or back into audit.key."""
    keyring = ctx.db.keyring
    keyring.key()  # the key in memory: the move's own entry is written with it whichever way it goes
    (audit_key_store.move_to_store if to_store else audit_key_store.move_to_file)(keyring)
    with ctx.db.write() as uow:
        if actor is not None:
            acting_staff(uow.session, actor)
        ctx.audit(uow.session, actor, "audit_key_moved", object_type="audit_log",
                  details={"to": "credential store" if to_store else keyring.key_path.name}, username=username)
        uow.commit()
