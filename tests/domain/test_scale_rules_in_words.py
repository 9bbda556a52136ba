"""Rating scales: the words a rater reads when an answer is refused, the alert rules at non-default clinic
settings, remission and band edges, and the C-SSRS skip logic (reference 4.1, 4.3, 4.6, 4.7, 9)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from clinic_desktop.domain.clinic_settings import ClinicSettings
from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.grading import Grade
from clinic_desktop.domain.scales import (
    ALDRETE, CSSRS_SCREENER, GAD7, MADRS, MOAAS, PADSS, PHQ9, SCALES, get_scale, names_in_words, scales_where, score,
)
from clinic_desktop.domain.scales.base import shown

DEFAULTS = ClinicSettings()


def refusal(code: str, answers: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        score(code, answers)
    return caught.value.message, caught.value.field


# ------------------------------------------------------------------------------------------ validation

def test_answers_that_are_not_a_list_are_refused_in_words():
    assert refusal("phq9", "000000000") == ("PHQ-9 answers must be a list of 9 answers.", "answers")
    assert refusal("phq9", 5) == ("PHQ-9 answers must be a list of 9 answers.", "answers")


def test_the_wrong_number_of_answers_is_refused_with_both_counts():
    assert refusal("gad7", [0] * 6) == ("GAD-7 needs 7 answers; 6 were given.", "answers")


def test_an_unanswered_item_is_named_with_its_allowed_answers():
    assert refusal("phq9", [0, 0, None, 0, 0, 0, 0, 0, 0]) == ("PHQ-9 item 3 must be answered (0-3).", "item3")
    assert refusal("cssrs_screener", [None, False, None, None, None, False, False]) == (
        "C-SSRS screener item 1 must be answered (yes or no).", "item1")


def test_a_yes_no_item_refuses_a_number():
    assert refusal("cssrs_screener", [1, False, None, None, None, False, False]) == (
        "C-SSRS screener item 1 must be yes or no; 1 was given.", "item1")


@pytest.mark.parametrize("bad, said", [(True, "yes"), ("2", "'2'"), (1.5, "1.5")])
def test_a_point_item_refuses_what_is_not_a_whole_number(bad, said):
    assert refusal("gad7", [0, bad, 0, 0, 0, 0, 0]) == (
        f"GAD-7 item 2 must be a whole number 0-3; {said} was given.", "item2")


def test_a_point_item_accepts_its_lowest_and_highest_choice_and_nothing_beyond():
    assert score("phq9", [0] * 9).answers == (0,) * 9
    assert score("phq9", [3] * 9).total == 27
    assert refusal("phq9", [4, 0, 0, 0, 0, 0, 0, 0, 0]) == ("PHQ-9 item 1 must be 0-3; 4 was given.", "item1")
    assert refusal("phq9", [0, -1, 0, 0, 0, 0, 0, 0, 0]) == ("PHQ-9 item 2 must be 0-3; -1 was given.", "item2")


def test_a_long_rejected_value_is_cut_to_forty_characters():
    assert shown("x" * 38) == "'" + "x" * 38 + "'"  # 40 with the quotes: shown whole
    assert shown("x" * 39) == "'" + "x" * 38 + "…"  # 41: cut to 39 and an ellipsis
    assert shown(12345) == "12345"
    assert (shown(True), shown(False)) == ("yes", "no")


def test_a_value_whose_text_cannot_be_made_is_named_by_its_type():
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert shown(Hostile()) == "Hostile"


def test_an_unknown_scale_code_is_refused_naming_the_known_ones():
    with pytest.raises(ValidationError) as caught:
        get_scale("phq-9")
    assert caught.value.field == "code"
    assert caught.value.message == ("Unknown rating scale 'phq-9'; known scales are phq9, gad7, madrs, cadss, "
                                    "bprs_positive, cssrs_screener, moaas, aldrete, padss.")
    with pytest.raises(ValidationError):
        get_scale(None)


def test_scale_names_are_listed_as_a_sentence():
    assert names_in_words([PHQ9, GAD7, MADRS]) == "PHQ-9, GAD-7 or MADRS"
    assert names_in_words([PHQ9, GAD7]) == "PHQ-9 or GAD-7"
    assert names_in_words([MADRS]) == "MADRS"
    assert names_in_words([]) == ""


def test_scales_where_filters_the_registry_in_its_order():
    assert scales_where(lambda s: s.discharge) == (ALDRETE, PADSS)
    assert scales_where(lambda s: False) == ()
    assert len(scales_where(lambda s: True)) == len(SCALES)


# ------------------------------------------------------------------------------- choices and bands

def test_an_answer_is_named_by_its_choice_and_only_a_choice_of_its_own_type():
    item = PHQ9.item(1)
    assert item.choice_label(0) == "Not at all"
    assert item.choice_label(3) == "Nearly every day"
    assert item.choice_label(None) is None
    assert item.choice_label(True) is None  # True == 1, but a yes is not "Several days"
    assert item.choice_label(7) is None
    assert CSSRS_SCREENER.item(1).choice_label(True) == "Yes"
    assert CSSRS_SCREENER.item(1).choice_label(1) is None


@pytest.mark.parametrize("total, band", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"),
                                         (10, "moderate"), (19, "moderately severe"), (20, "severe"),
                                         (27, "severe")])
def test_phq9_bands_hold_at_both_edges(total, band):
    """Reference 4.1: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe."""
    assert PHQ9.band_for(total) == band


def test_a_scale_without_bands_has_no_band():
    """Aldrete has no published bands: its rules, not band_for, say fit or not fit."""
    assert ALDRETE.band_for(10) is None
    assert score("aldrete", [2] * 5).band == "fit for discharge"


# ---------------------------------------------------------------------------------------- remission

def test_phq9_remission_is_below_the_cut_off_and_follows_the_clinic_setting():
    """Reference 9: PHQ-9 remission is a total below 5; the clinic may choose another cut-off."""
    remission = PHQ9.outcome.remission
    assert remission.met(4, DEFAULTS) and not remission.met(5, DEFAULTS)
    stricter = replace(DEFAULTS, phq9_remission_below=3)
    assert remission.met(2, stricter) and not remission.met(3, stricter)
    assert remission.phrase(5) == "below 5"


def test_madrs_remission_is_at_or_below_the_cut_off_and_follows_the_clinic_setting():
    """Reference 9: MADRS remission commonly at or below 10."""
    remission = MADRS.outcome.remission
    assert remission.met(10, DEFAULTS) and not remission.met(11, DEFAULTS)
    other = replace(DEFAULTS, madrs_remission_at_or_below=7)
    assert remission.met(7, other) and not remission.met(8, other)
    assert remission.phrase(10) == "at or below 10"


# ------------------------------------------------------------------------------- sedation, discharge

def test_moaas_alerts_at_the_clinic_setting_not_only_the_default():
    """MOAA/S at or below the clinic's alert level needs the physician (reference 4.7; the level is a setting)."""
    lighter = replace(DEFAULTS, moaas_alert_at_or_below=3)
    result = score("moaas", [3], lighter)
    assert [(f.code, f.grade) for f in result.findings] == [("moaas_deep_sedation", Grade.OVERRIDE)]
    assert result.findings[0].message == ("MOAA/S 3 (Responds only after name is called loudly and/or repeatedly): "
                                          "deep sedation; physician assessment of airway and breathing.")
    assert score("moaas", [4], lighter).findings == ()
    assert score("moaas", [3]).findings == ()  # the default level is 2


