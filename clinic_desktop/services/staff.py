"""Staff members: the people who sign (their sign-in accounts are in auth.py; chairs in chairs.py)."""

from __future__ import annotations

from sqlalchemy import select

from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.domain.text import checked_name, checked_text
from clinic_desktop.domain.access import Action
from clinic_desktop.services.context import ServiceContext, acting_staff, get_or_404, requires, staff_member
from clinic_desktop.storage import models


class StaffService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.USER_MANAGE)
    def add(self, actor: StaffMember, full_name: str, role: StaffRole | str, credentials: str = "") -> StaffMember:
        name = checked_name(full_name, "full_name", "Name", required=True)
        creds = checked_text(credentials, "credentials", "Credentials", max_length=40)
        try:
            role = StaffRole(role)
        except ValueError:
            raise ValidationError(f"Role must be one of: {', '.join(r.value for r in StaffRole)}.", "role") from None
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            row = models.Staff(full_name=name, credentials=creds, role=role, active=True, created_at=self._ctx.now(),
                               is_admin=False, failed_logins=[])
            uow.session.add(row)
            uow.flush()
            self._ctx.audit(uow.session, actor, "user_created", object_type="staff", object_id=row.id,
                            details={"full_name": name, "role": role, "sign_in": False})
            uow.commit()
            return staff_member(row)

    @requires(Action.STAFF_VIEW)
    def list(self, actor: StaffMember, include_inactive: bool = False) -> list[StaffMember]:
        with self._ctx.db.read() as uow:
            stmt = select(models.Staff).order_by(models.Staff.full_name, models.Staff.id)
            if not include_inactive:
                stmt = stmt.where(models.Staff.active.is_(True))
            return [staff_member(row) for row in uow.session.execute(stmt).scalars()]

    @requires(Action.STAFF_VIEW)
    def get(self, actor: StaffMember, staff_id: int) -> StaffMember:
        with self._ctx.db.read() as uow:
            return staff_member(get_or_404(uow.session, models.Staff, staff_id, "staff member"))
