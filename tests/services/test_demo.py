"""The demo clinic written in bulk: the same clinic however its batches are made, a chain that verifies,
signatures that hold, and a history as long as the clinic is large."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from clinic_desktop.app import open_services
from clinic_desktop.domain.clock import FixedClock
from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.domain.errors import RuleViolation
from clinic_desktop.services import integrity, signing
from clinic_desktop.services.demo import DemoBuilder
from clinic_desktop.services.demo_history import history_days
from clinic_desktop.storage import audit_chain, models

ZONE = ZoneInfo("America/New_York")
TODAY = date(2026, 5, 20)


def _open(folder):
    clock = FixedClock(datetime.combine(TODAY, time(11, 0), tzinfo=ZONE).astimezone(timezone.utc))
    services, _locations = open_services(str(folder), None, clock, ZONE)
    return services


def _snapshot(folder) -> list[list[tuple]]:
    """Everything a demo wrote that must not depend on how it was made (the audit key differs per folder, so
    entries are compared by content and signatures by the hash of what they sign)."""
    with sqlite3.connect(folder / "clinic.db") as conn:
        return [conn.execute(sql).fetchall() for sql in (
            "SELECT id, mrn, given_names, family_name, date_of_birth, created_at FROM patients ORDER BY id",
            "SELECT id, series_id, sequence, scheduled_at, status FROM treatment_sessions ORDER BY id",
            "SELECT id, session_id, dose_mg, started_at, lot_number, finding_codes FROM dose_records ORDER BY id",
            "SELECT id, session_id, taken_at, systolic FROM vital_signs ORDER BY id",
            "SELECT id, instrument, answers, total FROM scale_responses ORDER BY id",
            "SELECT record_type, record_id, staff_id, signed_at, content_hash FROM signatures ORDER BY id",
            "SELECT seq, at, staff_id, patient_id, action, object_type, object_id, details FROM audit_log "
            "WHERE action = 'sign' ORDER BY seq",
        )]


def test_batches_made_by_worker_processes_give_the_same_clinic_as_made_here(tmp_path):
    """Seed 4, 24 patients in batches of 5: made by two worker processes or one after another here, row for row."""
    for name, workers in (("here", 0), ("workers", 2)):
        services = _open(tmp_path / name)
        try:
            DemoBuilder(services.context, 4, workers=workers, batch_size=5).build(24)
        finally:
            services.context.db.close()
    here, workers = _snapshot(tmp_path / "here"), _snapshot(tmp_path / "workers")
    assert [len(t) for t in here] == [len(t) for t in workers]
    assert here[:6] == workers[:6]
    # The chain's entries are in time order either way; ties between batches may fall differently.
    assert sorted(here[6], key=lambda e: e[1:]) == sorted(workers[6], key=lambda e: e[1:])
    assert [e[1] for e in here[6]] == sorted(e[1] for e in here[6])


def test_the_audit_chain_verifies_and_every_signature_holds(tmp_path):
    """`audit verify` passes on a demo made in batches, and each signature is valid for the record it signs."""
    services = _open(tmp_path)
    try:
        summary = DemoBuilder(services.context, 2, workers=2, batch_size=4).build(14)
        db = services.context.db
        with db.read() as uow:
            result = audit_chain.verify(uow.session, db.keyring)
            # The whole check too: the rows written in bulk carry their seals, every signed record its signature.
            whole = integrity.verify(uow.session, db.keyring)
            signatures = uow.session.execute(select(models.Signature)).scalars().all()
            doses = {d.id: d for d in uow.session.execute(select(models.DoseRecord)).scalars()}
            signed = uow.session.execute(select(func.count()).select_from(models.AuditEntry)
                                         .where(models.AuditEntry.action == "sign")).scalar_one()
            statuses = {signing.status(db.keyring, s, doses[s.record_id]) for s in signatures}
    finally:
        services.context.db.close()
    assert result.ok, result.message
    assert whole.ok, whole.message
    assert signatures and statuses == {signing.VALID}
    assert signed == len(signatures) == summary.rows["signatures"] == summary.rows["audit_log"]
    assert result.entries >= signed + 1  # and the entry saying the demo was made
    assert db.keyring.read_head() == (result.entries, _last_hash(tmp_path))


def _last_hash(folder) -> str:
    with sqlite3.connect(folder / "clinic.db") as conn:
        return conn.execute("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()[0]


def test_a_changed_demo_record_no_longer_matches_its_signature(tmp_path):
    """The bulk signatures are real ones: a dose changed afterwards shows its order signature as invalid."""
    services = _open(tmp_path)
    try:
        DemoBuilder(services.context, 3, workers=0).build(6)
        db = services.context.db
        with db.write() as uow:
            sig = uow.session.execute(select(models.Signature).where(
                models.Signature.record_type == "dose_order").limit(1)).scalar_one()
            dose = uow.session.get(models.DoseRecord, sig.record_id)
            assert signing.status(db.keyring, sig, dose) == signing.VALID
            dose.dose_mg = dose.dose_mg + 1
            assert signing.status(db.keyring, sig, dose) == signing.INVALID
    finally:
        services.context.db.close()


def test_a_large_clinic_has_a_longer_history():
    """150 days for a small demo, growing with the clinic to ten years at 100,000 patients."""
    assert history_days(50) == 150
    assert history_days(10_000) == 365
    assert history_days(100_000) == 3650
    assert history_days(1_000_000) == 3650


def test_new_records_after_a_demo_get_new_ids(tmp_path, services):
    """Ids written by the demo leave room for the clinic's own next records (no clash on insert)."""
    DemoBuilder(services.context, 1, workers=0).build(3)
    db = services.context.db
    with db.write() as uow:
        highest = uow.session.execute(select(func.max(models.VitalSignsReading.id))).scalar_one()
        session_id = uow.session.execute(select(models.TreatmentSession.id).limit(1)).scalar_one()
        nurse = uow.session.execute(select(models.Staff.id).where(models.Staff.role == "nurse")).scalars().first()
        row = models.VitalSignsReading(session_id=session_id, taken_at=datetime(2026, 1, 2, tzinfo=timezone.utc),
                                       phase=VitalsPhase.BASELINE, systolic=120, diastolic=80, recorded_by_id=nurse,
                                       created_at=datetime(2026, 1, 2, tzinfo=timezone.utc))
        uow.session.add(row)
        uow.flush()
        assert row.id > highest


def test_a_demo_is_refused_once_the_database_has_patients(services):
    """A second demo into the same database stops before writing anything."""
    DemoBuilder(services.context, 1, workers=0).build(2)
    with pytest.raises(RuleViolation, match="already has 2 patients"):
        DemoBuilder(services.context, 1, workers=0).build(2)
