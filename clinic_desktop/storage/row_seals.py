"""Row seals: every clinical and access row carries an HMAC-SHA256, with the audit key, over its table's name and
its column values (primary key included). Storage sets it at every write (the ORM's flush and the bulk writer), so
no service has to remember it; `row_check` recomputes it, so a row edited or added behind the application's back
(raw SQL, a database tool) no longer matches. The audit log is not sealed: its own hash chain covers it.

The seal is computed from the values as Python sees them (an enum as its stored text, a decimal as exact text, a
time in UTC), the same whether they come from an object about to be written or from a row read back, and the
same on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, Sequence

from sqlalchemy import (
    Boolean, Connection, Enum, Integer, LargeBinary, String, Table, Time, bindparam, event, select, update,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from clinic_desktop.storage.audit_chain import AuditKeyError, AuditKeyring, plain_value
from clinic_desktop.storage.models import AuditEntry, Base
from clinic_desktop.storage.models.base import SEAL_COLUMN, Sealed
from clinic_desktop.storage.types import ExactDecimal, UTCDateTime


def sealed_tables() -> tuple[Table, ...]:
    """Every sealed table, parents before children (the order rows are checked in)."""
    return tuple(t for t in Base.metadata.sorted_tables if SEAL_COLUMN in t.c)


def is_sealed(table: Table) -> bool:
    return SEAL_COLUMN in table.c


#: The seal's payload: canonical's form (sorted keys, no spaces, UTF-8) of values already in plain form.
_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _utc_text(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat()


def _normaliser(column: Any) -> Callable[[Any], Any] | None:
    """The function giving a column's value (never None) its plain form, as audit_chain.plain_value would; None
    for a column whose values are plain already (text, numbers), which is most of them and costs nothing."""
    kind = column.type
    if isinstance(kind, Enum):
        # The text the database stores: an enum member and its stored text seal alike (an int enum's is its name).
        stored: dict[Any, str] = dict(zip(kind.enums, kind.enums))
        if kind.enum_class is not None:  # the stored texts are listed in the members' order
            stored.update(zip(kind.enum_class, kind.enums))
        return lambda value: stored.get(value, value)
    if isinstance(kind, LargeBinary):
        return lambda value: hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(kind, Time):
        return lambda value: value.isoformat()
    if isinstance(kind, Boolean):
        return bool
    if isinstance(kind, UTCDateTime):
        return _utc_text
    if isinstance(kind, (String, Integer)) and not isinstance(kind, ExactDecimal):
        return None
    return plain_value  # decimals, dates, JSON documents


class _TablePlan:
    """How one table's rows are sealed: its columns in table order (the seal's own left out), their normalisers."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = tuple(c for c in table.columns if c.name != SEAL_COLUMN)
        self.names = tuple(c.name for c in self.columns)
        self.normalisers = tuple(_normaliser(c) for c in self.columns)
        self.key_names = tuple(c.name for c in table.primary_key.columns)

    def payload(self, values: Iterable[Any]) -> bytes:
        plain = [v if n is None or v is None else n(v) for n, v in zip(self.normalisers, values)]
        return _dumps([self.table.name, plain]).encode()

    def payloads(self, columns: Mapping[str, Sequence[Any]]) -> list[bytes]:
        """The payloads of many rows given column by column: each column normalised at once (a moment shared by
        many rows, as a batch's times are, converted once)."""
        plain = []
        for name, normalise in zip(self.names, self.normalisers):
            values = columns[name]
            if normalise is _utc_text:  # equal moments have one text (not so equal decimals: 1.5 and 1.50)
                done: dict[Any, Any] = {None: None}
                values = [done[v] if v in done else done.setdefault(v, normalise(v)) for v in values]
            elif normalise is not None:
                values = [None if v is None else normalise(v) for v in values]
            plain.append(values)
        name = self.table.name
        return [_dumps([name, row]).encode() for row in zip(*plain)]  # a tuple is written as a list


