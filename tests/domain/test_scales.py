"""Rating scales: published bands at every boundary, alert rules, skip logic and input validation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.enums import Rater
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.scales import SCALES, ScaleResult, cadss6_subtotal, get_scale, score


def with_total(code: str, total: int) -> list[int]:
    """Answers for a numeric scale that add up to `total`, filling items from the first one."""
    out = []
    for item in get_scale(code).items:
        take = min(item.high, total)
        out.append(take)
        total -= take
    assert total == 0, "total too large for the scale"
    return out


def codes(result: ScaleResult) -> list[str]:
    return [f.code for f in result.findings]


NO = False
YES = True


# ---------------------------------------------------------------------------------------------- registry

def test_registry_has_every_instrument_under_its_stored_code():
    """Codes are stored in the database, so the registry must use exactly these strings."""
    assert list(SCALES) == ["phq9", "gad7", "madrs", "cadss", "bprs_positive", "cssrs_screener", "moaas",
                            "aldrete", "padss"]
    assert all(SCALES[c].code == c for c in SCALES)


@pytest.mark.parametrize("code, n_items, low, high, min_total, max_total, rater", [
    ("phq9", 9, 0, 3, 0, 27, Rater.PATIENT),
    ("gad7", 7, 0, 3, 0, 21, Rater.PATIENT),
    ("madrs", 10, 0, 6, 0, 60, Rater.CLINICIAN),
    ("cadss", 23, 0, 4, 0, 92, Rater.CLINICIAN),
    ("bprs_positive", 4, 0, 6, 0, 24, Rater.CLINICIAN),
    ("moaas", 1, 0, 5, 0, 5, Rater.CLINICIAN),
    ("aldrete", 5, 0, 2, 0, 10, Rater.CLINICIAN),
    ("padss", 5, 0, 2, 0, 10, Rater.CLINICIAN),
])
def test_numeric_scale_shapes_match_the_reference(code, n_items, low, high, min_total, max_total, rater):
    """Item count, per-item range, total range and rater match reference section 4."""
    scale = get_scale(code)
    assert scale.n_items == n_items
    assert all((i.low, i.high) == (low, high) for i in scale.items)
    assert [i.number for i in scale.items] == list(range(1, n_items + 1))
    assert (scale.min_total, scale.max_total) == (min_total, max_total)
    assert scale.max_total == sum(i.high for i in scale.items)
    assert scale.rater is rater
    assert all(len(i.choices) == high - low + 1 and i.label and i.text for i in scale.items)


def test_get_scale_refuses_unknown_codes_with_validation_error():
    """An unknown or non-string code is a ValidationError, never a KeyError or TypeError."""
    for bad in ("hamd17", "", None, 3, ["phq9"]):
        with pytest.raises(ValidationError) as exc:
            get_scale(bad)
        assert exc.value.field == "code"
    with pytest.raises(ValidationError, match="Unknown rating scale 'hamd17'"):
        score("hamd17", [0])


# ---------------------------------------------------------------------------------------------- PHQ-9

def test_phq9_answer_labels_and_item_texts():
    """PHQ-9 shows the standard frequency answers and the standard item 1 and item 9 questions."""
    item = get_scale("phq9").item(9)
    assert [c.label for c in item.choices] == ["Not at all", "Several days", "More than half the days",
                                               "Nearly every day"]
    assert get_scale("phq9").item(1).text == "Little interest or pleasure in doing things"
    assert "better off dead" in item.text
    assert get_scale("phq9").name == "PHQ-9"


@pytest.mark.parametrize("total, band", [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately severe"), (19, "moderately severe"), (20, "severe"), (27, "severe"),
])
def test_phq9_bands_at_every_boundary(total, band):
    """PHQ-9 bands 0-4, 5-9, 10-14, 15-19, 20-27 (reference 4.1)."""
    result = score("phq9", with_total("phq9", total))
    assert (result.total, result.band) == (total, band)


def test_phq9_item9_zero_raises_no_finding():
    """A severe total without item 9 is banded but raises no suicide-risk finding."""
    result = score("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert result.total == 24 and result.findings == () and not result.alert


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_above_zero_needs_cssrs_and_clinician_review(item9):
    """Any item-9 answer from the default threshold (1) up is an OVERRIDE finding asking for C-SSRS follow-up."""
    result = score("phq9", [0] * 8 + [item9])
    (finding,) = result.findings
    assert finding.code == "phq9_item9" and finding.grade is Grade.OVERRIDE
    assert "C-SSRS" in finding.message and "clinician review" in finding.message
    assert result.alert and result.blocks and result.band == "minimal"


def test_phq9_item9_threshold_follows_the_setting():
    """With the alert set to 2, "several days" no longer flags but "more than half the days" does."""
    strict = ClinicSettings(phq9_item9_alert_min=2)
    assert score("phq9", [0] * 8 + [1], strict).findings == ()
    assert codes(score("phq9", [0] * 8 + [2], strict)) == ["phq9_item9"]


# ---------------------------------------------------------------------------------------------- GAD-7

@pytest.mark.parametrize("total, band, evaluate", [
    (0, "minimal", False), (4, "minimal", False), (5, "mild", False), (9, "mild", False),
    (10, "moderate", True), (14, "moderate", True), (15, "severe", True), (21, "severe", True),
])
def test_gad7_bands_and_further_evaluation_cut_point(total, band, evaluate):
    """GAD-7 bands 0-4, 5-9, 10-14, 15-21; a total of 10 or more suggests further evaluation (INFO)."""
    result = score("gad7", with_total("gad7", total))
    assert (result.total, result.band) == (total, band)
    assert codes(result) == (["gad7_further_evaluation"] if evaluate else [])
    assert result.grade is (Grade.INFO if evaluate else Grade.OK)
    assert not result.alert


# ---------------------------------------------------------------------------------------------- MADRS

@pytest.mark.parametrize("total, band", [
    (0, "normal/absent"), (6, "normal/absent"), (7, "mild"), (19, "mild"), (20, "moderate"),
    (34, "moderate"), (35, "severe"), (60, "severe"),
])
def test_madrs_snaith_bands_at_every_boundary(total, band):
    """MADRS Snaith bands 0-6, 7-19, 20-34, 35-60 (reference 4.3)."""
    result = score("madrs", with_total("madrs", total))
    assert (result.total, result.band) == (total, band)


def test_madrs_item_labels_follow_the_reference():
    """MADRS items are named in the published order, item 10 being suicidal thoughts."""
    labels = [i.label for i in get_scale("madrs").items]
    assert labels[0] == "Apparent sadness" and labels[6] == "Lassitude" and labels[9] == "Suicidal thoughts"


@pytest.mark.parametrize("item10, flagged", [(0, False), (3, False), (4, True), (6, True)])
def test_madrs_item10_flag_at_default_threshold(item10, flagged):
    """MADRS item 10 at 4 or more (default) is an OVERRIDE finding; 3 is not."""
    result = score("madrs", [0] * 9 + [item10])
    assert codes(result) == (["madrs_item10"] if flagged else [])
    if flagged:
        assert result.findings[0].grade is Grade.OVERRIDE and "suicidal thoughts" in result.findings[0].message


def test_madrs_item10_threshold_follows_the_setting():
    """Lowering the MADRS item-10 flag to 2 flags a rating of 2."""
    assert codes(score("madrs", [0] * 9 + [2], ClinicSettings(madrs_item10_flag_min=2))) == ["madrs_item10"]


# ---------------------------------------------------------------------------------------------- CADSS

def test_cadss_has_no_band_and_flags_dissociation_above_the_setting():
    """CADSS 4 is not dissociation, 5 is (default: total above 4), as INFO; the scale has no bands."""
    at = score("cadss", with_total("cadss", 4))
    above = score("cadss", with_total("cadss", 5))
    assert at.band is None and at.findings == ()
    assert above.band is None and codes(above) == ["cadss_dissociation"]
    assert above.findings[0].grade is Grade.INFO and "dissociation present" in above.findings[0].message
    assert codes(score("cadss", with_total("cadss", 5), ClinicSettings(cadss_dissociation_above=5))) == []


def test_cadss_item_labels_do_not_reproduce_licensed_wording():
    """CADSS items are labelled only by number."""
    assert [i.label for i in get_scale("cadss").items][:3] == ["CADSS item 1", "CADSS item 2", "CADSS item 3"]
    assert get_scale("cadss").item(23).text == "CADSS item 23"


def test_cadss6_subtotal_adds_items_1_2_6_7_15_22_only():
    """The CADSS-6 short form is items 1, 2, 6, 7, 15 and 22 of the 23."""
    answers = [0] * 23
    for n, v in zip((1, 2, 6, 7, 15, 22), (1, 2, 3, 4, 1, 2)):
        answers[n - 1] = v
    answers[2] = answers[22] = 4  # items 3 and 23 are not in the short form
    result = score("cadss", answers)
    assert cadss6_subtotal(result.answers) == 13
    assert result.total == 21


# ---------------------------------------------------------------------------------------------- BPRS

def test_bprs_positive_items_and_anchors():
    """The BPRS positive subscale has its four items rated 0 (not present) to 6 (extremely severe)."""
    scale = get_scale("bprs_positive")
    assert [i.label for i in scale.items] == ["Conceptual disorganization", "Suspiciousness",
                                              "Hallucinatory behaviour", "Unusual thought content"]
    assert scale.item(1).choice_label(0) == "Not present" and scale.item(1).choice_label(6) == "Extremely severe"


@pytest.mark.parametrize("baseline, answers, flagged", [
    (None, [6, 6, 6, 6], False),  # no baseline: nothing to compare with
    (2, [1, 1, 1, 1], False),  # rise of 2
    (2, [2, 1, 1, 1], True),  # rise of 3 = default alert
    (0, [6, 6, 6, 6], True),
    (10, [0, 0, 0, 0], False),  # a fall is not an alert
])
def test_bprs_positive_rise_from_baseline(baseline, answers, flagged):
    """A rise of 3 or more (default) over the baseline total is a WARN finding."""
    result = score("bprs_positive", answers, baseline_total=baseline)
    assert result.band is None
    assert codes(result) == (["bprs_positive_rise"] if flagged else [])
    assert result.alert is flagged and not result.blocks
    if flagged:
        assert result.findings[0].grade is Grade.WARN


def test_bprs_rise_threshold_follows_the_setting():
    """With the alert at 5, a rise of 4 passes."""
    assert score("bprs_positive", [1, 1, 1, 1], ClinicSettings(bprs_positive_increase_alert=5),
                 baseline_total=0).findings == ()


@pytest.mark.parametrize("baseline", [-1, 25, True, 2.0, "2"])
def test_bprs_baseline_must_be_a_valid_total(baseline):
    """A baseline total outside 0-24 or not an int is a ValidationError on the baseline field."""
    with pytest.raises(ValidationError) as exc:
        score("bprs_positive", [0, 0, 0, 0], baseline_total=baseline)
    assert exc.value.field == "baseline_total" and "0-24" in exc.value.message


# ---------------------------------------------------------------------------------------------- C-SSRS

@pytest.mark.parametrize("answers, risk, finding, grade", [
    ([NO, NO, None, None, None, NO, NO], "none", None, Grade.OK),
    ([YES, NO, None, None, None, NO, NO], "low", "cssrs_low_risk", Grade.INFO),
    ([NO, YES, NO, NO, NO, NO, NO], "low", "cssrs_low_risk", Grade.INFO),
    ([YES, YES, YES, NO, NO, NO, NO], "moderate", "cssrs_moderate_risk", Grade.WARN),
    ([NO, NO, None, None, None, YES, NO], "moderate", "cssrs_moderate_risk", Grade.WARN),
    ([YES, YES, NO, YES, NO, NO, NO], "high", "cssrs_high_risk", Grade.OVERRIDE),
    ([YES, YES, YES, NO, YES, NO, NO], "high", "cssrs_high_risk", Grade.OVERRIDE),
    ([NO, NO, None, None, None, YES, YES], "high", "cssrs_high_risk", Grade.OVERRIDE),
])
def test_cssrs_triage_levels(answers, risk, finding, grade):
    """Q4/Q5/recent behaviour = high, Q3/lifetime behaviour = moderate, Q1/Q2 = low (reference 4.6)."""
    result = score("cssrs_screener", answers)
    assert result.band == risk and result.risk_level == risk
    assert codes(result) == ([finding] if finding else [])
    assert result.grade is grade
    assert result.total == sum(1 for a in answers if a is True)


def test_cssrs_high_risk_message_requires_mental_health_evaluation():
    """The high-risk finding tells staff to take precautions and get a mental-health evaluation first."""
    (finding,) = score("cssrs_screener", [YES, YES, YES, YES, YES, YES, YES]).findings
    assert finding.message == ("High risk: safety precautions and evaluation by a mental-health professional "
                               "before proceeding.")
    assert score("cssrs_screener", [YES, YES, YES, YES, YES, YES, YES]).total == 7


def test_cssrs_answers_are_normalized_and_labelled():
    """Answers come back as a tuple of bools/None; the questions are Q1-Q6 with two Q6 time frames."""
    result = score("cssrs_screener", [NO, NO, None, None, None, NO, NO])
    assert result.answers == (False, False, None, None, None, False, False)
    labels = [i.label for i in get_scale("cssrs_screener").items]
    assert labels[0].startswith("Q1") and labels[5].startswith("Q6") and "3 months" in labels[6]
    assert get_scale("cssrs_screener").item(1).choice_label(True) == "Yes"


@pytest.mark.parametrize("answers, field, words", [
    ([NO, NO, NO, None, None, NO, NO], "item3", "left blank"),  # Q3 answered although Q2 is no
    ([NO, NO, None, None, YES, NO, NO], "item5", "left blank"),
    ([NO, YES, NO, None, NO, NO, NO], "item4", "must be answered"),  # Q4 skipped although Q2 is yes
    ([None, NO, None, None, None, NO, NO], "item1", "must be answered"),
    ([NO, None, None, None, None, NO, NO], "item2", "must be answered"),
    ([NO, NO, None, None, None, None, NO], "item6", "must be answered"),
    ([NO, NO, None, None, None, NO, None], "item7", "must be answered"),
    ([NO, NO, None, None, None, NO, YES], "item7", "cannot be yes"),  # recent but not lifetime
    ([0, NO, None, None, None, NO, NO], "item1", "yes or no"),  # ints are not accepted for yes/no
    ([NO, NO, None, None, None, NO], "answers", "7 answers"),
])
def test_cssrs_skip_logic_and_required_answers(answers, field, words):
    """Q3-Q5 are asked exactly when Q2 is yes; Q1, Q2 and both Q6 answers are always required."""
    with pytest.raises(ValidationError) as exc:
        score("cssrs_screener", answers)
    assert exc.value.field == field and words in exc.value.message
    assert exc.value.message.startswith("C-SSRS screener")


# ---------------------------------------------------------------------------------------------- MOAA/S

@pytest.mark.parametrize("value, words", [
    (5, "Responds readily to name spoken in normal tone"), (4, "Lethargic response"),
    (3, "called loudly"), (2, "mild prodding or shaking"), (1, "painful trapezius squeeze"),
    (0, "No response after painful trapezius squeeze"),
])
def test_moaas_band_is_the_published_description(value, words):
    """The MOAA/S band is the description of the level (reference 4.7)."""
    result = score("moaas", [value])
    assert result.total == value and words in result.band


@pytest.mark.parametrize("value, flagged", [(5, False), (3, False), (2, True), (1, True), (0, True)])
def test_moaas_deep_sedation_at_or_below_setting(value, flagged):
    """MOAA/S 2 or below (default) is an OVERRIDE finding; 3 is not."""
    result = score("moaas", [value])
    assert codes(result) == (["moaas_deep_sedation"] if flagged else [])
    assert result.blocks is flagged


def test_moaas_zero_is_loss_of_consciousness_to_record():
    """MOAA/S 0 names loss of consciousness and asks for an adverse-event record; 1 does not."""
    zero = score("moaas", [0]).findings[0].message
    one = score("moaas", [1]).findings[0].message
    assert "loss of consciousness" in zero and "adverse event" in zero
    assert "loss of consciousness" not in one
    assert score("moaas", [1], ClinicSettings(moaas_alert_at_or_below=0)).findings == ()


# --------------------------------------------------------------------------------- Aldrete and PADSS

@pytest.mark.parametrize("code", ["aldrete", "padss"])
@pytest.mark.parametrize("total, fit", [(10, True), (9, True), (8, False), (0, False)])
def test_discharge_scores_at_the_default_minimum_of_9(code, total, fit):
    """Aldrete and PADSS: 9 or more is fit for discharge; 8 is not and needs an override (reference 4.7)."""
    result = score(code, with_total(code, total))
    assert result.band == ("fit for discharge" if fit else "not yet fit for discharge")
    assert result.fit_for_discharge is fit
    assert codes(result) == ([] if fit else ["discharge_score_low"])
    assert result.blocks is not fit


@pytest.mark.parametrize("code", ["aldrete", "padss"])
def test_discharge_minimum_follows_the_setting(code):
    """With the minimum set to 8, a score of 8 is fit for discharge."""
    result = score(code, with_total(code, 8), ClinicSettings(discharge_score_min=8))
    assert result.fit_for_discharge and result.findings == ()


def test_padss_low_score_message_requires_an_escort_and_aldrete_does_not():
    """Only PADSS adds the competent-adult escort to its not-fit finding."""
    assert "competent adult escort" in score("padss", [1, 1, 1, 1, 1]).findings[0].message
    assert "escort" not in score("aldrete", [1, 1, 1, 1, 1]).findings[0].message
    assert score("phq9", [0] * 9).fit_for_discharge is None


def test_discharge_item_descriptions_follow_the_reference():
    """Aldrete and PADSS items carry the published descriptions for 2, 1 and 0 points."""
    aldrete, padss = get_scale("aldrete"), get_scale("padss")
    assert [i.label for i in aldrete.items] == ["Activity", "Respiration", "Circulation", "Consciousness", "SpO₂"]
    assert [aldrete.item(1).choice_label(v) for v in (2, 1, 0)] == ["Moves 4 limbs", "Moves 2 limbs",
                                                                    "Moves 0 limbs"]
    assert aldrete.item(4).choice_label(1) == "Arousable on calling"
    assert "92%" in aldrete.item(5).choice_label(2)
    assert [i.label for i in padss.items] == ["Vital signs", "Activity and mental status",
                                              "Pain, nausea or vomiting", "Surgical bleeding", "Intake and output"]
    assert padss.item(2).choice_label(2) == "Oriented ×3 and steady gait"


# --------------------------------------------------------------------------------------------- validation

def test_out_of_range_message_names_instrument_item_and_range():
    """The message reads like the form: instrument, 1-based item, allowed range and the given value."""
    with pytest.raises(ValidationError) as exc:
        score("phq9", [0, 0, 5, 0, 0, 0, 0, 0, 0])
    assert exc.value.message == "PHQ-9 item 3 must be 0-3; 5 was given."
    assert exc.value.field == "item3"


@pytest.mark.parametrize("code, answers, field, words", [
    ("phq9", [0] * 8, "answers", "PHQ-9 needs 9 answers; 8 were given."),
    ("phq9", [0] * 10, "answers", "PHQ-9 needs 9 answers; 10 were given."),
    ("gad7", [0, None, 0, 0, 0, 0, 0], "item2", "GAD-7 item 2 must be answered (0-3)."),
    ("madrs", [0] * 9 + [7], "item10", "MADRS item 10 must be 0-6; 7 was given."),
    ("madrs", [-1] + [0] * 9, "item1", "MADRS item 1 must be 0-6; -1 was given."),
    ("gad7", [True] + [0] * 6, "item1", "GAD-7 item 1 must be a whole number 0-3; yes was given."),
    ("aldrete", [2, 2, 1.5, 2, 2], "item3", "Modified Aldrete item 3 must be a whole number 0-2; 1.5 was given."),
    ("aldrete", [2, 2, 2.0, 2, 2], "item3", "Modified Aldrete item 3 must be a whole number 0-2; 2.0 was given."),
    ("moaas", ["3"], "item1", "MOAA/S item 1 must be a whole number 0-5; '3' was given."),
    ("cadss", [0] * 22 + [5], "item23", "CADSS item 23 must be 0-4; 5 was given."),
])
def test_bad_answers_raise_validation_error_naming_the_item(code, answers, field, words):
    """Wrong count, missing, out-of-range, bool and non-integer answers are refused with a precise message."""
    with pytest.raises(ValidationError) as exc:
        score(code, answers)
    assert exc.value.message == words
    assert exc.value.field == field


@pytest.mark.parametrize("answers", [None, "000000000", 0, {"a": 1}, (a for a in [0] * 9)])
def test_answers_that_are_not_a_list_are_refused(answers):
    """Anything but a sequence of answers is a ValidationError, not a TypeError."""
    with pytest.raises(ValidationError) as exc:
        score("phq9", answers)
    assert exc.value.field == "answers"


def test_result_is_frozen_with_normalized_answers():
    """Answers come back as a tuple and the result cannot be changed after scoring."""
    result = score("gad7", [1, 2, 3, 0, 1, 2, 3])
    assert result.answers == (1, 2, 3, 0, 1, 2, 3) and result.total == 12 and result.name == "GAD-7"
    with pytest.raises(AttributeError):
        result.total = 0  # type: ignore[misc]


anything = st.one_of(st.integers(min_value=-3, max_value=8), st.none(), st.booleans(),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3))


@hsettings(max_examples=300, deadline=None)
@given(code=st.sampled_from(sorted(SCALES)), data=st.data())
def test_arbitrary_input_either_scores_or_raises_validation_error(code, data):
    """Whatever is typed, the result is a consistent ScaleResult or a ValidationError, nothing else."""
    n = SCALES[code].n_items
    answers = data.draw(st.lists(anything, min_size=max(0, n - 1), max_size=n + 1))
    try:
        result = score(code, answers)
    except ValidationError as exc:
        assert exc.message.startswith(SCALES[code].name) and exc.field
        return
    scale = SCALES[code]
    assert len(result.answers) == n
    assert scale.min_total <= result.total <= scale.max_total
    assert all(type(a) is (bool if item.yes_no else int) or a is None
               for a, item in zip(result.answers, scale.items))


@hsettings(max_examples=200, deadline=None)
@given(code=st.sampled_from([c for c in SCALES if c != "cssrs_screener"]), data=st.data())
def test_valid_numeric_answers_always_score_to_their_sum(code, data):
    """Any in-range answers score; the total is their sum and the banded scales always find a band."""
    scale = SCALES[code]
    answers = [data.draw(st.integers(item.low, item.high)) for item in scale.items]
    result = score(code, answers)
    assert result.total == sum(answers)
    if scale.bands or code in ("moaas", "aldrete", "padss"):
        assert result.band is not None


@hsettings(max_examples=200, deadline=None)
@given(code=st.sampled_from([c for c in SCALES if c != "cssrs_screener"]), data=st.data())
def test_one_out_of_range_answer_is_reported_on_its_item(code, data):
    """A single out-of-range answer among valid ones is reported on exactly that item."""
    scale = SCALES[code]
    answers = [item.low for item in scale.items]
    n = data.draw(st.integers(1, scale.n_items))
    item = scale.item(n)
    answers[n - 1] = data.draw(st.one_of(st.integers(max_value=item.low - 1), st.integers(min_value=item.high + 1)))
    with pytest.raises(ValidationError) as exc:
        score(code, answers)
    assert exc.value.field == f"item{n}"
    assert exc.value.message == f"{scale.name} item {n} must be {item.low}-{item.high}; {answers[n - 1]} was given."