def test_moaas_zero_is_loss_of_consciousness():
    result = score("moaas", [0])
    assert result.band == "No response after painful trapezius squeeze"
    assert result.findings[0].message == (
        "MOAA/S 0 (No response after painful trapezius squeeze): loss of consciousness; manage the airway, call "
        "the physician and record an adverse event.")


def test_moaas_choices_run_from_no_response_to_fully_alert():
    """Reference 4.7: 5 responds readily to name in normal tone ... 0 no response to pain."""
    assert [c.value for c in MOAAS.item(1).choices] == [0, 1, 2, 3, 4, 5]
    assert MOAAS.item(1).choice_label(5) == "Responds readily to name spoken in normal tone"
    assert MOAAS.item(1).choice_label(1) == "Responds only after painful trapezius squeeze"


def test_discharge_score_minimum_follows_the_clinic_setting_in_words():
    """Reference 4.7: Aldrete (and PADSS) at or above 9 by default; a clinic may require 10."""
    strict = replace(DEFAULTS, discharge_score_min=10)
    nine = [2, 2, 2, 2, 1]
    assert score("aldrete", nine).band == "fit for discharge"
    result = score("aldrete", nine, strict)
    assert result.band == "not yet fit for discharge"
    assert [(f.code, f.grade) for f in result.findings] == [("discharge_score_low", Grade.OVERRIDE)]
    assert result.findings[0].message == ("Modified Aldrete score 9 is below the discharge minimum of 10: "
                                          "not yet fit for discharge.")
    padss = score("padss", [2, 2, 2, 1, 1])
    assert padss.findings[0].message == ("PADSS score 8 is below the discharge minimum of 9: not yet fit for "
                                         "discharge. A competent adult escort is also required for discharge home.")
    assert score("padss", [2, 2, 2, 2, 1]).findings == ()


