"""A canary password, used for everything a password is used for, is found nowhere it could leak to."""

from __future__ import annotations

import logging

import pytest

from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.storage.backup import sqlite_backup
from tests.services.signing_support import IV_ORDER, ready_session

CANARY = "Canary-Zebra-7331-quartz"
NEW_CANARY = "Canary-Walrus-4410-basalt"
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be")


def _found(blob: bytes, text: str) -> bool:
    return any(text.encode(e) in blob for e in ENCODINGS)


@pytest.fixture
def leak_sites(services, staff, db, tmp_path, caplog):
    """Use the canary for an account, sign-in, a failed and a good signature, a password change; back up;
    return {site: bytes} for the database, its -wal and -shm, the backup, the audit key and head, the log."""
    # Every logger at DEBUG, including those that set their own level (SQLAlchemy's: statements and parameters).
    for name in [None, *logging.root.manager.loggerDict]:
        caplog.set_level(logging.DEBUG, logger=name)
    member = services.auth.add_user(staff["admin"], "qharlow", "Quinn Harlow", "physician", CANARY, "MD")
    principal = services.auth.login("qharlow", CANARY)
    _pid, sid = ready_session(services, staff)
    with pytest.raises(AuthenticationFailed):
        services.doses.order(principal, sid, IV_ORDER, CANARY + "x")
    assert services.doses.order(principal, sid, IV_ORDER, CANARY).signed("Ordered by").name == "Quinn Harlow, MD"
    services.auth.change_password(principal, CANARY, NEW_CANARY)
    services.auth.reset_password(staff["admin"], member.username, CANARY)
    services.auth.lock(principal)
    services.auth.unlock(principal, CANARY)
    backup = tmp_path / "backups" / "canary-backup.db"
    backup.parent.mkdir(exist_ok=True)
    sqlite_backup(db.sqlite_path, backup)
    path = db.sqlite_path
    files = {"database": path, "wal": path.with_name(path.name + "-wal"), "shm": path.with_name(path.name + "-shm"),
             "backup": backup, "audit key": db.keyring.key_path, "audit head": db.keyring.head_path}
    missing = [site for site, f in files.items() if not f.exists()]
    assert missing == [], "every place must exist, or the search below proves nothing"
    sites = {site: f.read_bytes() for site, f in files.items()}
    log_text = caplog.text + "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    sites["log"] = log_text.encode("utf-8")
    sites["log utf-16"] = log_text.encode("utf-16-le")
    return sites


def test_the_search_can_see_what_was_stored(leak_sites):
    """Control: stored names are found by the same search, so a missing canary really was never written."""
    stored = leak_sites["database"] + leak_sites["wal"]
    assert _found(stored, "qharlow") and _found(leak_sites["backup"], "Quinn Harlow")
    assert b"INSERT INTO staff" in leak_sites["log"], "SQL logging was captured"
    assert len(leak_sites["log"]) > 10_000


def test_the_canary_password_appears_nowhere(leak_sites):
    """Neither the canary nor the changed or mistyped password, in UTF-8 or UTF-16, in any of the places."""
    leaks = [(secret, site, encoding) for secret in (CANARY, NEW_CANARY, CANARY + "x")
             for site, blob in leak_sites.items() for encoding in ENCODINGS if secret.encode(encoding) in blob]
    assert len(leak_sites) == 8
    assert leaks == []
