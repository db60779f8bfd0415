"""Mergeable statistics: JSON-able dicts of counts, sums and sketches, merged by one function."""
