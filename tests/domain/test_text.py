"""Names and contact details: search-key folding, text/phone/email checks, and Luhn-checked MRNs."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, strategies as st

from clinic_desktop.domain.errors import ValidationError
from clinic_desktop.domain.text import (
    checked_email,
    checked_name,
    checked_phone,
    checked_text,
    clean,
    format_mrn,
    has_visible,
    is_valid_mrn,
    luhn_check_digit,
    search_key,
)

# -- search_key ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, key", [
    ("Nguyễn", "nguyen"),
    ("O'Brien", "obrien"),
    ("O\u2019Brien", "obrien"),  # typographic apostrophe, as autocorrect types it
    ("Zoë", "zoe"),
    ("Zoe\u0308", "zoe"),  # the same name typed with a combining diaeresis
    ("王", "王"),
    ("Strauß", "strauss"),
    ("Đặng", "dang"),
    ("Søren Łukasz", "soren lukasz"),
    ("Ægir", "aegir"),
    ("José-María  García", "jose maria garcia"),
    ("  St. John  ", "st john"),
    ("\U0001d40d\U0001d420\U0001d42e\U0001d432\U0001d41e\U0001d427", "nguyen"),  # "bold" letters pasted from styled text
    ("\uff2f\uff07\uff22\uff52\uff49\uff45\uff4e", "obrien"),  # full-width forms from an East Asian IME
    ("", ""),
])
def test_search_key_folds_case_accents_and_punctuation(name, key):
    """A search key ignores case, accents and the punctuation people leave out when typing a search."""
    assert search_key(name) == key


def test_search_key_keeps_scripts_without_case_or_accents():
    """Arabic and CJK are not transliterated: the key is the name itself, so they still find themselves."""
    assert search_key("محمد") == "محمد"
    assert search_key("王 小明") == "王 小明"


@given(st.text(max_size=40))
def test_search_key_is_idempotent(text):
    """Folding a folded key changes nothing (so stored keys and typed queries fold to the same thing)."""
    key = search_key(text)
    assert search_key(key) == key


@given(st.text(max_size=40))
def test_search_key_ignores_case(text):
    """Upper- and lower-case spellings of a name give the same key."""
    assert search_key(text.upper()) == search_key(text.lower()) == search_key(text)


# -- checked_text --------------------------------------------------------------------------------------


def test_checked_text_trims_and_normalises_to_nfc():
    """Text is stored trimmed and NFC-composed, whichever way the keyboard produced it."""
    decomposed = "  Zoe\u0308 "
    result = checked_text(decomposed, "given_names", "Given name")
    assert result == "Zoë"
    assert result == unicodedata.normalize("NFC", result)
    assert len(result) == 3


def test_clean_turns_none_into_empty_text():
    """A missing value is the empty string, never None."""
    assert clean(None) == ""
    assert checked_text(None, "f", "Field") == ""


@pytest.mark.parametrize("value", ["", "   ", None, "\t"])
def test_required_text_refuses_blank(value):
    """A required field that is empty or only whitespace is refused with its field name."""
    with pytest.raises(ValidationError) as err:
        checked_text(value, "family_name", "Family name", required=True)
    assert err.value.field == "family_name"
    assert "Family name is required" in err.value.message


def test_max_length_is_inclusive():
    """Exactly max_length characters is accepted; one more is refused and the message gives both counts."""
    assert checked_text("x" * 10, "f", "Field", max_length=10) == "x" * 10
    with pytest.raises(ValidationError) as err:
        checked_text("x" * 11, "f", "Field", max_length=10)
    assert err.value.field == "f"
    assert "11" in err.value.message and "10" in err.value.message


def test_length_counts_characters_after_normalisation():
    """A name of 10 composed letters typed as 20 code points still fits a 10-character limit."""
    assert checked_text("e\u0301" * 10, "f", "Field", max_length=10) == "é" * 10


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f"])
@pytest.mark.parametrize("multiline", [False, True])
def test_control_characters_are_refused_even_in_multiline_text(char, multiline):
    """NUL and other C0/C1 control characters are refused everywhere, including the address box."""
    with pytest.raises(ValidationError) as err:
        checked_text(f"ab{char}cd", "address", "Address", multiline=multiline)
    assert err.value.field == "address"


@given(st.characters(categories=["Cc"]).filter(lambda c: c not in "\t\n\r"))
def test_every_control_character_except_tab_and_newlines_is_refused(char):
    """Every Unicode control character (category Cc) other than tab, CR and LF is refused."""
    with pytest.raises(ValidationError):
        checked_text(f"a{char}b", "f", "Field", multiline=True)


@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n", "\u2028", "\u2029"])
def test_line_breaks_refused_in_single_line_fields_only(brk):
    """A line break inside a name is refused; the same text is accepted in a multiline field."""
    with pytest.raises(ValidationError):
        checked_text(f"12 Main St{brk}Springfield", "given_names", "Given name")
    assert checked_text(f"12 Main St{brk}Springfield", "address", "Address", multiline=True) == \
        f"12 Main St{brk}Springfield"


@pytest.mark.parametrize("name", ["O'Brien", "Zoë", "Nguyễn Văn An", "王小明", "محمد علي", "Ana 🌻", "Strauß"])
def test_ordinary_unicode_names_are_kept_exactly(name):
    """Names in any script, with apostrophes and even emoji, pass unchanged."""
    assert checked_text(name, "given_names", "Given name", required=True) == name


# -- checked_phone -------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["(555) 010-2345", "555-0102", "+1 555 010 2345 ext. 12", "555 010 2345 x12",
                                   "+44 (0)20 7946 0958", "555.010.2345", "123456789012345", "+1 (555) 010-2345 EXT 9"])
def test_phone_numbers_are_kept_as_typed(phone):
    """Valid numbers with 7-15 digits and usual separators or an extension are stored as typed."""
    assert checked_phone(phone, "phone") == phone


@pytest.mark.parametrize("phone", ["555-010", "1234567890123456", "555-CALL-NOW", "5550102345x", "++1 555 010 2345",
                                   "555 010 2345 x1234567", "555\n0102345"])
def test_bad_phone_numbers_are_refused_with_their_field(phone):
    """Too few or too many digits, letters, a dangling extension or a line break are refused."""
    with pytest.raises(ValidationError) as err:
        checked_phone(phone, "escort_phone", "Escort phone")
    assert err.value.field == "escort_phone"


def test_extension_digits_do_not_count_toward_the_limit():
    """Fifteen digits plus an extension is still a valid number (E.164 counts the number, not the extension)."""
    assert checked_phone("123456789012345 x99", "phone") == "123456789012345 x99"


def test_empty_phone_is_allowed():
    """A phone is optional: empty input gives empty text."""
    assert checked_phone("  ", "phone") == ""
    assert checked_phone(None, "phone") == ""


# -- checked_email -------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["a@b.co", "dana.whitlock+clinic@example.org", "x@sub.example.museum"])
def test_plausible_emails_are_accepted(email):
    """Ordinary addresses pass unchanged."""
    assert checked_email(email) == email


def test_email_is_trimmed_and_optional():
    """Surrounding spaces are removed; no address at all is allowed."""
    assert checked_email("  a@b.org ") == "a@b.org"
    assert checked_email("") == ""


@pytest.mark.parametrize("email", ["a@b.c", "a b@c.org", "a@@b.org", "name@example.org.", "name@localhost",
                                   "@example.org", "name.example.org"])
def test_implausible_emails_are_refused(email):
    """Addresses missing a user, a domain or a real top-level part are refused on the email field."""
    with pytest.raises(ValidationError) as err:
        checked_email(email)
    assert err.value.field == "email"


def test_email_longer_than_254_is_refused():
    """RFC 5321 limits an address to 254 characters."""
    local = "a" * 64
    ok = local + "@" + "b" * (254 - 64 - 1 - 4) + ".org"
    assert len(ok) == 254 and checked_email(ok) == ok
    with pytest.raises(ValidationError):
        checked_email("a" + ok)


# -- Luhn and MRNs -------------------------------------------------------------------------------------


def test_luhn_against_the_published_example():
    """79927398713 is the standard Luhn example (ISO/IEC 7812): check digit 3."""
    assert luhn_check_digit("7992739871") == 3
    assert is_valid_mrn("79927398713")
    assert not is_valid_mrn("79927398710")


def test_format_mrn_values():
    """The first MRNs are 7 digits from 1000000 plus their check digit."""
    assert format_mrn(0) == "10000008"
    assert format_mrn(1) == "10000016"
    assert format_mrn(2) == "10000024"
    assert format_mrn(123) == "10001238"  # 1000123: 3*2 + 2 + 1*2 + 0 + 0 + 0 + 1*2 = 12, check digit 8
    assert format_mrn(8_999_999) == "99999997"  # 9s: four doubled to 18 -> 9, three kept: 63, check digit 7


def luhn_valid(number: str) -> bool:
    """The published Luhn check of a whole number, written here apart from the code's check-digit function:
    from the right, every second digit doubled (its digits summed), the total a multiple of 10."""
    total = 0
    for position, digit in enumerate(int(c) for c in reversed(number)):
        total += sum(divmod(digit * 2, 10)) if position % 2 else digit
    return total % 10 == 0


@given(st.integers(min_value=0, max_value=8_999_999))
def test_every_formatted_mrn_is_valid_and_8_digits(n):
    """format_mrn gives 8 digits that is_valid_mrn accepts."""
    mrn = format_mrn(n)
    assert len(mrn) == 8 and mrn.isdigit() and mrn[:7] == str(1_000_000 + n)
    assert is_valid_mrn(mrn) and luhn_valid(mrn)


@given(st.integers(min_value=0, max_value=8_999_999), st.integers(min_value=0, max_value=7),
       st.integers(min_value=1, max_value=9))
def test_every_single_digit_typo_is_detected(n, position, shift):
    """Changing any one digit of an MRN to any other digit makes it invalid."""
    mrn = format_mrn(n)
    wrong = str((int(mrn[position]) + shift) % 10)
    typo = mrn[:position] + wrong + mrn[position + 1:]
    assert typo != mrn
    assert not is_valid_mrn(typo)


@given(st.integers(min_value=0, max_value=8_999_999), st.integers(min_value=0, max_value=6))
def test_adjacent_swaps_are_detected_except_09(n, position):
    """Swapping two neighbouring different digits is caught, except the 0<->9 swap Luhn cannot see."""
    mrn = format_mrn(n)
    a, b = mrn[position], mrn[position + 1]
    swapped = mrn[:position] + b + a + mrn[position + 2:]
    if a != b and {a, b} != {"0", "9"}:
        assert not is_valid_mrn(swapped)


@pytest.mark.parametrize("text", ["", "8", "1000000a", "1000 0008", "-10000008", "10000008 ", "1²", "١٠٠٠٠٠٠٨"])
def test_non_mrn_text_is_not_valid_and_never_raises(text):
    """Letters, spaces, signs, superscripts and non-ASCII digits are simply not an MRN (no exception)."""
    assert is_valid_mrn(text) is False


# -- names that show nothing ----------------------------------------------------------------------------

#: Strings that look empty on every screen and sheet: zero-width and bidi marks, joiners, the byte-order mark,
#: other format characters, lone combining marks, variation selectors, fillers and the blank Braille pattern.
INVISIBLE = [
    "\u200b", "\u200b\u200b\u200b", "\u200c\u200d", "\u200e\u200f", "\u2060", "\ufeff", "\u00ad", "\u180e",
    "\u2061\u2062\u2063\u2064", "\U0001d173", "\U000e0041\U000e007f",  # invisible maths operators, a tag sequence
    "\u0301", "\u0301\u0308\u0327", "\u034f", "\ufe0f", "\u20dd",  # combining marks with no letter to sit on
    "\u3164", "\u115f\u1160", "\uffa0", "\u2800", "\u200b \u3000 \u200b", "\ue000",  # fillers, spaces, private use
]


@pytest.mark.parametrize("value", INVISIBLE, ids=[f"{ord(v[0]):04X}x{len(v)}" for v in INVISIBLE])
def test_a_name_of_only_invisible_characters_is_refused_like_an_empty_one(value):
    with pytest.raises(ValidationError) as err:
        checked_name(value, "family_name", "Family name", required=True)
    assert (err.value.field, err.value.message) == ("family_name", "Family name is required.")
    with pytest.raises(ValidationError) as err:
        checked_name(value, "preferred_name", "Preferred name")
    assert err.value.field == "preferred_name"
    assert err.value.message == ("Preferred name shows no letters (only invisible characters): type the name, or "
                                 "leave it empty.")
    with pytest.raises(ValidationError, match="Lot number is required"):
        checked_text(value, "lot_number", "Lot number", required=True)  # any required text, not only names
    assert not has_visible(value)


@pytest.mark.parametrize("name", [
    "Ada", "Zoe\u0308", "\u0301Ada",  # a stray accent before a real letter still leaves a name
    "Mohammad\u200cReza",  # the zero-width non-joiner belongs in Persian names
    "王小明", "ʻIolani", "Nguyễn", "A", "\u200bAda\u200b",
])
def test_a_name_with_something_to_see_is_kept_as_typed(name):
    assert checked_name(name, "given_names", "Given name(s)", required=True) == unicodedata.normalize("NFC", name)
    assert has_visible(name)


def test_an_empty_optional_name_stays_empty():
    assert checked_name("", "preferred_name", "Preferred name") == ""
    assert checked_name(None, "preferred_name", "Preferred name") == ""
