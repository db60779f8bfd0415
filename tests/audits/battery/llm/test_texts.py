"""Sample files for the memorization check: one text per paragraph, headings left out."""

import pytest

from audits.battery.errors import BatteryInputError
from audits.battery.llm.texts import MIN_WORDS, paragraphs

LONG = " ".join(f"word{n}" for n in range(MIN_WORDS))


def test_each_paragraph_is_one_text_with_its_line_breaks_as_spaces():
    data = f"{LONG}\nmore words\n\n  \n{LONG}\r\n\r\nlast {LONG}".encode()
    assert paragraphs(data, "--training") == [f"{LONG} more words", LONG, f"last {LONG}"]


def test_a_paragraph_shorter_than_min_words_is_left_out():
    assert paragraphs(f"A heading\n\n{LONG}".encode(), "--training") == [LONG]


def test_a_file_that_is_not_utf8_is_bad_input_naming_the_option():
    with pytest.raises(BatteryInputError, match="'--heldout': is not UTF-8"):
        paragraphs(b"\xff\xfe text", "--heldout")