def test_aldrete_choices_are_scored_best_highest():
    """Reference 4.7: moves 4 limbs 2, 2 limbs 1, 0 limbs 0."""
    activity = ALDRETE.item(1)
    assert [(c.value, c.label) for c in activity.choices] == [(0, "Moves 0 limbs"), (1, "Moves 2 limbs"),
                                                              (2, "Moves 4 limbs")]


# ------------------------------------------------------------------------------------------- C-SSRS

NO, YES = False, True


def test_cssrs_conditional_questions_must_be_answered_after_a_yes_to_question_two():
    with pytest.raises(ValidationError) as caught:
        score("cssrs_screener", [YES, YES, NO, None, NO, NO, NO])
    assert (caught.value.message, caught.value.field) == (
        "C-SSRS screener item 4 (Q4 Intent without plan) must be answered yes or no because question 2 was "
        "answered yes.", "item4")


def test_cssrs_conditional_questions_must_be_blank_after_a_no_to_question_two():
    with pytest.raises(ValidationError) as caught:
        score("cssrs_screener", [YES, NO, None, None, YES, NO, NO])
    assert (caught.value.message, caught.value.field) == (
        "C-SSRS screener item 5 (Q5 Intent with plan) must be left blank because question 2 was answered no; "
        "yes was given.", "item5")
    with pytest.raises(ValidationError) as caught:
        score("cssrs_screener", [YES, NO, NO, None, None, NO, NO])
    assert caught.value.message.endswith("; no was given.")
    assert caught.value.field == "item3"


def test_cssrs_recent_behaviour_needs_lifetime_behaviour():
    with pytest.raises(ValidationError) as caught:
        score("cssrs_screener", [NO, NO, None, None, None, NO, YES])
    assert (caught.value.message, caught.value.field) == (
        "C-SSRS screener item 7 (Q6 behaviour in the past 3 months) cannot be yes when item 6 (Q6 behaviour, "
        "lifetime) is no.", "item7")
    assert score("cssrs_screener", [NO, NO, None, None, None, YES, YES]).risk_level == "high"


@pytest.mark.parametrize("answers, risk, grade", [
    ([NO, NO, None, None, None, NO, NO], "none", Grade.OK),
    ([YES, NO, None, None, None, NO, NO], "low", Grade.INFO),
    ([NO, YES, NO, NO, NO, NO, NO], "low", Grade.INFO),
    ([YES, YES, YES, NO, NO, NO, NO], "moderate", Grade.WARN),
    ([NO, NO, None, None, None, YES, NO], "moderate", Grade.WARN),
    ([YES, YES, NO, YES, NO, NO, NO], "high", Grade.OVERRIDE),
    ([YES, YES, NO, NO, YES, NO, NO], "high", Grade.OVERRIDE),
])
def test_cssrs_triage_follows_the_published_levels(answers, risk, grade):
    """Reference 4.6: Q4/Q5 or behaviour in the past 3 months high; Q3 or older behaviour moderate; Q1-2 low."""
    result = score("cssrs_screener", answers)
    assert (result.risk_level, result.grade) == (risk, grade)
    assert result.total == sum(1 for a in answers if a is True)


