"""Staff members and chairs: the people who sign and the places patients sit."""

from __future__ import annotations

from sqlalchemy import select

from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.records import Chair, StaffMember
from clinic_desktop.domain.text import checked_text
from clinic_desktop.services.context import ServiceContext, get_or_404, staff_member
from clinic_desktop.storage import models


class StaffService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def add(self, full_name: str, role: StaffRole | str, credentials: str = "") -> StaffMember:
        name = checked_text(full_name, "full_name", "Name", required=True, max_length=120)
        creds = checked_text(credentials, "credentials", "Credentials", max_length=40)
        try:
            role = StaffRole(role)
        except ValueError:
            raise ValidationError(f"Role must be one of: {', '.join(r.value for r in StaffRole)}.", "role") from None
        with self._ctx.db.write() as uow:
            row = models.Staff(full_name=name, credentials=creds, role=role, active=True, created_at=self._ctx.now())
            uow.session.add(row)
            uow.commit()
            return staff_member(row)

    def list(self, include_inactive: bool = False) -> list[StaffMember]:
        with self._ctx.db.read() as uow:
            stmt = select(models.Staff).order_by(models.Staff.full_name, models.Staff.id)
            if not include_inactive:
                stmt = stmt.where(models.Staff.active.is_(True))
            return [staff_member(row) for row in uow.session.execute(stmt).scalars()]

    def get(self, staff_id: int) -> StaffMember:
        with self._ctx.db.read() as uow:
            return staff_member(get_or_404(uow.session, models.Staff, staff_id, "staff member"))

    def chairs(self) -> list[Chair]:
        with self._ctx.db.read() as uow:
            rows = uow.session.execute(select(models.Chair).where(models.Chair.active.is_(True))
                                       .order_by(models.Chair.name)).scalars()
            return [Chair(row.id, row.name) for row in rows]

    def add_chair(self, name: str) -> Chair:
        label = checked_text(name, "name", "Chair name", required=True, max_length=40)
        with self._ctx.db.write() as uow:
            if uow.session.execute(select(models.Chair).where(models.Chair.name == label)).first():
                raise ValidationError(f"There is already a chair called {label!r}.", "name")
            row = models.Chair(name=label, active=True)
            uow.session.add(row)
            uow.commit()
            return Chair(row.id, row.name)
