"""When a patient must sign again: no consent for the treatment, a withdrawn one, or one on an older form."""

from __future__ import annotations

from datetime import datetime, timezone

from clinic_desktop.domain.checks import pre_infusion_checks
from clinic_desktop.domain.consent import consent_status, template_kind, version_key
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.records import ConsentEntry
from tests.domain.test_screening_checks import facts

IV = Protocol.IV_INDUCTION
MARCH = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
APRIL = datetime(2026, 4, 1, 14, 0, tzinfo=timezone.utc)


def entry(protocol: Protocol = IV, version: str = "2026.1", at: datetime = MARCH, withdrawn: datetime | None = None):
    return ConsentEntry(1, protocol, version, at, withdrawn)


def test_versions_compare_as_numbers_not_text():
    assert version_key("2026.10") > version_key("2026.9") > version_key("2026.1")
    assert version_key("draft") == () < version_key("1")


def test_esketamine_has_its_own_form_and_racemic_routes_share_one():
    assert template_kind(Protocol.ESKETAMINE) == "consent-esketamine"
    assert {template_kind(p) for p in (Protocol.IV_INDUCTION, Protocol.IV_MAINTENANCE, Protocol.IM)} == {
        "consent-racemic"}


def test_a_consent_on_the_current_form_is_enough():
    status = consent_status(IV, [entry()], "2026.1")
    assert not status.needs_consent and status.signed == entry() and status.kind == "consent-racemic"


def test_nothing_on_file_for_this_protocol_or_only_a_withdrawn_consent_needs_consent():
    for consents in ([], [entry(Protocol.IV_MAINTENANCE)], [entry(withdrawn=APRIL)]):
        status = consent_status(IV, consents, "2026.1")
        assert status.needs_consent and status.signed is None
        assert "No signed consent on file" in status.reason


def test_an_older_form_needs_re_consent_and_the_newest_signature_counts():
    status = consent_status(IV, [entry(version="2026.1")], "2026.2")
    assert status.needs_consent and "form 2026.1" in status.reason and "2026.2" in status.reason
    resigned = consent_status(IV, [entry(version="2026.1"), entry(version="2026.2", at=APRIL)], "2026.2")
    assert not resigned.needs_consent and resigned.signed.template_version == "2026.2"


def test_the_checklist_refuses_an_outdated_consent_with_the_reason():
    reason = consent_status(IV, [entry(version="2026.1")], "2026.2").reason
    item = next(i for i in pre_infusion_checks(facts(consent_outdated=reason)) if i.key == "consent")
    assert item.grade is Grade.REFUSED and item.detail == reason
    current = next(i for i in pre_infusion_checks(facts()) if i.key == "consent")
    assert current.grade is Grade.OK
