"""Batch monitors for tests: a tier-1 version of a COMPAS model (the tool's own decile score as
its output, real row ids), a reference set, and batches of real rows shifted to drift."""

import io

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.monitoring.batches import batch_monitor_create
from audits.services.evaluation_sets import evaluation_set_upload
from tests.audits.conftest import COMPAS_MAPPING
from tests.factories import tiered_model_make, version_make

BATCH_MAPPING = {
    "row_id": "id",
    "prediction": "predicted_high_risk",
    "score": "risk_score",
    "features": COMPAS_MAPPING["features"],
    "sensitive": COMPAS_MAPPING["sensitive"],
    "slices": COMPAS_MAPPING["slices"],
    "positive_label": 1,
}
LABEL = COMPAS_MAPPING["label"]
REFERENCE_ROWS = 3000
BATCH_ROWS = 1300
# Three batches of rising drift: none, age older (1 of 5 compared columns drifts: tier 1's
# warn), then age, priors and juvenile felonies (3 of 5: past tier 1's fail of 0.3).
SHIFTS = (
    {},
    {"age": 6},
    {"age": 15, "priors_count": 4, "juv_fel_count": 1},
)


def batch_frame(compas: pd.DataFrame, index: int, shift: dict | None = None) -> pd.DataFrame:
    """Batch number `index` (0-based) of the rows after the reference's, without labels,
    `shift` added to its columns."""
    start = REFERENCE_ROWS + index * BATCH_ROWS
    frame = compas.iloc[start : start + BATCH_ROWS].drop(columns=[LABEL]).copy()
    for column, by in (shift or {}).items():
        frame[column] = frame[column] + by
    return frame


def labels_frame(compas: pd.DataFrame, index: int) -> pd.DataFrame:
    """The true outcomes of batch `index`, as a labels file has them: row id and label."""
    start = REFERENCE_ROWS + index * BATCH_ROWS
    rows = compas.iloc[start : start + BATCH_ROWS]
    return pd.DataFrame({"id": rows["id"], "label": rows[LABEL]})


def csv_file(frame: pd.DataFrame, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, frame.to_csv(index=False).encode(), content_type="text/csv")


def parquet_file(frame: pd.DataFrame, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def monitored(cast, compas_frame, media_root):
    """erin's tier-1 COMPAS model, version 1.0.0, its reference set, and a batch monitor."""
    model = tiered_model_make(cast.erin, tier=1, slug="recidivism")
    version = version_make(model, cast.erin)
    reference = evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=csv_file(compas_frame.iloc[:REFERENCE_ROWS], "reference.csv"),
        mapping=COMPAS_MAPPING,
        role="reference",
    )
    return batch_monitor_create(
        actor=cast.erin, version=version, reference_set=reference, mapping=BATCH_MAPPING
    )
