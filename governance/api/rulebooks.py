"""The rules' API: policy and questionnaire versions listed and read, proposed, approved by a
second risk officer's signature, withdrawn, and two versions compared. Views parse input, call
one service and shape the output; both kinds share the views, each naming its own parts."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from governance import rulebooks
from governance.api import rulebook_serializers as s
from governance.api.permissions import HasRole, acting_user
from governance.api.review_serializers import ReasonSerializer
from governance.errors import NotFound
from governance.models import PolicyVersion, QuestionnaireVersion
from governance.models.rulebooks import RuleVersion
from governance.permissions import require_approve_rules, require_propose_rules
from governance.rulebook_selectors import rule_version_diff, rule_versions_list


class _RuleVersionViewSet(viewsets.ReadOnlyModelViewSet):
    kind: type[RuleVersion]
    proposal: type[s.QuestionnaireProposalSerializer]
    permission_classes = [HasRole]
    filter_backends: list = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[RuleVersion]:
        return rule_versions_list(self.kind)

    def _record(self, pk: Any, field: str = "id") -> RuleVersion:
        found = self.kind._default_manager.filter(pk=pk).first()
        if found is None:
            raise NotFound(f"no {self.kind._meta.verbose_name} has the id {pk}", field=field)
        return found

    def _propose(self, actor: Any, data: dict) -> RuleVersion:
        raise NotImplementedError

    def create(self, request: Request) -> Response:
        actor = acting_user(request)
        require_propose_rules(actor)
        form = self.proposal(data=request.data)
        form.is_valid(raise_exception=True)
        record = self._propose(actor, dict(form.validated_data))
        return Response(self.get_serializer(record).data, status=201)

    @extend_schema(request=s.RuleApprovalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """A second risk officer signs the version into force (the password re-entered)."""
        record, actor = self._record(pk), acting_user(request)
        require_approve_rules(actor, record.proposed_by_id)
        form = s.RuleApprovalSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        record = rulebooks.rule_version_approve(actor=actor, record=record, **form.validated_data)
        return Response(self.get_serializer(record).data)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """A proposal that will not be approved is withdrawn, with a reason."""
        record, actor = self._record(pk), acting_user(request)
        require_propose_rules(actor)
        form = ReasonSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        record = rulebooks.rule_version_withdraw(actor=actor, record=record, **form.validated_data)
        return Response(self.get_serializer(record).data)

    @extend_schema(responses=s.DifferenceSerializer(many=True))
    @action(detail=True, methods=["get"], url_path=r"diff/(?P<other>\d+)")
    def diff(self, request: Request, pk: str, other: str) -> Response:
        """What changed from this version to version ``other``, row by row."""
        rows = rule_version_diff(self._record(pk), self._record(other, field="other"))
        return Response(s.DifferenceSerializer(rows, many=True).data)


class PolicyVersionViewSet(_RuleVersionViewSet):
    """Versions of the audit policy; POST proposes one (a risk officer or an admin)."""

    kind = PolicyVersion
    serializer_class = s.PolicyVersionSerializer
    proposal = s.PolicyProposalSerializer

    @extend_schema(request=s.PolicyProposalSerializer, responses={201: s.PolicyVersionSerializer})
    def create(self, request: Request) -> Response:
        return super().create(request)

    def _propose(self, actor: Any, data: dict) -> RuleVersion:
        return rulebooks.policy_version_propose(actor=actor, **data)


class QuestionnaireVersionViewSet(_RuleVersionViewSet):
    """Versions of the risk questionnaire; POST proposes one (a risk officer or an admin)."""

    kind = QuestionnaireVersion
    serializer_class = s.QuestionnaireVersionSerializer
    proposal = s.QuestionnaireProposalSerializer

    @extend_schema(
        request=s.QuestionnaireProposalSerializer, responses={201: s.QuestionnaireVersionSerializer}
    )
    def create(self, request: Request) -> Response:
        return super().create(request)

    def _propose(self, actor: Any, data: dict) -> RuleVersion:
        return rulebooks.questionnaire_version_propose(actor=actor, **data)
