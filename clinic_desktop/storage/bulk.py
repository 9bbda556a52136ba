"""Bulk writing for generated data (the demo clinic): rows bound to the driver's form by the columns' own types,
then written many at a time. Binding can run in another process, so writing is all that is left to the
connection; the values stored are the ones the ORM would store (same types, same defaults)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from sqlalchemy import Table, insert, select, func, text
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.engine.url import make_url

from clinic_desktop.storage.models.base import SEAL_COLUMN
from clinic_desktop.storage.types import UTCDateTime

if TYPE_CHECKING:
    from clinic_desktop.storage.row_seals import RowSealer

#: Stands for "no value given": the column's default applies (None would be stored as NULL).
_MISSING = object()


def dialect_for(name: str, driver: str) -> Dialect:
    """A dialect object for binding values without a connection (e.g. in a worker process)."""
    return make_url(f"{name}+{driver}://").get_dialect()()


class RowBinder:
    """Turns a mapping of column values into one tuple in the table's column order, in the driver's form.

    A column left out gets its Python-side default (as the ORM gives it); one without a default is NULL. A sealed
    table's rows get their seal (see row_seals) from `sealer`, which such a table requires."""

    def __init__(self, table: Table, dialect: Dialect, sealer: "RowSealer | None" = None) -> None:
        if SEAL_COLUMN in table.c and sealer is None:
            raise ValueError(f"rows of {table.name} are sealed: give the binder the database's RowSealer")
        self.table = table
        self._sealer = sealer if SEAL_COLUMN in table.c else None
        self.columns = tuple(c.name for c in table.columns)
        self._defaults = tuple(_default(c) for c in table.columns)
        self._processors = tuple(_fast_processor(c, dialect) or c.type.dialect_impl(dialect).bind_processor(dialect)
                                 for c in table.columns)
        self._times = tuple(_python_type(c) is datetime for c in table.columns)

    def bind(self, values: Mapping[str, Any]) -> tuple:
        return self.bind_all([values])[0]

    def bind_all(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple]:
        """Many rows at once, a column at a time (the same values as binding each row)."""
        given = {}
        for name, default in zip(self.columns, self._defaults):
            try:  # usually every row has every column
                given[name] = [row[name] for row in rows]
            except KeyError:
                given[name] = [row[name] if name in row else default() if callable(default) else default
                               for row in rows]
        if self._sealer is not None:  # sealed as given, before the driver's form
            given[SEAL_COLUMN] = self._sealer.seal_columns(self.table, given, self._sealer.keyring.key())
        columns = []
        for name, process, is_time in zip(self.columns, self._processors, self._times):
            values = given[name]
            if process is not None:
                values = _bound_times(values, process) if is_time else [
                    None if value is None else process(value) for value in values]
            columns.append(values)
        return list(zip(*columns))


def _bound_times(values: list[Any], process: Any) -> list[Any]:
    # The same moment (a reading's time and its created_at, a series' sessions) is bound once; None stays NULL.
    seen: dict[Any, Any] = {None: None}
    out = []
    for value in values:
        bound = seen.get(value, _MISSING)
        if bound is _MISSING:
            seen[value] = bound = process(value)
        out.append(bound)
    return out


#: SQLAlchemy's text for a DATETIME on SQLite (what its bind processor formats).
_SQLITE_DATETIME = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"


def _fast_processor(column: Any, dialect: Dialect) -> Any | None:
    """For UTCDateTime on SQLite, the text its two processors make (UTC, then SQLite's format), made in one
    step: the demo binds millions of times. tests/storage/test_bulk.py holds it to the processors' result."""
    if dialect.name != "sqlite" or not isinstance(column.type, UTCDateTime):
        return None
    if getattr(column.type.load_dialect_impl(dialect).dialect_impl(dialect), "_storage_format", None) \
            != _SQLITE_DATETIME:
        return None
    return _utc_text


def _utc_text(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("refusing to store a datetime without a time zone")
    return value.astimezone(timezone.utc).isoformat(" ", "microseconds")[:-6]  # without its "+00:00"


def _python_type(column: Any) -> Any:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def _default(column: Any) -> Any:
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        fn = default.arg
        return lambda: fn(None)
    raise ValueError(f"column {column} has a default that cannot be computed outside a statement")


def insert_rows(connection: Connection, table: Table, rows: Sequence[tuple]) -> None:
    """Write rows bound by `RowBinder` for this table, in one executemany."""
    if not rows:
        return
    compiled = insert(table).compile(dialect=connection.dialect)
    names = tuple(c.name for c in table.columns)
    if compiled.positiontup is not None:  # qmark / format style: values by position
        order = [names.index(n) for n in compiled.positiontup]
        params: Iterable = rows if order == list(range(len(names))) else [tuple(r[i] for i in order) for r in rows]
        connection.exec_driver_sql(str(compiled), list(params))
    else:  # named style (psycopg's pyformat)
        connection.exec_driver_sql(str(compiled), [dict(zip(names, r)) for r in rows])


def advance_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """After rows were written with explicit ids, PostgreSQL's id sequences move past them (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        key = table.primary_key.columns.values()
        if len(key) != 1 or not key[0].autoincrement:
            continue
        highest = connection.execute(select(func.max(key[0]))).scalar()
        if highest is not None:
            connection.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                               {"t": table.name, "c": key[0].name, "v": highest})


