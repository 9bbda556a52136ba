"""The sheet texts in the database: seeded from the shipped files, read by every sheet, revised by an
administrator as a new version after every check, audited, and safe when two workstations act at once."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, event, func, select

from clinic_desktop.domain.access import PermissionDenied
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.errors import ConcurrentChange, ValidationError
from clinic_desktop.domain.sheet_texts import SheetTextSource
from clinic_desktop.printing import templates
from clinic_desktop.services.registry import Services
from clinic_desktop.services.sheet_text_store import seed_shipped, sha256
from clinic_desktop.storage import audit_chain, models
from clinic_desktop.storage.database import open_database
from tests.conftest import NEW_CONSENT_SENTENCE, ZONE, revised_consent_text
from tests.pdf_text import flat, page_texts

def pdf_text(pdf: bytes) -> str:
    return flat(" ".join(page_texts(pdf)))


SHIPPED = {(t.kind, t.version) for t in templates.shipped()}


def stored(db) -> dict[tuple[str, str], models.SheetText]:
    with db.session() as s:
        return {(r.kind, r.version): r for r in s.execute(select(models.SheetText)).scalars()}


def audit_count(db) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(models.AuditEntry)).scalar_one()


def text_audits(db) -> list[models.AuditEntry]:
    with db.session() as s:
        return list(s.execute(select(models.AuditEntry).where(models.AuditEntry.object_type == "sheet_text")
                              .order_by(models.AuditEntry.seq)).scalars())


def verify(db):
    with db.read() as uow:
        return audit_chain.verify(uow.session, db.keyring)


# --- seeding ------------------------------------------------------------------------------------------------


def test_a_new_database_holds_every_shipped_text_each_audited_as_the_application(services, db):
    """Opening the services stores each shipped (kind, version) as shipped, with a system audit entry."""
    rows = stored(db)
    assert set(rows) == SHIPPED and {"consent-racemic", "consent-esketamine", "discharge"} <= {k for k, _ in rows}
    by_file = {(t.kind, t.version): t.text for t in templates.shipped()}
    assert all(r.source == "shipped" and r.created_by_id is None and r.text == by_file[key] for key, r in rows.items())
    entries = text_audits(db)
    assert len(entries) == len(SHIPPED)
    assert all(e.staff_id is None and e.action == "create" and e.details["source"] == "shipped" for e in entries)
    assert {(e.details["kind"], e.details["version"]) for e in entries} == SHIPPED
    assert all(e.details["sha256"] == sha256(by_file[(e.details["kind"], e.details["version"])]) for e in entries)
    assert verify(db).ok


def test_a_second_start_reads_once_and_writes_nothing(services, db, clock, monkeypatch):
    """With nothing missing, building the services again is one query and never opens a write."""
    before = audit_count(db)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 (the statement text)
    event.listen(db.engine, "before_cursor_execute", listener)
    monkeypatch.setattr(db, "write", lambda: pytest.fail("seeding opened a write"))
    try:
        Services.build(db, clock, ZONE)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if "sheet_texts" in s]) == 1
    assert audit_count(db) == before


def test_a_new_program_version_stores_its_new_text_at_its_first_start(services, db, clock, staff, tmp_path,
                                                                       monkeypatch):
    """A shipped consent-racemic 2026.2 is stored at the next start and becomes the form patients must sign."""
    folder = tmp_path / "templates"
    shutil.copytree(templates.TEMPLATE_DIR, folder)
    (folder / "consent-racemic-2026.2.txt").write_text(revised_consent_text(), encoding="utf-8")
    monkeypatch.setattr(templates, "TEMPLATE_DIR", folder)
    newer = Services.build(db, clock, ZONE)
    assert stored(db)[("consent-racemic", "2026.2")].source == "shipped"
    assert [e.details["version"] for e in text_audits(db)][-1] == "2026.2"
    assert newer.sheet_texts.list(staff["admin"])[0].version == "2026.2"
    assert verify(db).ok


def test_two_workstations_seeding_at_once_store_each_text_once(db, clock, tmp_path, backend, caplog):
    """Both read "missing" and both write: the loser's unique violation (PostgreSQL) or its second look
    (SQLite) is not an error, and every text is stored once."""
    caplog.set_level(logging.INFO, "clinic_desktop.services.sheet_text_store")
    first = Services.build(db, clock, ZONE).context
    with db.session() as s:  # as if neither had started yet
        s.execute(delete(models.SheetText))
        s.commit()
    other_db = open_database(str(db.engine.url.render_as_string(hide_password=False)), tmp_path / "backups",
                             clock.now())
    try:
        second = Services.build(other_db, clock, ZONE).context  # stores them: empty the table again
        with db.session() as s:
            s.execute(delete(models.SheetText))
            s.commit()
        both_read = threading.Barrier(2, timeout=20)
        for database in (db, other_db):
            real_write = database.write

            def write(real=real_write):
                both_read.wait()  # each has found the texts missing before either writes
                return real()
            database.write = write
        results, errors = {}, []

        def seed(name, ctx) -> None:
            try:
                results[name] = seed_shipped(ctx)
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)
        threads = [threading.Thread(target=seed, args=(n, c)) for n, c in (("a", first), ("b", second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for database in (db, other_db):
            del database.write
    finally:
        other_db.close()
    assert errors == []
    assert sorted(len(r) for r in results.values()) == [0, len(SHIPPED)]
    if backend == "postgres":  # the loser really met the winner's rows as a unique violation, and read again
        assert "stored the shipped sheet texts at the same time" in caplog.text
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(models.SheetText)).scalar_one() == len(SHIPPED)
    assert verify(db).ok


# --- reading ------------------------------------------------------------------------------------------------


def test_a_new_consent_version_prints_on_new_sheets_and_the_old_one_stays_readable(clinic, newer_consent_form):
    """The consent PDF carries the sentence only 2026.2 has; version 2026.1 still previews without it."""
    patient = clinic.patient()
    series = clinic.plan(patient.id)
    sheet = clinic.services.paperwork.consent(clinic.staff["nurse"], patient.id, series.id)
    assert sheet.template_version == newer_consent_form == "2026.2"
    assert NEW_CONSENT_SENTENCE in pdf_text(sheet.pdf)
    old = clinic.services.sheet_texts.preview_version(clinic.staff["admin"], "consent-racemic", "2026.1")
    assert old.template_version == "2026.1" and NEW_CONSENT_SENTENCE not in pdf_text(old.pdf)


def test_a_consent_can_only_be_recorded_on_a_stored_form_version(clinic):
    """A version that names no stored consent form is refused beside the version field."""
    patient = clinic.patient(consent=None)
    with pytest.raises(ValidationError) as caught:
        clinic.services.patients.record_consent(clinic.staff["nurse"], patient.id, Protocol.IV_INDUCTION, "2031.4")
    assert caught.value.field == "template_version" and "2031.4" in caught.value.message


# --- revising -----------------------------------------------------------------------------------------------


def test_an_import_is_the_next_version_audited_with_its_sha256(services, staff, db):
    """2026.1 -> 2026.2 by default; the audit names the administrator, version and SHA-256 of the text."""
    text = revised_consent_text()
    saved = services.sheet_texts.import_text(staff["admin"], "consent-racemic", text)
    assert (saved.version, saved.source, saved.created_by) == ("2026.2", SheetTextSource.IMPORTED, "Sam Adeyemi")
    row = stored(db)[("consent-racemic", "2026.2")]
    entry = text_audits(db)[-1]
    assert entry.staff_id == staff["admin"].id and row.created_by_id == staff["admin"].id
    assert entry.details == {"kind": "consent-racemic", "version": "2026.2", "source": "imported",
                             "sha256": sha256(row.text), "replaces": "2026.1",
                             "title": "Consent to treatment with ketamine"}
    assert services.sheet_texts.text(staff["admin"], "consent-racemic") == row.text
    assert services.sheet_texts.text(staff["admin"], "consent-racemic", "2026.1") != row.text
    assert verify(db).ok


def test_an_edit_with_an_explicit_higher_version_is_stored_as_edited(services, staff):
    """An explicit version above the newest is kept as given; the list shows it first, as edited."""
    admin = staff["admin"]
    text = services.sheet_texts.text(admin, "discharge").replace("Rest at home.", "Rest at home today.")
    saved = services.sheet_texts.edit_text(admin, "discharge", text, "2027.1", based_on="2026.2")
    assert (saved.version, saved.source) == ("2027.1", SheetTextSource.EDITED)
    discharge = [v.version for v in services.sheet_texts.list(admin) if v.kind == "discharge"]
    assert discharge == ["2027.1", "2026.2", "2026.1"]
    draft = services.sheet_texts.check(admin, "discharge", text.replace("today", "tonight"))
    assert (draft.version, draft.replaces) == ("2027.2", "2027.1")


def test_a_consent_draft_says_who_must_re_consent(services, staff):
    """The confirmation's words: patients who signed 2026.1 will be asked to re-consent."""
    draft = services.sheet_texts.check(staff["admin"], "consent-racemic", revised_consent_text())
    assert "Patients who signed version 2026.1 will be asked to re-consent" in draft.consequence


