"""The model page, which composes every app: what the model is for, its risk assessment,
attestations and versions from governance, and each batch monitor's history from audits drawn
as charts over time by reports, with a link to the history's CSV export."""

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from audits.models import Monitor
from governance import attestations
from governance.models import MLModel
from governance.page_plumbing import AuthedRequest, reader_required
from governance.permissions import can_attest, user_can_change_team_models
from governance.roles import Role
from reports.history_charts import monitor_charts_drawn


def monitor_charts(model: MLModel) -> list[dict[str, Any]]:
    """Each batch monitor of the model with its charts, its CSV export and its latest batch
    (whose reason for having no estimate, if any, the page shows)."""
    monitors = Monitor.objects.filter(model=model, batch_mapping__isnull=False)
    out = []
    for monitor in monitors.select_related("version").order_by("id"):
        out.append(
            {
                "monitor": monitor,
                "latest": monitor.batches.order_by("-batch_time", "-id").first(),
                "charts": monitor_charts_drawn(monitor),
                "csv": reverse("monitor-history-csv", args=[monitor.pk]),
            }
        )
    return out


@reader_required
def model_page(request: AuthedRequest, slug: str) -> HttpResponse:
    """A model: what it is for, its risk assessment, its versions and its monitors' charts."""
    model = get_object_or_404(
        MLModel.objects.select_related("owner", "team", "risk_assessment__assessed_by"),
        slug=slug,
    )
    context = {
        "model": model,
        "versions": model.versions.select_related("created_by").order_by("-created_at", "-id"),
        "dependencies": model.depends_on.all(),
        "field_values": model.field_values.select_related("field").order_by("field__label"),
        "tags": model.tags.all(),
        "can_change": user_can_change_team_models(request.user, model.team),
        "can_assess": request.user.has_role(Role.RISK_OFFICER)
        or user_can_change_team_models(request.user, model.team),
        "attestations": model.attestations.all()[:5],
        "attestation_due": next(iter(attestations.attestations_due(model=model)), None),
        "can_attest": can_attest(request.user, model),
        "monitors": monitor_charts(model),
    }
    return render(request, "governance/model_page.html", context)
