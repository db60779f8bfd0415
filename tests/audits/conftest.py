"""Fixtures for evaluation sets and audit runs: real COMPAS rows (names and birth dates
dropped before anything else sees them), a tiered model with a draft version."""

import io

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from governance import services as governance_services
from tests.factories import TIER_3_ANSWERS, mlmodel_make, version_make

COMPAS_MAPPING = {
    "label": "two_year_recid",
    "prediction": "predicted_high_risk",
    "score": "risk_score",
    "sensitive": ["race", "sex"],
    "slices": ["age_cat"],
    "features": ["age", "priors_count", "juv_fel_count", "c_charge_degree"],
}
PERSONAL_COLUMNS = ["name", "first", "last", "dob"]


@pytest.fixture(scope="session")
def compas_frame(datasets_dir) -> pd.DataFrame:
    """ProPublica's two-year COMPAS file with the tool's own decile score as the model: the
    prediction is 'decile 5 or more' (Medium/High), the score is decile / 10."""
    frame = pd.read_csv(datasets_dir / "compas-scores-two-years.csv").drop(columns=PERSONAL_COLUMNS)
    frame["predicted_high_risk"] = (frame["decile_score"] >= 5).astype(int)
    frame["risk_score"] = frame["decile_score"] / 10
    return frame[[*dict.fromkeys(["id", *_mapped_columns()])]]


def _mapped_columns() -> list[str]:
    m = COMPAS_MAPPING
    return [m["label"], m["prediction"], m["score"], *m["sensitive"], *m["slices"], *m["features"]]


@pytest.fixture
def compas_csv(compas_frame) -> bytes:
    return compas_frame.to_csv(index=False).encode()


def csv_upload(content: bytes, name: str = "compas.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def parquet_bytes(frame: pd.DataFrame, **options) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, **options)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def compas_model(compas_frame) -> bytes:
    """A logistic regression trained here on COMPAS's mapped features, saved with skops."""
    import skops.io
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric, categorical = ["age", "priors_count", "juv_fel_count"], ["c_charge_degree"]
    columns = make_column_transformer(
        (StandardScaler(), numeric), (OneHotEncoder(handle_unknown="ignore"), categorical)
    )
    model = make_pipeline(columns, LogisticRegression())
    model.fit(compas_frame[numeric + categorical], compas_frame["two_year_recid"])
    return skops.io.dumps(model)


@pytest.fixture
def version(cast, compas_model):
    """A draft version of erin's tier-3 model, its artifact a real model of COMPAS."""
    model = mlmodel_make(cast.erin, slug="recidivism")
    governance_services.risk_assessment_record(actor=cast.erin, model=model, answers=TIER_3_ANSWERS)
    model.refresh_from_db()
    artifact = SimpleUploadedFile("recidivism.skops", compas_model)
    return version_make(model, cast.erin, artifact=artifact)


@pytest.fixture(autouse=True)
def own_media_root(media_root):
    """Every audits test keeps its uploads in a folder of its own."""
    return media_root


@pytest.fixture
def loopback_allowed(settings, monkeypatch):
    """The LLM tests' scripted server host allowed, and the key their descriptors name set (as
    a worker running the audit in this process would have it)."""
    from tests.audits.llm_support import SECRET_NAME, SECRET_VALUE

    settings.WARDEN_LLM_ENDPOINT_ALLOWLIST = ["127.0.0.1"]
    monkeypatch.setenv(SECRET_NAME, SECRET_VALUE)