class RowSealer:
    """Computes seals with the audit key. One per Database (its plans are cached per table)."""

    def __init__(self, keyring: AuditKeyring) -> None:
        self.keyring = keyring
        self._plans: dict[str, _TablePlan] = {}
        #: (key, an HMAC keyed with it and fed nothing yet): each seal starts from a copy. One attribute, so a
        #: thread never sees one key's HMAC beside another key.
        self._keyed_hmac: tuple[bytes, Any] | None = None

    def plan(self, table: Table) -> _TablePlan:
        plan = self._plans.get(table.name)
        if plan is None:
            plan = self._plans[table.name] = _TablePlan(table)
        return plan

    def _keyed(self, key: bytes) -> Any:
        keyed = self._keyed_hmac
        if keyed is None or keyed[0] is not key:
            keyed = self._keyed_hmac = (key, hmac.new(key, digestmod=hashlib.sha256))
        return keyed[1]

    def seal_values(self, table: Table, values: Iterable[Any], key: bytes | None = None) -> str:
        """The seal of a row given its values in table order (without the seal column)."""
        mac = self._keyed(key if key is not None else self.keyring.key()).copy()
        mac.update(self.plan(table).payload(values))
        return mac.hexdigest()

    def seal(self, table: Table, row: Mapping[str, Any]) -> str:
        """The seal of a row given as a mapping of column names to values."""
        return self.seal_values(table, (row[name] for name in self.plan(table).names))

    def seal_columns(self, table: Table, columns: Mapping[str, Sequence[Any]], key: bytes) -> list[str]:
        """The seals of many rows given column by column (the bulk writer's form)."""
        keyed = self._keyed(key)
        seals = []
        for payload in self.plan(table).payloads(columns):
            mac = keyed.copy()
            mac.update(payload)
            seals.append(mac.hexdigest())
        return seals

    def key_for_writing(self, connection: Connection) -> bytes:
        """The key; made here only for a database whose audit log is still empty (as the first entry makes it)."""
        try:
            return self.keyring.key()
        except AuditKeyError:
            empty = connection.execute(select(AuditEntry.seq).limit(1)).first() is None
            if not empty:
                raise
            return self.keyring.key(create=True)

    # --- the ORM's writes ------------------------------------------------------------------------------
    def after_flush(self, session: Session, _context: Any) -> None:
        """Seal what this flush inserted or updated: one executemany UPDATE per table, once the ids exist."""
        deleted = session.deleted
        objects = [o for o in (*session.new, *session.dirty) if isinstance(o, Sealed) and o not in deleted]
        if not objects:
            return
        connection = session.connection()
        key = self.key_for_writing(connection)
        changed: dict[str, tuple[_TablePlan, list[tuple[Any, str]]]] = {}
        for obj in objects:
            plan = self.plan(obj.__table__)
            state = obj.__dict__
            # A value the flush expired (a server-side default) is loaded again; normally all are present.
            values = [state[n] if n in state else getattr(obj, n) for n in plan.names]
            mac = self.seal_values(plan.table, values, key)
            if state.get(SEAL_COLUMN) != mac:
                changed.setdefault(plan.table.name, (plan, []))[1].append((obj, mac))
        for plan, rows in changed.values():
            write_seals(connection, plan.table, [
                ([getattr(obj, n) for n in plan.key_names], mac) for obj, mac in rows])
            for obj, mac in rows:
                set_committed_value(obj, SEAL_COLUMN, mac)


def write_seals(connection: Connection, table: Table, seals: Sequence[tuple[Sequence[Any], str]]) -> None:
    """Store seals: (primary key values, seal) per row, in one executemany."""
    if not seals:
        return
    keys = tuple(table.primary_key.columns)
    stmt = update(table).values({SEAL_COLUMN: bindparam("seal_value")})
    for column in keys:
        stmt = stmt.where(column == bindparam(f"key_{column.name}"))
    connection.execute(stmt, [{"seal_value": mac, **{f"key_{c.name}": v for c, v in zip(keys, key)}}
                              for key, mac in seals])


def seal_on_flush(factory: sessionmaker, sealer: RowSealer) -> None:
    """Every session the factory makes seals the rows it writes."""
    event.listen(factory, "after_flush", sealer.after_flush)


def seal_all(connection: Connection, keyring: AuditKeyring, tables: Iterable[Table] | None = None,
             batch: int = 2000) -> int:
    """(Re)seal every row of the given sealed tables (all by default) with the keyring's key: for a migration that
    adds sealed columns or tables, or changes stored values. Returns how many rows it sealed."""
    sealer = RowSealer(keyring)
    count = 0
    for table in tables if tables is not None else sealed_tables():
        plan = sealer.plan(table)
        if connection.execute(select(*table.primary_key.columns).limit(1)).first() is None:
            continue
        key = sealer.key_for_writing(connection)
        # Read in full before writing: SQLite cannot update a table while a read of it is still open.
        rows = connection.execute(select(*plan.columns).order_by(*table.primary_key.columns)).all()
        positions = [plan.names.index(n) for n in plan.key_names]
        for start in range(0, len(rows), batch):
            part = rows[start:start + batch]
            write_seals(connection, table, [([row[i] for i in positions], sealer.seal_values(table, row, key))
                                            for row in part])
            count += len(part)
    return count
