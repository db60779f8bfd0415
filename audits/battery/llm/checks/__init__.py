"""The LLM checks: each scores transcript records only (a record's ``response`` against its
probe's ``reference``, ``expected`` and ``context``), so re-scoring stored transcripts gives
the same document whatever the model would say today.

Each check module declares ``ID``, ``TITLE``, ``METRIC`` (the hit rate's name), ``judge(record)
-> bool`` and, where it reports more, ``extras(pairs) -> dict``: what ``LLMCheck`` takes."""
