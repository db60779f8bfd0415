"""manage.py mlflow_sync: one pass of the MLflow registry sync, now, printing what it did."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.mlflow_sync.client import MLflowUnreachable
from governance.mlflow_sync.sync import (
    MLflowSetupError,
    mlflow_sync,
    sync_actor,
    sync_client,
)


class Command(BaseCommand):
    help = "Sync the MLflow model registry at WARDEN_MLFLOW_TRACKING_URI into Warden (read-only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tracking-uri", help="override WARDEN_MLFLOW_TRACKING_URI")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            client = sync_client(options.get("tracking_uri") or None)
            report = mlflow_sync(actor=sync_actor(), client=client)
        except (MLflowSetupError, MLflowUnreachable) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(report.to_json(), indent=2, sort_keys=True))
