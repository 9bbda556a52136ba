"""Reading and changing the clinic's thresholds (stored as differences from the defaults)."""

from __future__ import annotations

from typing import Any, Mapping

from clinic_desktop.domain.access import Action, PermissionDenied, roles_of
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.domain.clinic_profile import ClinicProfile
from clinic_desktop.services.audit_values import changes
from clinic_desktop.services.context import ServiceContext, acting_staff, load_profile, load_settings, requires
from clinic_desktop.storage import models


class SettingsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.SETTINGS_VIEW)
    def current(self, actor: StaffMember) -> ClinicSettings:
        with self._ctx.db.read() as uow:
            return load_settings(uow.session)

    @requires(Action.SETTINGS_CHANGE)
    def update(self, actor: StaffMember, changes: Mapping[str, Any]) -> ClinicSettings:
        """Apply changes (validated together, so a bad value changes nothing) and store the differences.
        Only a physician or an administrator may: the reference makes every threshold theirs to set."""
        security = {i.name for i in ClinicSettings.infos() if i.section == "Security"} & set(changes)
        if security and StaffRole.ADMINISTRATOR not in roles_of(actor):
            raise PermissionDenied("Only an administrator changes the security settings "
                                   f"({', '.join(sorted(security))}).")
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            before = load_settings(uow.session)
            updated = before.with_changes(changes)
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
            diff = {k: {"old": v, "new": updated.to_mapping()[k]} for k, v in before.to_mapping().items()
                    if getattr(before, k) != getattr(updated, k)}
            self._ctx.audit(uow.session, actor, "setting_change", object_type="clinic_settings", details=diff)
            uow.commit()
            return updated

    @requires(Action.SETTINGS_VIEW)
    def profile(self, actor: StaffMember) -> ClinicProfile:
        with self._ctx.db.read() as uow:
            return load_profile(uow.session)

    @requires(Action.SETTINGS_CHANGE)
    def update_profile(self, actor: StaffMember, profile: ClinicProfile) -> ClinicProfile:
        """The letterhead of every printed sheet: name, address, phones (all validated before anything is kept)."""
        clean = profile.validated()
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            before = load_profile(uow.session)
            for name, value in clean.to_mapping().items():
                row = uow.session.get(models.ClinicSetting, name) or models.ClinicSetting(name=name)
                row.value, row.updated_at, row.updated_by_id = value, self._ctx.now(), actor.id
                uow.session.add(row)
            self._ctx.audit(uow.session, actor, "setting_change", object_type="clinic_profile",
                            details=changes(before.to_mapping(), clean.to_mapping()))
            uow.commit()
            return clean
