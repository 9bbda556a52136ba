"""How far a new clinic's setup has come, for the first-run guide and the board."""

from __future__ import annotations

from sqlalchemy import func, select

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.domain.setup import SetupStatus
from clinic_desktop.services.context import ServiceContext, load_profile, requires
from clinic_desktop.storage import models


class SetupService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.SETTINGS_VIEW)
    def status(self, actor: StaffMember) -> SetupStatus:
        """The profile's gaps, the chairs in use and the other active accounts, in one read."""
        with self._ctx.db.read() as uow:
            session = uow.session
            chairs = session.execute(select(func.count()).select_from(models.Chair)
                                     .where(models.Chair.active.is_(True))).scalar_one()
            accounts = session.execute(select(func.count()).select_from(models.Staff).where(
                models.Staff.active.is_(True), models.Staff.username.is_not(None))).scalar_one()
            return SetupStatus(load_profile(session).missing(), chairs, max(accounts - 1, 0))
