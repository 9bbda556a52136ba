"""Reading and changing the clinic's thresholds (stored as differences from the defaults)."""

from __future__ import annotations

from typing import Any, Mapping

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.errors import RuleViolation
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services.context import ServiceContext, acting_staff, load_settings
from clinic_desktop.storage import models

#: Reference scope: every threshold is editable only by a physician or an administrator.
SETTINGS_ROLES = (StaffRole.PHYSICIAN, StaffRole.ADMINISTRATOR)


class SettingsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def current(self) -> ClinicSettings:
        with self._ctx.db.read() as uow:
            return load_settings(uow.session)

    def update(self, actor: StaffMember, changes: Mapping[str, Any]) -> ClinicSettings:
        """Apply changes (validated together, so a bad value changes nothing) and store the differences."""
        with self._ctx.db.write() as uow:
            if acting_staff(uow.session, actor).role not in SETTINGS_ROLES:
                raise RuleViolation("Only a physician or an administrator can change the clinic's thresholds.")
            updated = load_settings(uow.session).with_changes(changes)
            differences = updated.changed_from_default()
            for name in changes:
                row = uow.session.get(models.ClinicSetting, name)
                if name not in differences:  # back to the default: nothing to store
                    if row is not None:
                        uow.session.delete(row)
                    continue
                if row is None:
                    row = models.ClinicSetting(name=name)
                    uow.session.add(row)
                row.value = str(differences[name])
                row.updated_at = self._ctx.now()
                row.updated_by_id = actor.id
            uow.commit()
            return updated
