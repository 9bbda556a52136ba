"""Electronic signatures: meaning, name and local time; password required; amendments; tampering shows."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from clinic_desktop.domain.errors import RuleViolation, ValidationError
from clinic_desktop.domain.session_records import DoseRecordEntry
from clinic_desktop.services import signing
from clinic_desktop.services.audit import AuditFilter
from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.storage import models
from tests.conftest import PASSWORD
from tests.services.signing_support import IV_ORDER, LOT_EXPIRY, ordered_and_started, ready_session

ORDERED, GIVEN, WITNESSED = "Ordered by", "Administered by", "Witnessed by"
LOWER = replace(IV_ORDER, mg_per_kg="0.4")


def _dose(services, staff, sid) -> DoseRecordEntry:
    return services.sessions.detail(staff["nurse"], sid).dose


def _audit_actions(services, staff) -> list[str]:
    return [r.action for r in services.audit.entries(staff["admin"], AuditFilter()).rows]


def _stop_with_waste(services, staff, sid, **kw):
    args = dict(password=PASSWORD, volume_given_ml="90.8", volume_wasted_ml="10", witness_id=staff["nurse2"].id,
                witness_password=PASSWORD)
    return services.doses.stop(staff["nurse"], sid, **(args | kw))


def _sql(db, statement: str, params: tuple = ()) -> None:
    """A change made behind the application's back, straight into the SQLite file."""
    con = sqlite3.connect(db.sqlite_path)
    con.execute(statement, params)
    con.commit()
    con.close()


# --- what a signature shows ----------------------------------------------------------------------------

def test_an_order_is_signed_with_meaning_name_and_local_time(services, staff, clock):
    """"Ordered by Dr Imani Okafor, MD" at 09:00 -05:00 (the clinic's offset), valid, also when read back."""
    _pid, sid = ready_session(services, staff)
    entry = services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    for dose in (entry, _dose(services, staff, sid)):
        sig = dose.signed(ORDERED)
        assert (sig.meaning, sig.name, sig.signed_at, sig.status) == (ORDERED, "Dr Imani Okafor, MD", clock.now(),
                                                                      "valid")
        assert sig.utc_offset_min == -300 and sig.local_time.utcoffset() == timedelta(hours=-5)
        assert (sig.local_time.hour, sig.local_time.minute) == (9, 0)


def test_administration_and_waste_are_signed_by_the_giver_and_the_witness(services, staff, clock):
    """Stop with waste: "Administered by" the nurse, "Witnessed by" the second nurse, each with their name."""
    _pid, sid = ordered_and_started(services, staff, clock)
    dose = _stop_with_waste(services, staff, sid)
    assert [(s.meaning, s.name, s.status) for s in dose.signatures] == [
        (ORDERED, "Dr Imani Okafor, MD", "valid"), (GIVEN, "Dana Whitlock, RN", "valid"),
        (WITNESSED, "Luis Ferreira, RN", "valid")]
    assert dose.signed(GIVEN).local_time.strftime("%H:%M %z") == "09:40 -0500"
    assert "witness_confirmed" in _audit_actions(services, staff)


def test_a_checks_override_is_signed(services, staff, db):
    """A physician's override of an open check carries "Override approved by" with their name; the dose may start."""
    _pid, sid = ready_session(services, staff, npo=None)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    assert [c.key for c in services.sessions.checks(staff["nurse"], sid) if c.blocks] == ["npo"]
    services.sessions.override_checks(staff["physician"], sid, "Patient confirms fasting since midnight", PASSWORD)
    with db.read() as uow:
        ts = uow.session.get(models.TreatmentSession, sid)
        sigs = signing.signature_entries(uow.session, db.keyring, "checks_override", ts, {})
    assert [(s.meaning, s.name, s.status) for s in sigs] == [("Override approved by", "Dr Imani Okafor, MD", "valid")]
    assert services.doses.start(staff["nurse"], sid, "LOT-1", LOT_EXPIRY).started_at is not None


# --- the password --------------------------------------------------------------------------------------

def test_a_wrong_password_refuses_the_signature_saves_nothing_and_is_audited(services, staff, db):
    """No order without the physician's password; the failed attempt is in the audit log."""
    _pid, sid = ready_session(services, staff)
    with pytest.raises(AuthenticationFailed):
        services.doses.order(staff["physician"], sid, IV_ORDER, "not my password")
    assert _dose(services, staff, sid) is None
    with db.read() as uow:
        assert uow.session.execute(select(func.count()).select_from(models.Signature)).scalar_one() == 0
    failed = services.audit.entries(staff["admin"], AuditFilter(action="signature_confirmed_failed")).rows
    assert [r.user for r in failed] == ["Dr Imani Okafor"]


def test_the_waste_witness_must_be_another_clinician_with_their_own_password(services, staff, clock):
    """Not the giver, not front desk, not an administrator; a wrong witness password saves nothing."""
    _pid, sid = ordered_and_started(services, staff, clock)
    for witness in ("nurse", "front_desk", "admin"):
        with pytest.raises(ValidationError) as caught:
            _stop_with_waste(services, staff, sid, witness_id=staff[witness].id)
        assert caught.value.field == "witness_id"
    with pytest.raises(ValidationError):
        _stop_with_waste(services, staff, sid, witness_id=None)
    with pytest.raises(AuthenticationFailed):
        _stop_with_waste(services, staff, sid, witness_password="the giver's guess")
    dose = _dose(services, staff, sid)
    assert dose.stopped_at is None and dose.signed(GIVEN) is None and dose.signed(WITNESSED) is None
    assert _stop_with_waste(services, staff, sid, witness_id=staff["physician"].id).signed(WITNESSED).name == \
        "Dr Imani Okafor, MD"