VALID = "title: Demo\n---\n# 1. About\nText for {patient_name}.\n\n# Your agreement\nI agree.\n"


@pytest.mark.parametrize("text, version, field, words", [
    ("", None, "text", "empty"),
    ("# 1. About\nText.\n", None, "text", "'---'"),
    ("---\n# 1. About\nText.\n# 2. B\nMore.\n", None, "text", "title"),
    ("title: Demo\n---\n\n\n", None, "text", "no text after"),
    (VALID.replace("{patient_name}", "{clinic_fax}"), None, "text", "Line 4: {clinic_fax}"),
    ("title: Demo\n---\n# 1. About\nEverything in one section.\n", None, "text", "two sections"),
    ("title: Demo\n---\nNo heading at all.\n", None, "text", "two sections"),
    (VALID.replace("# 1. About\n", "#1. About\n"), None, "text", "Line 3"),
    (VALID.replace("Text for {patient_name}.\n", ""), None, "text", "Line 3: the section '1. About' has no text"),
    (VALID, "2026.1", "version", "not higher than 2026.1"),
    (VALID, "2025.9", "version", "not higher"),
    (VALID, "v2", "version", "not a version number"),
])
def test_a_text_that_fails_a_check_is_refused_and_nothing_is_stored(services, staff, db, text, version, field,
                                                                    words):
    """Each problem is named (with its line where there is one) beside the field; no row, no audit entry."""
    before_rows, before_audit = set(stored(db)), audit_count(db)
    with pytest.raises(ValidationError) as caught:
        services.sheet_texts.import_text(staff["admin"], "consent-racemic", text, version)
    assert caught.value.field == field and words in caught.value.message
    assert set(stored(db)) == before_rows and audit_count(db) == before_audit


