"""Training and held-out text samples for the memorization check, read from plain text files.

A sample file is UTF-8 text, one text per paragraph (paragraphs are separated by blank lines;
line breaks inside a paragraph are spaces). A paragraph of fewer than ``MIN_WORDS`` words (a
heading, a signature) cannot give both a prefix and a continuation worth comparing and is left
out; a file left with no text is bad input.
"""

from __future__ import annotations

import re

from ..errors import BatteryInputError, Problem

MIN_WORDS = 16
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def paragraphs(data: bytes, what: str) -> list[str]:
    """The texts of a sample file's bytes, whitespace squeezed; BatteryInputError naming ``what``
    (the option) when the file is not UTF-8 or holds no paragraph of MIN_WORDS words."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BatteryInputError(Problem(what, f"is not UTF-8 text (byte {exc.start})")) from None
    found = [" ".join(part.split()) for part in _BLANK_LINE.split(text.replace("\r\n", "\n"))]
    texts = [part for part in found if len(part.split()) >= MIN_WORDS]
    if not texts:
        raise BatteryInputError(
            Problem(what, f"holds no paragraph of {MIN_WORDS} words or more (texts are "
                          "separated by blank lines)")
        )  # fmt: skip
    return texts
