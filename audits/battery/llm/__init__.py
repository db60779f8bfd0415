"""The battery's LLM checks (issue #16): probes from a shipped pack, transcripts, deterministic
detectors and the checks that score transcripts only. No Django here."""
