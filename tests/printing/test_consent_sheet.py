"""The consent form PDF: who and what it covers, the whole versioned text, and signature blocks kept whole."""

from __future__ import annotations

import io
from dataclasses import replace

import pypdf
import pytest

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.paperwork import ConsentSheet, TemplateSection
from clinic_desktop.printing import placeholders, templates
from clinic_desktop.printing.consent import render_consent
from tests.pdf_text import body as pdf_body
from tests.pdf_text import assert_template_printed_in_order, flat, page_texts
from tests.printing import samples

SIGNATURE_BLOCKS = ("Patient (or legal representative)", "Clinician obtaining consent", "Witness")
ESKETAMINE_COURSE = "56 mg twice a week for 4 weeks, then weekly"
#: 300 characters of words, so it can wrap.
LONG_NAME = " ".join(["Maximiliana-Theodora"] * 15)[:300].strip()


def body(pages: list[str]) -> str:
    return pdf_body(pages, ("Consent form consent-",))


def esketamine_sheet() -> ConsentSheet:
    return replace(samples.consent(Protocol.ESKETAMINE), planned_course=ESKETAMINE_COURSE)


@pytest.fixture(scope="module")
def racemic() -> list[str]:
    return page_texts(render_consent(samples.consent()))


@pytest.fixture(scope="module")
def esketamine() -> list[str]:
    return page_texts(render_consent(esketamine_sheet()))


def test_letterhead_shows_clinic_and_patient_identifiers(racemic: list[str]) -> None:
    """Clinic name, address and phone; patient name, date of birth and MRN."""
    first = racemic[0]
    for expected in ("Riverside Ketamine Clinic", "12 Harbour Lane, Suite 3", "Springfield, OR 97477",
                     "541-555-0100", "Avery Quinn", "1984-06-15", "MRN 000123"):
        assert expected in first


def test_treatment_box_names_protocol_route_and_course(racemic: list[str]) -> None:
    """The signer sees what the consent covers: the protocol, its route and the planned course."""
    first = flat(racemic[0])
    assert "Treatment covered IV racemic ketamine, induction" in first
    assert "Route Intravenous infusion" in first
    assert "Planned course 6 infusions of 0.5 mg/kg over 40 minutes, 3 a week, from 2026-03-02" in first
    assert "Form version 2026.1" in first


def test_every_template_heading_and_paragraph_prints_filled(racemic: list[str]) -> None:
    """The whole consent text is on the form, placeholders filled, in order."""
    sheet = samples.consent()
    text = body(racemic)
    filled = templates.filled(sheet.template, placeholders.values(sheet.clinic, sheet.patient, sheet.protocol,
                                                                 sheet.planned_course))
    assert_template_printed_in_order(filled, text)
    assert "by the intravenous route" in text


def test_signature_blocks_for_patient_clinician_and_witness(racemic: list[str]) -> None:
    """Three blocks, each with printed name, signature, date and time lines, after the consent text."""
    text = "\n".join(racemic)
    lines = text.splitlines()
    for title in SIGNATURE_BLOCKS:
        assert title in lines
    assert text.index("Your agreement") < text.index(SIGNATURE_BLOCKS[0])
    assert lines.count("Printed name") == 3
    assert lines.count("Signature") == 3
    assert lines.count("Date") == 3
    assert lines.count("Time") == 3
    assert "Relationship" in lines


def test_every_page_has_version_footer_and_page_k_of_n(racemic: list[str], esketamine: list[str]) -> None:
    """Template kind and version, who printed it and when, and "Page k of n" on every page."""
    for pages, kind in ((racemic, "consent-racemic"), (esketamine, "consent-esketamine")):
        assert len(pages) >= 2
        for number, page in enumerate(pages, start=1):
            assert f"Consent form {kind} version 2026.1 · printed 2026-03-02 14:00 by Robin Hale, RN" in page
            assert f"Page {number} of {len(pages)}" in page


def with_longer_agreement(sheet: ConsentSheet, sentences: int) -> ConsentSheet:
    """The sheet with its signed statement made longer, which moves the signature blocks down the pages."""
    *body_sections, last = sheet.template.sections
    extra = ("I also agree to this. " * sentences,) if sentences else ()
    longer = TemplateSection(last.heading, last.paragraphs + extra)
    return replace(sheet, template=replace(sheet.template, sections=(*body_sections, longer)))


def test_signature_blocks_never_split_across_pages() -> None:
    """Wherever the page ends (about 4 sentences a line, 8 at a time over most of a page), each block's lines
    stay on its title's page, the signed statement shares the patient's page, and no page is left blank."""
    for sentences in range(0, 240, 8):
        pages = page_texts(render_consent(with_longer_agreement(samples.consent(), sentences)))
        for title in SIGNATURE_BLOCKS:
            [page] = [p for p in pages if title in p.splitlines()]
            after = page.splitlines()[page.splitlines().index(title):]
            for label in ("Printed name", "Signature", "Date", "Time"):
                assert label in after, (title, label, sentences)
        if sentences <= 96:  # a statement of up to ~30 lines fits on a page with the patient's block
            [agreement_page] = [p for p in pages if "Your agreement" in p]
            assert SIGNATURE_BLOCKS[0] in agreement_page, sentences
        assert all(len(page.splitlines()) > 2 for page in pages), sentences  # more than the footer


def test_esketamine_consent_covers_rems_and_never_says_mg_per_kg(esketamine: list[str]) -> None:
    """Esketamine is a fixed dose under the REMS: its form never talks about mg/kg."""
    text = flat("\n".join(esketamine))
    assert "Intranasal esketamine (SPRAVATO)" in text
    assert "The SPRAVATO REMS safety program" in text
    assert "by the intranasal route" in text
    assert ESKETAMINE_COURSE in text
    assert "mg/kg" not in text


def test_racemic_consent_does_not_mention_rems(racemic: list[str]) -> None:
    """REMS belongs to SPRAVATO only."""
    assert "REMS" not in "\n".join(racemic)


def test_intramuscular_protocol_fills_its_route() -> None:
    """The racemic text serves IV and IM: the route placeholder says which."""
    text = flat("\n".join(page_texts(render_consent(samples.consent(Protocol.IM)))))
    assert "by the intramuscular route" in text
    assert "Treatment covered IM racemic ketamine" in text


def test_hostile_name_prints_literally() -> None:
    """Markup in a name is text on paper, never tags (CVE-2023-33733)."""
    text = "\n".join(page_texts(render_consent(samples.consent(name=samples.HOSTILE))))
    assert "<b>Bold</b>" in text
    assert "[[[x]]]" in text
    assert '<img src="x"/>' in text
    assert "legal representative of <b>Bold</b>" in flat(text)
    assert flat(samples.HOSTILE_SHOWN) in flat(text)  # entities stay entities: "&amp;" is not read as "&"


def test_names_in_many_scripts_print_with_the_fallback_font() -> None:
    """Zoë, Nguyễn and 王 all print; the CJK fallback font is embedded for 王."""
    pdf = render_consent(samples.consent(name=samples.NAMES_IN_MANY_SCRIPTS))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert samples.NAMES_IN_MANY_SCRIPTS in reader.pages[0].extract_text()
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any("DroidSansFallback" in str(fonts[key].get_object()["/BaseFont"]) for key in fonts)


def test_very_long_name_wraps_without_error() -> None:
    """A 300-character name wraps in the letterhead and in the agreement; every word is printed."""
    pages = page_texts(render_consent(samples.consent(name=LONG_NAME)))
    assert LONG_NAME in flat(pages[0])
    assert f"legal representative of {LONG_NAME}" in flat("\n".join(pages))
