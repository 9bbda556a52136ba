"""Fictional sheets for the printing tests: every field filled, with knobs for long and hostile text."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from clinic_desktop.domain.enums import (
    NoteKind,
    Protocol,
    Rater,
    SeriesStatus,
    SessionStatus,
    Timepoint,
    VitalsPhase,
    WeightBasis,
)
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.paperwork import (
    ClinicLetterhead,
    ConsentSheet,
    DischargeSheet,
    GivenDose,
    InfusionRecordSheet,
    PatientIdent,
    PrintContext,
    SummaryLetter,
)
from clinic_desktop.domain.records import (
    OutcomeLine,
    ReferringClinician,
    ScoreEntry,
    ScorePoint,
    SeriesScores,
    SeriesSummary,
    SessionSummary,
)
from clinic_desktop.domain.session_records import DoseRecordEntry, NoteEntry, SignatureEntry, VitalsEntry
from clinic_desktop.printing import templates

UTC = timezone.utc
START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York
#: Text that must print as typed: tags (nested, closing, the paragraph's own), an attribute, entities that a
#: parser would turn into other characters (an escaping that forgot "&" prints "&amp;" as "&" and "&#60;" as "<"),
#: and control characters (which print as spaces).
HOSTILE = ('<b>Bold</b> & &amp; &lt;i&gt; &#60;br/&#62; &#x3c;u> &nbsp; <b><i>nested</i></b></para> '
           '<img src="x"/> <font color="[[[x]]]">\x07\x1b]0;')
#: HOSTILE as it comes out of the PDF: every character kept, the control characters as spaces.
HOSTILE_SHOWN = HOSTILE.replace("\x07", " ").replace("\x1b", " ")
NAMES_IN_MANY_SCRIPTS = "Zoë O'Brien-Nguyễn 王小明"


def clinic() -> ClinicLetterhead:
    return ClinicLetterhead("Riverside Ketamine Clinic", "12 Harbour Lane, Suite 3\nSpringfield, OR 97477",
                            "541-555-0100", "541-555-0199")


def patient(name: str = "Avery Quinn") -> PatientIdent:
    return PatientIdent(name, date(1984, 6, 15), "000123", "8 Elm Street, Springfield")


def context() -> PrintContext:
    return PrintContext(START + timedelta(hours=5), "Robin Hale, RN", "America/New_York")


def session_summary(sequence: int = 1, status: SessionStatus = SessionStatus.DISCHARGED) -> SessionSummary:
    at = START + timedelta(days=2 * (sequence - 1))
    return SessionSummary(sequence, 7, sequence, 6, at, "Chair 1", status, Decimal("37.5"), Decimal("0.5"),
                          at + timedelta(hours=2) if status is SessionStatus.DISCHARGED else None)


def signature(meaning: str, name: str, at: datetime) -> SignatureEntry:
    return SignatureEntry(meaning, name, at, -300, "valid")


def dose(started: datetime = START + timedelta(minutes=20)) -> DoseRecordEntry:
    ordered = started - timedelta(minutes=10)
    stopped = started + timedelta(minutes=40)
    return DoseRecordEntry(
        id=11, mg_per_kg=Decimal("0.5"), weight_basis=WeightBasis.ACTUAL, weight_kg_used=Decimal("75"),
        dose_mg=Decimal("37.5"), vial_mg_per_ml=Decimal("50"), drug_volume_ml=Decimal("0.75"),
        diluent_ml=Decimal("100"), total_volume_ml=Decimal("100.75"), duration_min=Decimal("40"),
        pump_rate_ml_per_h=Decimal("151.1"), ordered_by="Dana Whitfield, MD", ordered_at=ordered,
        override_level=Grade.OK, override_reason="", finding_codes=(), lot_number="KT-2291",
        lot_expiry=date(2027, 1, 31), started_at=started, stopped_at=stopped, volume_given_ml=Decimal("100.75"),
        volume_wasted_ml=Decimal("0.25"), administered_by="Robin Hale, RN", waste_witness="Sam Ortiz, RN",
        signatures=(signature("Ordered by", "Dana Whitfield, MD", ordered),
                    signature("Administered by", "Robin Hale, RN", stopped),
                    signature("Witnessed by", "Sam Ortiz, RN", stopped + timedelta(minutes=1))))


def vitals(count: int = 12) -> tuple[VitalsEntry, ...]:
    """A baseline, readings every 10 minutes during the infusion, then every 15 minutes after."""
    rows = [VitalsEntry(1, START + timedelta(minutes=5), VitalsPhase.BASELINE, 128, 82, 74, 98, 14,
                        Decimal("36.7"), "Robin Hale, RN")]
    for k in range(1, count):
        during = k <= 4
        at = START + timedelta(minutes=20 + (10 * k if during else 40 + 15 * (k - 4)))
        systolic = 150 + 3 * k if during else 140 - 2 * k
        rows.append(VitalsEntry(k + 1, at, VitalsPhase.DURING if during else VitalsPhase.AFTER, systolic,
                                88 + k % 3, 80 + k, 97, 14, None, "Robin Hale, RN",
                                alerts=("Systolic 162 is 34 above baseline",) if k == 4 else ()))
    return tuple(rows)


def notes(long_text: str = "") -> tuple[NoteEntry, ...]:
    at = START + timedelta(minutes=45)
    return (
        NoteEntry(1, at, NoteKind.SIDE_EFFECT, {"effects": ["nausea", "dizziness"], "severity": "mild"}, "",
                  "Robin Hale, RN"),
        NoteEntry(2, at + timedelta(minutes=5), NoteKind.ADVERSE_EVENT,
                  {"event": "hypertension", "description": "", "severity": "moderate", "action": "infusion_slowed",
                   "medication": "", "outcome": "resolved", "physician_notified": True, "onset_minutes": 30},
                  "Rate halved for 10 minutes.", "Robin Hale, RN"),
        NoteEntry(3, at + timedelta(minutes=20), NoteKind.FREE_TEXT, {},
                  long_text or "Calm throughout; listened to music.", "Robin Hale, RN"),
    )


def score(instrument: str, name: str, total: int, band: str | None, at: datetime,
          timepoint: Timepoint = Timepoint.PRE, rater: Rater = Rater.PATIENT) -> ScoreEntry:
    return ScoreEntry(1, instrument, name, total, band, at, timepoint, rater, 7)


def consent(protocol: Protocol = Protocol.IV_INDUCTION, name: str = "Avery Quinn") -> ConsentSheet:
    kind = "consent-esketamine" if protocol.is_esketamine else "consent-racemic"
    course = ("8 nasal-spray sessions starting at 56 mg, on Mon, Thu, from 2026-03-02" if protocol.is_esketamine
              else "6 infusions of 0.5 mg/kg over 40 minutes, 3 a week, from 2026-03-02")
    return ConsentSheet(clinic(), patient(name), protocol, course,
                        templates.latest(kind), context())


def discharge(name: str = "Avery Quinn") -> DischargeSheet:
    last = vitals()[-1]
    return DischargeSheet(clinic(), patient(name), session_summary(), Protocol.IV_INDUCTION, Decimal("37.5"),
                          Decimal("0.5"), last,
                          score("aldrete", "Modified Aldrete", 10, "Ready for discharge", last.taken_at,
                                Timepoint.POST, Rater.CLINICIAN),
                          "Jordan Quinn", START + timedelta(days=2), templates.latest("discharge"), context())


def infusion_record(name: str = "Avery Quinn", long_text: str = "", readings: int = 12) -> InfusionRecordSheet:
    return InfusionRecordSheet(
        clinic(), patient(name), session_summary(), Protocol.IV_INDUCTION, dose(), vitals(readings),
        notes(long_text),
        (score("phq9", "PHQ-9", 18, "Moderately severe", START + timedelta(minutes=8)),
         score("cadss", "CADSS", 22, None, START + timedelta(minutes=50), Timepoint.DURING, Rater.CLINICIAN)),
        "", None, context())


def given_doses(count: int = 6) -> tuple[GivenDose, ...]:
    return tuple(GivenDose(f"Session {k} of {count}", START + timedelta(days=2 * (k - 1)), Decimal("37.5"),
                           Decimal("0.5"), WeightBasis.ACTUAL.label, Decimal("40"), "162/91", 20 - k,
                           ("Hypertension, moderate (infusion slowed)",) if k == 2 else ())
                 for k in range(1, count + 1))


def series_summary(count: int = 6) -> SeriesSummary:
    return SeriesSummary(7, Protocol.IV_INDUCTION, count, START.date(), Decimal("0.5"), SeriesStatus.COMPLETED, "",
                         "Chair 1", (0, 2, 4), tuple(session_summary(k) for k in range(1, count + 1)))


def summary_letter(name: str = "Avery Quinn", count: int = 6) -> SummaryLetter:
    phq = (21, 18, 15, 11, 9, 7, 6, 5, 5, 4, 4, 3, 3)
    gad = (15, 13, 11, 9, 8, 6, 6, 5, 5, 4, 4, 4, 4)
    points = tuple(ScorePoint(k, START + timedelta(days=2 * max(k - 1, 0)), instrument, values[k])
                   for k in range(count + 1) for instrument, values in (("phq9", phq), ("gad7", gad))
                   if k < len(values))
    return SummaryLetter(
        clinic(), patient(name),
        ReferringClinician(3, "Dr. Morgan Ellis", "Springfield Psychiatry", "40 Mill Road, Springfield",
                           "541-555-0142", "541-555-0143", "ellis@example.org"),
        ("Major depressive disorder, recurrent, severe (F33.2)",), series_summary(count), given_doses(count),
        SeriesScores(7, Protocol.IV_INDUCTION, START.date(), count, points),
        (OutcomeLine(7, "phq9", "PHQ-9", 21, phq[count], Decimal("-71"), "Remission", count + 1),
         OutcomeLine(7, "gad7", "GAD-7", 15, gad[count], Decimal("-60"), "Response", count + 1)),
        ("Sertraline 100 mg daily", "Lorazepam 0.5 mg as needed (held 24 h before each infusion)"),
        "Maintenance infusions every 3 to 4 weeks; check blood pressure at each visit.",
        "Dana Whitfield, MD", context())


def with_patient_name(sheet, name: str):
    return replace(sheet, patient=patient(name))
