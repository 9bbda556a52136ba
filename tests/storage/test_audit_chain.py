"""The audit log's keyed hash chain on a real SQLite file: no false alarms, every tamper named, append-only."""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from clinic_desktop.cli import main
from clinic_desktop.domain.clock import FixedClock
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.services.registry import Services
from clinic_desktop.storage import audit_chain
from clinic_desktop.storage.audit_chain import AuditKeyError, entry_payload
from clinic_desktop.storage.database import open_database
from clinic_desktop.storage.models import AuditEntry
from tests.conftest import START, ZONE

PW = "correct horse battery staple"
COLUMNS = ("at", "utc_offset_min", "staff_id", "username", "patient_id", "action", "object_type", "object_id",
           "details", "emergency", "prev_hash", "hash")


def open_folder(folder: Path, clock: FixedClock | None = None):
    """Services over the clinic.db in `folder`, with the audit key and head file beside it (as the CLI has it)."""
    clock = clock or FixedClock(START)
    db = open_database(f"sqlite:///{folder / 'clinic.db'}", folder / "backups", clock.now())
    return Services.build(db, clock, ZONE), clock


def patient(n: int) -> PatientInput:
    return PatientInput(given_names=f"Ada{n}", family_name="Lovelace", date_of_birth="1980-05-01", sex="female")


def fill(services, clock, nurse, count: int) -> None:
    """`count` patients, each registered and weighed: two audit entries apiece."""
    for n in range(count):
        chart = services.patients.register(nurse, patient(n))
        services.patients.record_weight(nurse, chart.id, "80", "kg")
        clock.advance(minutes=1)


def verify_folder(folder: Path) -> audit_chain.Verification:
    services, _ = open_folder(folder)
    try:
        with services.context.db.read() as uow:
            return audit_chain.verify(uow.session, services.context.db.keyring)
    finally:
        services.context.db.close()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, int]:
    """A data folder whose log holds a few hundred entries made through the services, and its last seq."""
    folder = tmp_path_factory.mktemp("pristine")
    services, clock = open_folder(folder)
    admin = services.auth.create_first_admin("boss", "Rosa Achterberg", PW)
    services.auth.add_user(admin, "nurse1", "Dana Whitlock", "nurse", PW)
    fill(services, clock, services.auth.login("nurse1", PW), 150)
    with services.context.db.read() as uow:
        last = uow.session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc())).scalars().first()
    services.context.db.close()
    return folder, last


@pytest.fixture
def copy(pristine, tmp_path) -> tuple[Path, int]:
    """A fresh copy of the pristine (closed) data folder for one tamper case."""
    folder, last = pristine
    target = tmp_path / "data"
    shutil.copytree(folder, target)
    return target, last


def raw(folder: Path, *statements: tuple[str, tuple]) -> None:
    """What an attacker with the file does: drop the triggers, then change rows with plain SQL."""
    con = sqlite3.connect(folder / "clinic.db")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for sql, params in statements:
        con.execute(sql, params)
    con.commit()
    con.close()


def row_of(folder: Path, seq: int) -> tuple:
    con = sqlite3.connect(folder / "clinic.db")
    try:
        return con.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    finally:
        con.close()


def assert_flagged(folder: Path, seq: int) -> None:
    result = verify_folder(folder)
    assert (result.ok, result.first_bad_seq) == (False, seq), result.message
    assert f"entry {seq}" in result.message


# --- no false alarms -----------------------------------------------------------------------------------

def test_an_untampered_log_verifies_also_after_reopening(pristine):
    """A few hundred entries made through the services verify, reopened as often as you like."""
    folder, last = pristine
    assert last > 300
    for _ in range(2):
        result = verify_folder(folder)
        assert (result.ok, result.entries, result.first_bad_seq) == (True, last, None), result.message


def test_appending_after_reopening_continues_the_chain(copy):
    """A new process loads the same key from the file and extends the chain without a break."""
    folder, last = copy
    services, clock = open_folder(folder)
    fill(services, clock, services.auth.login("nurse1", PW), 3)
    result = services.audit.verify(services.auth.login("boss", PW))
    services.context.db.close()
    assert result.ok and result.entries == last + 3 * 2 + 2
    assert json.loads((folder / "audit-head.json").read_text())["seq"] == result.entries


# --- each kind of tampering is caught, and the first bad entry named -------------------------------------

#: For every column of an entry, how an attacker changes it (from its stored value): each must break the chain, so
#: a payload that stops covering a column (patient_id, say) is caught. A new column fails the test below until added.
EDITS = {
    "seq": lambda v: v + 100_000,
    "at": lambda v: v[:17] + ("30" if v[17:19] != "30" else "31") + v[19:],
    "utc_offset_min": lambda v: v + 60,
    "staff_id": lambda v: 1 if v != 1 else 2,
    "username": lambda v: v + "x",
    "patient_id": lambda v: (v or 0) + 1,
    "action": lambda v: "login" if v != "login" else "logout",
    "object_type": lambda v: v + "x",
    "object_id": lambda v: v + "9",
    "details": lambda v: json.dumps({**json.loads(v), "tampered": True}),
    "emergency": lambda v: 0 if v else 1,
    "prev_hash": lambda v: v[:-1] + ("0" if v[-1] != "0" else "1"),
    "hash": lambda v: v[:-1] + ("0" if v[-1] != "0" else "1"),
}


def test_every_column_of_an_entry_has_an_edit():
    assert set(EDITS) == {c.name for c in AuditEntry.__table__.columns}


