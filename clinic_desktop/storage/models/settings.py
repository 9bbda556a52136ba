"""The clinic's setting values that differ from the defaults in `domain.clinic_settings`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desktop.storage.models.base import Base, Sealed
from clinic_desktop.storage.types import UTCDateTime


class ClinicSetting(Sealed, Base):
    __tablename__ = "clinic_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The value as text ("0.75", "30", "actual"): parsed and range-checked by ClinicSettings.
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class SheetText(Sealed, Base):
    """One version of a printed sheet's text (consent, discharge): shared by every workstation, never changed
    once stored. A clinic's revision is a new row with a higher version; signed consents name the version."""

    __tablename__ = "sheet_texts"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The template kind, e.g. "consent-racemic" or "discharge".
    kind: Mapped[str] = mapped_column(String(40))
    #: Dotted numbers ("2026.1"), compared number by number.
    version: Mapped[str] = mapped_column(String(20))
    #: The whole template in the file format of printing/templates.py (header, "---", sections).
    text: Mapped[str] = mapped_column(Text)
    #: "shipped" (seeded from the application's own files), "imported" (from a file) or "edited" (in the app).
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class ClinicImage(Sealed, Base):
    """An image the clinic's sheets carry (today only the letterhead logo), shared by every workstation."""

    __tablename__ = "clinic_images"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
