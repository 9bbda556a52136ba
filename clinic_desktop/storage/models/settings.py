"""The clinic's setting values that differ from the defaults in `domain.clinic_settings`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic_desktop.storage.models.base import Base
from clinic_desktop.storage.types import UTCDateTime


class ClinicSetting(Base):
    __tablename__ = "clinic_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The value as text ("0.75", "30", "actual"): parsed and range-checked by ClinicSettings.
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
