"""What every service needs: the database, the clock, the clinic's time zone, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.clock import Clock
from clinic_desktop.domain.errors import NotFound, RuleViolation, ValidationError
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.storage import models
from clinic_desktop.storage.database import Database

#: Clock differences between workstations: a time this far ahead of "now" is still accepted.
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class ServiceContext:
    db: Database
    clock: Clock
    #: The clinic's IANA zone: sessions are planned and "today" is decided in local wall-clock time.
    zone: ZoneInfo

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    def charted_time(self, value: datetime | None, field: str) -> datetime:
        """When something happened: now by default; never naive, never in the future (beyond clock skew)."""
        when = value or self.now()
        if when.tzinfo is None:
            raise ValidationError("A time needs its time zone.", field)
        if when > self.now() + CLOCK_SKEW:
            raise ValidationError("A time in the future cannot be recorded.", field)
        return when


def load_settings(session: Session) -> ClinicSettings:
    """The thresholds in force: defaults overlaid with the clinic's stored changes."""
    stored = {row.name: row.value for row in session.execute(select(models.ClinicSetting)).scalars()}
    return ClinicSettings.from_mapping(stored) if stored else ClinicSettings()


def get_or_404(session: Session, model: type, ident: int, what: str):  # noqa: ANN201 (ORM instance of `model`)
    """The row, or NotFound with a message that names what was looked for."""
    row = session.get(model, ident)
    if row is None:
        raise NotFound(f"There is no {what} with number {ident}.")
    return row


def acting_staff(session: Session, actor: StaffMember) -> models.Staff:
    """The acting staff member's row; an inactive or unknown account may not record anything."""
    row = session.get(models.Staff, actor.id)
    if row is None or not row.active:
        raise RuleViolation(f"{actor.full_name} is not an active member of staff and cannot record this.")
    return row


def staff_member(row: models.Staff) -> StaffMember:
    return StaffMember(row.id, row.full_name, row.credentials, row.role, row.active)


def staff_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Signature names for a set of staff ids, fetched in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(models.Staff).where(models.Staff.id.in_(wanted))).scalars()
    return {row.id: staff_member(row).signature_name for row in rows}
