"""The sheet a patient takes home: what was given and how they left, the versioned instructions, whom to call."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from clinic_desktop.domain.paperwork import DischargeSheet, SheetKind, job_name
from clinic_desktop.domain.session_records import VitalsEntry
from clinic_desktop.printing import formats, templates
from clinic_desktop.printing.layout import Styles, build_pdf, letterhead, para, styles
from clinic_desktop.printing.placeholders import values
from clinic_desktop.printing.signing_lines import FULL_WIDTH, column_width, side_by_side, signature_parts
from clinic_desktop.printing.template_text import sections

ALERT_RED = colors.HexColor("#b3261e")
ALERT_FILL = colors.HexColor("#fdecea")
SUMMARY_LINE = colors.HexColor("#bdc1c6")
NOT_RECORDED = "Not recorded"
NO_ESCORT = "No escort recorded"


def render_discharge(sheet: DischargeSheet) -> bytes:
    s = styles()
    text = templates.filled(sheet.template, values(sheet.clinic, sheet.patient, sheet.protocol))
    story: list[Flowable] = [
        letterhead(sheet.clinic, sheet.patient, s),
        Spacer(1, 10),
        para(text.title, s.title),
        summary(sheet, s),
        Spacer(1, 8),
        emergency_panel(sheet, s),
        *sections(text, s),
        Spacer(1, 6),
        acknowledgement(s),
    ]
    footer = f"Discharge instructions version {sheet.template.version} · {formats.printed_line(sheet.context)}"
    return build_pdf(story, title=job_name(SheetKind.DISCHARGE, sheet.patient.mrn), footer=footer,
                     paper=sheet.clinic.paper)


def summary(sheet: DischargeSheet, s: Styles) -> Table:
    """Today's session at a glance, as label and value rows."""
    zone = sheet.context.zone_name
    rows = [
        ("Date of session:", f"{sheet.session.label}, {weekday_and_time(sheet.session.scheduled_at, zone)}"),
        ("Treatment:", sheet.protocol.label),
        ("Given:", given(sheet)),
        ("Vital signs at discharge:", vitals_line(sheet.last_vitals, zone)),
        ("Discharge score:", score_line(sheet)),
        ("Escort:", sheet.escort_name.strip() or NO_ESCORT),
        ("Next appointment:", weekday_and_time(sheet.next_appointment, zone) if sheet.next_appointment
         else "None booked — call the clinic" + (f" at {sheet.clinic.phone}" if sheet.clinic.phone else "")
         + " to book one"),
    ]
    label = s.cell.clone("summary-label", fontName=s.heading.fontName)
    value = s.cell.clone("summary-value", fontSize=10, leading=13)
    # Leaving without an escort is a safety gap: it stands out rather than reading like any other value.
    warning = value.clone("summary-warning", fontName=s.heading.fontName, textColor=ALERT_RED)
    table = Table([[para(k, label), para(v, warning if v == NO_ESCORT else value)] for k, v in rows],
                  colWidths=[150, FULL_WIDTH - 150])
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -2), 0.4, SUMMARY_LINE),
                               ("BOX", (0, 0), (-1, -1), 0.8, SUMMARY_LINE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table


def weekday_and_time(at: datetime, zone_name: str) -> str:  # `at` is aware
    """"Monday 2026-03-02 09:00": the weekday helps a patient remember an appointment."""
    return f"{formats.in_zone(at, zone_name):%A} {formats.local(at, zone_name)}"


def given(sheet: DischargeSheet) -> str:
    """mg, and mg/kg for weight-based (racemic) doses; esketamine is a fixed dose, so mg only."""
    if sheet.dose_mg is None:
        return "No dose recorded"
    if sheet.protocol.weight_based and sheet.mg_per_kg is not None:
        return f"{formats.mg(sheet.dose_mg)} ({formats.mg_per_kg(sheet.mg_per_kg)})"
    return formats.mg(sheet.dose_mg)


def vitals_line(v: VitalsEntry | None, zone_name: str) -> str:
    if v is None:
        return NOT_RECORDED
    parts = []
    if v.systolic is not None and v.diastolic is not None:
        parts.append(f"BP {v.systolic}/{v.diastolic}")
    for name, reading, unit in (("HR", v.heart_rate, ""), ("SpO2", v.spo2, "%"), ("RR", v.resp_rate, "")):
        if reading is not None:
            parts.append(f"{name} {reading}{unit}")
    return f"{' · '.join(parts) or NOT_RECORDED} (at {formats.local_clock(v.taken_at, zone_name)})"


def score_line(sheet: DischargeSheet) -> str:
    score = sheet.discharge_score
    if score is None:
        return NOT_RECORDED
    return f"{score.name} {score.total}" + (f" — {score.band}" if score.band else "")


def emergency_panel(sheet: DischargeSheet, s: Styles) -> Table:
    """The numbers that matter most, boxed in red so they are found at a glance."""
    big = s.body.clone("emergency", fontName=s.heading.fontName, fontSize=12, leading=16, spaceAfter=2)
    clinic = sheet.clinic
    lines = [para(f"Emergency: call {clinic.emergency_number}. Thoughts of suicide: call or text "
                  f"{clinic.crisis_number}.", big)]
    after_hours = clinic.out_of_hours_phone
    numbers = [n for n in (clinic.phone, after_hours and f"After hours: {after_hours}") if n]
    if numbers:  # a clinic that has not set its phone prints no empty "Phone:" for a patient to puzzle over
        lines.append(para(f"{clinic.name}: {' · '.join(numbers)}", s.body))
    table = Table([[lines]], colWidths=[FULL_WIDTH])
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, ALERT_RED), ("BACKGROUND", (0, 0), (-1, -1), ALERT_FILL),
                               ("LEFTPADDING", (0, 0), (-1, -1), 10), ("TOPPADDING", (0, 0), (-1, -1), 6),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table


def acknowledgement(s: Styles) -> KeepTogether:
    """The patient confirms receiving the instructions; the nurse who gave them signs beside."""
    width = column_width(FULL_WIDTH, 2)
    return KeepTogether([
        para("Acknowledgement", s.heading),
        para("I received these instructions, and my questions were answered. An adult is taking me home.", s.body),
        side_by_side([signature_parts("Patient", s, width, lines=("Signature",)),
                      # Signature first, so both signature lines sit level.
                      signature_parts("Nurse", s, width, lines=("Signature", "Printed name"))]),
    ])
