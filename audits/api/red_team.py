"""The red-team API: a version's campaigns and their attempts (list, start, log), and what
happens to an attempt after (re-tried, promoted, withdrawn, reported as an incident). Views
check who may act before reading the body, call one service and shape the output."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audits.api import red_team_serializers as s
from governance import red_team, red_team_findings, selectors
from governance.api.findings import FindingSerializer
from governance.api.permissions import HasRole, acting_user
from governance.api.review import version_or_404
from governance.api.review_serializers import IncidentSerializer, ReasonSerializer
from governance.models import RedTeamAttempt, RedTeamCampaign
from governance.permissions import (
    can_read_attacks_in_full,
    require_log_attempt,
    require_raise_finding,
    require_red_team,
    require_report_incidents,
    require_withdraw_attempt,
)


class RedTeamCampaignViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A version's red-team campaigns; POST starts one (its caller is a member); POST end/
    closes it."""

    permission_classes = [HasRole]
    serializer_class = s.RedTeamCampaignSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[RedTeamCampaign]:
        if getattr(self, "swagger_fake_view", False):
            return RedTeamCampaign.objects.none()
        version = version_or_404(self.kwargs["slug"], self.kwargs["version"])
        return selectors.red_team_campaign_list(version)

    @extend_schema(
        request=s.RedTeamCampaignCreateSerializer, responses={201: s.RedTeamCampaignSerializer}
    )
    def create(self, request: Request, slug: str, version: str) -> Response:
        target = version_or_404(slug, version)
        require_red_team(acting_user(request), target)
        form = s.RedTeamCampaignCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        campaign = red_team.red_team_campaign_start(
            actor=acting_user(request), version=target, **form.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data, 201)

    @extend_schema(request=None, responses=s.RedTeamCampaignSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, slug: str, version: str, pk: str) -> Response:
        campaign = self.get_object()
        red_team.red_team_campaign_end(actor=acting_user(request), campaign=campaign)
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)


class RedTeamAttemptViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A campaign's attempts, texts masked where the reader may not read them in full; POST
    logs one (members only), never to be edited."""

    permission_classes = [HasRole]
    serializer_class = s.RedTeamAttemptSerializer
    filter_backends: list = []

    def campaign(self) -> RedTeamCampaign:
        version = version_or_404(self.kwargs["slug"], self.kwargs["version"])
        return get_object_or_404(
            RedTeamCampaign.objects.select_related("version__model"),
            pk=self.kwargs["campaign"],
            version=version,
        )

    def get_queryset(self) -> QuerySet[RedTeamAttempt]:
        if getattr(self, "swagger_fake_view", False):
            return RedTeamAttempt.objects.none()
        return selectors.red_team_attempt_list(self.campaign())

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["full"] = can_read_attacks_in_full(acting_user(self.request), self.campaign())
        return context

    @extend_schema(
        request=s.RedTeamAttemptCreateSerializer, responses={201: s.RedTeamAttemptSerializer}
    )
    def create(self, request: Request, slug: str, version: str, campaign: str) -> Response:
        target = self.campaign()
        require_log_attempt(acting_user(request), target)
        form = s.RedTeamAttemptCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        attempt = red_team.red_team_attempt_log(
            actor=acting_user(request), campaign=target, **form.validated_data
        )
        return Response(self.get_serializer(attempt).data, status=201)


class RedTeamAttemptActionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One attempt, and what may happen to it after it was logged."""

    permission_classes = [HasRole]
    serializer_class = s.RedTeamAttemptSerializer
    queryset = RedTeamAttempt.objects.select_related(
        "campaign__version__model", "logged_by", "reproduced_by", "incident"
    ).prefetch_related("findings")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if "pk" in self.kwargs:
            campaign = self.get_object().campaign
            context["full"] = can_read_attacks_in_full(acting_user(self.request), campaign)
        return context

    def _shown(self, attempt: RedTeamAttempt) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=attempt.pk)).data)

    @extend_schema(request=s.ReproductionSerializer, responses=s.RedTeamAttemptSerializer)
    def reproduce(self, request: Request, pk: str) -> Response:
        """Someone other than its author re-tried it: whether it worked again."""
        attempt = self.get_object()
        require_red_team(acting_user(request), attempt.campaign.version)
        form = s.ReproductionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._shown(
            red_team.red_team_attempt_reproduce(
                actor=acting_user(request), attempt=attempt, **form.validated_data
            )
        )

    @extend_schema(request=None, responses=s.RedTeamAttemptSerializer)
    def promote(self, request: Request, pk: str) -> Response:
        """Add it to the version's probe set: every later LLM audit re-tries it."""
        attempt = self.get_object()
        return self._shown(
            red_team.red_team_attempt_promote(actor=acting_user(request), attempt=attempt)
        )

    @extend_schema(request=ReasonSerializer, responses=s.RedTeamAttemptSerializer)
    def withdraw(self, request: Request, pk: str) -> Response:
        attempt = self.get_object()
        require_withdraw_attempt(acting_user(request), attempt)
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._shown(
            red_team.red_team_attempt_withdraw(
                actor=acting_user(request), attempt=attempt, **form.validated_data
            )
        )

    @extend_schema(request=s.AttemptIncidentSerializer, responses={201: IncidentSerializer})
    def incident(self, request: Request, pk: str) -> Response:
        """Open an incident from a successful attempt, linked to it."""
        attempt = self.get_object()
        require_report_incidents(acting_user(request))
        form = s.AttemptIncidentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        created = red_team.red_team_incident_report(
            actor=acting_user(request), attempt=attempt, **form.validated_data
        )
        return Response(IncidentSerializer(created).data, status=201)

    @extend_schema(request=s.AttemptFindingSerializer, responses={201: FindingSerializer})
    def finding(self, request: Request, pk: str) -> Response:
        """Raise a validation finding resting on a successful attempt (risk officers)."""
        attempt = self.get_object()
        require_raise_finding(acting_user(request))
        form = s.AttemptFindingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        created = red_team_findings.finding_raise_from_attempt(
            actor=acting_user(request), attempt=attempt, **form.validated_data
        )
        return Response(FindingSerializer(created).data, status=201)