def test_cssrs_findings_say_what_to_do():
    high = score("cssrs_screener", [YES, YES, NO, YES, NO, NO, NO]).findings
    assert [(f.code, f.message) for f in high] == [("cssrs_high_risk", "High risk: safety precautions and "
                                                    "evaluation by a mental-health professional before proceeding.")]
    moderate = score("cssrs_screener", [YES, YES, YES, NO, NO, NO, NO]).findings
    assert [(f.code, f.message) for f in moderate] == [("cssrs_moderate_risk", "Moderate risk: further evaluation "
                                                        "or referral to a mental-health professional is recommended.")]
    low = score("cssrs_screener", [YES, NO, None, None, None, NO, NO]).findings
    assert [(f.code, f.message) for f in low] == [("cssrs_low_risk", "Low risk: passive or non-specific suicidal "
                                                   "thoughts; consider further evaluation.")]
    assert score("phq9", [0] * 9).risk_level is None


# ------------------------------------------------------------------- alert rules at the clinic's settings

def with_item(n_items: int, number: int, value: int) -> list[int]:
    answers = [0] * n_items
    answers[number - 1] = value
    return answers


def test_phq9_item9_alert_follows_the_clinic_setting_and_says_what_to_do():
    """Reference 4.1: an item-9 answer at or above the clinic's threshold (1 by default) needs follow-up."""
    later = replace(DEFAULTS, phq9_item9_alert_min=2)
    assert score("phq9", with_item(9, 9, 1), later).findings == ()
    result = score("phq9", with_item(9, 9, 2), later)
    assert [(f.code, f.grade) for f in result.findings] == [("phq9_item9", Grade.OVERRIDE)]
    assert result.findings[0].message == (
        "PHQ-9 item 9 (thoughts of death or self-harm) answered 2 (More than half the days): same-visit follow-up "
        "with the C-SSRS screener and clinician review are required before proceeding.")


def test_madrs_item10_flag_follows_the_clinic_setting():
    """Reference 4.3: item 10 at or above the clinic's threshold (4 by default) needs clinician review."""
    lower = replace(DEFAULTS, madrs_item10_flag_min=2)
    assert score("madrs", with_item(10, 10, 1), lower).findings == ()
    result = score("madrs", with_item(10, 10, 2), lower)
    assert [(f.code, f.grade, f.message) for f in result.findings] == [(
        "madrs_item10", Grade.OVERRIDE, "MADRS item 10 (suicidal thoughts) rated 2: clinician review of suicide "
        "risk is required before proceeding.")]
    assert score("madrs", with_item(10, 10, 3)).findings == ()


def test_cadss_dissociation_is_a_total_above_the_clinic_setting_with_the_cadss6_subtotal():
    """Reference 4.4: a CADSS total above the cut-off counts as dissociation; CADSS-6 is items 1, 2, 6, 7, 15, 22."""
    answers = [0] * 23
    answers[0], answers[21], answers[2] = 2, 3, 1  # items 1 and 22 are CADSS-6 items, item 3 is not
    higher = replace(DEFAULTS, cadss_dissociation_above=6)
    assert score("cadss", answers, higher).findings == ()  # 6 is not above 6
    result = score("cadss", answers, replace(DEFAULTS, cadss_dissociation_above=5))
    assert [(f.code, f.grade, f.message) for f in result.findings] == [(
        "cadss_dissociation", Grade.INFO, "CADSS total 6 is above 5: dissociation present (CADSS-6 subtotal 5). "
        "Expected with ketamine; re-assess before discharge.")]


def test_bprs_rise_alert_follows_the_clinic_setting():
    """Reference 4.5: a rise of the positive subscale by the clinic's threshold (3 by default) or more alerts."""
    bigger = replace(DEFAULTS, bprs_positive_increase_alert=5)
    assert score("bprs_positive", [2, 2, 1, 1], bigger, baseline_total=4).findings == ()  # rise 2
    result = score("bprs_positive", [3, 3, 1, 1], bigger, baseline_total=3)  # rise 5
    assert [(f.code, f.grade, f.message) for f in result.findings] == [(
        "bprs_positive_rise", Grade.WARN, "BPRS positive subscale rose by 5 points, from 3 to 8: clinician "
        "assessment of psychotic symptoms is required.")]
    assert score("bprs_positive", [3, 3, 1, 1], bigger).findings == ()  # no baseline, nothing to compare


