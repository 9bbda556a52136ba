"""Reading and changing the clinic's thresholds (stored as differences from the defaults), its profile (the
letterhead every sheet prints) and its logo."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic_desktop.domain.access import Action, PermissionDenied, roles_of
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.clinic_profile import ClinicProfile
from clinic_desktop.domain.clinic_profile import PREFIX as PROFILE_PREFIX
from clinic_desktop.domain.enums import StaffRole
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.services.audit_values import changes
from clinic_desktop.services.changes import raise_changed_elsewhere, raise_fields_changed_elsewhere
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
#: What a refused stale save of the settings or the clinic's details says about the user's entries.
KEPT = "Nothing was saved; your entries are kept beside the values now saved: check them and save again."


@dataclass(frozen=True)
class SeenSettings:
    """The settings as a form read them, with the version of each: a save passes `stamps` back, and a setting
    saved elsewhere since is refused instead of overwritten."""

    settings: ClinicSettings
    #: Per setting name, its stored row's value and time of saving ("" for one at its default: no row).
    stamps: Mapping[str, str]


@dataclass(frozen=True)
class SeenProfile:
    """The clinic's details and logo as a form read them, with their version (`stamp`) for the save."""

    profile: ClinicProfile
    logo: bytes | None
    stamp: str


def _stamp(row: models.ClinicSetting | None) -> str:
    """A stored setting's version: the rows have no version column, so its value and when it was saved."""
    return "" if row is None else f"{row.updated_at.isoformat()}|{row.value}"


def _setting_stamps(session: Session) -> dict[str, str]:
    query = select(models.ClinicSetting).where(~models.ClinicSetting.name.startswith(PROFILE_PREFIX))
    return {row.name: _stamp(row) for row in session.execute(query).scalars()}


