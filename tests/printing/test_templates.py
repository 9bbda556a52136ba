"""The versioned consent and discharge texts: every required topic is there, and the loader is strict and safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clinic_desktop.domain.enums import Protocol
from clinic_desktop.domain.paperwork import TextTemplate
from clinic_desktop.printing import placeholders, templates
from clinic_desktop.printing.templates import TemplateError
from tests.printing import samples

CONSENT_KINDS = ("consent-racemic", "consent-esketamine")

#: Reference section 7: each topic, and words that show a template covers it (all must be present).
CONSENT_TOPICS = {
    "regulatory status": ("FDA", "not a research study"),
    "procedure and monitoring": ("{route} route", "blood pressure", "heart rate", "oxygen level", "trained",
                                 "until the effects wear off|at least 2 hours"),
    "expected experience": ("dissociated", "separate from your body", "dream"),
    "common risks": ("hallucinations", "throwing up", "dizziness", "blurred", "blood pressure"),
    "less common and serious risks": ("allergic reaction", "respiratory depression", "emergence reactions",
                                      "pressure inside the eye"),
    "long-term and repeated-use risks": ("abuse", "bladder", "liver", "memory", "limited long-term data"),
    "benefits and uncertainty": ("feel better", "cannot promise", "fades|ongoing treatments"),
    "contraindications and disclosures": ("breastfeeding", "not under control", "hyperthyroidism",
                                          "bad reaction", "every medicine you take", "recreational drugs"),
    "alternatives": ("antidepressant medicines", "psychotherapy", "ECT", "rTMS", "no new treatment"),
    "restrictions": ("until the next day", "restful", "an adult must take you home", "do not eat",
                     "alcohol", "sedating medicines"),
    "right to withdraw": ("change your mind", "until a dose is given", "stop the course at any time"),
    "pregnancy": ("must not be pregnant", "pregnancy test", "tell us right away if you become pregnant"),
    "privacy, records, controlled substance": ("records are private", "Schedule III", "DEA"),
}

#: Reference section 14: what the SPRAVATO REMS adds.
REMS_TOPICS = ("REMS", "enrolled", "Patient Enrollment Form", "you and your prescriber both sign", "sedation",
               "dissociation", "respiratory depression", "abuse and misuse", "at least 2 hours",
               "safe-departure plan")

#: Reference section 6.2, what the discharge instructions say.
DISCHARGE_TOPICS = {
    "no driving until the next day after sleep": ("do not drive", "machines", "next day", "restful"),
    "someone drives you home": ("someone must drive you home",),
    "no important decisions for 24 h": ("important decisions", "24 hours"),
    "no alcohol or cannabis": ("alcohol", "cannabis", "for 24 hours"),
    "opioids and benzodiazepines about 4 h": ("opioid", "benzodiazepines", "about 4 hours", "unless"),
    "lingering effects": ("tired", "dizzy", "blurred", "double vision", "few hours"),
    "emergence can recur": ("odd dreams", "up to 24 hours"),
    "IV site care": ("bandage", "bruise", "swollen"),
    "keep regular follow-up": ("psychiatrist", "therapist", "primary care", "not a substitute"),
    "when to call the clinic": ("{clinic_phone}", "{after_hours_phone}", "call us if"),
    "emergencies": ("911", "emergency room", "chest pain", "shortness of breath", "severe headache",
                    "change in your vision", "seizure", "consciousness", "allergic reaction"),
    "suicidal thoughts": ("thoughts of hurting yourself", "call or text 988", "Suicide & Crisis Lifeline"),
}


def full_text(template: TextTemplate) -> str:
    return " ".join([template.title] + [f"{s.heading} {' '.join(s.paragraphs)}" for s in template.sections])


def missing(text: str, words: tuple[str, ...]) -> list[str]:
    """The keywords (each may offer alternatives "a|b") that the text lacks, case-insensitively."""
    lowered = text.lower()
    return [w for w in words if not any(alt.lower() in lowered for alt in w.split("|"))]


@pytest.mark.parametrize("kind", CONSENT_KINDS)
@pytest.mark.parametrize("topic", CONSENT_TOPICS)
def test_consent_templates_cover_every_reference_topic(kind: str, topic: str) -> None:
    """Both consent texts cover each section-7 topic (by its keywords)."""
    assert missing(full_text(templates.latest(kind)), CONSENT_TOPICS[topic]) == []


@pytest.mark.parametrize("kind", CONSENT_KINDS)
def test_each_consent_topic_has_its_own_numbered_section(kind: str) -> None:
    """Sections are numbered 1, 2, 3 ... in order, with the signed statement last and unnumbered."""
    template = templates.latest(kind)
    headings = [s.heading for s in template.sections]
    numbers = [int(m.group(1)) for h in headings[:-1] if (m := re.match(r"(\d+)\. \S", h))]
    assert numbers == list(range(1, len(headings)))
    assert len(numbers) >= len(CONSENT_TOPICS)
    assert headings[-1] == "Your agreement"


def test_esketamine_consent_explains_rems_and_racemic_does_not() -> None:
    """SPRAVATO's REMS (enrollment, risks, 2-hour monitoring, safe departure) is only in the esketamine text."""
    esketamine = full_text(templates.latest("consent-esketamine"))
    racemic = full_text(templates.latest("consent-racemic"))
    assert missing(esketamine, REMS_TOPICS) == []
    assert "REMS" not in racemic