# --- amendments ----------------------------------------------------------------------------------------

def test_a_signed_order_cannot_be_ordered_again(services, staff):
    """A second order for the same session is refused: amendments are the way to change it."""
    _pid, sid = ready_session(services, staff)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    with pytest.raises(RuleViolation, match="amendment"):
        services.doses.order(staff["physician"], sid, LOWER, PASSWORD)
    assert _dose(services, staff, sid).dose_mg == Decimal("40.0")


def test_amend_order_keeps_the_old_values_and_re_signs(services, staff, clock):
    """Reason and password needed; the old dose stays in `amendments`; old signature superseded, new valid."""
    _pid, sid = ready_session(services, staff)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    with pytest.raises(ValidationError):
        services.doses.amend_order(staff["physician"], sid, LOWER, "   ", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        services.doses.amend_order(staff["physician"], sid, LOWER, "Tolerability", "not my password")
    with pytest.raises(ValidationError):
        services.doses.amend_order(staff["physician"], sid, IV_ORDER, "No change at all", PASSWORD)
    clock.advance(minutes=5)
    dose = services.doses.amend_order(staff["physician"], sid, LOWER, "Dissociation last time", PASSWORD)
    assert dose.dose_mg == Decimal("32.0")
    (amendment,) = dose.amendments
    assert amendment.changes["dose_mg"] == {"old": "40.0", "new": "32.0"}
    assert amendment.changes["mg_per_kg"] == {"old": "0.5", "new": "0.4"}
    assert (amendment.reason, amendment.amended_by, amendment.amended_at) == (
        "Dissociation last time", "Dr Imani Okafor, MD", clock.now())
    assert [(s.meaning, s.status) for s in dose.signatures] == [(ORDERED, "superseded by an amendment"),
                                                                (ORDERED, "valid")]
    assert dose.signed(ORDERED).signed_at == clock.now()
    assert "amend" in _audit_actions(services, staff)


def test_amend_administration_keeps_the_old_values_and_re_signs(services, staff, clock):
    """A corrected lot number: old and new kept, the giver's old signature superseded, a new one valid."""
    _pid, sid = ordered_and_started(services, staff, clock)
    services.doses.stop(staff["nurse"], sid, password=PASSWORD, volume_given_ml="100.8")
    with pytest.raises(ValidationError):
        services.doses.amend_administration(staff["nurse"], sid, "", PASSWORD, lot_number="LOT-2")
    with pytest.raises(AuthenticationFailed):
        services.doses.amend_administration(staff["nurse"], sid, "Typo", "not my password", lot_number="LOT-2")
    dose = services.doses.amend_administration(staff["nurse"], sid, "Typo in lot", PASSWORD, lot_number="LOT-2")
    assert dose.lot_number == "LOT-2" and dose.lot_expiry == LOT_EXPIRY
    assert dose.amendments[0].changes == {"lot_number": {"old": "LOT-1", "new": "LOT-2"}}
    assert [(s.meaning, s.status) for s in dose.signatures if s.meaning == GIVEN] == [
        (GIVEN, "superseded by an amendment"), (GIVEN, "valid")]
    assert dose.signed(ORDERED).status == "valid"


def test_amending_the_stop_time_does_not_make_the_witness_signature_look_forged(services, staff, clock):
    """The witness signed the old stop time: after an amendment their signature is superseded, not invalid."""
    _pid, sid = ordered_and_started(services, staff, clock)
    _stop_with_waste(services, staff, sid)
    dose = services.doses.amend_administration(staff["nurse"], sid, "Pump stopped earlier", PASSWORD,
                                               stopped_at=clock.now() - timedelta(minutes=2))
    statuses = {s.status for s in dose.signatures}
    assert "signature invalid" not in statuses, dose.signatures
    assert dose.signed(GIVEN).status == "valid"


# --- tampering -------------------------------------------------------------------------------------------

@pytest.mark.sqlite_only  # tampers through the sqlite3 module, behind the application's back
def test_a_change_behind_the_applications_back_shows_signature_invalid(services, staff, db):
    """dose_records.dose_mg changed with raw SQL: the order's signature reads "signature invalid"."""
    _pid, sid = ready_session(services, staff)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    _sql(db, "UPDATE dose_records SET dose_mg = '400.0'")
    dose = _dose(services, staff, sid)
    assert dose.dose_mg == Decimal("400.0") and dose.signed(ORDERED).status == "signature invalid"
    assert not dose.signed(ORDERED).valid


@pytest.mark.sqlite_only  # tampers through the sqlite3 module, behind the application's back
def test_a_forged_content_hash_is_caught_without_the_key(services, staff, db):
    """The forger also recomputes the SHA-256 content hash: the keyed MAC over the signature still fails."""
    _pid, sid = ready_session(services, staff)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    _sql(db, "UPDATE dose_records SET dose_mg = '400.0'")
    with db.read() as uow:
        forged = signing.content_hash("dose_order", uow.session.execute(select(models.DoseRecord)).scalar_one())
    _sql(db, "DROP TRIGGER signatures_no_update")  # signatures are append-only: a forger lifts that first
    _sql(db, "UPDATE signatures SET content_hash = ?", (forged,))
    assert _dose(services, staff, sid).signed(ORDERED).status == "signature invalid"
