"""A sheet filled with an invented patient and session, to preview a sheet text before the clinic adopts it.

Only the clinic's letterhead is real; everything about the patient is fictional and marked as a sample, so a
preview that is printed by mistake cannot be taken for anyone's record."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from clinic_desktop.domain.enums import Protocol, Rater, SessionStatus, Timepoint, VitalsPhase
from clinic_desktop.domain.paperwork import (
    ClinicLetterhead,
    ConsentSheet,
    DischargeSheet,
    PatientIdent,
    PrintContext,
    TextTemplate,
)
from clinic_desktop.domain.records import ScoreEntry, SessionSummary
from clinic_desktop.domain.scales import ALDRETE
from clinic_desktop.domain.session_records import VitalsEntry

#: The invented patient of every preview (the name says it is a sample).
SAMPLE_PATIENT = PatientIdent("Sample Patient", date(1985, 4, 12), "SAMPLE",
                              "1 Example Street, Springfield")
SAMPLE_ESCORT = "Sample Escort"


def sample_protocol(kind: str) -> Protocol:
    return Protocol.ESKETAMINE if kind == "consent-esketamine" else Protocol.IV_INDUCTION


def sample_consent(template: TextTemplate, clinic: ClinicLetterhead, context: PrintContext) -> ConsentSheet:
    protocol = sample_protocol(template.kind)
    start = context.printed_at.date().isoformat()
    course = (f"8 nasal-spray sessions starting at 56 mg, on Monday, Thursday, from {start}"
              if protocol.is_esketamine else
              f"6 infusions of 0.5 mg/kg over about 40 minutes, on Monday, Wednesday, Friday, from {start}")
    return ConsentSheet(clinic, SAMPLE_PATIENT, protocol, course, template, context)


def sample_discharge(template: TextTemplate, clinic: ClinicLetterhead, context: PrintContext) -> DischargeSheet:
    now = context.printed_at
    started = now - timedelta(hours=2)
    session = SessionSummary(0, 0, 2, 6, started, "Chair 1", SessionStatus.DISCHARGED, Decimal("37.5"),
                             Decimal("0.5"), now)
    vitals = VitalsEntry(0, now - timedelta(minutes=5), VitalsPhase.AFTER, 124, 78, 72, 98, 14, None,
                         context.printed_by)
    score = ScoreEntry(0, ALDRETE.code, ALDRETE.name, 10, "Ready for discharge", now - timedelta(minutes=5),
                       Timepoint.POST, Rater.CLINICIAN, None)
    return DischargeSheet(clinic, SAMPLE_PATIENT, session, Protocol.IV_INDUCTION, Decimal("37.5"), Decimal("0.5"),
                          vitals, score, SAMPLE_ESCORT, _next_visit(now), template, context)


def _next_visit(now: datetime) -> datetime:
    return now + timedelta(days=2)
