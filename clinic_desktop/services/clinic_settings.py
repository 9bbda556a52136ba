"""Reading and changing the clinic's thresholds (stored as differences from the defaults), its profile (the
letterhead every sheet prints) and its logo."""

from __future__ import annotations

import hashlib
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from clinic_desktop.domain.access import Action, PermissionDenied, roles_of
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.clinic_profile import ClinicProfile
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services.audit_values import changes
from clinic_desktop.services.context import (
    LOGO,
    ServiceContext,
    acting_staff,
    load_logo,
    load_profile,
    load_settings,
    requires,
)
from clinic_desktop.storage import models
from clinic_desktop.storage.database import Database


#: update_profile's default: the stored logo stays as it is.
KEEP_LOGO = object()


def configured_zone(db: Database) -> ZoneInfo | None:
    """The clinic's time zone from its profile, or None when it has not chosen one (the computer's zone then)."""
    with db.read() as uow:
        name = load_profile(uow.session).time_zone
    return ZoneInfo(name) if name else None


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
    def update_profile(self, actor: StaffMember, profile: ClinicProfile, *,
                       logo: bytes | None | object = KEEP_LOGO) -> ClinicProfile:
        """The letterhead of every printed sheet: name, address, phones, paper, emergency numbers, zone, and (unless
        KEEP_LOGO) the logo, or None to remove it. Everything is checked before anything is kept, in one save."""
        clean = profile.validated()
        media_type = _checked_logo(logo)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            before = load_profile(uow.session)
            for name, value in clean.to_mapping().items():
                row = uow.session.get(models.ClinicSetting, name) or models.ClinicSetting(name=name)
                row.value, row.updated_at, row.updated_by_id = value, self._ctx.now(), actor.id
                uow.session.add(row)
            details = changes(before.to_mapping(), clean.to_mapping())
            if logo is not KEEP_LOGO:
                details.update(self._store_logo(uow.session, actor, logo, media_type))
            self._ctx.audit(uow.session, actor, "setting_change", object_type="clinic_profile", details=details)
            uow.commit()
            return clean

    @requires(Action.SETTINGS_VIEW)
    def logo(self, actor: StaffMember) -> bytes | None:
        """The letterhead logo (PNG or JPEG bytes), or None."""
        with self._ctx.db.read() as uow:
            return load_logo(uow.session)

    @requires(Action.SETTINGS_CHANGE)
    def set_logo(self, actor: StaffMember, data: bytes | None) -> None:
        """Store the letterhead logo (PNG or JPEG, readable, at most 1 MB), or remove it (None)."""
        media_type = _checked_logo(data)
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            details = self._store_logo(uow.session, actor, data, media_type)
            if details:
                self._ctx.audit(uow.session, actor, "setting_change", object_type="clinic_profile", details=details)
            uow.commit()

    @requires(Action.SETTINGS_VIEW)
    def letterhead_preview(self, actor: StaffMember, profile: ClinicProfile, logo: bytes | None) -> bytes:
        """A sample page (PDF) with this letterhead, as sheets would print it; nothing is stored. The profile and
        logo are checked as a save checks them, so the preview shows the same errors."""
        clean = profile.validated()
        _checked_logo(logo)
        from clinic_desktop.printing.letterhead_sample import render_letterhead_sample
        from clinic_desktop.services.paperwork_sheets import letterhead

        return render_letterhead_sample(letterhead(clean, logo))

    def _store_logo(self, session: Session, actor: StaffMember, data: bytes | None, media_type: str) -> dict:
        """Replace or remove the stored logo; the audit details of the change ({} when nothing changed)."""
        row = session.get(models.ClinicImage, LOGO)
        before = {"sha256": hashlib.sha256(row.data).hexdigest(), "size": row.size} if row else None
        after = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} if data is not None else None
        if before == after:
            return {}
        if data is None:
            session.delete(row)
        else:
            row = row or models.ClinicImage(name=LOGO)
            row.media_type, row.data, row.size = media_type, data, len(data)
            row.updated_at, row.updated_by_id = self._ctx.now(), actor.id
            session.add(row)
        return {"logo": {"old": before, "new": after}}


def _checked_logo(data: bytes | None | object) -> str:
    """The logo's media type once checked ("" for none or unchanged); a ValidationError beside the logo field."""
    if not isinstance(data, bytes):
        return ""
    from clinic_desktop.printing.logo import checked_logo

    return checked_logo(data)
