"""The infusion record of one session: the dose order and its administration with their signatures, amendments,
vital signs (table and chart), monitoring notes, adverse events and scores, as the chart of record prints it.

Every signature prints its meaning, printed name, time with the signer's offset and whether it still holds: a
signature that no longer matches the record is printed as such, in capitals, never quietly left out.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from clinic_desktop.domain.enums import VitalsPhase
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.paperwork import InfusionRecordSheet, SheetKind, job_name
from clinic_desktop.domain.quantities import plain
from clinic_desktop.domain.session_records import AmendmentEntry, DoseRecordEntry, SignatureEntry, VitalsEntry
from clinic_desktop.printing import formats
from clinic_desktop.printing.charts import charted_readings, vitals_chart
from clinic_desktop.printing.fonts import BOLD
from clinic_desktop.printing.layout import TEXT_WIDTH, Styles, build_pdf, grid, letterhead, para, styles
from clinic_desktop.printing.record_notes import notes_section

WIDTH = TEXT_WIDTH
NONE = "\u2014"  #: an em dash marks a value that was not recorded, so a blank never looks like an omission
LABEL_FILL = colors.HexColor("#f1f3f4")
#: A row taller than a page (a reason of thousands of characters) may split, but not into slivers shorter than this.
MIN_ROW_PART = 36
VITALS_HEADER = ("Time", "Phase", "BP mmHg", "HR bpm", "SpO\u2082 %", "RR /min", "Temp °C", "Alerts and action",
                 "Recorded by")
VITALS_WIDTHS = (34, 48, 48, 30, 32, 32, 36, WIDTH - 342, 82)
#: Phase words short enough that a reading stays on one line: a long session prints 60 of them.
PHASE_WORDS = {VitalsPhase.BASELINE: "Baseline", VitalsPhase.DURING: "During", VitalsPhase.AFTER: "After"}
NO_DOSE = "No dose was ordered for this session."


def render_infusion_record(sheet: InfusionRecordSheet) -> bytes:
    s = styles()
    story: list[Flowable] = [letterhead(sheet.clinic, sheet.patient, s), Spacer(1, 8),
                             para("Infusion record", s.title), *_session(sheet, s)]
    if sheet.dose is None:
        story += [para("Dose order", s.heading), para(NO_DOSE, s.body)]
    else:
        story += _dose(sheet.dose, sheet.context.zone_name, s)
    if sheet.checks_override_reason or sheet.checks_override_signature is not None:
        story += _checks_override(sheet, s)
    story += _vitals(sheet, s)
    story += notes_section(sheet.notes, sheet.context.zone_name, WIDTH, s)
    story += _scores(sheet, s)
    footer = f"Infusion record · {formats.printed_line(sheet.context)}"
    return build_pdf(story, title=job_name(SheetKind.RECORD, sheet.patient.mrn), footer=footer,
                     paper=sheet.clinic.paper)


def amount(value: Decimal | None, unit: str) -> str:
    """A measured value with its unit ("0.75 mL"), or a dash when it was not recorded."""
    return NONE if value is None else f"{plain(value)} {unit}"


def pairs_table(rows: Sequence[Sequence[tuple[str, str]]], s: Styles) -> Table:
    """Label/value pairs, two to a row; a row with one pair gives its value the whole width (long reasons)."""
    label_w, value_w = 104.0, WIDTH / 2 - 104.0
    data, style = [], [("BACKGROUND", (0, 0), (0, -1), LABEL_FILL)]
    for r, row in enumerate(rows):
        cells: list[object] = []
        for label, value in row:
            cells += [para(label, s.cell), para(value or NONE, s.cell)]
        if len(row) == 1:
            cells += ["", ""]
            style.append(("SPAN", (1, r), (3, r)))
        else:
            style.append(("BACKGROUND", (2, r), (2, r), LABEL_FILL))
        data.append(cells)
    table = grid(data, [label_w, value_w, label_w, value_w], s, header=False)
    table.splitInRow = MIN_ROW_PART
    table.setStyle(TableStyle(style))
    return table


def _session(sheet: InfusionRecordSheet, s: Styles) -> list[Flowable]:
    x, zone = sheet.session, sheet.context.zone_name
    return [pairs_table([[("Session", x.label), ("Date", formats.local_date(x.scheduled_at, zone))],
                         [("Chair", x.chair), ("Status", x.status.label)],
                         [("Protocol", sheet.protocol.label)]], s)]


def _dose(d: DoseRecordEntry, zone: str, s: Styles) -> list[Flowable]:
    basis = d.weight_basis.label if d.weight_basis is not None else NONE
    rows = [[("Dose", formats.mg(d.dose_mg)),
             ("Weight-based dose", NONE if d.mg_per_kg is None else formats.mg_per_kg(d.mg_per_kg))],
            [("Weight basis", basis), ("Weight used", amount(d.weight_kg_used, "kg"))],
            [("Vial concentration", amount(d.vial_mg_per_ml, "mg/mL")), ("Drug volume", amount(d.drug_volume_ml, "mL"))],
            [("Diluent", amount(d.diluent_ml, "mL")), ("Total volume", amount(d.total_volume_ml, "mL"))],
            [("Duration", amount(d.duration_min, "min")), ("Pump rate", amount(d.pump_rate_ml_per_h, "mL/h"))],
            [("Ordered by", d.ordered_by), ("Ordered at", formats.local(d.ordered_at, zone))]]
    if d.override_level is not Grade.OK:
        rows.append([("Dose checks", d.override_level.label.capitalize())])
        rows.append([("Override reason", d.override_reason or "No reason recorded")])
    story: list[Flowable] = [para("Dose order", s.heading), pairs_table(rows, s), para("Administration", s.heading)]
    if d.started_at is None:
        story.append(para("The infusion was not started.", s.body))
    else:
        lot = d.lot_number + (f", expires {d.lot_expiry.isoformat()}" if d.lot_expiry else "")
        stopped = formats.local(d.stopped_at, zone) if d.stopped_at else "Still running when printed"
        story.append(pairs_table([
            [("Lot", lot), ("Started", formats.local(d.started_at, zone))],
            [("Volume given", amount(d.volume_given_ml, "mL")), ("Stopped", stopped)],
            [("Volume wasted", amount(d.volume_wasted_ml, "mL")), ("Administered by", d.administered_by)],
            [("Waste witness", d.waste_witness)]], s))
    story += [para("Signatures", s.heading), signatures_table(d.signatures, s)]
    if d.amendments:
        story += [para("Amendments (the original values are kept)", s.heading), _amendments(d.amendments, zone, s)]
    return story


def signatures_table(signatures: Sequence[SignatureEntry], s: Styles) -> Flowable:
    """Meaning, printed name, time with the signer's offset, and status; one that no longer holds says so in bold
    capitals so nobody mistakes it for a valid signature."""
    if not signatures:
        return para("Not signed.", s.body)
    alarm = ParagraphStyle("alarm", parent=s.cell, fontName=BOLD)
    rows: list[list[object]] = [["Meaning", "Printed name", "Date and time (signer's clock)", "Status"]]
    for sig in signatures:
        status = para("Valid", s.cell) if sig.valid else para(sig.status.upper(), alarm)
        rows.append([sig.meaning, sig.name, formats.signed_at(sig), status])
    return grid(rows, [112, 124, 158, WIDTH - 394], s)


def _amendments(amendments: Sequence[AmendmentEntry], zone: str, s: Styles) -> Table:
    """When, who and what changed (old -> new) on one row; the reason under it across the whole width, since a
    reason may run to a long paragraph."""
    rows: list[list[object]] = [["When", "Amended by", "What changed"]]
    spans = []
    for a in amendments:
        changed = "\n".join(f"{_field(name)}: {_value(v, 'old', zone)} \u2192 {_value(v, 'new', zone)}"
                            for name, v in a.changes.items())
        rows.append([formats.local(a.amended_at, zone), a.amended_by, changed])
        rows.append([f"Reason: {a.reason}", "", ""])
        spans.append(("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)))
    table = grid(rows, [96, 120, WIDTH - 216], s)
    table.splitInRow = MIN_ROW_PART
    table.setStyle(TableStyle(spans))
    return table


def _field(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _value(change: object, key: str, zone: str) -> str:
    """An amended value as staff read it: a stored UTC time ("2026-03-02T15:00:00+00:00") in the clinic's zone."""
    value = change.get(key) if isinstance(change, dict) else None
    if value in (None, ""):
        return NONE
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return formats.local(moment, zone) if moment.tzinfo is not None else str(value)


