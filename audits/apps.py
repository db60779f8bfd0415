"""App configuration for evaluation sets and audit runs."""

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audits"
