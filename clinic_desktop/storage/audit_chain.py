"""The audit log's hash chain: appending an entry, verifying the whole log, and the key and head kept outside
the database. Each entry's HMAC-SHA256 covers its content and the previous entry's hash, so an edited,
deleted, inserted, reordered or re-hashed entry breaks the chain; the head file reveals a cut-off tail."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clinic_desktop.domain.errors import ClinicError
from clinic_desktop.storage import audit_key_store, change_set, file_modes
from clinic_desktop.storage.bulk import RowBinder, insert_rows
from clinic_desktop.storage.models import AuditEntry

log = logging.getLogger(__name__)

#: The hash before the first entry.
GENESIS = "0" * 64
KEY_FILE = "audit.key"
HEAD_FILE = "audit-head.json"
#: Session.info key under which a transaction carries its newest entry until it commits.
PENDING_HEAD = "audit_pending_head"
#: PostgreSQL advisory lock that serialises appends, so sequence numbers never repeat or skip.
_PG_APPEND_LOCK = PG_APPEND_LOCK = 0x6175646974
#: Serialises head-file updates between threads of this process (other processes use their own partial file).
_HEAD_LOCK = threading.Lock()


#: Types that are their own plain form (exactly these: a str- or int-based Enum still needs converting).
_PLAIN = frozenset((str, int, float, bool))


class AuditKeyError(ClinicError):
    """The audit key is missing or unreadable: audited work must stop rather than go unprotected."""


def plain_value(value: Any) -> Any:
    """A JSON-safe, exact form of a value for the log: Decimals and dates as text, enums as their value."""
    if value is None or type(value) in _PLAIN:  # the common case first: already plain
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain_value(v) for v in value]
    return value


def canonical(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8 (the same on every workstation)."""
    return json.dumps(plain_value(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class AuditKeyring:
    """The HMAC key (a file only its owner may read, or the operating system's credential store) and the head
    file in the data folder, with its optional copy in a second folder the administrator chose."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._key: bytes | None = None
        #: Why the second copy of the head could not be written the last time, or None (see write_head).
        self.mirror_problem: str | None = None

    @property
    def key_path(self) -> Path:
        return self.folder / KEY_FILE

    @property
    def head_path(self) -> Path:
        return self.folder / HEAD_FILE

    def key(self, create: bool = False) -> bytes:
        """The key; made only when asked to (for the very first entry of an empty log)."""
        if self._key is None:
            self._key = self._load_or_create(create)
        return self._key

    def key_in_store(self) -> bool:
        """Whether the key is kept in the credential store rather than in the file."""
        return not self.key_path.exists() and audit_key_store.stored_key(self.folder) is not None

    def _load_or_create(self, create: bool) -> bytes:
        path = self.key_path
        if not path.exists():
            stored = audit_key_store.stored_key(self.folder)
            if stored is not None:
                return _parse_key(stored, "in the credential store")
            if not create:  # a new key would make every existing entry look forged
                raise AuditKeyError(f"The audit key {path} is missing (and the operating system's credential "
                                    "store holds none for this data folder). Restore it from the backup made with "
                                    "the database; without it the audit log cannot be extended or verified.")
            file_modes.private_folder(self.folder)
            try:
                handle = file_modes.open_private(path, "x")
            except FileExistsError:  # another process made it first: use theirs
                return self._read(path)
            with handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
        return self._read(path)

    @staticmethod
    def _read(path: Path) -> bytes:
        try:
            text_key = path.read_text()
        except OSError as exc:
            raise AuditKeyError(f"The audit key at {path} cannot be read ({exc.strerror or exc}). Restore it from "
                                "the backup made with the database; without it the audit log cannot be extended "
                                "or verified.") from None
        return _parse_key(text_key, f"at {path}")

    def mac(self, payload: bytes) -> str:
        return hmac.new(self.key(), payload, hashlib.sha256).hexdigest()

    # --- the head, kept outside the table -------------------------------------------------------
    def read_head(self) -> tuple[int, str] | None:
        """(seq, hash) of the newest entry written; (-1, why) when the file is unreadable or not authentic."""
        record = self.read_head_record()
        if isinstance(record, str):
            return (-1, record)
        return None if record is None else (record.seq, record.hash)

    def read_head_record(self) -> HeadRecord | str | None:
        """The head file: None when there is none, a short reason when it is unreadable or not authentic."""
        try:
            return self.read_head_at(self.head_path)
        except OSError:  # e.g. made unreadable to this user: as much a finding as a garbled file
            return "unreadable"

    def read_head_at(self, path: Path) -> HeadRecord | str | None:
        """A head file (this folder's or its copy elsewhere); raises OSError when its folder cannot be read."""
        try:
            data = json.loads(path.read_text())
            record = HeadRecord(int(data["seq"]), str(data["hash"]), _when(data.get("at")),
                                str(data["mirror"]) if data.get("mirror") else None)
            mac = str(data["mac"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return "unreadable"
        # Keyed too: rewriting the head to hide a cut-off tail needs the key, not just the table.
        if not hmac.compare_digest(self.mac(record.payload()), mac):
            return "not authentic"
        return record

    @property
    def mirror_name(self) -> str:
        """This data folder's file in a second location (one folder may keep the heads of several workstations)."""
        identity = f"{socket.gethostname()}|{self.folder.expanduser().absolute()}".encode()
        return f"audit-head-{hashlib.sha256(identity).hexdigest()[:12]}.json"

    def write_head(self, seq: int, entry_hash: str, at: datetime | None = None) -> None:
        """Replace the head file atomically; never move it backwards (a slower workstation's commit). `at` is the
        entry's time. The copy in the second location, if one is set, follows; when it cannot be written the work
        goes on (logged)."""
        with _HEAD_LOCK:  # threads of one process: one compare-and-replace at a time, each its own partial file
            current = self.read_head_record()
            if isinstance(current, str):  # damaged or forged: verify must still see it, so no save writes over it
                log.warning("The audit head file %s is %s; it is left as it is for verify to report",
                            self.head_path, current)
                return
            if current is not None and current.seq >= seq:
                return
            mirror = current.mirror if current is not None else None
            self._replace(HeadRecord(seq, entry_hash, at, mirror))

    def reset_head(self, seq: int, entry_hash: str, mirror: str | None | bool = True,
                   at: datetime | None = None) -> None:
        """Set the head whatever it was (a restore, a head moved to a restored log, an accepted log); keeps the
        second location unless `mirror` names another (or None for none)."""
        with _HEAD_LOCK:
            if mirror is True:
                current = self.read_head_record()
                mirror = current.mirror if isinstance(current, HeadRecord) else None
            self._replace(HeadRecord(seq, entry_hash, at, mirror or None))

    def _replace(self, record: HeadRecord) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        text_head = json.dumps({**record.as_json(), "mac": self.mac(record.payload())})
        _write_atomically(self.head_path, text_head)
        if record.mirror is None:
            self.mirror_problem = None
            return
        try:
            _write_atomically(Path(record.mirror) / self.mirror_name, text_head)
        except OSError as exc:
            problem = f"{record.mirror} cannot be written ({exc.strerror or exc})"
            if problem != self.mirror_problem:  # once per change, not once per commit
                log.warning("The second copy of the audit head was not updated: %s; the application runs on "
                            "without it", problem)
            self.mirror_problem = problem
        else:
            if self.mirror_problem is not None:
                log.info("The second copy of the audit head in %s is written again", record.mirror)
            self.mirror_problem = None


@dataclass(frozen=True)
class HeadRecord:
    """What a head file says: the newest entry and its time (None when unknown: a head restored from a
    manifest, or a file from before the time was kept), and the second location if one is set."""

    seq: int
    hash: str
    at: datetime | None = None
    mirror: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"seq": self.seq, "hash": self.hash}
        if self.at is not None:
            data["at"] = self.at.astimezone(timezone.utc).isoformat()
        if self.mirror is not None:
            data["mirror"] = self.mirror
        return data

    def payload(self) -> bytes:
        # A head file from before the time and the second location were kept has only seq and hash.
        return canonical({"head" if k == "seq" else k: v for k, v in self.as_json().items()})


def _when(text_at: Any) -> datetime | None:
    if text_at is None:
        return None
    at = datetime.fromisoformat(str(text_at))
    if at.tzinfo is None:
        raise ValueError("a head time without its zone")
    return at


def _parse_key(text_key: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text_key.strip())
    except ValueError:
        raise AuditKeyError(f"The audit key {where} cannot be read as a key. Restore the original key from the "
                            "backup made with the database; without it the audit log cannot be extended or "
                            "verified.") from None
    if len(key) < 32:
        raise AuditKeyError(f"The audit key {where} is too short; restore the original key.")
    return key


def _write_atomically(target: Path, content: str) -> None:
    partial = target.with_name(target.name + f".{os.getpid()}.{threading.get_ident()}.partial")
    try:
        file_modes.write_private_text(partial, content)
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def entry_payload(seq: int, at: datetime, utc_offset_min: int, staff_id: int | None, username: str,
                  patient_id: int | None, action: str, object_type: str, object_id: str, details: Any,
                  emergency: bool, prev_hash: str) -> bytes:
    return canonical({"seq": seq, "at": at, "off": utc_offset_min, "staff": staff_id, "user": username,
                      "patient": patient_id, "action": action, "type": object_type, "id": object_id,
                      "details": details, "emergency": emergency, "prev": prev_hash})


def append(session: Session, keyring: AuditKeyring, *, at: datetime, utc_offset_min: int, staff_id: int | None,
           action: str, patient_id: int | None = None, object_type: str = "", object_id: Any = "",
           details: Any = None, emergency: bool = False, username: str = "") -> AuditEntry:
    """Add the next entry in this transaction; it commits (or rolls back) with the change it records."""
    seq, prev = _last_link(session, keyring)
    entry = AuditEntry(**_linked(keyring, seq + 1, prev, {
        "at": at, "utc_offset_min": utc_offset_min, "staff_id": staff_id, "username": username, "patient_id": patient_id,
        "action": action, "object_type": object_type, "object_id": object_id, "details": details, "emergency": emergency}))
    session.add(entry)
    session.flush()
    _pending_head(session, entry.seq, entry.hash, seq == 0, at)
    change_set.record_pending(session, entry.seq, action, object_type, entry.object_id, patient_id, staff_id)
    return entry


def append_many(session: Session, keyring: AuditKeyring, entries: Iterable[Mapping[str, Any]]) -> int:
    """Add entries in their order in this transaction, each linked as `append` links one, written together.

    Each mapping has `append`'s keyword arguments (at, utc_offset_min, staff_id, action, and optionally
    patient_id, object_type, object_id, details, emergency, username). Returns how many were added."""
    seq, prev = _last_link(session, keyring)
    from_empty = seq == 0
    binder = RowBinder(AuditEntry.__table__, session.get_bind().dialect)
    rows = []
    for fields in entries:
        seq += 1
        values = _linked(keyring, seq, prev, fields)
        prev = values["hash"]
        rows.append(binder.bind(values))
        change_set.record_pending(session, seq, values["action"], values["object_type"], values["object_id"],
                                  values["patient_id"], values["staff_id"])
    if rows:
        session.flush()
        insert_rows(session.connection(), AuditEntry.__table__, rows)
        _pending_head(session, seq, prev, from_empty, values["at"])
    return len(rows)


def _pending_head(session: Session, seq: int, entry_hash: str, from_empty: bool, at: datetime) -> None:
    """The head this transaction will publish, and whether it began the log (only then may a head file that is
    missing be created: otherwise its absence is what verify must report, not something a commit papers over)."""
    earlier = session.info.get(PENDING_HEAD)
    session.info[PENDING_HEAD] = (seq, entry_hash, from_empty or bool(earlier and earlier[2]), at)


def _last_link(session: Session, keyring: AuditKeyring) -> tuple[int, str]:
    """(seq, hash) of the newest entry, GENESIS before the first; appends are serialised from here on."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_APPEND_LOCK})
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    keyring.key(create=last is None)
    return (last.seq, last.hash) if last else (0, GENESIS)


def _linked(keyring: AuditKeyring, seq: int, prev: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """An entry's column values: its content in plain form, linked to the one before by its keyed hash."""
    values = plain_value(fields.get("details") or {})
    object_id = fields.get("object_id", "")
    object_id = str(object_id) if object_id not in (None, "") else ""
    row = {"seq": seq, "at": fields["at"], "utc_offset_min": fields["utc_offset_min"],
           "staff_id": fields["staff_id"], "username": fields.get("username", ""),
           "patient_id": fields.get("patient_id"), "action": fields["action"],
           "object_type": fields.get("object_type", ""), "object_id": object_id, "details": values,
           "emergency": fields.get("emergency", False), "prev_hash": prev}
    payload = entry_payload(seq, row["at"], row["utc_offset_min"], row["staff_id"], row["username"],
                            row["patient_id"], row["action"], row["object_type"], object_id, values,
                            row["emergency"], prev)
    row["hash"] = keyring.mac(payload)
    return row


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    #: The first entry found wrong (or missing), and what is wrong with it; None for a finding about the log as
    #: a whole (a witness of its head that it no longer reaches).
    first_bad_seq: int | None = None
    problem: str = ""
    #: Said beside the result without making it a failure (e.g. the second copy of the head is not available).
    notes: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        if self.ok:
            text_ok = f"The audit log is intact: {self.entries} entries, every hash and link verified."
        elif self.first_bad_seq is None:
            text_ok = f"The audit log cannot be trusted: {self.problem}"
        else:
            text_ok = f"The audit log has been altered at entry {self.first_bad_seq}: {self.problem}"
        return " ".join((text_ok, *self.notes))


def verify(session: Session, keyring: AuditKeyring, batch: int = 100, witnesses: bool = True) -> Verification:
    """Walk the whole log in order; report the first entry that is missing, out of place or not authentic, then
    compare its end with every witness of the head (storage/head_witness.py). `witnesses=False` checks against
    the head file alone, a missing one meaning "the chain alone" (a copy checked against the head its caller
    gives, or a restored database before its restore entry is written)."""
    expected_seq, prev, count = 1, GENESIS, 0
    for entry in _entries(session, batch):
        if entry.seq != expected_seq:  # rows come in seq order, so a jump is a missing entry
            return Verification(False, count, expected_seq, f"entry {expected_seq} is missing (deleted).")
        if entry.prev_hash != prev:
            return Verification(False, count, entry.seq, "it does not follow the entry before it "
                                "(removed, inserted or reordered entries).")
        payload = entry_payload(entry.seq, entry.at, entry.utc_offset_min, entry.staff_id, entry.username,
                                entry.patient_id, entry.action, entry.object_type, entry.object_id, entry.details,
                                entry.emergency, entry.prev_hash)
        if not hmac.compare_digest(keyring.mac(payload), entry.hash):
            return Verification(False, count, entry.seq, "its content or hash was changed after it was written.")
        prev, expected_seq, count = entry.hash, expected_seq + 1, count + 1
    last_seq = expected_seq - 1
    if witnesses:
        from clinic_desktop.storage.head_witness import check_head  # it builds on this module

        check = check_head(session, keyring, last_seq, prev)
        return Verification(check.problem is None, count, check.first_bad_seq, check.problem or "", check.notes)
    head = keyring.read_head()
    if head is not None:
        head_seq, head_hash = head
        if head_seq < 0:
            return Verification(False, count, last_seq + 1, f"the head file kept beside the database is {head_hash} "
                                "(it was damaged or rewritten without the key).")
        if head_seq > last_seq:
            return Verification(False, count, last_seq + 1, f"the log ends at entry {last_seq} but entry {head_seq} "
                                "was written: the end of the log was cut off.")
        if head_seq == last_seq and head_seq > 0 and head_hash != prev:
            return Verification(False, count, head_seq, "the last entry differs from the one recorded as written.")
        if head_seq < last_seq and head_seq > 0:
            recorded = _hash_of(session, head_seq)
            if recorded != head_hash:
                return Verification(False, count, head_seq, "it differs from the entry recorded as written.")
    return Verification(True, count)


#: The columns a check reads, as plain rows fetched a few at a time: a log of a million entries read as ORM objects
#: in batches of thousands kept promoting them to the garbage collector's oldest generation, and each full
#: collection swept the whole process while holding the GIL (the window froze for ~100 ms every quarter second
#: of a backup's check). Rows that are gone before the next collection are never promoted.
_CHECKED = (AuditEntry.seq, AuditEntry.at, AuditEntry.utc_offset_min, AuditEntry.staff_id, AuditEntry.username,
            AuditEntry.patient_id, AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id,
            AuditEntry.details, AuditEntry.emergency, AuditEntry.prev_hash, AuditEntry.hash)


def _entries(session: Session, batch: int) -> Iterator[Any]:
    result = session.execute(select(*_CHECKED).order_by(AuditEntry.seq).execution_options(yield_per=batch))
    for rows in result.partitions():
        yield from rows


def _hash_of(session: Session, seq: int) -> str | None:
    return session.execute(select(AuditEntry.hash).where(AuditEntry.seq == seq)).scalar()
