"""The outbox API: endpoints with an allow-listed URL and a `whsec_` secret shown once, who may
manage them, the delivery log and redelivery; the trail's SIEM cursor and JSONL export."""

import base64
import json

import pytest

from governance.models import Delivery, DeliveryStatus, Event, WebhookEndpoint
from tests.factories import submitted_version_make

pytestmark = pytest.mark.django_db
HOOKS = "/api/webhooks/"
NEW_HOOK = {
    "name": "siem",
    "url": "https://hooks.example.org/warden",
    "event_types": ["version.approved", "incident.reported"],
}


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = [".example.org"]


def test_a_new_endpoint_answers_its_whsec_secret_once(cast, api):
    created = api.as_user(cast.rita).post(HOOKS, NEW_HOOK, format="json")
    assert created.status_code == 201, created.data
    secret = created.data["secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    listed = api.get(HOOKS).data["results"]
    assert listed[0]["url"] == NEW_HOOK["url"] and "secret" not in listed[0]
    assert "secret" not in api.get(f"{HOOKS}{created.data['id']}/").data


def test_creating_an_endpoint_is_on_the_trail_without_its_secret(cast, api):
    secret = api.as_user(cast.root).post(HOOKS, NEW_HOOK, format="json").data["secret"]
    event = Event.objects.get(verb="webhook_endpoint_created")
    assert event.actor_name == cast.root.printed_name
    assert event.after["url"] == NEW_HOOK["url"]
    assert secret not in json.dumps(event.after)


def test_a_host_off_the_allow_list_is_refused_naming_the_url(cast, api):
    for url in ("http://169.254.169.254/latest/meta-data", "https://example.org.evil.test/x"):
        refused = api.as_user(cast.rita).post(HOOKS, {**NEW_HOOK, "url": url}, format="json")
        assert refused.status_code == 400
        assert "WARDEN_WEBHOOK_ALLOWED_HOSTS" in refused.data["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_a_url_with_credentials_or_another_scheme_is_refused(cast, api):
    for url in ("https://user:pw@hooks.example.org/x", "file:///etc/passwd"):
        refused = api.as_user(cast.rita).post(HOOKS, {**NEW_HOOK, "url": url}, format="json")
        assert refused.status_code == 400 and "url" in refused.data


def test_an_unknown_event_type_is_a_400_naming_the_field(cast, api):
    body = {**NEW_HOOK, "event_types": ["version.exploded"]}
    refused = api.as_user(cast.rita).post(HOOKS, body, format="json")
    assert refused.status_code == 400 and "event_types" in refused.data


@pytest.mark.parametrize("who", ["erin", "ada"])
def test_engineers_and_auditors_may_not_add_endpoints(cast, api, who):
    refused = api.as_user(getattr(cast, who)).post(HOOKS, NEW_HOOK, format="json")
    assert refused.status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_is_switched_off_by_patch(cast, api):
    made = api.as_user(cast.rita).post(HOOKS, NEW_HOOK, format="json").data
    answer = api.patch(f"{HOOKS}{made['id']}/", {"active": False}, format="json")
    assert answer.status_code == 200 and answer.data["active"] is False


def test_an_email_subscription_names_its_audience(cast, api):
    body = {"audience": "owner", "event_types": ["version.rejected"]}
    assert (
        api.as_user(cast.rita).post("/api/email-subscriptions/", body, format="json").status_code
        == 201
    )
    bad = api.post("/api/email-subscriptions/", {**body, "audience": "everyone"}, format="json")
    assert bad.status_code == 400 and "audience" in bad.data


def test_the_delivery_log_lists_dead_letters_and_redelivers_them(cast, api, settings):
    settings.WARDEN_DELIVERY_MAX_ATTEMPTS = 1
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = ["hooks.example.org"]
    api.as_user(cast.rita).post(
        HOOKS, {**NEW_HOOK, "event_types": ["version.submitted"]}, format="json"
    )
    submitted_version_make(cast.erin, tier=3)
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = []  # the host was taken off the list meanwhile
    from governance.delivery import delivery_attempt

    delivery_attempt(delivery_id=Delivery.objects.get().pk)
    (dead,) = api.get("/api/deliveries/?status=dead").data["results"]
    assert dead["event_type"] == "version.submitted" and dead["attempts"] == 1
    assert "not in WARDEN_WEBHOOK_ALLOWED_HOSTS" in dead["log"][0]["error"]
    assert (
        api.as_user(cast.erin).post(f"/api/deliveries/{dead['id']}/redeliver/").status_code == 403
    )
    answer = api.as_user(cast.rita).post(f"/api/deliveries/{dead['id']}/redeliver/")
    assert answer.status_code == 202
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    again = api.post(f"/api/deliveries/{dead['id']}/redeliver/")
    assert again.status_code == 409


def test_the_cursor_resumes_exactly_where_it_stopped(cast, api):
    submitted_version_make(cast.erin, tier=3)
    everything = list(Event.objects.order_by("seq").values_list("seq", flat=True))
    seen, after, client = [], 0, api.as_user(cast.ada)
    while True:
        page = client.get(f"/api/events/?after_seq={after}&limit=7").data
        seen += [event["seq"] for event in page["results"]]
        after = page["next_after_seq"]
        if not page["has_more"]:
            break
    assert seen == everything
    end = client.get(f"/api/events/?after_seq={after}").data
    assert (end["results"], end["next_after_seq"], end["has_more"]) == ([], after, False)


def test_a_new_event_appears_after_the_stored_cursor(cast, api):
    client = api.as_user(cast.ada)
    head = client.get("/api/events/?after_seq=0&limit=1000").data["next_after_seq"]
    submitted_version_make(cast.erin, tier=3)
    fresh = client.get(f"/api/events/?after_seq={head}").data["results"]
    assert fresh[0]["seq"] == head + 1


@pytest.mark.parametrize("query", ["after_seq=x", "after_seq=-1", "after_seq=0&limit=100000"])
def test_a_bad_cursor_is_a_400_naming_the_parameter(cast, api, query):
    answer = api.as_user(cast.ada).get(f"/api/events/?{query}")
    assert answer.status_code == 400
    assert set(answer.data) <= {"after_seq", "limit"} and answer.data


def test_the_jsonl_export_streams_every_event_in_order(cast, api):
    submitted_version_make(cast.erin, tier=3)
    answer = api.as_user(cast.ada).get("/api/events/export.jsonl")
    assert answer.status_code == 200 and answer["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in b"".join(answer.streaming_content).splitlines()]
    assert [line["seq"] for line in lines] == list(
        Event.objects.order_by("seq").values_list("seq", flat=True)
    )
    assert lines[-1]["hash"] == Event.objects.order_by("seq").last().hash


def test_the_export_needs_a_reading_role(api):
    assert api.as_user(None).get("/api/events/export.jsonl").status_code == 401


def test_a_secret_cannot_be_chosen_by_the_caller(cast, api):
    body = {**NEW_HOOK, "secret": "whsec_" + "A" * 43}
    refused = api.as_user(cast.rita).post(HOOKS, body, format="json")
    assert refused.status_code == 400 and refused.data["secret"] == ["unknown field"]