@pytest.mark.parametrize("column", sorted(EDITS))
def test_an_edited_field_is_caught(copy, column):
    """One field of entry 120 changed with the triggers dropped: entry 120 is named."""
    folder, _ = copy
    con = sqlite3.connect(folder / "clinic.db")
    try:
        value = con.execute(f"SELECT {column} FROM audit_log WHERE seq = 120").fetchone()[0]
    finally:
        con.close()
    changed = EDITS[column](value)
    assert changed != value
    raw(folder, (f"UPDATE audit_log SET {column} = ? WHERE seq = 120", (changed,)))
    assert_flagged(folder, 120)


def test_a_deleted_middle_row_is_caught(copy):
    """Entry 77 removed: the verifier says entry 77 is missing."""
    folder, _ = copy
    raw(folder, ("DELETE FROM audit_log WHERE seq = 77", ()))
    assert_flagged(folder, 77)
    assert "missing" in verify_folder(folder).message


def test_an_inserted_row_is_caught(copy):
    """A row slipped in after entry 50 (later rows renumbered, link to 50 made right): entry 51 is named."""
    folder, _ = copy
    cols = ", ".join(COLUMNS)
    raw(folder, ("UPDATE audit_log SET seq = -seq WHERE seq > 50", ()),
        ("UPDATE audit_log SET seq = 1 - seq WHERE seq < 0", ()),
        (f"INSERT INTO audit_log (seq, {cols}) SELECT 51, at, utc_offset_min, staff_id, username, patient_id, "
         "'login', object_type, object_id, details, emergency, hash, ? FROM audit_log WHERE seq = 50",
         (hashlib.sha256(b"forged").hexdigest(),)))
    assert_flagged(folder, 51)


def test_a_row_appended_at_the_end_is_caught(copy):
    """A forged entry after the last one, linked correctly but without the key, is named."""
    folder, last = copy
    cols = ", ".join(COLUMNS)
    raw(folder, (f"INSERT INTO audit_log (seq, {cols}) SELECT seq + 1, at, utc_offset_min, staff_id, username, "
                 "patient_id, action, object_type, object_id, details, emergency, hash, ? FROM audit_log "
                 "WHERE seq = ?", ("f" * 64, last)))
    assert_flagged(folder, last + 1)


def test_two_swapped_rows_are_caught(copy):
    """The content of entries 30 and 37 exchanged: entry 30 is named."""
    folder, _ = copy
    a, b = row_of(folder, 30), row_of(folder, 37)
    assignments = ", ".join(f"{c} = ?" for c in COLUMNS)
    raw(folder, (f"UPDATE audit_log SET {assignments} WHERE seq = 30", b),
        (f"UPDATE audit_log SET {assignments} WHERE seq = 37", a))
    assert_flagged(folder, 30)


def _recomputed(folder: Path, seq: int, digest) -> str:
    """Entry `seq` with its action changed, hashed again by `digest(payload)` (what a forger would do)."""
    services, _ = open_folder(folder)
    with services.context.db.read() as uow:
        e = uow.session.get(AuditEntry, seq)
        payload = entry_payload(e.seq, e.at, e.utc_offset_min, e.staff_id, e.username, e.patient_id, "login",
                                e.object_type, e.object_id, e.details, e.emergency, e.prev_hash)
    services.context.db.close()
    return digest(payload)


@pytest.mark.parametrize("digest", [
    lambda p: hashlib.sha256(p).hexdigest(),
    lambda p: hmac.new(os.urandom(32), p, hashlib.sha256).hexdigest(),
], ids=["plain-sha256", "wrong-key"])
def test_a_row_rehashed_without_the_key_is_caught(copy, digest):
    """An edit re-hashed with SHA-256 or another key is not authentic: that entry is named."""
    folder, _ = copy
    raw(folder, ("UPDATE audit_log SET action = 'login', hash = ? WHERE seq = 200",
                 (_recomputed(folder, 200, digest),)))
    assert_flagged(folder, 200)


def test_a_truncated_tail_is_caught_by_the_head_file(copy):
    """The last 20 entries cut off while the head file stays as written: the first missing one is named."""
    folder, last = copy
    raw(folder, ("DELETE FROM audit_log WHERE seq > ?", (last - 20,)))
    assert_flagged(folder, last - 19)
    assert "cut off" in verify_folder(folder).message


def test_a_truncated_tail_with_a_rewritten_head_file_is_caught(copy):
    """Tail cut and the head file rewritten without the key (even with the true hash of the new last entry)."""
    folder, last = copy
    raw(folder, ("DELETE FROM audit_log WHERE seq > ?", (last - 20,)))
    with sqlite3.connect(folder / "clinic.db") as conn:
        true_hash = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (last - 20,)).fetchone()[0]
    (folder / "audit-head.json").write_text(json.dumps({"seq": last - 20, "hash": true_hash, "mac": "0" * 64}))
    result = verify_folder(folder)
    assert not result.ok and "without the key" in result.message


def test_an_unreadable_head_file_is_reported(copy):
    """A garbled head file is itself a finding, not silently ignored."""
    folder, last = copy
    (folder / "audit-head.json").write_text("{not json")
    result = verify_folder(folder)
    assert not result.ok and "head file" in result.message


# --- the database refuses changes ----------------------------------------------------------------------

