"""Column types that keep clinical values exact on both SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out. Naive datetimes are refused: their zone is unknowable."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("refusing to store a datetime without a time zone")
        utc = value.astimezone(timezone.utc)
        # SQLite has no time zone type; store naive UTC there so text comparison orders correctly.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class ExactDecimal(TypeDecorator):
    """Decimals stored exactly: NUMERIC on PostgreSQL, canonical text on SQLite (which would use floats).

    Not for columns compared in SQL on SQLite: text does not order like numbers. Weights and doses are
    only ever compared in Python.
    """

    impl = String(40)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            # Unconstrained NUMERIC: exact at any scale, as a pound value converted to kg needs.
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(String(40))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"refusing to store {value!r} as an exact decimal")
        return value if dialect.name == "postgresql" else format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(value)


def search_key_column_type(length: int = 120) -> Any:
    """Search keys compare byte-wise ("C" collation on PostgreSQL) so a prefix range uses the index."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")