def test_racemic_consent_is_weight_based_and_off_label_and_esketamine_is_neither() -> None:
    """Racemic: off-label, 0.5 mg/kg over about 40 minutes; esketamine: FDA-approved fixed doses in mg."""
    racemic = full_text(templates.latest("consent-racemic"))
    esketamine = full_text(templates.latest("consent-esketamine"))
    assert missing(racemic, ("off-label", "0.5 mg/kg", "40 minutes", "esketamine nasal spray")) == []
    assert missing(esketamine, ("nasal spray", "56 mg", "84 mg", "not based on your weight",
                                "antidepressant that you take by mouth", "ketamine given in a vein")) == []
    assert "mg/kg" not in esketamine


@pytest.mark.parametrize("topic", DISCHARGE_TOPICS)
def test_discharge_template_covers_every_reference_instruction(topic: str) -> None:
    """The discharge text gives each instruction of reference section 6.2."""
    us_numbers = {"emergency_number": "911", "crisis_number": "988", "crisis_line": "the Suicide & Crisis Lifeline"}
    assert missing(full_text(templates.filled(templates.latest("discharge"), us_numbers)), DISCHARGE_TOPICS[topic]) == []


@pytest.mark.parametrize("kind", (*CONSENT_KINDS, "discharge"))
def test_first_version_is_2026_1_and_latest_loads_it(kind: str) -> None:
    """Demo data and existing consent records say 2026.1, so that version must exist."""
    assert "2026.1" in templates.versions(kind)
    template = templates.latest(kind)
    assert (template.kind, template.version) == (kind, templates.versions(kind)[-1])
    assert template.title and all(s.paragraphs for s in template.sections)


@pytest.mark.parametrize("kind", (*CONSENT_KINDS, "discharge"))
def test_every_placeholder_in_the_templates_is_one_the_sheets_fill(kind: str) -> None:
    """No template asks for a value the renderers do not give (it would print as "{name}")."""
    sheet = samples.consent()
    values = placeholders.values(sheet.clinic, sheet.patient, Protocol.IV_INDUCTION, "a course")
    text = full_text(templates.filled(templates.latest(kind), values))
    assert re.findall(r"\{[a-z_]+\}", text) == []


def test_placeholders_give_route_words_and_fall_back_to_the_main_phone() -> None:
    """{route} reads as a word in a sentence; no after-hours number means the clinic's main number."""
    sheet = samples.consent()
    clinic = samples.clinic()
    no_after_hours = type(clinic)(clinic.name, clinic.address, clinic.phone, "")
    esketamine = placeholders.values(no_after_hours, sheet.patient, Protocol.ESKETAMINE)
    assert esketamine["route"] == "intranasal"
    assert esketamine["after_hours_phone"] == clinic.phone
    assert placeholders.values(clinic, sheet.patient, Protocol.IM)["route"] == "intramuscular"
    assert placeholders.values(clinic, sheet.patient, Protocol.IV_MAINTENANCE)["after_hours_phone"] == "541-555-0199"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_latest_picks_the_highest_version_numerically(tmp_path: Path) -> None:
    """2026.10 is newer than 2026.2 (numbers, not text, decide)."""
    for version in ("2026.1", "2026.2", "2026.10"):
        write(tmp_path, f"consent-demo-{version}.txt", f"title: Demo {version}\n---\n# 1. Part\nText.\n")
    write(tmp_path, "consent-demo-extra-2027.1.txt", "title: Another kind\n---\n# 1. Part\nText.\n")
    assert templates.versions("consent-demo", tmp_path) == ["2026.1", "2026.2", "2026.10"]
    assert templates.latest("consent-demo", tmp_path).title == "Demo 2026.10"


