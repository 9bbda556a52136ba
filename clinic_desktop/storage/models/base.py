"""Declarative base with a constraint naming convention (Alembic needs stable names to alter SQLite tables)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from clinic_desktop.storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum_type: type[enum.Enum], name: str) -> Any:
    """A string column holding an enum's string values (lower-case names for int enums), checked by the database."""
    return Enum(enum_type, name=name, native_enum=False, length=32, create_constraint=True,
                validate_strings=True, values_callable=_stored_values)


def _stored_values(enum_type: type[enum.Enum]) -> list[str]:
    return [m.value if isinstance(m.value, str) else m.name.lower() for m in enum_type]


class CreatedAt:
    """When a row was written, in UTC, set by the service's clock (not the database's)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


#: The column holding a row's seal (see storage/row_seals.py).
SEAL_COLUMN = "row_mac"


class Sealed:
    """A row sealed by storage at every write: an HMAC with the audit key over the table and the row's values, so a
    row changed or added behind the application's back no longer matches (storage/row_seals.py sets and checks it).
    Last in the table, as the migration that added it (0008) put it."""

    row_mac: Mapped[str | None] = mapped_column(String(64), sort_order=100)
