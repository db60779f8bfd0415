"""Production monitoring: batches a monitor receives (pushed or pulled), their audits against
the version's reference, labels that arrive later, the metric history and its alerts."""