def test_loader_splits_sections_and_joins_wrapped_lines(tmp_path: Path) -> None:
    """Headings start sections; blank lines separate paragraphs; a wrapped line continues its paragraph."""
    write(tmp_path, "demo-1.0.txt", "title: A title\n---\n# 1. First\nOne line\ncontinued.\n\nSecond.\n"
                                    "# 2. Next\n• An item.\n")
    template = templates.load("demo", "1.0", tmp_path)
    assert [(s.heading, s.paragraphs) for s in template.sections] == [
        ("1. First", ("One line continued.", "Second.")), ("2. Next", ("• An item.",))]


def test_filled_replaces_known_placeholders_and_leaves_unknown_ones_visible() -> None:
    """A typo in a template shows on paper as {typo} instead of failing or printing nothing."""
    template = TextTemplate("demo", "1", "For {patient_name}", (
        templates.TemplateSection("About {clinic_name}", ("Call {clinic_phone} or {clinic_fax}.",)),))
    result = templates.filled(template, {"patient_name": "Avery Quinn", "clinic_name": "Riverside",
                                         "clinic_phone": "541-555-0100"})
    assert result.title == "For Avery Quinn"
    assert result.sections[0].heading == "About Riverside"
    assert result.sections[0].paragraphs == ("Call 541-555-0100 or {clinic_fax}.",)


def test_filled_does_not_reinterpret_braces_inside_values() -> None:
    """A value that itself looks like a placeholder is inserted as it is."""
    template = TextTemplate("demo", "1", "{patient_name}", ())
    assert templates.filled(template, {"patient_name": "{clinic_name}", "clinic_name": "X"}).title == "{clinic_name}"


@pytest.mark.parametrize(("text", "problem"), [
    ("title: No separator\n# 1. Part\nText.\n", "'---'"),
    ("kind: consent\n---\n# 1. Part\nText.\n", "title"),
])
def test_malformed_template_raises_an_error_naming_the_file(tmp_path: Path, text: str, problem: str) -> None:
    """A broken template stops printing with a message that says which file and what is wrong."""
    write(tmp_path, "consent-broken-2026.1.txt", text)
    with pytest.raises(TemplateError) as caught:
        templates.load("consent-broken", "2026.1", tmp_path)
    assert "consent-broken-2026.1.txt" in str(caught.value)
    assert problem in str(caught.value)


def test_missing_template_raises_an_error_naming_the_kind_or_file(tmp_path: Path) -> None:
    """No file of a kind, or no such version, is a TemplateError (not a crash deep in printing)."""
    with pytest.raises(TemplateError, match="consent-none"):
        templates.latest("consent-none", tmp_path)
    with pytest.raises(TemplateError, match=r"consent-none-9\.9\.txt"):
        templates.load("consent-none", "9.9", tmp_path)


def test_the_placeholder_list_is_what_the_sheets_fill() -> None:
    """The editor's list of placeholders (and the import check) names exactly the values a sheet gives."""
    sheet = samples.consent()
    assert set(placeholders.PLACEHOLDERS) == set(placeholders.values(sheet.clinic, sheet.patient, sheet.protocol))


def test_parse_reads_a_text_as_the_file_loader_does() -> None:
    """The database's texts go through the same parser: a shipped text parses identically from either."""
    for shipped in templates.shipped():
        assert templates.parse(shipped.kind, shipped.version, shipped.text) == templates.load(shipped.kind,
                                                                                            shipped.version)


def test_parse_accepts_windows_line_ends_and_a_byte_order_mark() -> None:
    """A text saved by Notepad (BOM, CRLF) reads the same as the plain one."""
    plain = "title: Demo\n---\n# 1. Part\nOne\nline.\n"
    windows = "\ufeff" + plain.replace("\n", "\r\n")
    assert templates.parse("demo", "1", windows) == templates.parse("demo", "1", plain)