def _checks_override(sheet: InfusionRecordSheet, s: Styles) -> list[Flowable]:
    story: list[Flowable] = [para("Pre-infusion checks overridden by a physician", s.heading),
                             pairs_table([[("Reason", sheet.checks_override_reason or "No reason recorded")]], s),
                             Spacer(1, 4)]
    sig = sheet.checks_override_signature
    story.append(signatures_table((sig,), s) if sig is not None else para("The override is not signed.", s.body))
    return story


def _vitals(sheet: InfusionRecordSheet, s: Styles) -> list[Flowable]:
    zone = sheet.context.zone_name
    story: list[Flowable] = [para("Vital signs", s.heading)]
    if not sheet.vitals:
        return story + [para("No vital signs were recorded.", s.body)]
    d = sheet.dose
    infusion = (d.started_at, d.stopped_at) if d is not None and d.started_at is not None else None
    story += [vitals_chart(sheet.vitals, zone, WIDTH, 190, infusion=infusion, window=sheet.chart_window),
              Spacer(1, 6)]
    charted = {id(v) for v in charted_readings(sheet.vitals, sheet.chart_window)}
    day = formats.local_day(sheet.session.scheduled_at, zone)
    left_off = len(sheet.vitals) - len(charted)
    if left_off and sheet.chart_window is not None:
        first, last = (formats.local(t, zone) for t in sheet.chart_window)
        story += [para(f"{left_off} {'reading is' if left_off == 1 else 'readings are'} dated outside this "
                       f"session ({first} to {last}): listed below with their date, left off the chart.", s.body),
                  Spacer(1, 4)]
    # Smaller type and padding than the other tables, so nine columns fit and each reading keeps to one line.
    compact = ParagraphStyle("compact", parent=s.cell, fontSize=8.5, leading=10.5)
    rows = [[para(text, compact) for text in row] for row in
            [VITALS_HEADER, *(_vitals_row(v, zone, id(v) in charted and formats.local_day(v.taken_at, zone) == day)
                              for v in sorted(sheet.vitals, key=lambda v: v.taken_at))]]
    table = grid(rows, VITALS_WIDTHS, s)
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return story + [table]


