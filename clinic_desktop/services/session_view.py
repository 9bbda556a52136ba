"""Everything the session screen shows, read in one transaction, and the smaller pieces a save on it returns
(the checklist, the day's answers), so the screen reads the chart and computes the checklist once per refresh."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from clinic_desktop.domain.checks import CheckItem, blocking, pre_infusion_checks
from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import PregnancyStatus
from clinic_desktop.domain.records import PatientChart
from clinic_desktop.domain.session_records import SessionDetail
from clinic_desktop.services.chart import build_chart
from clinic_desktop.services.context import load_settings
from clinic_desktop.services.session_records import build_session_detail, check_notes_of, gather_facts
from clinic_desktop.services.tolerance import PreviousDose, previous_dose
from clinic_desktop.storage import models
from clinic_desktop.storage.audit_chain import AuditKeyring


@dataclass(frozen=True)
class Checklist:
    """The pre-infusion checklist as it stands, and the keys of the blocking items that still stop the dose
    (neither resolved nor covered by a physician's override)."""

    items: tuple[CheckItem, ...]
    open_keys: frozenset[str]

    @property
    def open_items(self) -> tuple[CheckItem, ...]:
        return tuple(i for i in self.items if i.key in self.open_keys)


@dataclass(frozen=True)
class DayAnswers:
    """What an answer or an explanation on the checklist changed: the session's day fields, its new version
    (the next save is checked against it) and the checklist they lead to."""

    row_version: int
    escort_confirmed: bool
    npo_confirmed: bool | None
    pregnancy_status: PregnancyStatus | None
    check_notes: dict[str, tuple[str, str, datetime]]
    checklist: Checklist


@dataclass(frozen=True)
class SessionView:
    """The session screen's one read: the session with everything charted in it, the patient's chart (header,
    dose calculator), the checklist, the previous dose beside the order, and the clinic's settings in force."""

    detail: SessionDetail
    chart: PatientChart
    checklist: Checklist
    previous: PreviousDose | None
    settings: ClinicSettings


def current_checks(session: Session, ts: models.TreatmentSession, today: date,
                   settings: ClinicSettings | None = None) -> tuple[CheckItem, ...]:
    """The pre-infusion checklist for a session, from what is recorded now."""
    settings = settings or load_settings(session)
    return pre_infusion_checks(gather_facts(session, ts, settings, today), settings)


def build_checklist(session: Session, ts: models.TreatmentSession, settings: ClinicSettings,
                    today: date) -> Checklist:
    """The checklist computed once, with what is still open."""
    items = current_checks(session, ts, today, settings)
    return Checklist(items, frozenset(i.key for i in unresolved_blocks(items, ts)))


def build_day_answers(session: Session, ts: models.TreatmentSession, settings: ClinicSettings,
                      today: date) -> DayAnswers:
    return DayAnswers(ts.row_version, ts.escort_confirmed, ts.npo_confirmed, ts.pregnancy_status,
                      check_notes_of(session, ts), build_checklist(session, ts, settings, today))


def build_session_view(session: Session, ts: models.TreatmentSession, settings: ClinicSettings,
                       keyring: AuditKeyring, today: date) -> SessionView:
    return SessionView(detail=build_session_detail(session, ts, settings, keyring),
                       chart=build_chart(session, ts.series.patient, today),
                       checklist=build_checklist(session, ts, settings, today),
                       previous=previous_dose(session, ts), settings=settings)


def unresolved_blocks(items: tuple[CheckItem, ...], ts: models.TreatmentSession) -> list[CheckItem]:
    """Blocking checks not covered by a physician's override (a hard stop is never covered).

    An override covers the problem the physician saw: if the same check later reports something else
    (e.g. "no baseline vitals" became "pre-dose BP 170/100"), it blocks again until a new override.
    """
    covered = set(ts.checks_overridden_keys.split(",")) if ts.checks_override_reason else set()
    return [i for i in blocking(items) if not (i.overridable and override_token(i) in covered)]


def override_token(item: CheckItem) -> str:
    """The check's key plus a fingerprint of what it said when the physician overrode it."""
    return f"{item.key}:{hashlib.sha256(item.detail.encode()).hexdigest()[:10]}"
