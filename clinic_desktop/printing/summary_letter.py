"""The series summary letter to the referring clinician (reference section 11): why the patient was treated,
the course with every dose in mg and mg/kg, how the scales moved (with a chart), how the treatment was
tolerated, the medications, the recommendations in the physician's own words, and a signature."""

from __future__ import annotations

from typing import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from clinic_desktop.domain.paperwork import GivenDose, SheetKind, SummaryLetter, job_name
from clinic_desktop.domain.records import OutcomeLine, ReferringClinician
from clinic_desktop.printing import formats
from clinic_desktop.printing.charts import scores_chart
from clinic_desktop.printing.fonts import BOLD
from clinic_desktop.printing.infusion_record import NONE, amount
from clinic_desktop.printing.layout import TEXT_WIDTH, Styles, build_pdf, grid, letterhead, para, styles
from clinic_desktop.printing.signing_lines import INK

WIDTH = TEXT_WIDTH
#: The doses table's columns and widths: each as wide as its usual longest value at 8.5 pt ("Session 12 of 12",
#: "Actual body weight"); the adverse events take the rest.
DOSE_COLUMNS = (("Session", 77), ("Date", 56), ("Dose", 42), ("mg/kg", 50), ("Weight basis", 88), ("Duration", 44),
                ("Peak BP", 42), ("CADSS", 36), ("Adverse events", 0))


def render_summary_letter(sheet: SummaryLetter) -> bytes:
    s = styles()
    zone = sheet.context.zone_name
    story: list[Flowable] = [letterhead(sheet.clinic, sheet.patient, s), Spacer(1, 10),
                             para(formats.local_date(sheet.context.printed_at, zone), s.body), Spacer(1, 6),
                             *_addressee(sheet.referring_clinician, s), Spacer(1, 6),
                             para(f"Re: {sheet.patient.name}, date of birth {sheet.patient.date_of_birth.isoformat()}, "
                                  f"MRN {sheet.patient.mrn}", ParagraphStyle("re", parent=s.body, fontName=BOLD)),
                             para(_salutation(sheet.referring_clinician), s.body),
                             para(f"Thank you for referring {sheet.patient.name} to {sheet.clinic.name}. This letter "
                                  f"summarises the course of {sheet.series.protocol.label} and what we recommend next.",
                                  s.body)]
    story += [para("Reason for treatment", s.heading), *_bullets(sheet.diagnoses, "No diagnosis recorded.", s)]
    story += _course(sheet, s)
    story += _trajectory(sheet, s)
    story += [para("Tolerability", s.heading), para(tolerability(sheet.doses), s.body)]
    story += [para("Concomitant medications", s.heading), *_bullets(sheet.medications, "None recorded.", s)]
    if sheet.rems_status:
        story += [para("SPRAVATO REMS", s.heading), para(sheet.rems_status, s.body)]
    story += [para("Recommendations", s.heading),
              para(sheet.recommendations or "No recommendations were written.", s.body)]
    story += _closing(sheet, s)
    footer = f"Series summary · {formats.printed_line(sheet.context)}"
    return build_pdf(story, title=job_name(SheetKind.SUMMARY, sheet.patient.mrn), footer=footer,
                     paper=sheet.clinic.paper)


def _addressee(clinician: ReferringClinician | None, s: Styles) -> list[Flowable]:
    if clinician is None:
        return [para("To the patient's clinician", s.body)]
    lines = [clinician.full_name, clinician.practice, clinician.address]
    return [para("\n".join(line for line in lines if line), s.body)]


def _salutation(clinician: ReferringClinician | None) -> str:
    return f"Dear {clinician.full_name}," if clinician is not None else "Dear colleague,"


def _bullets(items: Sequence[str], empty: str, s: Styles) -> list[Flowable]:
    if not items:
        return [para(empty, s.body)]
    bullet = ParagraphStyle("bullet", parent=s.body, leftIndent=12, bulletIndent=2, spaceAfter=1)
    return [_bullet(item, bullet) for item in items]


def _bullet(text: str, style: ParagraphStyle) -> Flowable:
    item = para(text, style)
    item.bulletText = "\u2022"  # set on the paragraph, not as markup: the text itself stays literal
    return item


def _course(sheet: SummaryLetter, s: Styles) -> list[Flowable]:
    series, zone, doses = sheet.series, sheet.context.zone_name, sheet.doses
    status = series.status.label + (f": {series.stop_reason}" if series.stop_reason else "")
    given = f"{len(doses)} of {series.planned_sessions} planned sessions given"
    if doses:
        first, last = (formats.local_date(d.given_at, zone) for d in (doses[0], doses[-1]))
        given += f", {first}" + (f" to {last}" if last != first else "")
    lines = [f"Treatment: {series.protocol.label}, target dose {series.target_dose_label}",
             f"Sessions: {given}", f"Status of the course: {status}"]
    if uniform_basis(doses):
        lines.append(f"Weight basis of every dose: {uniform_basis(doses)}")
    story: list[Flowable] = [para("Course of treatment", s.heading), *(para(line, s.body) for line in lines)]
    if not doses:
        return story + [para("No doses were given.", s.body)]
    return story + [Spacer(1, 4), doses_table(doses, zone, s)]


