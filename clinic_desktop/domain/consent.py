"""When a patient must sign a consent (again): none on file for the treatment, or one signed on an older form.

A consent covers one protocol (route and product); a new protocol needs its own. Consent forms are versioned
text templates; when the clinic issues a new version, consents signed on an older one no longer count
(reference 7: re-consent when the template or the treatment plan changes; a clinic design, UNSOURCED).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from clinic_desktop.domain.enums import Protocol, SeriesStatus
from clinic_desktop.domain.records import ConsentEntry, PatientChart


def template_kind(protocol: Protocol) -> str:
    """The consent form a protocol is signed on: esketamine has its own (REMS); racemic IV and IM share one."""
    return "consent-esketamine" if protocol.is_esketamine else "consent-racemic"


def version_key(version: str) -> tuple[int, ...]:
    """'2026.10' sorts after '2026.9'; anything unreadable sorts first (it can never satisfy a check)."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


@dataclass(frozen=True)
class ConsentStatus:
    protocol: Protocol
    kind: str
    current_version: str
    #: The newest consent on file for this protocol that has not been withdrawn.
    signed: ConsentEntry | None
    #: Why a (new) signature is needed, for people; empty when the consent on file is current.
    reason: str

    @property
    def needs_consent(self) -> bool:
        return bool(self.reason)


def consent_status(protocol: Protocol, consents: Sequence[ConsentEntry], current_version: str) -> ConsentStatus:
    on_file = [c for c in consents if c.protocol == protocol and c.withdrawn_at is None]
    signed = max(on_file, key=lambda c: c.signed_at, default=None)
    if signed is None:
        reason = f"No signed consent on file for {protocol.label}."
    elif version_key(signed.template_version) < version_key(current_version):
        reason = (f"The consent for {protocol.label} was signed on form {signed.template_version}; form "
                  f"{current_version} is now in use, so the patient must sign again.")
    else:
        reason = ""
    return ConsentStatus(protocol, template_kind(protocol), current_version, signed, reason)


def consent_protocols(chart: PatientChart) -> list[Protocol]:
    """The treatments whose consent matters for this patient: those of open series, newest first, then any
    other with a consent on file."""
    found: list[Protocol] = []
    for series in sorted(chart.series, key=lambda s: s.start_date, reverse=True):
        if series.status in (SeriesStatus.PLANNED, SeriesStatus.ACTIVE) and series.protocol not in found:
            found.append(series.protocol)
    for consent in chart.consents:
        if consent.withdrawn_at is None and consent.protocol not in found:
            found.append(consent.protocol)
    return found
