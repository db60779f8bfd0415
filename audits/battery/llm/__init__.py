"""The battery's LLM checks (issue #16): probes from a shipped pack, transcripts, deterministic
detectors and the checks that score transcripts only. No Django here.

- ``endpoint.parse(raw, allowlist) -> Endpoint`` (or ``load(bytes, allowlist)``): the descriptor,
  field-named problems, the host allow-list; ``Endpoint.secret()`` reads ``env:NAME`` at call time.
- ``runner.probe(endpoint, probes) -> list[Transcript]`` (live; client.py honours the limits) and
  ``runner.score(jsonl_bytes, tier, judge=None) -> document`` (task "llm"; dataset = the bytes'
  sha256). The optional judge endpoint (second_opinion.py): ``runner.consult(judge_endpoint,
  jsonl_bytes) -> judge_jsonl_bytes`` asks it live; ``score(..., judge=judge_jsonl_bytes)`` puts
  its second opinion beside the judged checks' verdicts (never changing them).
- ``texts.paragraphs(bytes, option)``: training / held-out samples for the memorization probes.
- ``transcripts.Transcript`` (frozen; to_json / from_json), ``dumps`` / ``loads`` (JSONL).
- A check: ``checks.base.LLMCheck(id, title, metric, judge, extra)`` registered on one line of
  ``checks.LLM_CHECKS``; ``judge(record: Mapping) -> bool`` says whether one scorable record is a
  hit; ``outcomes.py`` turns records into hit / pass / unscored and Wilson rates.
"""
