"""The pages of the outbox: who hears of Warden's events (webhook endpoints, whose secret is
shown once on creation, and e-mail subscriptions), and the delivery log with redelivery."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from governance import delivery, forms, selectors, subscriptions
from governance.errors import Forbidden, ServiceError
from governance.models import DeliveryStatus, EmailSubscription, User, WebhookEndpoint
from governance.page_plumbing import AuthedRequest, posted, reader_required, refuse
from governance.permissions import can_manage_notifications, require_manage_notifications


@reader_required
def notifications(request: AuthedRequest) -> HttpResponse:
    """Endpoints and subscriptions; admins and risk officers add them here (a post from anyone
    else is a 403 saying why)."""
    if request.method == "POST":
        _require_manage(request.user)
    which = request.POST.get("form")
    hook = forms.WebhookEndpointForm(posted(request) if which == "hook" else None, prefix="hook")
    mail = forms.EmailSubscriptionForm(posted(request) if which == "mail" else None, prefix="mail")
    secret = ""
    try:
        if hook.is_bound and hook.is_valid():
            made = subscriptions.webhook_endpoint_create(actor=request.user, **hook.cleaned_data)
            secret, hook = made.secret, forms.WebhookEndpointForm(prefix="hook")
        if mail.is_bound and mail.is_valid():
            subscriptions.email_subscription_create(actor=request.user, **mail.cleaned_data)
            messages.success(request, "The e-mail subscription is added.")
            return redirect("notifications")
    except ServiceError as error:
        refuse(hook if hook.is_bound else mail, error)
    context = {
        "nav": "notifications",
        "endpoints": WebhookEndpoint.objects.all(),
        "subscriptions": EmailSubscription.objects.all(),
        "hook_form": hook,
        "mail_form": mail,
        "secret": secret,  # shown this once; never stored anywhere a page can read it again
        "can_manage": can_manage_notifications(request.user),
    }
    return render(request, "governance/notifications.html", context)


@reader_required
def deliveries(request: AuthedRequest) -> HttpResponse:
    """The delivery log: every delivery with its attempts, filtered by status."""
    status = request.GET.get("status", "")
    status = status if status in DeliveryStatus.values else ""
    page = Paginator(selectors.delivery_list(status=status), 50).get_page(request.GET.get("page"))
    context = {
        "nav": "notifications",
        "page": page,
        "status": status,
        "statuses": DeliveryStatus.choices,
        "can_manage": can_manage_notifications(request.user),
    }
    return render(request, "governance/deliveries.html", context)


def _require_manage(user: User) -> None:
    try:
        require_manage_notifications(user)
    except Forbidden as refusal:
        raise PermissionDenied(refusal.message) from None


@require_POST
@reader_required
def delivery_redeliver(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send a dead (or delivered) message again, from a fresh round of attempts."""
    target = get_object_or_404(selectors.delivery_list(), pk=pk)
    try:
        delivery.delivery_redeliver(actor=request.user, delivery=target)
        messages.success(request, f"Delivery #{pk} is queued again.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("deliveries")
