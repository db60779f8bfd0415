"""The notification pages: adding an endpoint shows its secret once, an off-list host is refused
on its field, only admins and risk officers see the forms, and the delivery log sends a dead
letter again."""

import pytest

from governance.delivery import delivery_attempt
from governance.models import Delivery, DeliveryStatus, WebhookEndpoint
from tests.factories import submitted_version_make

pytestmark = pytest.mark.django_db
NEW_HOOK = {
    "form": "hook",
    "hook-name": "siem",
    "hook-url": "https://hooks.example.org/warden",
    "hook-event_types": ["version.submitted"],
}


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = ["hooks.example.org"]


def test_a_risk_officer_adds_an_endpoint_and_sees_its_secret_only_then(cast, login):
    client = login(cast.rita)
    page = client.post("/notifications/", NEW_HOOK).content.decode()
    secret = WebhookEndpoint.objects.get().secret
    assert 'id="secret"' in page and secret in page
    assert secret not in client.get("/notifications/").content.decode()


def test_a_host_off_the_allow_list_is_shown_on_the_url_field(cast, login):
    page = login(cast.rita).post("/notifications/", {**NEW_HOOK, "hook-url": "http://10.0.0.1/"})
    assert "not in WARDEN_WEBHOOK_ALLOWED_HOSTS" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_engineer_reads_the_page_without_its_forms_and_cannot_post_one(cast, login):
    client = login(cast.erin)
    assert "Add the endpoint" not in client.get("/notifications/").content.decode()
    refused = client.post("/notifications/", NEW_HOOK)
    assert refused.status_code == 403
    assert "only admins and risk officers" in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_shows_a_dead_letter_and_sends_it_again(cast, login, settings):
    settings.WARDEN_DELIVERY_MAX_ATTEMPTS = 1
    client = login(cast.rita)
    client.post("/notifications/", NEW_HOOK)
    submitted_version_make(cast.erin, tier=3)
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = []
    dead = Delivery.objects.get()
    delivery_attempt(delivery_id=dead.pk)
    page = client.get("/deliveries/?status=dead").content.decode()
    assert f'id="delivery-{dead.pk}"' in page and "Send again" in page
    client.post(f"/deliveries/{dead.pk}/redeliver/")
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    assert "Send again" not in login(cast.ada).get("/deliveries/").content.decode()
