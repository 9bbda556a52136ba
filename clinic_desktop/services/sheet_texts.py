"""The administrator's sheet texts: every stored version, one version's text, and a revision stored as a new
version (imported from a file or edited in the application) once it passes every check.

A stored version is never changed or deleted: a consent on file names the version it was signed on, and a new
consent version asks everyone who signed an older one to sign again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic_desktop.domain.access import Action
from clinic_desktop.domain.consent import version_key
from clinic_desktop.domain.errors import ConcurrentChange, NotFound, ValidationError
from clinic_desktop.domain.paperwork import ClinicLetterhead, PrintContext, PrintedSheet, SheetKind, TextTemplate
from clinic_desktop.domain.records import StaffMember
from clinic_desktop.domain.sheet_texts import (
    KINDS,
    SheetTextDraft,
    SheetTextSource,
    SheetTextVersion,
    checked_kind,
    checked_new_version,
    checked_version,
    is_consent,
)
from clinic_desktop.printing import template_check
from clinic_desktop.printing.placeholders import CONSENT_ONLY, PLACEHOLDERS
from clinic_desktop.printing.templates import TemplateError, parse
from clinic_desktop.services import sheet_samples
from clinic_desktop.services.context import ServiceContext, acting_staff, requires, staff_names
from clinic_desktop.services.paperwork_sheets import clinic_letterhead
from clinic_desktop.services.sheet_text_store import sha256, stored_versions, template_at
from clinic_desktop.services.user_files import read_input
from clinic_desktop.storage import models


def normalised(text: str) -> str:
    """The text as stored: Unix line ends, no byte-order mark, no trailing blank lines, one final line end."""
    if not isinstance(text, str):
        raise ValidationError("The text must be plain text.", "text")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").rstrip() + "\n"


#: A text file larger than this is not a sheet's text (the longest shipped one is about 15 kB).
MAX_FILE_BYTES = 1_000_000


def read_text_file(path: Path) -> str:
    """A text file to import (UTF-8, with or without a byte-order mark), or a ValidationError saying why not."""
    data = read_input(path, MAX_FILE_BYTES, path.name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ValidationError(f"{path.name} is not UTF-8 text (line {line}): save it as UTF-8 (\"Unicode\") "
                              "plain text and import it again.", "file") from None


def placeholders_for(kind: str) -> list[str]:
    """The placeholders a text of this kind may use, for the editor's help line."""
    return [name for name in PLACEHOLDERS if name not in CONSENT_ONLY or is_consent(kind)]


