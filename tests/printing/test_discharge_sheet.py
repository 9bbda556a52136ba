"""The discharge sheet PDF: what was given and how the patient left, the instructions, and whom to call."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pypdf
import pytest

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.paperwork import DischargeSheet
from clinic_desktop.printing import placeholders, templates
from clinic_desktop.printing.discharge import render_discharge
from tests.pdf_text import body as pdf_body
from tests.pdf_text import assert_template_printed_in_order, flat, page_texts
from tests.printing import samples

LONG_NAME = " ".join(["Maximiliana-Theodora"] * 15)[:300].strip()
EMERGENCY = "Emergency: call 911. Thoughts of suicide: call or text 988."


def body(pages: list[str]) -> str:
    return pdf_body(pages, ("Discharge instructions version",))


def rendered(sheet: DischargeSheet) -> str:
    return body(page_texts(render_discharge(sheet)))


@pytest.fixture(scope="module")
def pages() -> list[str]:
    return page_texts(render_discharge(samples.discharge()))


def test_letterhead_shows_clinic_and_patient_identifiers(pages: list[str]) -> None:
    """Clinic name, address and phone; patient name, date of birth and MRN."""
    for expected in ("Riverside Ketamine Clinic", "12 Harbour Lane, Suite 3", "Springfield, OR 97477",
                     "541-555-0100", "Avery Quinn", "1984-06-15", "MRN 000123"):
        assert expected in pages[0]


def test_summary_shows_session_dose_vitals_score_escort_and_next_visit(pages: list[str]) -> None:
    """Session label and local date, mg and mg/kg, the last vital signs, the discharge score, escort, next visit."""
    text = flat(pages[0])
    last = samples.vitals()[-1]
    assert "Date of session: Session 1 of 6, Monday 2026-03-02 09:00" in text  # 14:00 UTC in New York
    assert "Treatment: IV racemic ketamine, induction" in text
    assert "Given: 37.5 mg (0.5 mg/kg)" in text
    assert (f"BP {last.systolic}/{last.diastolic} · HR {last.heart_rate} · SpO2 {last.spo2}% · RR {last.resp_rate}"
            in text)
    assert "(at 11:45)" in text  # the reading's local time
    assert "Discharge score: Modified Aldrete 10 — Ready for discharge" in text
    assert "Escort: Jordan Quinn" in text
    assert "Next appointment: Wednesday 2026-03-04 09:00" in text


def test_emergency_panel_and_clinic_numbers_come_before_the_instructions(pages: list[str]) -> None:
    """911, 988 and both clinic numbers are on the first page, above the instructions."""
    text = flat(pages[0])
    assert EMERGENCY in text
    assert "Riverside Ketamine Clinic: 541-555-0100 · After hours: 541-555-0199" in text
    assert text.index(EMERGENCY) < text.index("1. For the rest of today")


def test_every_template_heading_and_paragraph_prints_filled(pages: list[str]) -> None:
    """The whole instruction text is on the sheet, in order, with the clinic's numbers filled in."""
    sheet = samples.discharge()
    text = body(pages)
    filled = templates.filled(sheet.template, placeholders.values(sheet.clinic, sheet.patient, sheet.protocol))
    assert_template_printed_in_order(filled, text)
    for expected in ("call or text 988", "Call 911", "After hours, call 541-555-0199", "not a substitute"):
        assert expected in text


def test_acknowledgement_has_patient_and_nurse_signature_lines(pages: list[str]) -> None:
    """The patient and the nurse each sign, with date and time, after the instructions."""
    lines = pages[-1].splitlines()
    assert {"Acknowledgement", "Patient", "Nurse", "Printed name"} <= set(lines)
    assert lines.count("Signature") == 2
    assert lines.count("Date") == 2
    assert lines.count("Time") == 2


def test_fits_on_two_pages_with_version_footer_and_page_numbers(pages: list[str]) -> None:
    """One or two pages, each saying the template version, who printed it, and "Page k of n"."""
    assert 1 <= len(pages) <= 2
    for number, page in enumerate(pages, start=1):
        assert "Discharge instructions version 2026.2 · printed 2026-03-02 14:00 by Robin Hale, RN" in page
        assert f"Page {number} of {len(pages)}" in page