def test_triggers_refuse_update_and_delete_through_sqlalchemy(copy):
    """UPDATE and DELETE of audit rows fail in the database (Core and ORM) and the row stays as it was."""
    folder, _ = copy
    before = row_of(folder, 10)
    services, _ = open_folder(folder)
    db = services.context.db
    attempts = [lambda s: s.execute(update(AuditEntry).where(AuditEntry.seq == 10).values(action="x")),
                lambda s: s.execute(delete(AuditEntry).where(AuditEntry.seq == 10)),
                lambda s: setattr(s.get(AuditEntry, 10), "details", {"forged": True}),
                lambda s: s.delete(s.get(AuditEntry, 10))]
    for attempt in attempts:
        with db.session() as s, pytest.raises((IntegrityError, OperationalError), match="append-only"):
            attempt(s)
            s.commit()
    db.close()
    assert row_of(folder, 10) == before
    assert verify_folder(folder).ok


# --- concurrency, key file ------------------------------------------------------------------------------

def test_sequence_numbers_are_gapless_under_concurrent_writers(copy):
    """Two threads writing through the services: every seq from 1 to the end once, chain intact, no errors."""
    folder, last = copy
    services, clock = open_folder(folder)
    nurse = services.auth.login("nurse1", PW)
    errors = []

    def writer(tag: int) -> None:
        try:
            for n in range(60):
                services.patients.register(nurse, patient(tag * 100 + n))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with services.context.db.read() as uow:
        seqs = uow.session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq)).scalars().all()
    services.context.db.close()
    assert errors == []
    assert seqs == list(range(1, last + 1 + 1 + 120))  # + the login + 120 registrations
    assert verify_folder(folder).ok


def test_the_head_file_survives_threads_publishing_at_once(tmp_path):
    """Four threads publishing heads at once: no error (a commit must not look failed), head ends highest."""
    keyring = audit_chain.AuditKeyring(tmp_path)
    keyring.key(create=True)  # as the first audited entry does
    numbers, errors, lock = iter(range(1, 100_000)), [], threading.Lock()

    def publish() -> None:
        for _ in range(500):
            with lock:
                n = next(numbers)
            try:
                keyring.write_head(n, f"{n:064x}")
                assert keyring.read_head()[0] >= n
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(repr(exc))

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert keyring.read_head() == (2000, f"{2000:064x}")
    assert list(tmp_path.glob("*.partial")) == []


def test_the_key_file_is_private_to_its_owner(pristine):
    """audit.key is created with mode 0600 and holds a 256-bit key."""
    folder, _ = pristine
    key = folder / "audit.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key.read_text().strip())) == 32


@pytest.mark.parametrize("content, words", [(None, "missing"), ("not a hex key at all", "cannot be read"),
                                            ("abcd", "too short")])
def test_a_missing_or_garbled_key_stops_with_a_clear_message(copy, content, words):
    """Verifying or appending without the right key raises AuditKeyError naming the file; nothing is saved."""
    folder, last = copy
    key = folder / "audit.key"
    key.unlink() if content is None else key.write_text(content)
    with pytest.raises(AuditKeyError, match=words) as caught:
        verify_folder(folder)
    assert str(key) in str(caught.value) and "restore" in str(caught.value).lower()
    services, _ = open_folder(folder)
    with pytest.raises(AuditKeyError):
        services.auth.login("nurse1", PW)
    with services.context.db.read() as uow:
        assert uow.session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc())).scalars().first() == last
    services.context.db.close()
    assert not key.exists() if content is None else key.read_text() == content


# --- the command line ----------------------------------------------------------------------------------