def _vitals_row(v: VitalsEntry, zone: str, on_the_day: bool = True) -> list[str]:
    """One reading; one dated on another day or outside the session prints its whole date, never a time that
    looks like one of the session's."""
    bp = NONE if v.systolic is None and v.diastolic is None else f"{_n(v.systolic)}/{_n(v.diastolic)}"
    alerts = "; ".join(v.alerts)
    if v.alert_action is not None:
        alerts += f"\nAction: {v.alert_action.label}"
    if v.alert_note:
        alerts += f"\n{v.alert_note}"
    temp = NONE if v.temperature_c is None else str(plain(v.temperature_c))
    when = formats.local_clock(v.taken_at, zone) if on_the_day else formats.local(v.taken_at, zone)
    return [when, PHASE_WORDS.get(v.phase, v.phase.label), bp, _n(v.heart_rate), _n(v.spo2),
            _n(v.resp_rate), temp, alerts.strip(), v.recorded_by]


def _n(value: int | None) -> str:
    return NONE if value is None else str(value)


def _scores(sheet: InfusionRecordSheet, s: Styles) -> list[Flowable]:
    zone = sheet.context.zone_name
    story: list[Flowable] = [para("Scores", s.heading)]
    if not sheet.scores:
        return story + [para("No scales were scored in this session.", s.body)]
    rows: list[list[object]] = [["Scale", "Total", "Band", "Time", "Timepoint", "Rater"]]
    rows += [[x.name, str(x.total), x.band or NONE, formats.local_clock(x.taken_at, zone), x.timepoint.label,
              x.rater.label] for x in sorted(sheet.scores, key=lambda x: x.taken_at)]
    return story + [grid(rows, [90, 44, WIDTH - 372, 42, 110, 86], s)]
