"""User text becomes literal ReportLab markup: every character the parser reads as markup is escaped, entities stay
text, line breaks and the fallback font for Chinese, Japanese and Korean are the only markup added."""

from __future__ import annotations

import pytest

from clinic_desktop.printing.fonts import FALLBACK, covered, markup

FALLBACK_OPEN = f'<font name="{FALLBACK}">'


@pytest.mark.parametrize("text, expected", [
    ("Tom & Jerry", "Tom &amp; Jerry"),
    ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
    ('say "hi"', "say &quot;hi&quot;"),
    ("O'Brien", "O&#39;Brien"),
    # Entities typed by a person are text: the ampersand is escaped, so "&amp;" prints as typed.
    ("&amp; &#60; &lt;", "&amp;amp; &amp;#60; &amp;lt;"),
    ('<font name="x"><b>&</b></font>', "&lt;font name=&quot;x&quot;&gt;&lt;b&gt;&amp;&lt;/b&gt;&lt;/font&gt;"),
])
def test_characters_that_mean_markup_are_escaped(text, expected):
    assert markup(text) == expected


@pytest.mark.parametrize("empty", ["", None])
def test_no_text_is_no_markup(empty):
    assert markup(empty) == ""


def test_line_breaks_become_breaks_and_control_characters_spaces():
    """A tab or a control character never prints (and never reaches the parser); a line break is a <br/>."""
    assert markup("a\tb\x01c\x1fd\ne") == "a b c d<br/>e"
    assert markup("\n") == "<br/>"
    assert markup("one\n\ntwo") == "one<br/><br/>two"


def test_characters_the_main_font_lacks_print_in_the_fallback_font():
    assert markup("王") == f"{FALLBACK_OPEN}王</font>"
    assert markup("Mr 王小明 & co") == f"Mr {FALLBACK_OPEN}王小明</font> &amp; co"
    # A line break inside a fallback run closes the run and opens a new one after the break.
    assert markup("王\n明") == f"{FALLBACK_OPEN}王</font><br/>{FALLBACK_OPEN}明</font>"
    # Escaping applies inside the fallback run as well.
    assert markup("王<明>") == f"{FALLBACK_OPEN}王</font>&lt;{FALLBACK_OPEN}明</font>&gt;"


def test_the_main_font_covers_latin_text_and_line_breaks_but_not_chinese():
    assert covered("Z") and covered("ë") and covered("ễ")
    assert covered("\n") and covered("\t")
    assert not covered("王")
    assert not covered("\x01")