def doses_table(doses: Sequence[GivenDose], zone: str, s: Styles) -> Table:
    """One row per dose. When every dose used the same weight basis (the usual case) the course says it once
    (see _course) and the column goes, leaving the adverse events room to be read; fixed doses (esketamine) have
    neither mg/kg nor a weight basis, so both columns go."""
    weight_based = any(d.mg_per_kg is not None for d in doses)
    dropped = set() if weight_based else {"mg/kg", "Weight basis"}
    if uniform_basis(doses) or not weight_based:
        dropped.add("Weight basis")
    columns = [(name, width) for name, width in DOSE_COLUMNS if name not in dropped]
    widths = [w or WIDTH - sum(x for _n, x in columns) for _n, w in columns]
    compact = ParagraphStyle("compact", parent=s.cell, fontSize=8.5, leading=10.5)
    rows = [[para(name, compact) for name, _w in columns]]
    rows += [[para(_dose_cells(d, zone)[name], compact) for name, _w in columns] for d in doses]
    table = grid(rows, widths, s)
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return table


def uniform_basis(doses: Sequence[GivenDose]) -> str:
    """The weight basis every dose shares ("Actual body weight"), or "" when they differ or none is known."""
    bases = {d.weight_basis for d in doses}
    return bases.pop() if len(bases) == 1 else ""


def _dose_cells(d: GivenDose, zone: str) -> dict[str, str]:
    """Every column's text for one dose, by column name (DOSE_COLUMNS)."""
    return {"Session": d.label, "Date": formats.local_date(d.given_at, zone), "Dose": formats.mg(d.dose_mg),
            "mg/kg": NONE if d.mg_per_kg is None else formats.mg_per_kg(d.mg_per_kg),
            "Weight basis": d.weight_basis or NONE, "Duration": amount(d.duration_min, "min"),
            "Peak BP": d.peak_bp or NONE, "CADSS": NONE if d.cadss is None else str(d.cadss),
            "Adverse events": "; ".join(d.adverse_events) or "None"}


def outcome_text(o: OutcomeLine) -> str:
    """"PHQ-9: 21 at baseline, 5 at the latest (-71 %): Remission (7 scores)"."""
    change = f" ({o.percent_change:+} %)" if o.percent_change is not None else " (no % change from a baseline of 0)"
    return f"{o.name}: {o.baseline} at baseline, {o.latest} at the latest{change}: {o.status} ({o.n_points} scores)"


def _trajectory(sheet: SummaryLetter, s: Styles) -> list[Flowable]:
    story: list[Flowable] = [para("Scale trajectory", s.heading)]
    story += [para(outcome_text(o), s.body) for o in sheet.outcomes] or [para("No outcome could be computed.", s.body)]
    story += [Spacer(1, 4), scores_chart(sheet.scores, WIDTH, 180)]
    return [KeepTogether(story)]  # the numbers and their chart read together


def tolerability(doses: Sequence[GivenDose]) -> str:
    """The tolerability paragraph, from the doses: highest blood pressure, highest CADSS, adverse events."""
    if not doses:
        return "No doses were given, so there is nothing to report on tolerability."
    parts = []
    peak = max(((_systolic(d.peak_bp), d) for d in doses if _systolic(d.peak_bp) is not None),
               key=lambda pair: pair[0], default=None)
    if peak is not None:
        parts.append(f"The highest blood pressure recorded was {peak[1].peak_bp} mmHg ({peak[1].label}).")
    cadss = max((d for d in doses if d.cadss is not None), key=lambda d: d.cadss, default=None)
    if cadss is not None:
        parts.append(f"The highest dissociation score (CADSS) was {cadss.cadss} ({cadss.label}).")
    events = [f"{d.label}: {event}" for d in doses for event in d.adverse_events]
    parts.append("Adverse events: " + "; ".join(events) + "." if events
                 else "There were no adverse events during the course.")
    return " ".join(parts)


def _systolic(peak_bp: str) -> int | None:
    head = peak_bp.split("/", 1)[0].strip()
    return int(head) if head.isdigit() else None


def _closing(sheet: SummaryLetter, s: Styles) -> list[Flowable]:
    """"Yours sincerely," over lines to sign and date by hand, with the signer's printed name (a blank line to
    write it on when no signer was chosen); kept together so the signature never sits alone on a page."""
    rows = [[para("Yours sincerely,", s.body), "", ""], ["", "", ""],
            [para("Signature", s.small), "", ""], [para("Printed name", s.small), para(sheet.signer_name, s.body), ""],
            [para("Date", s.small), "", ""]]
    table = Table(rows, colWidths=[90, WIDTH * 0.45, WIDTH * 0.55 - 90], rowHeights=[None, 10, 34, 26, 26])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("SPAN", (0, 0), (-1, 0)),
                               *(("LINEBELOW", (1, r), (1, r), 0.6, INK) for r in (2, 3, 4))]))
    return [Spacer(1, 12), KeepTogether([table])]
