"""Spreadsheet formula injection (OWASP "CSV injection"): the characters that make a spreadsheet
read a cell as a formula, named once for the upload refusal (audits.intake) and the CSV
exports' neutraliser (reports.compliance), so the two cannot drift apart."""

# OWASP's list: = + - @, tab and carriage return, and the full-width forms of the first four
# (U+FF1D, U+FF0B, U+FF0D, U+FF20), which spreadsheets normalise before evaluating.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula: it starts with a leader,
    whatever follows (a newline, or nothing at all)."""
    return text.startswith(FORMULA_LEADERS)
