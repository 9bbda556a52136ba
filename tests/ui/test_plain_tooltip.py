"""Tool tips show user text as typed: Qt guesses at rich text, so the text is escaped, entities included."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextDocument

from clinic_desktop.ui.widgets import plain_tooltip


@pytest.mark.parametrize("text", [
    "<b>Bold</b> & <img src=x>",
    "&amp; &lt;i&gt; &#60;br/&#62; &#x3c;u> &nbsp;",  # entities a careless escaping would decode
    "<b><i>nested</i></b></p><p style='color:red'>",
    "line one\nline two  with  spaces",
])
def test_a_tooltip_reads_back_as_the_text_typed(qapp, text):
    document = QTextDocument()
    document.setHtml(plain_tooltip(text))
    assert document.toPlainText() == text