def test_the_same_text_as_the_newest_is_refused(services, staff):
    """Re-importing the text in use (even with Windows line ends) stores nothing."""
    admin = staff["admin"]
    same = services.sheet_texts.text(admin, "discharge").replace("\n", "\r\n")
    with pytest.raises(ValidationError, match="same as version 2026.2"):
        services.sheet_texts.import_text(admin, "discharge", same)


def test_a_discharge_text_may_not_use_the_consent_only_placeholder(services, staff):
    """{planned_course} would print empty on a discharge sheet, so it is refused there."""
    text = services.sheet_texts.text(staff["admin"], "discharge").replace("Rest at home.", "{planned_course}")
    with pytest.raises(ValidationError, match=r"\{planned_course\} is not a placeholder"):
        services.sheet_texts.check(staff["admin"], "discharge", text)


def test_an_unknown_kind_is_refused(services, staff):
    """Only the texts a sheet prints can be revised."""
    with pytest.raises(ValidationError, match="not a sheet text"):
        services.sheet_texts.import_text(staff["admin"], "consent-im", VALID)


def test_an_edit_started_before_another_version_was_stored_is_refused(services, staff):
    """Saving on top of a version someone stored meanwhile says so; the later text is not lost by accident."""
    admin = staff["admin"]
    services.sheet_texts.import_text(admin, "consent-racemic", revised_consent_text())
    with pytest.raises(ConcurrentChange, match="Version 2026.2 of this text was stored"):
        services.sheet_texts.edit_text(admin, "consent-racemic", VALID, based_on="2026.1")


def test_a_nurse_may_not_list_or_revise_the_texts(services, staff):
    """Sheet texts are an administrator's: a nurse is refused in words."""
    with pytest.raises(PermissionDenied, match="revise the consent and discharge texts"):
        services.sheet_texts.import_text(staff["nurse"], "consent-racemic", revised_consent_text())
    with pytest.raises(PermissionDenied):
        services.sheet_texts.list(staff["nurse"])


def test_two_administrators_importing_at_once_get_distinct_versions(db, services, staff, clock, tmp_path):
    """Both start together; the second waits for the first and stores the version after it."""
    other_db = open_database(str(db.engine.url.render_as_string(hide_password=False)), tmp_path / "backups",
                             clock.now())
    try:
        other = Services.build(other_db, clock, ZONE)
        start = threading.Barrier(2, timeout=20)
        results, errors = [], []
        texts = [revised_consent_text(), revised_consent_text().replace("Ketamine is a medicine.",
                                                                         "Ketamine is an anesthetic medicine.")]

        def save(svc, text) -> None:
            start.wait()
            try:
                results.append(svc.sheet_texts.import_text(staff["admin"], "consent-racemic", text).version)
            except ConcurrentChange as exc:
                errors.append(exc)
        threads = [threading.Thread(target=save, args=(s, t)) for s, t in ((services, texts[0]), (other, texts[1]))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        other_db.close()
    assert len(results) + len(errors) == 2 and len(set(results)) == len(results)
    assert set(results) <= {"2026.2", "2026.3"} and "2026.2" in results
    assert verify(db).ok


def test_the_shipped_files_pass_every_check_an_import_would_make():
    """What the application ships could be imported as it is."""
    from clinic_desktop.printing.template_check import checked

    for text in templates.shipped():
        assert checked(text.kind, text.version, text.text).title


def test_the_text_file_reader_refuses_what_is_not_utf8(tmp_path: Path):
    """A file in another encoding is refused with its line; a byte-order mark is dropped."""
    from clinic_desktop.services.sheet_texts import read_text_file

    latin = tmp_path / "consent.txt"
    latin.write_bytes("title: Zoë\n---\n".encode("latin-1"))
    with pytest.raises(ValidationError, match="not UTF-8 text .line 1"):
        read_text_file(latin)
    bom = tmp_path / "bom.txt"
    bom.write_bytes("title: Zoë\n".encode("utf-8-sig"))
    assert read_text_file(bom) == "title: Zoë\n"
    with pytest.raises(ValidationError, match="Cannot read"):
        read_text_file(tmp_path / "missing.txt")
