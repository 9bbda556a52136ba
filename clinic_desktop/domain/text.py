"""Text rules for people's names and contact details: Unicode kept as typed, search keys folded."""

from __future__ import annotations

import re
import unicodedata

from clinic_desktop.domain.errors import ValidationError

#: Letters that Unicode decomposition does not reduce to a base letter but people type without.
_FOLD_EXTRA = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe",
                             "þ": "th"})
#: Punctuation that people leave out when they search ("obrien" finds O'Brien).
_DROP = re.compile(r"[\u0027\u2019\u02bc.\u00b7]")
_SPACE = re.compile(r"[\s\-\u2010\u2011\u2013,]+")
#: Control characters (C0, DEL and C1) never belong in a name or an address (NUL would also break some drivers).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Line breaks, including the Unicode line and paragraph separators (NEL is a C1 control, refused above).
_LINE_BREAK = re.compile(r"[\n\r\t\u2028\u2029]")
#: Bidirectional overrides and isolates can make printed text read differently from what is stored
#: (a name that displays reversed); right-to-left names never need them, so they are refused.
_BIDI_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None) -> str:
    """Text as the person meant it: NFC-normalised, trimmed; None becomes ""."""
    return unicodedata.normalize("NFC", text or "").strip()


def search_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: "Nguyễn" -> "nguyen", "O'Brien" -> "obrien"."""
    # Casefold again after NFKD: compatibility letters (e.g. mathematical bold 𝐀) only decompose to capitals.
    folded = unicodedata.normalize("NFKD", clean(text).casefold()).casefold().translate(_FOLD_EXTRA)
    base = "".join(c for c in folded if not unicodedata.combining(c))
    base = _DROP.sub("", base)
    return unicodedata.normalize("NFC", _SPACE.sub(" ", base).strip())


#: Letters and symbols that Unicode counts as such but that print as nothing: the Hangul fillers and the blank
#: Braille pattern (pasted to make a field look filled in).
_BLANK_GRAPHICS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_visible(char: str) -> bool:
    """Whether a character prints something by itself: not a control, format (zero-width space, joiners, word
    joiner, byte-order mark, bidi marks), unassigned or private-use character, not a space or separator, not a
    combining mark (which only decorates the letter before it) and not a blank filler."""
    return unicodedata.category(char)[0] not in "CZM" and char not in _BLANK_GRAPHICS


def has_visible(text: str) -> bool:
    """Whether the text shows at least one character: "\u200b\u200b" or a lone combining accent does not."""
    return any(is_visible(c) for c in text)


def checked_text(value: str | None, field: str, label: str, *, required: bool = False, max_length: int = 200,
                 multiline: bool = False) -> str:
    """Cleaned text, or a ValidationError for missing, over-long or control-character input. Required text made
    only of invisible characters is missing too."""
    text = clean(value)
    if required and not has_visible(text):
        raise ValidationError(f"{label} is required.", field)
    if len(text) > max_length:
        raise ValidationError(f"{label} is too long ({len(text)} characters; at most {max_length}).", field)
    if _CONTROL.search(text) or _BIDI_CONTROL.search(text) or (not multiline and _LINE_BREAK.search(text)):
        raise ValidationError(f"{label} contains characters that cannot be stored (control characters or line breaks).", field)
    return text


def checked_name(value: str | None, field: str, label: str, *, required: bool = False, max_length: int = 120) -> str:
    """A person's name (patient, staff, escort, clinician, signer): checked text that, when given, shows at least
    one character. A name of only zero-width or combining characters looks empty on every screen and sheet, so it
    is refused like an empty one (and, where a name is optional, rather than stored)."""
    text = checked_text(value, field, label, required=required, max_length=max_length)
    if text and not has_visible(text):
        raise ValidationError(f"{label} shows no letters (only invisible characters): type the name, or leave it "
                              "empty.", field)
    return text


_PHONE_ALLOWED = re.compile(r"^\+?[0-9 ()\-./]+(\s*(x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


def checked_phone(value: str | None, field: str, label: str = "Phone") -> str:
    """A phone number with 7 to 15 digits (E.164 allows 15), spaces and separators kept as typed."""
    text = checked_text(value, field, label, max_length=40)
    if not text:
        return ""
    digits = re.sub(r"\D", "", re.split(r"(?i)x|ext", text)[0])
    if not _PHONE_ALLOWED.match(text) or not 7 <= len(digits) <= 15:
        raise ValidationError(f"{label} should be a phone number with 7 to 15 digits, like (555) 010-2345.", field)
    return text


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


def checked_email(value: str | None, field: str = "email", label: str = "Email") -> str:
    text = checked_text(value, field, label, max_length=254)
    if text and not _EMAIL.match(text):
        raise ValidationError(f"{label} should look like name@example.org.", field)
    return text


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for a string of digits (catches every single-digit typo and most swaps)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def format_mrn(sequence: int) -> str:
    """The medical record number for the n-th patient: 7 digits and a Luhn check digit, e.g. 10000016."""
    body = str(1_000_000 + sequence)
    return body + str(luhn_check_digit(body))


def is_valid_mrn(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) >= 2 and luhn_check_digit(text[:-1]) == int(text[-1])
