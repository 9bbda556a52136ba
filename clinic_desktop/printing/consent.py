"""The consent form for a treatment series: what is covered, the versioned consent text, and three signatures."""

from __future__ import annotations

from dataclasses import replace

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from clinic_desktop.domain.paperwork import ConsentSheet, SheetKind, job_name
from clinic_desktop.printing import templates
from clinic_desktop.printing.formats import printed_line
from clinic_desktop.printing.layout import Styles, build_pdf, letterhead, para, styles
from clinic_desktop.printing.placeholders import values
from clinic_desktop.printing.signing_lines import FULL_WIDTH, signature_block
from clinic_desktop.printing.template_text import sections

BOX_FILL = colors.HexColor("#f1f3f4")
BOX_LINE = colors.HexColor("#9aa0a6")


def render_consent(sheet: ConsentSheet) -> bytes:
    s = styles()
    text = templates.filled(sheet.template, values(sheet.clinic, sheet.patient, sheet.protocol,
                                                   sheet.planned_course))
    story: list[Flowable] = [
        letterhead(sheet.clinic, sheet.patient, s),
        Spacer(1, 10),
        para(text.title, s.title),
        treatment_box(sheet, s),
        # The last section is the statement the patient signs: it never sits on a page apart from the signature
        # (and should it ever outgrow a page, the signature block itself still stays whole).
        *sections(replace(text, sections=text.sections[:-1]), s),
        KeepTogether([*sections(replace(text, sections=text.sections[-1:]), s), patient_block(s)]),
        *witnesses(s),
    ]
    footer = (f"Consent form {sheet.template.kind} version {sheet.template.version} · "
              f"{printed_line(sheet.context)}")
    return build_pdf(story, title=job_name(SheetKind.CONSENT, sheet.patient.mrn), footer=footer,
                     paper=sheet.clinic.paper)


def treatment_box(sheet: ConsentSheet, s: Styles) -> Table:
    """What this consent covers, boxed so the signer sees it before the text (a new protocol needs a new form)."""
    rows = [("Treatment covered", sheet.protocol.label), ("Route", sheet.protocol.route.label),
            ("Planned course", sheet.planned_course or "As your doctor plans it with you"),
            ("Form version", sheet.template.version)]
    label = s.cell.clone("box-label", fontName=s.heading.fontName)
    table = Table([[para(k, label), para(v, s.cell)] for k, v in rows], colWidths=[120, FULL_WIDTH - 120])
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, BOX_LINE), ("BACKGROUND", (0, 0), (-1, -1), BOX_FILL),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 8),
                               ("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 6)]))
    return table


def patient_block(s: Styles) -> KeepTogether:
    return signature_block("Patient (or legal representative)", s,
                           lines=("Printed name", "Signature", "Relationship"),
                           note="Sign only after all your questions have been answered. A legal representative "
                                "also writes their relationship to the patient.")


def witnesses(s: Styles) -> list[Flowable]:
    """The clinician who explained the treatment, and a witness: each block kept whole."""
    return [
        signature_block("Clinician obtaining consent", s,
                        note="I explained this treatment, its risks, benefits and alternatives, and answered "
                             "the patient's questions."),
        signature_block("Witness", s, note="I saw the person named above sign this form."),
    ]