def _profile_stamp(session: Session, lock: bool = False) -> str:
    """One version for the whole of the clinic's details: every profile row and the logo."""
    query = select(models.ClinicSetting).where(models.ClinicSetting.name.startswith(PROFILE_PREFIX))
    logo_query = select(models.ClinicImage).where(models.ClinicImage.name == LOGO)
    if lock:
        query, logo_query = query.with_for_update(), logo_query.with_for_update()
    parts = sorted(f"{row.name}={_stamp(row)}" for row in session.execute(query).scalars())
    logo = session.execute(logo_query).scalar()
    if logo is not None:
        parts.append(f"logo={logo.updated_at.isoformat()}|{hashlib.sha256(logo.data).hexdigest()}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


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

    @requires(Action.SETTINGS_VIEW)
    def seen(self, actor: StaffMember) -> SeenSettings:
        """The settings in force and the version of each, read together (for a form that saves them later)."""
        with self._ctx.db.read() as uow:
            return SeenSettings(load_settings(uow.session), _setting_stamps(uow.session))

    @requires(Action.SETTINGS_CHANGE)
    def update(self, actor: StaffMember, changes: Mapping[str, Any],
               seen: Mapping[str, str] | None = None) -> ClinicSettings:
        """Apply changes (validated together, so a bad value changes nothing) and store the differences.
        Only a physician or an administrator may: the reference makes every threshold theirs to set.
        With `seen` (SeenSettings.stamps as the form read them), a changed setting saved elsewhere since is
        refused (ConcurrentChange naming who changed it and to what), nothing saved."""
        security = {i.name for i in ClinicSettings.infos() if i.section == "Security"} & set(changes)
        if security and StaffRole.ADMINISTRATOR not in roles_of(actor):
            raise PermissionDenied("Only an administrator changes the security settings "
                                   f"({', '.join(sorted(security))}).")
        try:
            return self._update(actor, changes, seen)
        except IntegrityError:
            # PostgreSQL: another workstation stored the first value of one of these settings (its row did not
            # exist when this save looked) and committed first: a stale save like any other.
            self._refuse_stale_settings(set(changes))
            raise

    def _refuse_stale_settings(self, names: set[str]) -> None:
        with self._ctx.db.read() as uow:
            raise_fields_changed_elsewhere(uow.session, self._ctx, "setting", "clinic_settings", names, KEPT)

    def _update(self, actor: StaffMember, changes: Mapping[str, Any],
                seen: Mapping[str, str] | None) -> ClinicSettings:
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            # The rows compared are the rows changed (locked on PostgreSQL until this save ends): one that is
            # not there yet and is stored elsewhere meanwhile makes the insert below fail, refused in update().
            rows = {name: uow.session.get(models.ClinicSetting, name, with_for_update=True) for name in changes}
            if seen is not None:
                stale = {name for name, row in rows.items() if _stamp(row) != seen.get(name, "")}
                if stale:
                    raise_fields_changed_elsewhere(uow.session, self._ctx, "setting", "clinic_settings", stale, KEPT)
            before = load_settings(uow.session)
            updated = before.with_changes(changes)
            differences = updated.changed_from_default()
            for name in changes:
                row = rows[name]
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
            uow.flush()
            uow.commit()
            return updated

    @requires(Action.SETTINGS_VIEW)
    def profile(self, actor: StaffMember) -> ClinicProfile:
        with self._ctx.db.read() as uow:
            return load_profile(uow.session)

    @requires(Action.SETTINGS_VIEW)
    def profile_seen(self, actor: StaffMember) -> SeenProfile:
        """The clinic's details and logo with their version, read together (for a form that saves them later)."""
        with self._ctx.db.read() as uow:
            return SeenProfile(load_profile(uow.session), load_logo(uow.session), _profile_stamp(uow.session))

    @requires(Action.SETTINGS_CHANGE)
    def update_profile(self, actor: StaffMember, profile: ClinicProfile, *,
                       logo: bytes | None | object = KEEP_LOGO, seen: str | None = None) -> ClinicProfile:
        """The letterhead of every printed sheet: name, address, phones, paper, emergency numbers, zone, and (unless
        KEEP_LOGO) the logo, or None to remove it. Everything is checked before anything is kept, in one save.
        With `seen` (SeenProfile.stamp as the form read it), details saved elsewhere since are not overwritten:
        ConcurrentChange names who changed what."""
        clean = profile.validated()
        media_type = _checked_logo(logo)
        try:
            return self._update_profile(actor, clean, logo, media_type, seen)
        except IntegrityError:  # PostgreSQL: the first save of a detail, made elsewhere at the same moment
            self._refuse_stale_profile()
            raise

    def _refuse_stale_profile(self) -> None:
        with self._ctx.db.read() as uow:
            raise_changed_elsewhere(uow.session, self._ctx, "clinic profile", (("clinic_profile", ""),), KEPT)

    def _update_profile(self, actor: StaffMember, clean: ClinicProfile, logo: bytes | None | object,
                        media_type: str, seen: str | None) -> ClinicProfile:
        with self._ctx.db.write() as uow:
            acting_staff(uow.session, actor)
            if seen is not None and _profile_stamp(uow.session, lock=True) != seen:
                raise_changed_elsewhere(uow.session, self._ctx, "clinic profile", (("clinic_profile", ""),), KEPT)
            before = load_profile(uow.session)
            for name, value in clean.to_mapping().items():
                row = uow.session.get(models.ClinicSetting, name) or models.ClinicSetting(name=name)
                row.value, row.updated_at, row.updated_by_id = value, self._ctx.now(), actor.id
                uow.session.add(row)
            details = changes(before.to_mapping(), clean.to_mapping())
            if logo is not KEEP_LOGO:
                details.update(self._store_logo(uow.session, actor, logo, media_type))
            self._ctx.audit(uow.session, actor, "setting_change", object_type="clinic_profile", details=details)
            uow.flush()
            uow.commit()
            return clean

    @requires(Action.SETTINGS_VIEW)
    def logo(self, actor: StaffMember) -> bytes | None:
        """The letterhead logo (PNG or JPEG bytes), or None."""
        with self._ctx.db.read() as uow:
            return load_logo(uow.session)

    @requires(Action.SETTINGS_CHANGE)
    def set_logo(self, actor: StaffMember, data: bytes | None, seen: str | None = None) -> None:
        """Store the letterhead logo (PNG or JPEG, readable, at most 1 MB), or remove it (None); `seen` as for
        update_profile."""
        media_type = _checked_logo(data)
        try:
            with self._ctx.db.write() as uow:
                acting_staff(uow.session, actor)
                if seen is not None and _profile_stamp(uow.session, lock=True) != seen:
                    raise_changed_elsewhere(uow.session, self._ctx, "clinic profile", (("clinic_profile", ""),),
                                            KEPT)
                details = self._store_logo(uow.session, actor, data, media_type)
                if details:
                    self._ctx.audit(uow.session, actor, "setting_change", object_type="clinic_profile",
                                    details=details)
                uow.flush()
                uow.commit()
        except IntegrityError:  # PostgreSQL: the first logo, stored elsewhere at the same moment
            self._refuse_stale_profile()
            raise

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