class SheetTextService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @requires(Action.SHEET_TEXT_MANAGE)
    def list(self, actor: StaffMember) -> list[SheetTextVersion]:
        """Every stored version: kinds in the order of `KINDS`, each newest first."""
        with self._ctx.db.read() as uow:
            rows = uow.session.execute(select(models.SheetText)).scalars().all()
            names = staff_names(uow.session, {r.created_by_id for r in rows})
            found = [_version(r, names) for r in rows]
        order = {kind: n for n, kind in enumerate(KINDS)}
        return sorted(found, key=lambda v: (order.get(v.kind, len(order)), v.kind,
                                            tuple(-n for n in version_key(v.version))))

    @requires(Action.SHEET_TEXT_MANAGE)
    def text(self, actor: StaffMember, kind: str, version: str | None = None) -> str:
        """The whole text of a version (the newest by default), as stored."""
        kind = checked_kind(kind)
        with self._ctx.db.read() as uow:
            version = self._newest(uow.session, kind) if version is None else checked_version(version)
            text = uow.session.execute(select(models.SheetText.text).where(
                models.SheetText.kind == kind, models.SheetText.version == version)).scalar()
        if text is None:
            raise NotFound(f"There is no version {version} of the {KINDS[kind].lower()}.")
        return text

    @requires(Action.SHEET_TEXT_MANAGE)
    def check(self, actor: StaffMember, kind: str, text: str, version: str | None = None) -> SheetTextDraft:
        """Every check a save makes, without saving: the version it would get and what it replaces."""
        kind = checked_kind(kind)
        body = normalised(text)
        template = _checked(kind, body)
        with self._ctx.db.read() as uow:
            newest = self._newest(uow.session, kind, required=False)
            chosen = checked_new_version(version, newest)
            _refuse_unchanged(uow.session, kind, newest, body)
        return SheetTextDraft(kind, chosen, newest, template.title)

    @requires(Action.SHEET_TEXT_MANAGE)
    def import_text(self, actor: StaffMember, kind: str, text: str, version: str | None = None, *,
                    based_on: str | None = None) -> SheetTextVersion:
        """A revision read from a file (UTF-8, the template format), stored as a new version."""
        return self._store(actor, kind, text, version, SheetTextSource.IMPORTED, based_on)

    @requires(Action.SHEET_TEXT_MANAGE)
    def edit_text(self, actor: StaffMember, kind: str, text: str, version: str | None = None, *,
                  based_on: str | None = None) -> SheetTextVersion:
        """A revision written in the application's editor, stored as a new version."""
        return self._store(actor, kind, text, version, SheetTextSource.EDITED, based_on)

    @requires(Action.SHEET_TEXT_MANAGE)
    def preview(self, actor: StaffMember, kind: str, text: str) -> PrintedSheet:
        """The sheet as it would print with this draft (numbered as the next version), filled with an invented
        patient; nothing is stored."""
        kind = checked_kind(kind)
        body = normalised(text)
        _checked(kind, body)
        with self._ctx.db.read() as uow:
            version = checked_new_version(None, self._newest(uow.session, kind, required=False))
            clinic = clinic_letterhead(uow.session)
        return self._sample(actor, parse(kind, version, body), clinic)

    @requires(Action.SHEET_TEXT_MANAGE)
    def preview_version(self, actor: StaffMember, kind: str, version: str) -> PrintedSheet:
        """A stored version (the one in use or an earlier one, e.g. what a patient signed) as it prints."""
        kind = checked_kind(kind)
        with self._ctx.db.read() as uow:
            template = template_at(uow.session, kind, checked_version(version))
            clinic = clinic_letterhead(uow.session)
        return self._sample(actor, template, clinic)

    def _sample(self, actor: StaffMember, template: TextTemplate, clinic: ClinicLetterhead) -> PrintedSheet:
        context = PrintContext(self._ctx.now(), actor.signature_name, self._ctx.zone.key)
        from clinic_desktop.printing import renderers  # ReportLab loads only when a sheet is drawn

        kind, version = template.kind, template.version
        if is_consent(kind):
            sheet_kind, pdf = SheetKind.CONSENT, renderers.render_consent(
                sheet_samples.sample_consent(template, clinic, context))
        else:
            sheet_kind, pdf = SheetKind.DISCHARGE, renderers.render_discharge(
                sheet_samples.sample_discharge(template, clinic, context))
        return PrintedSheet(sheet_kind, f"Sample: {KINDS[kind]}, version {version}", version, 0, "sheet_text", 0,
                            pdf, f"sample-{kind}-{version}.pdf")

    # --- storing ---------------------------------------------------------------------------------------------

    def _store(self, actor: StaffMember, kind: str, text: str, version: str | None, source: SheetTextSource,
               based_on: str | None) -> SheetTextVersion:
        kind = checked_kind(kind)
        body = normalised(text)
        template = _checked(kind, body)  # before the write lock: a refused text never waits for it
        with self._ctx.db.write() as uow:
            session = uow.session
            staff = acting_staff(session, actor)
            # Another administrator's save of this kind finishes first (PostgreSQL; SQLite's write lock queues).
            session.execute(select(models.SheetText.id).where(models.SheetText.kind == kind).with_for_update()).all()
            newest = self._newest(session, kind, required=False)
            if based_on is not None and based_on != newest:
                raise ConcurrentChange(f"Version {newest} of this text was stored while you were working on "
                                       f"version {based_on}. Nothing was saved: look at version {newest}, then "
                                       "save your changes again.")
            chosen = checked_new_version(version, newest)
            _refuse_unchanged(session, kind, newest, body)
            row = models.SheetText(kind=kind, version=chosen, text=body, source=source.value,
                                   created_at=self._ctx.now(), created_by_id=staff.id)
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                raise ConcurrentChange(f"Version {chosen} of this text was stored by someone else at the same "
                                       "moment. Nothing was saved: look at the list again, then save.") from None
            digest = sha256(body)
            self._ctx.audit(session, actor, "create", object_type="sheet_text", object_id=row.id,
                            details={"kind": kind, "version": chosen, "source": source.value, "sha256": digest,
                                     "replaces": newest, "title": template.title})
            uow.commit()
            return _version(row, staff_names(session, {staff.id}))

    @staticmethod
    def _newest(session: Session, kind: str, required: bool = True) -> str | None:
        versions = stored_versions(session, kind)
        if not versions and required:
            raise NotFound(f"There is no {KINDS[kind].lower()} text in the database yet.")
        return versions[-1] if versions else None


def _checked(kind: str, body: str) -> TextTemplate:
    """The parsed text, or the format's complaint as a ValidationError beside the text."""
    try:
        return template_check.checked(kind, "0", body)
    except TemplateError as exc:
        raise ValidationError(exc.message, "text") from None


def _refuse_unchanged(session: Session, kind: str, newest: str | None, body: str) -> None:
    if newest is None:
        return
    current = session.execute(select(models.SheetText.text).where(
        models.SheetText.kind == kind, models.SheetText.version == newest)).scalar_one()
    if normalised(current) == body:
        raise ValidationError(f"The text is the same as version {newest}, the one in use: nothing to save.", "text")


def _version(row: models.SheetText, names: dict[int, str]) -> SheetTextVersion:
    try:
        title = parse(row.kind, row.version, row.text).title
    except TemplateError:
        title = ""
    return SheetTextVersion(row.kind, row.version, SheetTextSource(row.source), row.created_at,
                            names.get(row.created_by_id, "") if row.created_by_id else "", title, sha256(row.text))
