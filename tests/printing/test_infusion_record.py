"""The infusion record as printed: the dose order, administration and every signature with its status, vital
signs in the clinic's time that flow across pages, notes of any length, adverse events, and literal text."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.session_records import AmendmentEntry
from clinic_desktop.printing.infusion_record import render_infusion_record
from clinic_desktop.printing.record_notes import chunks
from tests.pdf_text import page_texts as pages
from tests.printing import samples


def joined(texts: list[str]) -> str:
    """All pages' text with whitespace removed, so wrapped lines compare equal to the text that was printed."""
    return "".join("".join(texts).split())


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def normal() -> list[str]:
    return pages(render_infusion_record(samples.infusion_record()))


def test_dose_order_and_administration(normal):
    """Every value of the order and the administration prints with its unit, times in the clinic's zone."""
    text = "\n".join(normal)
    for value in ("37.5 mg", "0.5 mg/kg", "Actual body weight", "75 kg", "50 mg/mL", "0.75 mL", "100 mL",
                  "100.75 mL", "40 min", "151.1 mL/h", "Ordered at", "2026-03-02 09:10", "KT-2291",
                  "expires 2027-01-31", "2026-03-02 09:20", "2026-03-02 10:00", "0.25 mL", "Sam Ortiz, RN",
                  "Session 1 of 6", "Chair 1", "Discharged", "IV racemic ketamine, induction"):
        assert value in text, value
    assert "14:20" not in text  # the start in UTC must not leak onto the sheet


def test_every_signature_with_meaning_name_time_and_status(normal):
    """Each signature shows its meaning, printed name, time with the signer's offset, and "Valid"."""
    text = "\n".join(normal)
    for sig in samples.dose().signatures:
        assert sig.meaning in text and sig.name in text
    for stamp in ("2026-03-02 09:10 (UTC\u221205:00)", "2026-03-02 10:00 (UTC\u221205:00)",
                  "2026-03-02 10:01 (UTC\u221205:00)"):
        assert stamp in text
    assert text.count("Valid") == 3


def test_vitals_notes_scores_and_adverse_events(normal):
    """Vital-sign values, alert text, the note in words, the adverse event and the scores are all there."""
    text = "\n".join(normal)
    for value in ("128/82", "162/89", "Systolic 162 is 34 above baseline", "36.7", "Baseline", "09:05",
                  "Nausea, Dizziness (mild)", "Calm throughout; listened to music.", "Moderately severe",
                  "Before infusion", "CADSS", "Heart rate (bpm)"):
        assert value in text, value
    events = text[text.index("Adverse events"):]
    assert "Hypertension, moderate" in events and "Infusion slowed" in events and "physician notified" in events


def test_page_k_of_n_and_footer_on_every_page(normal):
    """Every page says which page it is of how many, and what it is and who printed it."""
    n = len(normal)
    for k, text in enumerate(normal, start=1):
        assert f"Page {k} of {n}" in text
        assert "Infusion record · printed 2026-03-02 14:00 by Robin Hale, RN" in text


def test_sixty_readings_flow_with_the_header_repeated():
    """A long session's table runs onto further pages, each continuing page starting with the column heads."""
    texts = pages(render_infusion_record(samples.infusion_record(readings=60)))
    assert len(texts) > len(pages(render_infusion_record(samples.infusion_record())))
    with_rows = [t for t in texts if "Robin Hale, RN" in t and "/min" in t]
    assert len(with_rows) >= 2
    last = next(t for t in texts if "23:45" in t)  # the 60th reading, 23:45 in New York
    assert "Alerts and action" in last and last is not texts[0]
    assert "".join(texts).count("Alerts and action") >= 2


def test_long_note_wraps_and_flows_without_loss():
    """A 5,000-character note prints every word, over as many rows and pages as it needs."""
    note = " ".join(f"w{k:04d}" for k in range(834))[:4999] + "Z"
    assert len(note) == 5000
    texts = pages(render_infusion_record(samples.infusion_record(long_text=note)))
    text, at = "".join(texts), 0
    for word in note.split():  # in order; page footers and repeated column heads may come between them
        at = text.index(word, at) + len(word)
    notes_pages = [t for t in texts if "w0" in t]
    assert len(notes_pages) >= 2 and all("Recorded by" in t for t in notes_pages)
    assert "Adverse events" in text[at:]


def test_hostile_text_prints_literally():
    """Markup in a name, a note or an override reason is printed as the characters typed."""
    sheet = samples.infusion_record(name=samples.HOSTILE, long_text=samples.HOSTILE)
    sheet = replace(sheet, dose=replace(sheet.dose, override_level=Grade.OVERRIDE, override_reason=samples.HOSTILE))
    text = joined(pages(render_infusion_record(sheet)))
    assert text.count(flat(samples.HOSTILE_SHOWN)) >= 3


def test_names_in_many_scripts():
    """Names in Latin with diacritics, Vietnamese and Chinese come out of the PDF as written."""
    sheet = samples.with_patient_name(samples.infusion_record(), samples.NAMES_IN_MANY_SCRIPTS)
    text = "\n".join(pages(render_infusion_record(sheet)))
    for part in ("Zoë", "O'Brien-Nguyễn", "王小明"):
        assert part in text


def test_invalid_and_superseded_signatures_say_so():
    """A signature that no longer holds prints its status in capitals instead of "Valid"."""
    sheet = samples.infusion_record()
    sigs = sheet.dose.signatures
    sigs = (replace(sigs[0], status="signature invalid"), replace(sigs[1], status="superseded by an amendment"),
            sigs[2])
    text = "\n".join(pages(render_infusion_record(replace(sheet, dose=replace(sheet.dose, signatures=sigs)))))
    assert "SIGNATURE INVALID" in text and "SUPERSEDEDBYANAMENDMENT" in flat(text)
    assert text.count("Valid") == 1


