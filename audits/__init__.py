"""Evaluation sets, audit runs and the Celery tasks that run them; writes in services/, pages
that show no chart in views/. The battery lives in `audits.battery` and imports no Django."""
