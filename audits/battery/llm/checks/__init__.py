"""The LLM checks: each scores transcript records only (a record's ``response`` against its
probe's ``reference``, ``expected`` and ``context``), so re-scoring stored transcripts gives
the same document whatever the model would say today."""
