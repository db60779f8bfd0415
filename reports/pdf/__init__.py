"""The document core: HTML -> PDF/A-3b with attachments (render), PAdES signing (signing) and
verification (verify). No Django here: callers pass every path, key and value in.

Kept import-light on purpose: `verify` must not pull in WeasyPrint.
"""

# Document information key holding the record a PDF stands for,
# e.g. "model-card:<slug>:<version>:<report id>".
RECORD_KEY = "WardenRecord"
