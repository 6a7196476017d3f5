"""Declarations for the bell, notification choices and webhooks."""

from sites_app.access import Right
from tests.matrix import SIGNED_IN, Route, World, declare


def _webhook(world: World):
    from sites_app.models import WebhookEndpoint

    endpoint = WebhookEndpoint(
        team=world.team, url="https://hooks.example.com/portal", events=["site.created"]
    )
    endpoint.set_secret("whsec_matrix")
    endpoint.save()
    return endpoint


def _webhook_id(world: World) -> dict:
    return {"webhook_id": _webhook(world).pk}


def _delivery(world: World) -> dict:
    from sites_app.models import WebhookDelivery

    endpoint = _webhook(world)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="site.created", payload={"id": "evt_matrix"}, status="failed"
    )
    return {"webhook_id": endpoint.pk, "delivery_id": delivery.pk}


def _webhook_form(world: World) -> dict:
    # A literal public address: nothing is resolved, nothing is called when saving.
    return {"url": "https://203.0.113.7/hook", "events": ["site.created"], "is_active": "on"}


def _notification(world: World) -> dict:
    """A notice of each matrix person in world.team; the route is about one person's own."""
    from sites_app.models import Notification

    ids = [
        Notification.objects.create(
            user=user, team=world.team, event="site.expiring", dedupe_key="m", title="t"
        ).pk
        for user in world.users.values()
    ]
    return {"notification_id": ids[0]}


declare(
    Route("notification_list", get=SIGNED_IN),
    Route("notification_read_all", post=SIGNED_IN),
    Route(
        "notification_read",
        post=SIGNED_IN,
        kwargs=_notification,
        own_tests="one's own notices only (others' are 404): tests/notifications/test_bell.py",
    ),
    # One's own choices in the current team: every member may make them.
    Route("notification_preferences", get=SIGNED_IN, post=SIGNED_IN),
    Route("webhook_list", get=Right.MANAGE_ACCOUNTS),
    Route(
        "webhook_create",
        get=Right.MANAGE_ACCOUNTS,
        post=Right.MANAGE_ACCOUNTS,
        post_data=_webhook_form,
    ),
    Route("webhook_detail", get=Right.MANAGE_ACCOUNTS, kwargs=_webhook_id),
    Route(
        "webhook_edit",
        get=Right.MANAGE_ACCOUNTS,
        post=Right.MANAGE_ACCOUNTS,
        kwargs=_webhook_id,
        post_data=_webhook_form,
    ),
    Route(
        "webhook_delete", get=Right.MANAGE_ACCOUNTS, post=Right.MANAGE_ACCOUNTS, kwargs=_webhook_id
    ),
    Route("webhook_resend", post=Right.MANAGE_ACCOUNTS, kwargs=_delivery),
)