def test_no_dose_ordered():
    """Without a dose the sheet says so plainly and still prints vitals and notes, with no empty tables."""
    text = "\n".join(pages(render_infusion_record(replace(samples.infusion_record(), dose=None))))
    assert "No dose was ordered for this session." in text
    assert "Administration" not in text and "Signatures" not in text and "Pump rate" not in text
    assert "128/82" in text and "Monitoring notes" in text


def test_override_amendment_and_checks_override():
    """A dose over the limits shows the level and reason; amendments show old -> new (times in the clinic's
    zone), reason, who and when; the pre-infusion override shows its reason and signature."""
    sheet = samples.infusion_record()
    d = sheet.dose
    changes = {"lot_number": {"old": "KT-2290", "new": "KT-2291"},
               "stopped_at": {"old": "2026-03-02T15:00:00+00:00", "new": "2026-03-02T15:05:00+00:00"}}
    amendment = AmendmentEntry("administration", changes, "Lot number mistyped", "Robin Hale, RN", d.stopped_at)
    d = replace(d, override_level=Grade.OVERRIDE, override_reason="Weight above the clinic maximum",
                amendments=(amendment,))
    sheet = replace(sheet, dose=d, checks_override_reason="Escort confirmed by phone",
                    checks_override_signature=samples.signature("Override approved by", "Dana Whitfield, MD",
                                                                d.ordered_at))
    text = "\n".join(pages(render_infusion_record(sheet)))
    for value in ("Needs physician override", "Weight above the clinic maximum", "Amendments",
                  "Lot number: KT-2290 \u2192 KT-2291", "Lot number mistyped", "Escort confirmed by phone",
                  "Stopped at: 2026-03-02 10:00 \u2192 2026-03-02 10:05",
                  "Override approved by", "Pre-infusion checks overridden"):
        assert value in text, value


def test_no_adverse_event_says_none_recorded():
    """Without an adverse-event note the section says "None recorded." rather than disappearing."""
    sheet = samples.infusion_record()
    sheet = replace(sheet, notes=tuple(n for n in sheet.notes if n.kind.value != "adverse_event"))
    text = "\n".join(pages(render_infusion_record(sheet)))
    assert "None recorded." in text[text.index("Adverse events"):]


def test_infusion_not_started_and_nothing_charted():
    """An ordered dose not yet given, with no readings or notes, prints without empty tables or a chart."""
    sheet = samples.infusion_record()
    sheet = replace(sheet, dose=replace(sheet.dose, started_at=None, stopped_at=None), vitals=(), notes=(),
                    scores=())
    text = "\n".join(pages(render_infusion_record(sheet)))
    for value in ("The infusion was not started.", "No vital signs were recorded.",
                  "No monitoring notes were recorded.", "No scales were scored in this session."):
        assert value in text


def test_chunks_keep_every_character_in_order():
    """Cutting a note into rows loses nothing and keeps each part within the limit."""
    text = "first line\n" + "word " * 300 + "\n" + "x" * 900
    parts = chunks(text, 200)
    assert all(len(p) <= 200 for p in parts)
    assert flat("".join(parts)) == flat(text)
    assert chunks("short") == ["short"] and chunks("") == [""]


#: Readings a hostile or careless hand stored straight into the table, decades away from the session.
FAR_AWAY = (datetime(1, 1, 1, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 0, tzinfo=timezone.utc))


def _with_far_readings(window):
    sheet = samples.infusion_record()
    far = tuple(replace(sheet.vitals[1], id=900 + k, taken_at=at) for k, at in enumerate(FAR_AWAY))
    notes = sheet.notes + (replace(sheet.notes[-1], id=99, noted_at=FAR_AWAY[0], text="Stored long ago."),)
    scores = sheet.scores + (replace(sheet.scores[0], id=98, taken_at=FAR_AWAY[1]),)
    return replace(sheet, vitals=sheet.vitals + far, notes=notes, scores=scores, chart_window=window)


@pytest.mark.parametrize("window", [(samples.START - timedelta(hours=24), samples.START + timedelta(hours=5)), None],
                         ids=["session window", "no window"])
def test_readings_decades_away_cannot_make_the_record_slow_or_large(window):
    """A reading dated year 1 once made this sheet take 392 s and 24 MB: with or without the session's window
    it renders in a moment, about the size of the normal record, and still prints every reading in its table."""
    normal = render_infusion_record(samples.infusion_record())
    began = time.perf_counter()
    pdf = render_infusion_record(_with_far_readings(window))
    assert time.perf_counter() - began < 5
    assert len(pdf) < 1.5 * len(normal)
    text = joined(pages(pdf))
    assert "0001-01-0100:00" in text and "9999-12-3118:00" in text  # each far reading with its whole date
    assert "Storedlongago." in text


def test_readings_outside_the_session_are_left_off_the_chart_with_a_note():
    window = (samples.START - timedelta(hours=24), samples.START + timedelta(hours=5))
    text = flat("\n".join(pages(render_infusion_record(_with_far_readings(window)))))
    assert flat("2 readings are dated outside this session (2026-03-01 09:00 to 2026-03-02 14:00): listed below "
                "with their date, left off the chart.") in text
    assert "outsidethissession" not in joined(pages(render_infusion_record(samples.infusion_record())))