def test_gad7_further_evaluation_at_ten():
    """Reference 4.2: GAD-7 at or above 10 warrants further evaluation (Spitzer 2006)."""
    assert score("gad7", [3, 3, 3, 0, 0, 0, 0]).findings == ()
    result = score("gad7", [3, 3, 3, 1, 0, 0, 0])
    assert [(f.code, f.grade, f.message) for f in result.findings] == [(
        "gad7_further_evaluation", Grade.INFO, "GAD-7 total 10 is at or above 10: further evaluation for an "
        "anxiety disorder is recommended.")]


def test_a_baseline_total_is_accepted_up_to_the_scale_maximum_and_refused_beyond():
    """BPRS positive subscale: 4 items rated 0-6, so totals 0-24."""
    assert score("bprs_positive", [0, 0, 0, 0], baseline_total=24).findings == ()
    assert score("bprs_positive", [0, 0, 0, 0], baseline_total=0).findings == ()
    for bad, said_as in ((25, "25"), (-1, "-1"), (True, "yes"), ("3", "'3'")):
        with pytest.raises(ValidationError) as caught:
            score("bprs_positive", [0, 0, 0, 0], baseline_total=bad)
        assert (caught.value.message, caught.value.field) == (
            f"BPRS positive subscale baseline total must be a whole number 0-24; {said_as} was given.", "baseline_total")


def test_a_result_finds_its_finding_by_code():
    result = score("phq9", with_item(9, 9, 3))
    assert result.finding("phq9_item9").grade is Grade.OVERRIDE
    assert result.finding("gad7_further_evaluation") is None


def test_a_scale_without_its_own_rules_gives_its_published_band():
    from clinic_desktop.domain.enums import Rater
    from clinic_desktop.domain.scales.base import Band, Context, Item, ScaleDefinition, points

    plain_scale = ScaleDefinition(code="demo", name="Demo", rater=Rater.CLINICIAN,
                                  items=(Item(1, "One", "One", points("none", "some", "much")),),
                                  min_total=0, max_total=2, bands=(Band(0, 0, "none"), Band(1, 2, "present")))
    assert plain_scale.evaluate(Context(plain_scale, (2,), 2, DEFAULTS, None)) == ("present", ())
    assert plain_scale.evaluate(Context(plain_scale, (0,), 0, DEFAULTS, None)) == ("none", ())


def test_a_scale_on_the_outcomes_chart_must_have_a_remission_rule():
    """A definition error, caught when the definition is made (at import for the shipped scales)."""
    from clinic_desktop.domain.scales.base import OutcomeMeasure, Remission

    with pytest.raises(ValueError, match=r"^A scale measuring mood on the outcomes chart needs a remission rule\.$"):
        OutcomeMeasure("mood", on_screen_chart=True)
    assert OutcomeMeasure("mood").remission is None
    assert OutcomeMeasure("mood", Remission(lambda s: 5), on_screen_chart=True).on_screen_chart


def test_choices_published_best_first_are_scored_best_highest():
    """Aldrete and PADSS list their answers best first (reference 4.7); the best scores the most points."""
    from clinic_desktop.domain.scales.base import Choice, points
    from clinic_desktop.domain.scales.recovery import _from_best

    assert _from_best("Moves 4 limbs", "Moves 2 limbs", "Moves 0 limbs") == (
        Choice(0, "Moves 0 limbs"), Choice(1, "Moves 2 limbs"), Choice(2, "Moves 4 limbs"))
    assert points("none", "some") == (Choice(0, "none"), Choice(1, "some"))


def test_the_discharge_rules_made_for_a_scale_use_the_clinic_minimum_and_its_own_words():
    """The rules Aldrete and PADSS share, made as at import: fit at or above the minimum, else a blocking finding."""
    from clinic_desktop.domain.scales.base import Context
    from clinic_desktop.domain.scales.recovery import _discharge_rules

    rules = _discharge_rules(" Escort required.")
    strict = replace(DEFAULTS, discharge_score_min=8)
    assert rules(Context(ALDRETE, (2, 2, 2, 1, 1), 8, strict, None)) == ("fit for discharge", ())
    band, findings = rules(Context(ALDRETE, (2, 2, 1, 1, 1), 7, strict, None))
    assert band == "not yet fit for discharge"
    assert [(f.code, f.grade, f.message) for f in findings] == [(
        "discharge_score_low", Grade.OVERRIDE, "Modified Aldrete score 7 is below the discharge minimum of 8: not yet "
        "fit for discharge. Escort required.")]
