"""The series summary letter as printed: addressed to the referring clinician, every dose in mg and mg/kg, the
outcome with its % change and chart, tolerability from the doses, literal recommendations and a signature."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from clinic_desktop.domain.enums import Protocol, SeriesStatus
from clinic_desktop.domain.records import ScorePoint
from clinic_desktop.printing.charts import NO_SCORES
from clinic_desktop.printing.summary_letter import render_summary_letter, tolerability
from tests.pdf_text import page_texts as pages
from tests.printing import samples


def text_of(sheet) -> str:
    return "\n".join(pages(render_summary_letter(sheet)))


def flat(text: str) -> str:
    return "".join(text.split())


def twelve_sessions():
    """A course of twelve infusions (the sample's score lists stop at eleven sessions)."""
    letter = samples.summary_letter(count=11)
    return replace(letter, doses=samples.given_doses(12), series=samples.series_summary(12))


@pytest.fixture(scope="module")
def letter_text() -> str:
    return text_of(samples.summary_letter())


def test_addressed_to_the_referring_clinician(letter_text):
    """Date, the clinician's name, practice and address, and the patient's identifiers in the Re: line."""
    for value in ("2026-03-02", "Dr. Morgan Ellis", "Springfield Psychiatry", "40 Mill Road, Springfield",
                  "Re: Avery Quinn, date of birth 1984-06-15, MRN 000123", "Dear Dr. Morgan Ellis,"):
        assert value in letter_text, value


def test_without_a_referring_clinician():
    """No referring clinician on file: the letter goes to the patient's clinician."""
    text = text_of(replace(samples.summary_letter(), referring_clinician=None))
    assert "To the patient's clinician" in text and "Dear colleague," in text


def test_reason_course_and_every_dose(letter_text):
    """Diagnosis, treatment, sessions given of planned with dates, and each dose in mg and mg/kg."""
    for value in ("Major depressive disorder, recurrent, severe (F33.2)", "IV racemic ketamine, induction",
                  "6 of 6 planned sessions given, 2026-03-02 to 2026-03-12", "Completed", "Actual body weight",
                  "40 min", "162/91"):
        assert value in letter_text, value
    assert letter_text.count("37.5 mg") >= 6 and letter_text.count("0.5 mg/kg") >= 6
    for k in range(6):
        assert f"2026-03-{2 + 2 * k:02d}" in letter_text
        assert f"Session {k + 1} of 6" in letter_text
    assert "Weight basis of every dose: Actual body weight" in letter_text


def test_mixed_weight_bases_get_their_own_column():
    """When the doses used different weight bases, each row says which."""
    letter = samples.summary_letter()
    doses = (replace(letter.doses[0], weight_basis="Ideal body weight (Devine)"), *letter.doses[1:])
    text = text_of(replace(letter, doses=doses))
    assert "Weight basis of every dose" not in text
    assert "Weight basis" in text and "Idealbodyweight(Devine)" in flat(text) and text.count("Actual body weight") == 5


def test_scale_trajectory_with_percent_change(letter_text):
    """Baseline to latest for each scale with its % change and status, and the chart's legend."""
    assert "PHQ-9: 21 at baseline, 6 at the latest (-71 %): Remission" in letter_text
    assert "GAD-7: 15 at baseline, 6 at the latest (-60 %): Response" in letter_text
    assert "PHQ-9 remission (total below 5)" in letter_text


def test_tolerability_medications_and_recommendations(letter_text):
    """Peak BP, highest CADSS and the adverse event; the medication list; the recommendation as written."""
    for value in ("The highest blood pressure recorded was 162/91 mmHg", "The highest dissociation score (CADSS) was 19",
                  "Session 2 of 6: Hypertension, moderate (infusion slowed)", "Sertraline 100 mg daily",
                  "Lorazepam 0.5 mg as needed (held 24 h before each infusion)",
                  "Maintenance infusions every 3 to 4 weeks; check blood pressure at each visit."):
        assert flat(value) in flat(letter_text), value


def test_signature_and_page_numbers(letter_text):
    """The signer's name with lines to sign and date; "Page k of n" and the footer on every page."""
    assert "Yours sincerely," in letter_text and "Dana Whitfield, MD" in letter_text
    texts = pages(render_summary_letter(samples.summary_letter()))
    for k, text in enumerate(texts, start=1):
        assert f"Page {k} of {len(texts)}" in text
        assert "Series summary · printed 2026-03-02 14:00 by Robin Hale, RN" in text


def test_blank_signer_leaves_a_line_to_write_on():
    """Without a chosen signer the letter still has its signature, name and date lines, and no name."""
    text = text_of(replace(samples.summary_letter(), signer_name=""))
    assert "Signature" in text and "Printed name" in text and "Dana Whitfield" not in text


def test_recommendations_multi_line_and_literal():
    """Each line of the physician's text prints, markup and all, as typed."""
    recs = "Maintenance every 4 weeks.\nCheck LFTs in 3 months.\n" + samples.HOSTILE
    text = text_of(replace(samples.summary_letter(), recommendations=recs))
    assert "Maintenance every 4 weeks." in text and "Check LFTs in 3 months." in text
    assert flat(samples.HOSTILE_SHOWN) in flat(text)


def test_hostile_and_many_script_names():
    """A hostile patient name and medication print literally; names in many scripts keep their glyphs."""
    sheet = replace(samples.summary_letter(name=samples.HOSTILE), medications=(samples.HOSTILE,))
    assert flat(text_of(sheet)).count(flat(samples.HOSTILE_SHOWN)) >= 4  # letterhead, Re:, thank-you line, medication
    text = text_of(samples.summary_letter(name=samples.NAMES_IN_MANY_SCRIPTS))
    for part in ("Zoë", "O'Brien-Nguyễn", "王小明"):
        assert part in text


def test_twelve_sessions():
    """A twelve-infusion course lists every session and its dates."""
    text = text_of(twelve_sessions())
    assert "12 of 12 planned sessions given" in text and "12 of 12" in text and "2026-03-24" in text


def test_no_or_one_score_point_does_not_break_the_chart():
    """No scores print a sentence in the chart's place; a single score prints its panel."""
    letter = samples.summary_letter()
    none = text_of(replace(letter, scores=None, outcomes=()))
    assert NO_SCORES in none and "No outcome could be computed." in none
    one = replace(letter.scores, points=(ScorePoint(1, samples.START, "phq9", 19),))
    assert "PHQ-9 (0\u201327)" in text_of(replace(letter, scores=one, outcomes=()))


def test_esketamine_course_without_mg_per_kg_and_with_rems():
    """A fixed-dose course has no mg/kg or weight-basis column, and prints the REMS status when there is one."""
    letter = samples.summary_letter()
    doses = tuple(replace(d, dose_mg=Decimal("56"), mg_per_kg=None, weight_basis="") for d in letter.doses)
    series = replace(letter.series, protocol=Protocol.ESKETAMINE, target_dose=Decimal("56"))
    text = text_of(replace(letter, series=series, doses=doses, rems_status="Enrolled 2026-03-01"))
    assert text.count("56 mg") == 7 and "mg/kg" not in text and "Weight basis" not in text
    assert "Intranasal esketamine (SPRAVATO), target dose 56 mg" in text
    assert "SPRAVATO REMS" in text and "Enrolled 2026-03-01" in text
    assert "SPRAVATO REMS" not in text_of(letter)


def test_stopped_course_gives_the_reason():
    """A course stopped early says so, with the reason."""
    letter = samples.summary_letter()
    series = replace(letter.series, status=SeriesStatus.STOPPED, stop_reason="Blood pressure rises")
    text = text_of(replace(letter, series=series, doses=letter.doses[:3]))
    assert "Stopped: Blood pressure rises" in text and "3 of 6 planned sessions given" in text


def test_tolerability_words():
    """Tolerability is derived from the doses: no events said plainly, the worst BP found by its systolic."""
    doses = tuple(replace(d, adverse_events=()) for d in samples.given_doses(3))
    doses = (replace(doses[0], peak_bp="148/90"), replace(doses[1], peak_bp="171/88"), replace(doses[2], peak_bp=""))
    text = tolerability(doses)
    assert "171/88 mmHg (Session 2 of 3)" in text and "There were no adverse events" in text
    assert "nothing to report" in tolerability(())
