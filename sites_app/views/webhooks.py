"""A team's webhooks (admins): list, add (the secret shown once), edit, remove, delivery log,
re-send."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sites_app import access
from sites_app.access import Right
from sites_app.forms.notifications import WebhookForm
from sites_app.models import WebhookDelivery, WebhookEndpoint
from sites_app.services import webhooks as webhook_service

PER_PAGE = 50


def _endpoint(request, webhook_id: int) -> tuple[WebhookEndpoint, object]:
    return access.get_for_user(
        request,
        WebhookEndpoint.objects.select_related("team"),
        Right.MANAGE_ACCOUNTS,
        pk=webhook_id,
    )


@login_required
@require_safe
def webhook_list(request):
    membership = access.require_current(request, Right.MANAGE_ACCOUNTS)
    endpoints = WebhookEndpoint.objects.filter(team=membership.team)
    return render(
        request, "webhooks/webhook_list.html", {"endpoints": endpoints, "team": membership.team}
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_create(request):
    membership = access.require_current(request, Right.MANAGE_ACCOUNTS)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        endpoint, secret = webhook_service.create_endpoint(
            membership.team,
            url=data["url"],
            description=data["description"],
            events=data["events"],
            actor=request.user,
            request=request,
        )
        # Shown on this answer only: it is never displayed again.
        return render(
            request, "webhooks/webhook_secret.html", {"endpoint": endpoint, "secret": secret}
        )
    return render(request, "webhooks/webhook_form.html", {"form": form, "endpoint": None})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request, webhook_id: int):
    endpoint, _ = _endpoint(request, webhook_id)
    form = WebhookForm(
        request.POST or None,
        editing=True,
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "is_active": endpoint.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret = webhook_service.update_endpoint(
            endpoint,
            url=data["url"],
            description=data["description"],
            events=data["events"],
            is_active=data["is_active"],
            new_secret_wanted=data["new_secret"],
            actor=request.user,
            request=request,
        )
        if secret:
            return render(
                request, "webhooks/webhook_secret.html", {"endpoint": endpoint, "secret": secret}
            )
        messages.success(request, f"Webhook {endpoint.url} saved.")
        return redirect("webhook_detail", webhook_id=endpoint.pk)
    return render(request, "webhooks/webhook_form.html", {"form": form, "endpoint": endpoint})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request, webhook_id: int):
    endpoint, _ = _endpoint(request, webhook_id)
    if request.method == "POST":
        url = endpoint.url
        webhook_service.delete_endpoint(endpoint, actor=request.user, request=request)
        messages.success(request, f"Webhook {url} removed; nothing more is sent to it.")
        return redirect("webhook_list")
    return render(request, "webhooks/webhook_delete.html", {"endpoint": endpoint})


@login_required
@require_safe
def webhook_detail(request, webhook_id: int):
    """The endpoint and its delivery log, newest first, each with its attempts."""
    endpoint, _ = _endpoint(request, webhook_id)
    deliveries = list(
        WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempt_log")[
            : PER_PAGE + 1
        ]
    )
    return render(
        request,
        "webhooks/webhook_detail.html",
        {
            "endpoint": endpoint,
            "deliveries": deliveries[:PER_PAGE],
            "more": len(deliveries) > PER_PAGE,
        },
    )


@login_required
@require_POST
def webhook_resend(request, webhook_id: int, delivery_id: int):
    endpoint, _ = _endpoint(request, webhook_id)
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        messages.error(request, "No such delivery of this webhook.")
    else:
        webhook_service.resend(delivery, actor=request.user, request=request)
        messages.success(request, f"The {delivery.event} event is being sent again.")
    return redirect("webhook_detail", webhook_id=endpoint.pk)
