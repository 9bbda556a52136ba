"""A patient's consent for a treatment, judged against the consent form currently in use."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic_desktop.domain.consent import ConsentStatus, consent_status, template_kind
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.printing import templates
from clinic_desktop.services.chart import consent_entries


def current_form_version(protocol: Protocol) -> str:
    """The newest version of the protocol's consent form on disk: what new consents are signed on."""
    return templates.latest(template_kind(protocol)).version


def patient_consent_status(session: Session, patient_id: int, protocol: Protocol) -> ConsentStatus:
    return consent_status(protocol, consent_entries(session, patient_id), current_form_version(protocol))
