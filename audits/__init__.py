"""Evaluation sets, audit runs and the Celery tasks that run them.
The battery itself lives in `audits.battery` and imports nothing of Django."""
