"""MLflow's signed registry webhook: a delivery signed with the shared secret is accepted and
starts a sync; stale, unsigned, badly signed and replayed ones are refused with a 4xx and kept."""

import time

import pytest

from governance.mlflow_sync import webhook
from governance.models import DeliveryVerdict, MLflowWebhookDelivery

pytestmark = pytest.mark.django_db
URL = "/api/mlflow/webhook/"
SECRET = "mlflow-shared-secret"
BODY = b'{"entity": "model_version", "action": "created", "data": {"name": "m", "version": "1"}}'


@pytest.fixture(autouse=True)
def secret(settings):  # type: ignore[no-untyped-def]
    settings.WARDEN_MLFLOW_WEBHOOK_SECRET = SECRET


def post(client, *, delivery="d-1", stamp=None, sign_with=SECRET, body=BODY):  # type: ignore[no-untyped-def]
    stamp = str(int(time.time())) if stamp is None else stamp
    headers = {"HTTP_X_MLFLOW_DELIVERY_ID": delivery, "HTTP_X_MLFLOW_TIMESTAMP": stamp}
    if sign_with:
        headers["HTTP_X_MLFLOW_SIGNATURE"] = webhook.signature(sign_with, delivery, stamp, body)
    return client.post(URL, data=body, content_type="application/json", **headers)


def test_a_signed_fresh_delivery_is_accepted_and_queues_a_sync(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        answer = post(client)
    assert answer.status_code == 202
    assert len(callbacks) == 1  # the sync task, sent once the delivery is stored
    kept = MLflowWebhookDelivery.objects.get()
    assert kept.verdict == DeliveryVerdict.ACCEPTED and kept.event == "model_version.created"


def test_a_stale_timestamp_is_refused_with_a_400_and_kept(client):
    answer = post(client, stamp=str(int(time.time()) - 3600))
    assert answer.status_code == 400 and "X-MLflow-Timestamp" in answer.data["detail"][0]
    assert MLflowWebhookDelivery.objects.get().verdict == DeliveryVerdict.STALE


def test_a_signature_with_another_secret_is_refused_with_a_401_and_kept(client):
    answer = post(client, sign_with="not-the-secret")
    assert answer.status_code == 401 and "X-MLflow-Signature" in answer.data["detail"][0]
    assert MLflowWebhookDelivery.objects.get().verdict == DeliveryVerdict.BAD_SIGNATURE


def test_an_unsigned_delivery_is_refused(client):
    assert post(client, sign_with="").status_code == 401


def test_a_changed_body_no_longer_verifies(client):
    stamp = str(int(time.time()))
    signed = webhook.signature(SECRET, "d-1", stamp, BODY)
    answer = client.post(
        URL,
        data=BODY.replace(b'"1"', b'"2"'),
        content_type="application/json",
        HTTP_X_MLFLOW_DELIVERY_ID="d-1",
        HTTP_X_MLFLOW_TIMESTAMP=stamp,
        HTTP_X_MLFLOW_SIGNATURE=signed,
    )
    assert answer.status_code == 401


def test_a_replayed_delivery_id_is_refused_with_a_409(client):
    assert post(client).status_code == 202
    answer = post(client)
    assert answer.status_code == 409
    verdicts = MLflowWebhookDelivery.objects.values_list("verdict", flat=True)
    assert sorted(verdicts) == [DeliveryVerdict.ACCEPTED, DeliveryVerdict.REPLAYED]


def test_without_a_configured_secret_every_delivery_is_refused(client, settings):
    settings.WARDEN_MLFLOW_WEBHOOK_SECRET = ""
    assert post(client, sign_with="").status_code == 403


def test_a_missing_timestamp_is_a_400_naming_the_header(client):
    answer = post(client, stamp="")
    assert answer.status_code == 400 and "X-MLflow-Timestamp" in answer.data["detail"][0]


def test_the_signature_is_the_one_mlflow_itself_sends():
    """MLflow's own signing function (run in the MLflow venv) and Warden's agree."""
    import subprocess

    from tests.governance.mlflow_server import mlflow_python

    python = mlflow_python()
    if not python.exists():
        pytest.skip(f"no MLflow venv at {python.parent.parent}: run scripts/mlflow-server")
    code = (
        "import sys; from mlflow.webhooks.delivery import _generate_hmac_signature as s; "
        "print(s(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]))"
    )
    args = [SECRET, "d-7", "1796220000", BODY.decode()]
    found = subprocess.run(
        [str(python), "-c", code, *args], capture_output=True, text=True, check=True, timeout=300
    ).stdout.strip()
    assert found == webhook.signature(SECRET, "d-7", "1796220000", BODY)
