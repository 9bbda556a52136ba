"""The sheet texts in the database, as the other services read them: the newest version of a kind, or one named
version, parsed once per process (a stored text never changes); and the shipped texts seeded at start-up."""

from __future__ import annotations

import hashlib
import logging
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic_desktop.domain.consent import version_key
from clinic_desktop.domain.errors import ClinicError, NotFound
from clinic_desktop.domain.paperwork import TextTemplate
from clinic_desktop.domain.sheet_texts import KINDS, SheetTextSource
from clinic_desktop.printing import templates
from clinic_desktop.services.context import ServiceContext
from clinic_desktop.storage import models

log = logging.getLogger(__name__)

#: Two workstations seeding at once: the one that loses the race reads again, at most this often.
_SEED_ATTEMPTS = 3


@dataclass(frozen=True)
class _Cached:
    #: The row the template was parsed from: a restored database may hold another text under the same version.
    row_id: int
    created_at: datetime
    template: TextTemplate


#: Parsed texts per database engine (tests open many databases in one process), by (kind, version).
_CACHE: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], _Cached]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_versions(session: Session, kind: str) -> list[str]:
    """Every stored version of a kind, oldest first."""
    found = session.execute(select(models.SheetText.version).where(models.SheetText.kind == kind)).scalars()
    return sorted(found, key=version_key)


def newest_version(session: Session, kind: str) -> str:
    versions = stored_versions(session, kind)
    if not versions:
        raise NotFound(f"There is no {KINDS.get(kind, kind).lower()} text in the database. Restart the "
                       "application to store the texts it ships with.")
    return versions[-1]


def current_template(session: Session, kind: str) -> TextTemplate:
    """The newest version of a kind: what new sheets print and new consents are signed on."""
    return template_at(session, kind, newest_version(session, kind))


def template_at(session: Session, kind: str, version: str) -> TextTemplate:
    """A named version (e.g. the one a consent on file was signed on), parsed from the database."""
    row = session.execute(select(models.SheetText.id, models.SheetText.created_at)
                          .where(models.SheetText.kind == kind, models.SheetText.version == version)).first()
    if row is None:
        raise NotFound(f"There is no version {version} of the {KINDS.get(kind, kind).lower()}.")
    engine = session.get_bind()
    with _CACHE_LOCK:
        hit = _CACHE.get(engine, {}).get((kind, version))
    if hit is not None and (hit.row_id, hit.created_at) == (row.id, row.created_at):
        return hit.template
    text = session.execute(select(models.SheetText.text).where(models.SheetText.id == row.id)).scalar_one()
    template = templates.parse(kind, version, text)
    with _CACHE_LOCK:
        _CACHE.setdefault(engine, {})[(kind, version)] = _Cached(row.id, row.created_at, template)
    return template


# --- seeding --------------------------------------------------------------------------------------------------


def seed_shipped(ctx: ServiceContext, shipped: tuple[templates.ShippedText, ...] | None = None
                 ) -> list[tuple[str, str]]:
    """Store every shipped (kind, version) the database lacks, each audited as done by the application.

    One read when nothing is missing. Another workstation storing the same text at the same moment is not an
    error: its rows are there, so the loser reads again and finds nothing left to do."""
    shipped = templates.shipped() if shipped is None else shipped
    for attempt in range(_SEED_ATTEMPTS):
        with ctx.db.read() as uow:
            have = _stored_keys(uow.session)
        missing = [s for s in shipped if (s.kind, s.version) not in have]
        if not missing:
            return []
        try:
            return _store_shipped(ctx, missing)
        except IntegrityError:
            if attempt == _SEED_ATTEMPTS - 1:
                raise
            log.info("Another workstation stored the shipped sheet texts at the same time; reading again")
    return []


def _store_shipped(ctx: ServiceContext, missing: list[templates.ShippedText]) -> list[tuple[str, str]]:
    stored = []
    with ctx.db.write() as uow:
        session = uow.session
        have = _stored_keys(session)
        for text in missing:
            if (text.kind, text.version) in have:  # stored meanwhile (SQLite queues the writers)
                continue
            templates.parse(text.kind, text.version, text.text)  # a broken shipped file is never stored
            row = models.SheetText(kind=text.kind, version=text.version, text=text.text,
                                   source=SheetTextSource.SHIPPED.value, created_at=ctx.now(), created_by_id=None)
            session.add(row)
            session.flush()  # a unique violation here: another workstation stored it first
            ctx.audit(session, None, "create", object_type="sheet_text", object_id=row.id,
                      details={"kind": text.kind, "version": text.version, "source": row.source,
                               "sha256": sha256(text.text)})
            stored.append((text.kind, text.version))
        uow.commit()
    return stored


def _stored_keys(session: Session) -> set[tuple[str, str]]:
    return {(kind, version) for kind, version in session.execute(
        select(models.SheetText.kind, models.SheetText.version))}


def seed_at_start(ctx: ServiceContext) -> None:
    """Seeding as the services open a database: a failure is logged, never a reason not to open (the texts
    already stored still print; the next start tries again)."""
    try:
        stored = seed_shipped(ctx)
    except (ClinicError, IntegrityError, templates.TemplateError):
        log.exception("Could not store the shipped sheet texts")
        return
    if stored:
        log.info("Stored the shipped sheet texts %s", ", ".join(f"{k} {v}" for k, v in stored))
