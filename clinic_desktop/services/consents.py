"""A patient's consent for a treatment, judged against the consent form currently in use."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clinic_desktop.domain.consent import ConsentStatus, consent_status, template_kind
from clinic_desktop.domain.enums import Protocol
from clinic_desktop.services.chart import consent_entries
from clinic_desktop.services.sheet_text_store import newest_version


def current_form_version(session: Session, protocol: Protocol) -> str:
    """The newest stored version of the protocol's consent form: what new consents are signed on."""
    return newest_version(session, template_kind(protocol))


def patient_consent_status(session: Session, patient_id: int, protocol: Protocol) -> ConsentStatus:
    return consent_status(protocol, consent_entries(session, patient_id), current_form_version(session, protocol))