def test_cli_audit_verify_exits_0_when_intact_and_3_naming_the_entry(copy, capsys):
    """`clinic-desktop --data-dir DIR audit verify`: 0 and "intact"; after an edit, 3 and the entry number."""
    folder, last = copy
    assert main(["--data-dir", str(folder), "audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    raw(folder, ("UPDATE audit_log SET username = 'x' WHERE seq = 42", ()))
    assert main(["--data-dir", str(folder), "audit", "verify"]) == 3
    assert "entry 42" in capsys.readouterr().err


# --- the chain's encoding and the keyring, without a database ---------------------------------------------------

def test_plain_value_gives_every_kind_of_value_one_exact_json_form():
    from datetime import date, datetime, timedelta, timezone
    from decimal import Decimal

    from clinic_desktop.domain.enums import StaffRole

    local = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert audit_chain.plain_value(Decimal("0.50")) == "0.50"  # the typed precision is kept
    assert audit_chain.plain_value(Decimal("1E+2")) == "100"
    assert audit_chain.plain_value(local) == "2026-03-02T14:30:00+00:00"  # the instant, in UTC
    assert audit_chain.plain_value(date(2026, 3, 2)) == "2026-03-02"
    assert audit_chain.plain_value(StaffRole.NURSE) == "nurse"
    assert audit_chain.plain_value({1: (Decimal("2.5"), None)}) == {"1": ["2.5", None]}
    assert audit_chain.plain_value(frozenset({"a"})) == ["a"]
    assert audit_chain.plain_value(True) is True and audit_chain.plain_value(7) == 7


def test_canonical_bytes_sort_keys_drop_spaces_and_keep_unicode():
    assert audit_chain.canonical({"b": 1, "a": "Zoë"}) == '{"a":"Zoë","b":1}'.encode()


def test_each_entry_field_has_its_own_place_in_the_hashed_payload():
    """Two entries that differ in one field only never share a payload, whichever field it is."""
    from datetime import datetime, timezone

    base = dict(seq=3, at=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc), utc_offset_min=-300, staff_id=4,
                username="whitlock", patient_id=12, action="patient.update", object_type="patient", object_id="12",
                details={"phone": {"old": "", "new": "555-0199"}}, emergency=False, prev_hash="a" * 64)
    changed = dict(seq=4, at=datetime(2026, 3, 2, 9, 1, tzinfo=timezone.utc), utc_offset_min=60, staff_id=5,
                   username="ferreira", patient_id=13, action="patient.view", object_type="series", object_id="13",
                   details={}, emergency=True, prev_hash="b" * 64)
    payloads = {entry_payload(**base)}
    for name, value in changed.items():
        payloads.add(entry_payload(**{**base, name: value}))
    assert len(payloads) == 1 + len(changed)
    assert json.loads(entry_payload(**base)) == {
        "seq": 3, "at": "2026-03-02T09:00:00+00:00", "off": -300, "staff": 4, "user": "whitlock", "patient": 12,
        "action": "patient.update", "type": "patient", "id": "12",
        "details": {"phone": {"old": "", "new": "555-0199"}}, "emergency": False, "prev": "a" * 64}


def test_the_head_file_round_trips_is_keyed_and_never_moves_back(tmp_path):
    keyring = audit_chain.AuditKeyring(tmp_path)
    keyring.key(create=True)
    assert keyring.read_head() is None
    keyring.write_head(5, "c" * 64)
    assert keyring.read_head() == (5, "c" * 64)
    keyring.write_head(5, "d" * 64)  # the same entry again: left as it is
    keyring.write_head(4, "e" * 64)  # an older one: never moves the head back
    assert keyring.read_head() == (5, "c" * 64)
    keyring.write_head(6, "f" * 64)
    assert keyring.read_head() == (6, "f" * 64)
    stored = json.loads(keyring.head_path.read_text())
    assert stored["mac"] == hmac.new(keyring.key(), b'{"hash":"' + b"f" * 64 + b'","head":6}',
                                     hashlib.sha256).hexdigest()
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("content", ['{"seq": 6, "hash": "x"}', "[]", '{"seq": "six", "hash": "x", "mac": "y"}'])
def test_a_head_file_missing_a_field_or_garbled_is_unreadable(tmp_path, content):
    keyring = audit_chain.AuditKeyring(tmp_path)
    keyring.key(create=True)
    keyring.head_path.write_text(content)
    assert keyring.read_head() == (-1, "unreadable")


def test_a_head_file_with_a_wrong_mac_is_not_authentic(tmp_path):
    keyring = audit_chain.AuditKeyring(tmp_path)
    keyring.key(create=True)
    keyring.head_path.write_text(json.dumps({"seq": 6, "hash": "f" * 64, "mac": "0" * 64}))
    assert keyring.read_head() == (-1, "not authentic")


def test_a_new_key_is_64_hex_digits_private_and_kept(tmp_path):
    keyring = audit_chain.AuditKeyring(tmp_path / "new-folder")
    key = keyring.key(create=True)
    assert len(key) == 32 and keyring.key_path.read_text() == key.hex()
    assert stat.S_IMODE(keyring.key_path.stat().st_mode) == 0o600
    assert audit_chain.AuditKeyring(tmp_path / "new-folder").key() == key  # read back, not made again


def test_a_missing_key_is_not_made_unless_asked(tmp_path):
    keyring = audit_chain.AuditKeyring(tmp_path)
    with pytest.raises(AuditKeyError) as caught:
        keyring.key()
    assert caught.value.message == (f"The audit key {tmp_path / 'audit.key'} is missing (and the operating system's "
                                    "credential store holds none for this data folder). Restore it from the backup "
                                    "made with the database; without it the audit log cannot be extended or verified.")
    assert not keyring.key_path.exists()


def test_a_short_key_is_refused(tmp_path):
    (tmp_path / "audit.key").write_text("ab" * 31)
    with pytest.raises(AuditKeyError) as caught:
        audit_chain.AuditKeyring(tmp_path).key()
    assert caught.value.message == (f"The audit key at {tmp_path / 'audit.key'} is too short; restore the original "
                                    "key.")
    (tmp_path / "audit.key").write_text("ab" * 32 + "\n")  # 32 bytes, with the line end a text editor adds
    assert audit_chain.AuditKeyring(tmp_path).key() == bytes.fromhex("ab" * 32)


def test_the_verification_says_what_was_found_in_words():
    assert audit_chain.Verification(True, 12).message == \
        "The audit log is intact: 12 entries, every hash and link verified."
    assert audit_chain.Verification(False, 3, 4, "entry 4 is missing (deleted).").message == \
        "The audit log has been altered at entry 4: entry 4 is missing (deleted)."


def test_an_unreadable_key_says_how_to_restore_it(tmp_path):
    (tmp_path / "audit.key").write_text("not a hex key")
    with pytest.raises(AuditKeyError) as caught:
        audit_chain.AuditKeyring(tmp_path).key()
    assert caught.value.message == (f"The audit key at {tmp_path / 'audit.key'} cannot be read as a key. Restore the "
                                    "original key from the backup made with the database; without it the audit log "
                                    "cannot be extended or verified.")


def test_the_head_is_still_written_when_its_folder_went_missing(tmp_path):
    """The key is held in memory; a head written after the data folder (and its parent) vanished recreates them."""
    keyring = audit_chain.AuditKeyring(tmp_path / "outer" / "data")
    keyring.key(create=True)
    shutil.rmtree(tmp_path / "outer")
    keyring.write_head(1, "a" * 64)
    assert keyring.read_head() == (1, "a" * 64)


def test_a_new_key_is_made_in_a_data_folder_that_does_not_exist_yet(tmp_path):
    keyring = audit_chain.AuditKeyring(tmp_path / "clinic" / "data")
    assert len(keyring.key(create=True)) == 32 and keyring.key_path.exists()


def test_a_key_made_by_another_process_at_the_same_moment_is_used(tmp_path, monkeypatch):
    """Two workstations start an empty log at once: the one whose exclusive create fails reads the other's key."""
    theirs = "cd" * 32
    real_open = os.open

    def made_first(path, flags, mode=0o777):
        Path(path).write_text(theirs)
        monkeypatch.setattr(audit_chain.os, "open", real_open)
        raise FileExistsError(path)

    monkeypatch.setattr(audit_chain.os, "open", made_first)
    assert audit_chain.AuditKeyring(tmp_path).key(create=True) == bytes.fromhex(theirs)


def test_logged_times_are_the_same_text_whatever_the_workstations_time_zone(monkeypatch):
    """An entry's time is hashed as UTC text: a workstation set to another zone computes the same payload."""
    import time
    from datetime import datetime, timedelta, timezone

    when = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert audit_chain.plain_value(when) == "2026-03-02T08:30:00+00:00"
    finally:
        monkeypatch.undo()
        time.tzset()


# --- the head record's time and second copy, the key in the credential store ---------------------------------------

def _keyring(folder: Path) -> audit_chain.AuditKeyring:
    keyring = audit_chain.AuditKeyring(folder)
    keyring.key(create=True)
    return keyring


def test_the_head_keeps_its_time_in_utc_and_its_second_copy_is_the_same_file(tmp_path):
    from datetime import datetime, timedelta, timezone

    keyring, usb = _keyring(tmp_path / "data"), tmp_path / "usb"
    usb.mkdir()
    at = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    keyring.reset_head(4, "a" * 64, mirror=str(usb), at=at)
    record = keyring.read_head_record()
    assert record == audit_chain.HeadRecord(4, "a" * 64, at, str(usb))
    stored = json.loads(keyring.head_path.read_text())
    assert {k: v for k, v in stored.items() if k != "mac"} == {
        "seq": 4, "hash": "a" * 64, "at": "2026-03-02T14:30:00+00:00", "mirror": str(usb)}
    payload = b'{"at":"2026-03-02T14:30:00+00:00","hash":"' + b"a" * 64 + b'","head":4,"mirror":"' + \
        str(usb).encode() + b'"}'
    assert stored["mac"] == hmac.new(keyring.key(), payload, hashlib.sha256).hexdigest()
    assert (usb / keyring.mirror_name).read_text() == keyring.head_path.read_text()
    assert keyring.read_head_at(usb / keyring.mirror_name) == record
    assert keyring.mirror_problem is None


def test_a_newer_head_keeps_the_second_location_and_a_reset_can_change_or_drop_it(tmp_path):
    keyring, usb, other = _keyring(tmp_path / "data"), tmp_path / "usb", tmp_path / "other"
    usb.mkdir()
    other.mkdir()
    keyring.reset_head(1, "a" * 64, mirror=str(usb))
    keyring.write_head(2, "b" * 64)
    assert keyring.read_head_record() == audit_chain.HeadRecord(2, "b" * 64, None, str(usb))
    assert keyring.read_head_at(usb / keyring.mirror_name) == audit_chain.HeadRecord(2, "b" * 64, None, str(usb))
    keyring.reset_head(1, "c" * 64)  # a restore moves it back, keeping the second location
    assert keyring.read_head_record() == audit_chain.HeadRecord(1, "c" * 64, None, str(usb))
    keyring.reset_head(3, "d" * 64, mirror=str(other))
    assert keyring.read_head_at(other / keyring.mirror_name) == audit_chain.HeadRecord(3, "d" * 64, None, str(other))
    assert keyring.read_head_at(usb / keyring.mirror_name).seq == 1  # the old location is no longer written
    keyring.reset_head(4, "e" * 64, mirror=None)
    assert keyring.read_head_record() == audit_chain.HeadRecord(4, "e" * 64)
    assert "mirror" not in json.loads(keyring.head_path.read_text())
    keyring.write_head(5, "f" * 64)
    assert keyring.read_head_record() == audit_chain.HeadRecord(5, "f" * 64)


def test_a_reset_over_a_damaged_head_starts_it_without_a_second_location(tmp_path):
    keyring = _keyring(tmp_path)
    keyring.head_path.write_text("garbled")
    keyring.reset_head(2, "a" * 64)
    assert keyring.read_head_record() == audit_chain.HeadRecord(2, "a" * 64)


def test_a_second_location_that_cannot_be_written_is_logged_once_and_work_goes_on(tmp_path, caplog):
    keyring = _keyring(tmp_path / "data")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with caplog.at_level("INFO", logger=audit_chain.__name__):
        keyring.reset_head(1, "a" * 64, mirror=str(blocked))
        keyring.write_head(2, "b" * 64)
    assert keyring.read_head() == (2, "b" * 64)  # the head beside the database is written all the same
    assert keyring.mirror_problem.startswith(f"{blocked} cannot be written (")
    assert keyring.mirror_problem.endswith(")") and "()" not in keyring.mirror_problem
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [f"The second copy of the audit head was not updated: {keyring.mirror_problem}; the "
                        "application runs on without it"]
    assert not [r for r in caplog.records if r.levelname == "INFO"]
    caplog.clear()
    blocked.unlink()
    blocked.mkdir()
    with caplog.at_level("INFO", logger=audit_chain.__name__):
        keyring.write_head(3, "c" * 64)
        keyring.write_head(4, "d" * 64)
    assert keyring.mirror_problem is None
    assert keyring.read_head_at(blocked / keyring.mirror_name).seq == 4
    assert [r.getMessage() for r in caplog.records] == [
        f"The second copy of the audit head in {blocked} is written again"]


def test_dropping_the_second_location_clears_its_problem(tmp_path):
    keyring = _keyring(tmp_path / "data")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    keyring.reset_head(1, "a" * 64, mirror=str(blocked))
    assert keyring.mirror_problem is not None
    keyring.reset_head(1, "a" * 64, mirror=None)
    assert keyring.mirror_problem is None


def test_each_data_folder_has_its_own_file_in_the_second_location(tmp_path):
    import re
    import socket

    one, two = audit_chain.AuditKeyring(tmp_path / "one"), audit_chain.AuditKeyring(tmp_path / "two")
    identity = f"{socket.gethostname()}|{(tmp_path / 'one').absolute()}".encode()
    assert one.mirror_name == f"audit-head-{hashlib.sha256(identity).hexdigest()[:12]}.json"
    assert re.fullmatch(r"audit-head-[0-9a-f]{12}\.json", two.mirror_name)
    assert one.mirror_name != two.mirror_name
    assert audit_chain.AuditKeyring(tmp_path / "one").mirror_name == one.mirror_name


@pytest.mark.parametrize("extra", [{"at": "2026-03-02T14:30:00"}, {"at": "yesterday"}, {"at": 5}])
def test_a_head_time_without_its_zone_or_garbled_makes_the_head_unreadable(tmp_path, extra):
    keyring = _keyring(tmp_path)
    record = {"seq": 3, "hash": "a" * 64, **extra}
    keyring.head_path.write_text(json.dumps({**record, "mac": "0" * 64}))
    assert keyring.read_head_record() == "unreadable"


def test_a_head_written_before_times_were_kept_is_still_authentic(tmp_path):
    keyring = _keyring(tmp_path)
    mac = hmac.new(keyring.key(), b'{"hash":"' + b"a" * 64 + b'","head":3}', hashlib.sha256).hexdigest()
    keyring.head_path.write_text(json.dumps({"seq": 3, "hash": "a" * 64, "mac": mac}))
    assert keyring.read_head_record() == audit_chain.HeadRecord(3, "a" * 64, None, None)
    keyring.head_path.write_text(json.dumps({"seq": 3, "hash": "a" * 64, "mirror": "", "mac": mac}))
    assert keyring.read_head_record() == audit_chain.HeadRecord(3, "a" * 64, None, None)


def test_a_head_that_cannot_be_read_at_all_is_unreadable_and_never_written_over(tmp_path, caplog):
    keyring = _keyring(tmp_path)
    keyring.head_path.mkdir()  # reading it fails with an operating-system error, not a missing file
    assert keyring.read_head_record() == "unreadable"
    assert keyring.read_head() == (-1, "unreadable")
    with caplog.at_level("WARNING", logger=audit_chain.__name__):
        keyring.write_head(9, "a" * 64)
    assert keyring.head_path.is_dir()
    assert [r.getMessage() for r in caplog.records] == [
        f"The audit head file {keyring.head_path} is unreadable; it is left as it is for verify to report"]


def test_a_forged_head_is_left_for_verify_to_find(tmp_path):
    keyring = _keyring(tmp_path)
    forged = json.dumps({"seq": 2, "hash": "a" * 64, "mac": "0" * 64})
    keyring.head_path.write_text(forged)
    keyring.write_head(3, "b" * 64)
    assert keyring.head_path.read_text() == forged


def test_the_key_is_taken_from_the_credential_store_when_there_is_no_file(tmp_path, monkeypatch):
    from clinic_desktop.storage import audit_key_store

    asked = []

    def stored(folder):
        asked.append(folder)
        return "ef" * 32 + "\n"

    monkeypatch.setattr(audit_key_store, "stored_key", stored)
    keyring = audit_chain.AuditKeyring(tmp_path)
    assert keyring.key() == bytes.fromhex("ef" * 32) and keyring.key_in_store()
    assert asked[0] == tmp_path and not keyring.key_path.exists()  # never copied into a file
    (tmp_path / "audit.key").write_text("ab" * 32)
    assert not keyring.key_in_store()  # the file, when present, is the key
    assert audit_chain.AuditKeyring(tmp_path).key() == bytes.fromhex("ab" * 32)


def test_no_key_in_the_store_nor_a_file_means_not_in_the_store(tmp_path, monkeypatch):
    from clinic_desktop.storage import audit_key_store

    monkeypatch.setattr(audit_key_store, "stored_key", lambda folder: None)
    assert not audit_chain.AuditKeyring(tmp_path).key_in_store()


def test_a_garbled_key_in_the_credential_store_says_where_it_is(tmp_path, monkeypatch):
    from clinic_desktop.storage import audit_key_store

    monkeypatch.setattr(audit_key_store, "stored_key", lambda folder: "not hex")
    with pytest.raises(AuditKeyError) as caught:
        audit_chain.AuditKeyring(tmp_path).key(create=True)
    assert caught.value.message.startswith("The audit key in the credential store cannot be read as a key.")
    assert not (tmp_path / "audit.key").exists()  # a new key would make the existing entries look forged


# --- appending several entries at once, and the check against the head file alone -----------------------------------

def _fields(clock, n: int) -> dict:
    return dict(at=clock.now(), utc_offset_min=-300, staff_id=None, action="test.entry", object_type="note",
                object_id=n, details={"n": n}, username=f"user{n}")


def _verified(db, **kwargs) -> audit_chain.Verification:
    with db.read() as uow:
        return audit_chain.verify(uow.session, db.keyring, witnesses=False, **kwargs)


def test_entries_appended_together_are_linked_as_one_by_one_and_publish_their_head(db, clock):
    with db.write() as uow:
        assert audit_chain.append_many(uow.session, db.keyring, []) == 0
        assert audit_chain.PENDING_HEAD not in uow.session.info
        assert audit_chain.append_many(uow.session, db.keyring, (_fields(clock, n) for n in (1, 2, 3))) == 3
        uow.commit()
    with db.read() as uow:
        rows = uow.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
        prev = audit_chain.GENESIS
        for seq, row in enumerate(rows, start=1):
            payload = entry_payload(seq, clock.now(), -300, None, f"user{seq}", None, "test.entry", "note",
                                    str(seq), {"n": seq}, False, prev)
            assert (row.seq, row.prev_hash, row.object_id, row.username) == (seq, prev, str(seq), f"user{seq}")
            assert row.hash == hmac.new(db.keyring.key(), payload, hashlib.sha256).hexdigest()
            prev = row.hash
        assert len(rows) == 3
    assert db.keyring.read_head_record() == audit_chain.HeadRecord(3, prev, clock.now())
    with db.write() as uow:  # the next batch continues the chain
        assert audit_chain.append_many(uow.session, db.keyring, [_fields(clock, 4), _fields(clock, 5)]) == 2
        assert uow.session.info[audit_chain.PENDING_HEAD][:3] == (5, uow.session.info[audit_chain.PENDING_HEAD][1],
                                                                  False)
        uow.commit()
    result = _verified(db, batch=2)
    assert (result.ok, result.entries) == (True, 5), result.message
    assert db.keyring.read_head()[0] == 5


def test_a_transaction_that_began_the_log_still_says_so_after_more_entries(db, clock):
    with db.write() as uow:
        audit_chain.append(uow.session, db.keyring, **_fields(clock, 1))
        assert uow.session.info[audit_chain.PENDING_HEAD][2] is True
        audit_chain.append_many(uow.session, db.keyring, [_fields(clock, 2)])
        seq, _hash, began, at = uow.session.info[audit_chain.PENDING_HEAD]
        assert (seq, began, at) == (2, True, clock.now())
        uow.commit()
    assert db.keyring.read_head()[0] == 2


def _small_log(db, clock, count: int = 3) -> list[str]:
    with db.write() as uow:
        audit_chain.append_many(uow.session, db.keyring, [_fields(clock, n) for n in range(1, count + 1)])
        uow.commit()
    with db.read() as uow:
        return list(uow.session.execute(select(AuditEntry.hash).order_by(AuditEntry.seq)).scalars())


def test_against_the_head_file_alone_a_cut_off_or_changed_end_is_named(db, clock):
    hashes = _small_log(db, clock)
    assert _verified(db).ok
    db.keyring.reset_head(5, "a" * 64)
    result = _verified(db)
    assert (result.ok, result.entries, result.first_bad_seq) == (False, 3, 4)
    assert result.problem == "the log ends at entry 3 but entry 5 was written: the end of the log was cut off."
    db.keyring.reset_head(3, "a" * 64)
    result = _verified(db)
    assert (result.ok, result.entries, result.first_bad_seq, result.problem) == (
        False, 3, 3, "the last entry differs from the one recorded as written.")
    db.keyring.reset_head(2, "a" * 64)
    result = _verified(db)
    assert (result.ok, result.entries, result.first_bad_seq, result.problem) == (
        False, 3, 2, "it differs from the entry recorded as written.")
    db.keyring.reset_head(2, hashes[1])  # a head that lags the log (a publish cut off by a crash) is fine
    assert _verified(db).ok
    db.keyring.reset_head(0, "a" * 64)  # "nothing written yet" names no entry to compare
    assert _verified(db).ok
    db.keyring.head_path.write_text("garbled")
    result = _verified(db)
    assert (result.ok, result.entries, result.first_bad_seq) == (False, 3, 4)
    assert result.problem == ("the head file kept beside the database is unreadable (it was damaged or rewritten "
                              "without the key).")
    db.keyring.head_path.unlink()  # no head file: the chain alone
    assert (_verified(db).ok, _verified(db).entries) == (True, 3)


def test_an_empty_log_with_a_head_of_nothing_verifies(db):
    db.keyring.key(create=True)
    db.keyring.reset_head(0, "a" * 64)
    assert (_verified(db).ok, _verified(db).entries) == (True, 0)


def test_the_verification_of_a_log_as_a_whole_and_its_notes_in_words():
    assert audit_chain.Verification(False, 3, None, "its head was seen further on.").message == \
        "The audit log cannot be trusted: its head was seen further on."
    assert audit_chain.Verification(True, 2, notes=("The second copy is not available.",)).message == \
        "The audit log is intact: 2 entries, every hash and link verified. The second copy is not available."


def test_by_default_a_log_whose_head_file_is_gone_is_not_trusted(db, clock):
    _small_log(db, clock)
    db.keyring.head_path.unlink()  # the chain alone cannot show a cut-off tail: the other witnesses must speak
    with db.read() as uow:
        assert not audit_chain.verify(uow.session, db.keyring).ok
    assert _verified(db).ok  # while the check against the head file alone takes the chain as it is


def _swapped(folder: Path) -> None:
    a, b = row_of(folder, 30), row_of(folder, 37)
    assignments = ", ".join(f"{c} = ?" for c in COLUMNS)
    raw(folder, (f"UPDATE audit_log SET {assignments} WHERE seq = 30", b),
        (f"UPDATE audit_log SET {assignments} WHERE seq = 37", a))


@pytest.mark.parametrize("tamper, seq, problem", [
    (lambda folder: raw(folder, ("DELETE FROM audit_log WHERE seq = 77", ())), 77,
     "entry 77 is missing (deleted)."),
    (_swapped, 30, "it does not follow the entry before it (removed, inserted or reordered entries)."),
    (lambda folder: raw(folder, ("UPDATE audit_log SET action = 'login' WHERE seq = 40", ())), 40,
     "its content or hash was changed after it was written."),
])
def test_a_finding_counts_the_entries_verified_before_it_and_says_what_is_wrong(copy, tamper, seq, problem):
    folder, _ = copy
    tamper(folder)
    result = verify_folder(folder)
    assert (result.ok, result.entries, result.first_bad_seq, result.problem) == (False, seq - 1, seq, problem)


def test_a_head_that_cannot_replace_its_file_fails_and_leaves_no_partial_file(tmp_path):
    keyring = _keyring(tmp_path)
    keyring.head_path.mkdir()
    with pytest.raises(OSError):
        keyring.reset_head(1, "a" * 64)
    assert not list(tmp_path.glob("*.partial"))


def test_a_second_location_that_went_missing_is_named_with_the_reason(tmp_path):
    keyring = _keyring(tmp_path / "data")
    keyring.reset_head(1, "a" * 64, mirror=str(tmp_path / "unplugged"))
    assert keyring.mirror_problem == f"{tmp_path / 'unplugged'} cannot be written ({os.strerror(errno.ENOENT)})"
    assert keyring.read_head() == (1, "a" * 64)


def test_a_key_that_cannot_be_read_says_why_and_how_to_restore_it(tmp_path):
    (tmp_path / "audit.key").mkdir()
    with pytest.raises(AuditKeyError) as caught:
        audit_chain.AuditKeyring(tmp_path).key()
    import re

    reason = "[^()\\[\\]]+"  # the operating system's words, not the exception's technical form ("[Errno 21] ...")
    assert re.fullmatch(re.escape(f"The audit key at {tmp_path / 'audit.key'} cannot be read (") + reason
                        + re.escape("). Restore it from the backup made with the database; without it the audit "
                                    "log cannot be extended or verified."), caught.value.message)


def test_an_entry_given_only_its_required_fields_gets_the_defaults(db, clock):
    with db.write() as uow:
        audit_chain.append_many(uow.session, db.keyring, [
            dict(at=clock.now(), utc_offset_min=0, staff_id=None, action="test.entry"),
            dict(at=clock.now(), utc_offset_min=0, staff_id=None, action="test.entry", object_id=None, details=None)])
        uow.commit()
    with db.read() as uow:
        rows = uow.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [(r.username, r.patient_id, r.object_type, r.object_id, r.details, r.emergency) for (r,) in rows] == \
            [("", None, "", "", {}, False)] * 2
    assert _verified(db).ok


def test_a_transaction_on_a_log_already_begun_does_not_say_it_began_it(db, clock):
    _small_log(db, clock, 1)
    with db.write() as uow:
        audit_chain.append(uow.session, db.keyring, **_fields(clock, 2))
        audit_chain.append(uow.session, db.keyring, **_fields(clock, 3))
        assert uow.session.info[audit_chain.PENDING_HEAD][0::2] == (3, False)
        uow.commit()


def test_entries_appended_together_are_announced_to_the_other_workstations_like_single_ones(db, clock, services,
                                                                                            staff):
    from clinic_desktop.storage import change_set

    nurse = staff["nurse"]
    chart = services.patients.register(nurse, patient(1))
    with db.write() as uow:
        audit_chain.append_many(uow.session, db.keyring, [
            {**_fields(clock, 7), "patient_id": chart.id, "staff_id": nurse.id, "action": "patient.update",
             "object_type": "patient"}])
        seq = uow.session.info[audit_chain.PENDING_HEAD][0]
        assert uow.session.info[change_set.PENDING_CHANGES] == [
            (seq, "patient.update", "patient", "7", chart.id, nurse.id)]
        uow.commit()


def test_whether_the_key_is_in_the_store_is_asked_for_this_data_folder(tmp_path, monkeypatch):
    from clinic_desktop.storage import audit_key_store

    monkeypatch.setattr(audit_key_store, "stored_key", lambda folder: "ef" * 32 if folder == tmp_path else None)
    assert audit_chain.AuditKeyring(tmp_path).key_in_store()
    assert not audit_chain.AuditKeyring(tmp_path / "other").key_in_store()


def test_an_intact_log_has_no_problem_and_keeps_the_witnesses_notes(db, clock, monkeypatch):
    from clinic_desktop.storage import head_witness

    _small_log(db, clock)
    with db.read() as uow:
        result = audit_chain.verify(uow.session, db.keyring)
    assert (result.ok, result.problem, result.first_bad_seq) == (True, "", None)
    real = head_witness.check_head

    def with_a_note(*args, **kwargs):
        check = real(*args, **kwargs)
        return head_witness.HeadCheck(check.problem, (*check.notes, "The second copy is not available."),
                                      check.first_bad_seq)

    monkeypatch.setattr(head_witness, "check_head", with_a_note)
    with db.read() as uow:
        result = audit_chain.verify(uow.session, db.keyring)
    assert result.ok and result.notes[-1] == "The second copy is not available."


def test_against_the_head_file_alone_the_first_entry_is_compared_too(db, clock):
    _small_log(db, clock, 1)
    db.keyring.reset_head(1, "a" * 64)
    result = _verified(db)
    assert (result.ok, result.first_bad_seq) == (False, 1)
    _small_log(db, clock, 2)  # entries 2 and 3 follow; the head, moved back, still names a changed entry 1
    db.keyring.reset_head(1, "a" * 64)
    result = _verified(db)
    assert (result.ok, result.first_bad_seq) == (False, 1)
