"""The outbox API: webhook endpoints and e-mail subscriptions (admins and risk officers change
them; every reader reads them, never a secret), the delivery log with redelivery, and the
trail's SIEM cursor and JSONL export."""

import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from governance import delivery, selectors, subscriptions
from governance.api import outbox_serializers as s
from governance.api.permissions import HasRole, acting_user
from governance.api.serializers import EventSerializer
from governance.models import Delivery, EmailSubscription, WebhookEndpoint
from governance.permissions import require_manage_notifications

CURSOR_PAGE_SIZE, CURSOR_MAX_PAGE_SIZE = 100, 1000


def managed_input(request: Request, form_class: type[serializers.Serializer]) -> dict:
    """The body, validated, of a change to who is notified: the rule first (403 before any
    field is read), then the shape."""
    require_manage_notifications(acting_user(request))
    form = form_class(data=request.data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Receivers of signed webhooks; the secret is in the creating answer only."""

    permission_classes = [HasRole]
    serializer_class = s.WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.all()

    @extend_schema(
        request=s.WebhookEndpointCreateSerializer,
        responses={201: s.WebhookEndpointCreatedSerializer},
    )
    def create(self, request: Request) -> Response:
        data = managed_input(request, s.WebhookEndpointCreateSerializer)
        made = subscriptions.webhook_endpoint_create(actor=acting_user(request), **data)
        body = s.WebhookEndpointSerializer(made.endpoint).data
        return Response({**body, "secret": made.secret}, status=201)

    @extend_schema(request=s.WebhookEndpointUpdateSerializer, responses=s.WebhookEndpointSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        endpoint = self.get_object()
        data = managed_input(request, s.WebhookEndpointUpdateSerializer)
        endpoint = subscriptions.webhook_endpoint_update(
            actor=acting_user(request), endpoint=endpoint, **data
        )
        return Response(self.get_serializer(endpoint).data)


class EmailSubscriptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Audiences told by e-mail: the model's owner, or every risk officer."""

    permission_classes = [HasRole]
    serializer_class = s.EmailSubscriptionSerializer
    queryset = EmailSubscription.objects.all()

    @extend_schema(
        request=s.EmailSubscriptionCreateSerializer, responses={201: s.EmailSubscriptionSerializer}
    )
    def create(self, request: Request) -> Response:
        data = managed_input(request, s.EmailSubscriptionCreateSerializer)
        made = subscriptions.email_subscription_create(actor=acting_user(request), **data)
        return Response(self.get_serializer(made).data, status=201)

    @extend_schema(
        request=s.EmailSubscriptionUpdateSerializer, responses=s.EmailSubscriptionSerializer
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        subscription = self.get_object()
        data = managed_input(request, s.EmailSubscriptionUpdateSerializer)
        subscription = subscriptions.email_subscription_update(
            actor=acting_user(request), subscription=subscription, **data
        )
        return Response(self.get_serializer(subscription).data)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log: each delivery with every attempt; filter by status (`dead`)."""

    permission_classes = [HasRole]
    serializer_class = s.DeliverySerializer
    filterset_fields = ["status", "endpoint", "subscription"]

    def get_queryset(self) -> QuerySet[Delivery]:
        return selectors.delivery_list()

    @extend_schema(request=None, responses={202: s.DeliverySerializer})
    def redeliver(self, request: Request, pk: str) -> Response:
        target = self.get_object()
        delivery.delivery_redeliver(actor=acting_user(request), delivery=target)
        return Response(self.get_serializer(self.get_queryset().get(pk=target.pk)).data, 202)


class CursorQuery(serializers.Serializer):
    after_seq = serializers.IntegerField(min_value=0)
    limit = serializers.IntegerField(
        min_value=1, max_value=CURSOR_MAX_PAGE_SIZE, default=CURSOR_PAGE_SIZE
    )


AFTER_SEQ = OpenApiParameter("after_seq", int, description="events after this seq (0: all)")
LIMIT = OpenApiParameter("limit", int, description=f"page size, at most {CURSOR_MAX_PAGE_SIZE}")


def events_cursor(request: Request) -> Response:
    """`GET /api/events/?after_seq=N`: the trail as a resumable cursor, events after `after_seq`
    in seq order and the `next_after_seq` to ask with next (nothing lost, nothing seen twice).
    The page keeps the list's shape: `count` (events after `after_seq`), `next`, `results`."""
    query = CursorQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    after, limit = query.validated_data["after_seq"], query.validated_data["limit"]
    page = list(selectors.events_after(after, limit=limit + 1))
    more, page = len(page) > limit, page[:limit]
    next_after = page[-1].seq if page else after
    following = f"{request.path}?after_seq={next_after}&limit={limit}"
    return Response(
        {
            "count": selectors.events_after(after).count(),
            "next": request.build_absolute_uri(following) if more else None,
            "previous": None,
            "results": EventSerializer(page, many=True).data,
            "next_after_seq": next_after,
            "has_more": more,
        }
    )


class ExportQuery(serializers.Serializer):
    after_seq = serializers.IntegerField(min_value=0, default=0)


@extend_schema(parameters=[AFTER_SEQ], responses={(200, "application/x-ndjson"): str})
@api_view(["GET"])
@permission_classes([HasRole])
def events_export(request: Request) -> StreamingHttpResponse:
    """The trail as JSON Lines, one event a line in seq order, streamed (a whole trail never
    sits in memory); each line is what `GET /api/events/{seq}/` answers."""
    query = ExportQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    events = selectors.events_after(query.validated_data["after_seq"])

    def lines() -> Iterator[str]:
        for event in events.iterator(chunk_size=2000):
            yield json.dumps(EventSerializer(event).data, ensure_ascii=False) + "\n"

    response = StreamingHttpResponse(lines(), content_type="application/x-ndjson")
    response["Content-Disposition"] = 'attachment; filename="warden-trail.jsonl"'
    return response