@pytest.mark.parametrize("escort", ["", "   "])
def test_missing_escort_is_said_plainly(escort: str) -> None:
    """No escort recorded is printed as such, never as an empty cell."""
    assert "Escort: No escort recorded" in rendered(replace(samples.discharge(), escort_name=escort))


def test_no_next_appointment_tells_the_patient_to_call() -> None:
    """Without a booking the sheet says so and gives the number to call."""
    text = rendered(replace(samples.discharge(), next_appointment=None))
    assert "Next appointment: None booked — call the clinic at 541-555-0100" in text


def test_missing_dose_vitals_and_score_are_marked_not_recorded() -> None:
    """Gaps in the record are visible on paper."""
    text = rendered(replace(samples.discharge(), dose_mg=None, mg_per_kg=None, last_vitals=None,
                            discharge_score=None))
    assert "Given: No dose recorded" in text
    assert "Vital signs at discharge: Not recorded" in text
    assert "Discharge score: Not recorded" in text


def test_partial_vitals_print_only_the_readings_taken() -> None:
    """A reading without blood pressure still shows heart rate and saturation, and never "None"."""
    last = replace(samples.vitals()[-1], systolic=None, diastolic=None, resp_rate=None)
    text = rendered(replace(samples.discharge(), last_vitals=last))
    assert f"Vital signs at discharge: HR {last.heart_rate} · SpO2 {last.spo2}% (at 11:45)" in text
    assert "None" not in text


def test_esketamine_dose_is_in_mg_only() -> None:
    """Esketamine is a fixed dose: mg, never mg/kg (even if a value were passed)."""
    sheet = replace(samples.discharge(), protocol=Protocol.ESKETAMINE, dose_mg=Decimal("56.00"),
                    mg_per_kg=Decimal("0.75"))
    text = rendered(sheet)
    assert "Given: 56 mg" in text
    assert "mg/kg" not in text
    assert "Intranasal esketamine (SPRAVATO)" in text


def test_clinic_without_after_hours_line_gives_the_main_number() -> None:
    """The patient always has a number to call out of hours."""
    clinic = replace(samples.clinic(), after_hours_phone="")
    text = rendered(replace(samples.discharge(), clinic=clinic))
    assert "After hours: 541-555-0100" in text
    assert "After hours, call 541-555-0100" in text


def test_hostile_name_and_escort_print_literally() -> None:
    """Markup in a name is text on paper, never tags (CVE-2023-33733)."""
    sheet = replace(samples.discharge(name=samples.HOSTILE), escort_name=samples.HOSTILE)
    text = "\n".join(page_texts(render_discharge(sheet)))
    assert text.count("<b>Bold</b>") == 2
    assert text.count("[[[x]]]") == 2
    assert f"Escort: {flat(samples.HOSTILE_SHOWN)}" in flat(text)


def test_names_in_many_scripts_print_with_the_fallback_font() -> None:
    """Zoë, Nguyễn and 王 all print; the CJK fallback font is embedded for 王."""
    sheet = replace(samples.discharge(name=samples.NAMES_IN_MANY_SCRIPTS), escort_name="王芳")
    reader = pypdf.PdfReader(io.BytesIO(render_discharge(sheet)))
    text = reader.pages[0].extract_text()
    assert samples.NAMES_IN_MANY_SCRIPTS in text
    assert "Escort:" in text and "王芳" in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any("DroidSansFallback" in str(fonts[key].get_object()["/BaseFont"]) for key in fonts)


def test_very_long_patient_and_escort_names_wrap_without_error() -> None:
    """300-character names wrap in the letterhead and in the summary; every word is printed."""
    sheet = replace(samples.discharge(name=LONG_NAME), escort_name=LONG_NAME)
    pages = page_texts(render_discharge(sheet))
    assert LONG_NAME in flat(pages[0])
    assert f"Escort: {LONG_NAME}" in body(pages)
    assert len(pages) <= 3


def test_clinic_without_any_phone_prints_no_empty_number() -> None:
    """A clinic that has not set its phones yet: the emergency numbers still print, no dangling "Phone"."""
    clinic = replace(samples.clinic(), phone="", after_hours_phone="")
    text = rendered(replace(samples.discharge(), clinic=clinic))
    assert "call 911" in text and "988" in text
    assert "After hours:" not in text and "Phone" not in text
