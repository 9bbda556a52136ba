"""The clinic's own letterhead on every sheet: its paper, its logo, its emergency numbers, names kept off the
print queue, and no empty "call us at ." when a number is not set yet."""

from __future__ import annotations

import io
from dataclasses import replace

import pypdf
import pytest
from reportlab.lib.pagesizes import A4, LETTER

from clinic_desktop.domain.paperwork import SheetKind
from clinic_desktop.printing.consent import render_consent
from clinic_desktop.printing.discharge import render_discharge
from clinic_desktop.printing.infusion_record import render_infusion_record
from clinic_desktop.printing.letterhead_sample import render_letterhead_sample
from clinic_desktop.printing.summary_letter import render_summary_letter
from tests.pdf_text import flat, page_texts
from tests.printing import samples

#: Each sheet kind with a sample record and its renderer.
SHEETS = {
    SheetKind.CONSENT: (samples.consent, render_consent),
    SheetKind.DISCHARGE: (samples.discharge, render_discharge),
    SheetKind.RECORD: (samples.infusion_record, render_infusion_record),
    SheetKind.SUMMARY: (samples.summary_letter, render_summary_letter),
}


def tiny_png(width: int = 120, height: int = 60) -> bytes:
    """A plain PNG made here (Pillow comes with ReportLab), so no image file is needed."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (26, 115, 232)).save(out, "PNG")
    return out.getvalue()


def with_clinic(sheet, **changes):
    return replace(sheet, clinic=replace(sheet.clinic, **changes))


@pytest.mark.parametrize("kind", SHEETS)
@pytest.mark.parametrize(("paper", "size"), (("letter", LETTER), ("a4", A4)))
def test_every_sheet_prints_on_the_clinic_paper(kind: SheetKind, paper: str, size: tuple[float, float]) -> None:
    """Letter is 612 x 792 pt and A4 595.3 x 841.9 pt: every page of every sheet has the chosen size."""
    make, render = SHEETS[kind]
    reader = pypdf.PdfReader(io.BytesIO(render(with_clinic(make(), paper=paper))))
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size, abs=0.5)


@pytest.mark.parametrize("kind", SHEETS)
def test_pdf_title_names_the_sheet_and_mrn_not_the_patient(kind: SheetKind) -> None:
    """A PDF's title (what file managers and print queues show) is e.g. "Discharge sheet MRN 000123"."""
    make, render = SHEETS[kind]
    sheet = make()
    title = pypdf.PdfReader(io.BytesIO(render(sheet))).metadata.title
    assert title == f"{kind.label} MRN {sheet.patient.mrn}"
    assert "Avery" not in title and "Quinn" not in title


@pytest.mark.parametrize("kind", SHEETS)
def test_the_logo_is_printed_on_every_first_page(kind: SheetKind) -> None:
    """With a logo the first page carries one image more than without (charts are drawn, not images)."""
    make, render = SHEETS[kind]

    def images(pdf: bytes) -> int:
        return len(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images)

    plain, with_logo = render(make()), render(with_clinic(make(), logo=tiny_png()))
    assert images(with_logo) == images(plain) + 1


@pytest.mark.parametrize(("pixels", "millimetres"), (((2000, 500), (40, 10)), ((1000, 1000), (18, 18)),
                                                   ((60, 30), (60 * 25.4 / 72, 30 * 25.4 / 72))))
def test_a_logo_is_scaled_down_into_the_letterhead_box(pixels: tuple[int, int], millimetres: tuple[float, float]):
    """The box is 40 x 18 mm: a wide logo fills its width, a square one its height, and a small one is not
    enlarged (one pixel per point); proportions are kept."""
    from reportlab.lib.units import mm

    from clinic_desktop.printing.logo import logo_image

    image = logo_image(tiny_png(*pixels))
    assert (image.drawWidth / mm, image.drawHeight / mm) == pytest.approx(millimetres, abs=0.01)


def test_discharge_prints_the_clinic_emergency_and_crisis_numbers() -> None:
    """A clinic in Ireland sets 112 and 116 123: the box and the instructions say those, never 911 or 988."""
    sheet = with_clinic(samples.discharge(), emergency_number="112", crisis_number="116 123",
                        crisis_line="Samaritans")
    text = flat(" ".join(page_texts(render_discharge(sheet))))
    assert "Emergency: call 112. Thoughts of suicide: call or text 116 123." in text
    assert "Call 112 or go to the nearest emergency room" in text
    assert "call or text 116 123 (Samaritans) at any time, or call 112." in text
    assert "911" not in text and "988" not in text


def test_no_empty_call_us_sentence_before_the_phones_are_set() -> None:
    """Without phone numbers the sentences that would give them are left out, the rest of the paragraph stays."""
    sheet = with_clinic(samples.discharge(), phone="", after_hours_phone="")
    sheet = replace(sheet, next_appointment=None)
    text = flat(" ".join(page_texts(render_discharge(sheet))))
    assert " at ." not in text and "call ." not in text.lower()
    assert "After hours, call" not in text
    assert "Call us if you have:" in text
    assert "None booked — call the clinic to book one" in text
    consent = flat(" ".join(page_texts(render_consent(with_clinic(samples.consent(), phone="")))))
    assert "You can also call us at" not in consent and "Please ask us any question before you sign." in consent


def test_the_letterhead_sample_shows_what_sheets_will_carry() -> None:
    """The Clinic page's preview: name, address, contacts, the emergency numbers and the sample patient."""
    clinic = replace(samples.clinic(), email="front@riverside.example", emergency_number="112")
    text = flat(page_texts(render_letterhead_sample(clinic))[0])
    for expected in ("Riverside Ketamine Clinic", "12 Harbour Lane", "Phone 541-555-0100 · front@riverside.example",
                     "Emergency: call 112.", "Sample Patient"):
        assert expected in text
