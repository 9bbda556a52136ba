"""Service additions for the session screen: the checks still stopping the dose, and a refused witness password."""

from __future__ import annotations

import pytest

from clinic_desktop.domain.enums import SessionStatus, VitalsPhase
from clinic_desktop.services.auth import AuthenticationFailed
from clinic_desktop.services.doses import WitnessNotConfirmed

from tests.conftest import PASSWORD
from tests.services.service_support import IV_ORDER, NORMAL
from tests.services.signing_support import ordered_and_started


def _open(services, actor, sid) -> set[str]:
    return {c.key for c in services.sessions.open_blocks(actor, sid)}


def test_open_blocks_shrink_as_items_are_resolved_or_overridden(clinic, services, staff):
    """Escort and vitals block; recording vitals resolves one, the physician's override covers the other."""
    p = clinic.patient()
    sid = clinic.plan(p.id).sessions[0].id
    services.sessions.check_in(staff["nurse"], sid, npo_confirmed=True)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    assert _open(services, staff["nurse"], sid) == {"escort", "baseline_vitals"}
    services.monitoring.record_vitals(staff["nurse"], sid, VitalsPhase.BASELINE, NORMAL)
    assert _open(services, staff["nurse"], sid) == {"escort"}
    services.sessions.override_checks(staff["physician"], sid, "Escort is parking the car", PASSWORD)
    assert _open(services, staff["nurse"], sid) == set()
    assert "escort" in {c.key for c in services.sessions.checks(staff["nurse"], sid) if c.blocks}, \
        "the item itself still says what is wrong; only the override covers it"


def test_a_hard_stop_stays_open(clinic, services, staff):
    """Without a consent the consent item stays open whatever else is done."""
    p = clinic.patient(consent=None)
    sid = clinic.plan(p.id).sessions[0].id
    clinic.prepare(p.id, sid)
    services.doses.order(staff["physician"], sid, IV_ORDER, PASSWORD)
    assert _open(services, staff["nurse"], sid) == {"consent"}


def test_a_wrong_witness_password_says_it_was_the_witnesss(services, staff, clock):
    """The giver's password is right, the witness's is not: the refusal names the witness's password; nothing
    is signed and the dose is still running."""
    _pid, sid = ordered_and_started(services, staff, clock)
    with pytest.raises(WitnessNotConfirmed) as caught:
        services.doses.stop(staff["nurse"], sid, password=PASSWORD, volume_given_ml="90", volume_wasted_ml="10.8",
                            witness_id=staff["nurse2"].id, witness_password="not the witness's")
    assert isinstance(caught.value, AuthenticationFailed) and caught.value.field == "witness_password"
    assert "witness" in caught.value.message
    assert services.sessions.detail(staff["nurse"], sid).summary.status is SessionStatus.INFUSING
