"""The attestation API: a model's signed attestations (the owner signs one, password
re-entered) and every model in use with when its attestation is due."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from governance import attestations
from governance.api.fields import StrictSerializer
from governance.api.permissions import HasRole, acting_user
from governance.models import Attestation, MLModel
from governance.permissions import require_attest


class AttestationSerializer(serializers.ModelSerializer):
    manifestation = serializers.CharField(read_only=True)

    class Meta:
        model = Attestation
        fields = [
            "id",
            "statement",
            "versions",
            "meaning",
            "signer_printed_name",
            "signer_username",
            "signed_at",
            "manifestation",
            "signed_sha256",
        ]
        read_only_fields = fields


class AttestationSignSerializer(StrictSerializer):
    """An attestation is a signature: the password is asked again."""

    statement = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    password = serializers.CharField(
        max_length=200, trim_whitespace=False, style={"input_type": "password"}
    )


class AttestationDueSerializer(serializers.Serializer):
    model = serializers.CharField(source="model.slug")
    owner = serializers.CharField(source="model.owner.username")
    tier = serializers.IntegerField(source="model.risk_tier", allow_null=True)
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()


class AttestationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A model's attestations, newest first; POST signs one (the model's owner)."""

    permission_classes = [HasRole]
    serializer_class = AttestationSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Attestation]:
        if getattr(self, "swagger_fake_view", False):
            return Attestation.objects.none()
        return get_object_or_404(MLModel, slug=self.kwargs["slug"]).attestations.all()

    @extend_schema(request=AttestationSignSerializer, responses={201: AttestationSerializer})
    def create(self, request: Request, slug: str) -> Response:
        model = get_object_or_404(MLModel, slug=slug)
        require_attest(acting_user(request), model)
        form = AttestationSignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        signed = attestations.attestation_sign(
            actor=acting_user(request), model=model, **form.validated_data
        )
        return Response(AttestationSerializer(signed).data, status=201)


@extend_schema(responses=AttestationDueSerializer(many=True))
@api_view(["GET"])
@permission_classes([HasRole])
def attestations_due(request: Request) -> Response:
    """Every model in use and when its owner's attestation is due, soonest first."""
    return Response(AttestationDueSerializer(attestations.attestations_due(), many=True).data)
