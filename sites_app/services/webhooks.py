"""Webhooks: register, sign, deliver (once at a time, to checked addresses), retry, re-send.

A delivery is a row before it is a request: a worker claims it with a conditional UPDATE,
makes one HTTP request, and writes the attempt; a failure sets `next_attempt_at` with an
exponential backoff, and beat sends what is due, so restarts lose nothing, for
WEBHOOK_RETRY_HOURS. Addresses are checked when the URL is saved and again right before each
request (DNS may have changed), and the request goes to the address that was checked.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from sites_app import audit
from sites_app.crypto import SecretUnreadable
from sites_app.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Portal-Signature"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
FIRST_RETRY = 60  # seconds; doubled after each failure
LONGEST_WAIT = 6 * 3600
CLAIM_SECONDS = 120  # a claimed delivery is free again after this (its worker died)
EXCERPT = 200  # characters of the receiver's answer kept for the log


class UnsafeDestination(Exception):
    """The URL may not be called; `message` says why in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the URL rules ----------------------------------------------------------------------


def _refused_kind(address: str) -> str | None:
    """ "a private" (and the like) when webhooks may not call this address, else None."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if settings.WEBHOOK_ALLOW_PRIVATE or (ip.is_global and not ip.is_multicast):
        return None
    if ip.is_loopback:
        return "a loopback"
    if ip.is_link_local:
        return "a link-local"
    if ip.is_private:
        return "a private"
    return "a reserved"


def _refused_address(address: str) -> str | None:
    if kind := _refused_kind(address):
        return f"{address} is {kind} address: webhooks only call public addresses."
    return None


def url_problem(url: str) -> str | None:
    """Why this URL cannot be a webhook (without resolving it), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "This is not a valid URL."
    host = parts.hostname or ""
    if not host:
        return "The URL needs a host name."
    if parts.username or parts.password:
        return "Leave user names and passwords out of the URL: the signature proves who calls."
    plain_allowed = parts.scheme == "http" and settings.DEBUG and host in LOOPBACK_HOSTS
    if parts.scheme != "https" and not plain_allowed:
        return "The URL must start with https:// (plain http only to 127.0.0.1 in DEBUG)."
    if port == 0:
        return "The URL's port is not valid."
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return _refused_address(host)


def resolve_checked(url: str) -> tuple[str, list[str]]:
    """(host, its addresses) once every address the host resolves to is allowed."""
    if problem := url_problem(url):
        raise UnsafeDestination(problem)
    parts = urlsplit(url)
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeDestination(f"The host name {host} does not resolve ({exc}).") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise UnsafeDestination(f"The host name {host} does not resolve.")
    for address in addresses:
        if kind := _refused_kind(address):
            raise UnsafeDestination(
                f"{host} resolves to {address}, {kind} address: webhooks only call public "
                "addresses."
            )
    return host, addresses


# --- signing ----------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix>,v1=<hex>`: HMAC-SHA256 over "<unix>." followed by the body."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


# --- registering ------------------------------------------------------------------------


def create_endpoint(
    team, *, url: str, description: str, events: list[str], actor, request=None
) -> tuple[WebhookEndpoint, str]:
    """Save a new endpoint; returns it with its secret, to be shown once."""
    secret = new_secret()
    endpoint = WebhookEndpoint(
        team=team, url=url, description=description, events=events, created_by=actor
    )
    endpoint.set_secret(secret)
    endpoint.save()
    audit.record("webhook.create", actor=actor, team=team, obj=endpoint, request=request)
    return endpoint, secret


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str,
    description: str,
    events: list[str],
    is_active: bool,
    new_secret_wanted: bool,
    actor,
    request=None,
) -> str | None:
    """Save the changes; returns the new secret when one was asked for (shown once)."""
    endpoint.url, endpoint.description = url, description
    endpoint.events, endpoint.is_active = events, is_active
    fields = ["url", "description", "events", "is_active", "updated_at"]
    secret = None
    if new_secret_wanted:
        secret = new_secret()
        endpoint.set_secret(secret)
        fields.append("secret_encrypted")
    endpoint.save(update_fields=fields)
    audit.record(
        "webhook.update",
        actor=actor,
        team=endpoint.team,
        obj=endpoint,
        request=request,
        new_secret=bool(secret) or None,
    )
    return secret


def delete_endpoint(endpoint: WebhookEndpoint, *, actor, request=None) -> None:
    audit.record("webhook.delete", actor=actor, team=endpoint.team, obj=endpoint, request=request)
    endpoint.delete()


# --- queuing ----------------------------------------------------------------------------


def event_payload(event: str, team, data: dict) -> dict:
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": event,
        "created": timezone.now().isoformat(),
        "team": {"id": team.pk, "name": team.name},
        "data": data,
    }


def queue_event(team, event: str, dedupe_key: str, data: dict) -> list[WebhookDelivery]:
    """A delivery row for each active endpoint of the team subscribed to the event, once per
    (endpoint, dedupe_key); each is sent on commit."""
    made = []
    payload = event_payload(event, team, data)
    for endpoint in WebhookEndpoint.objects.filter(team=team, is_active=True):
        if event not in endpoint.events:
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event=event,
                    dedupe_key=f"{dedupe_key}:{event}",
                    payload=payload,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:  # already queued by an earlier run
            continue
        _send_on_commit(delivery.pk)
        made.append(delivery)
    return made


def subscribed_endpoints(team_id: int, event: str) -> list[WebhookEndpoint]:
    """The team's active endpoints that take `event` (one query; each with its team)."""
    found = WebhookEndpoint.objects.filter(team_id=team_id, is_active=True).select_related("team")
    return [endpoint for endpoint in found if event in endpoint.events]


def queue_events(
    endpoints: list[WebhookEndpoint], event: str, items: list[tuple[str, dict]]
) -> int:
    """`queue_event` for many events of one kind at once (a sync page), whatever their
    number: one INSERT of every (event, endpoint) delivery, skipping those queued already,
    and one message on commit that sends what is due. `items`: (dedupe key, data)."""
    if not endpoints or not items:
        return 0
    from sites_app import tasks_notify

    team, now = endpoints[0].team, timezone.now()
    deliveries = []
    for dedupe_key, data in items:
        payload = event_payload(event, team, data)  # one event id for all its endpoints
        deliveries += [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                dedupe_key=f"{dedupe_key}:{event}",
                payload=payload,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    WebhookDelivery.objects.bulk_create(deliveries, batch_size=500, ignore_conflicts=True)
    transaction.on_commit(
        lambda: tasks_notify.safe_delay(tasks_notify.deliver_due_webhooks)  # beat's, too
    )
    return len(deliveries)


def resend(delivery: WebhookDelivery, *, actor, request=None) -> WebhookDelivery:
    """The same event (same payload and event id) as a new delivery, sent at once."""
    again = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        payload=delivery.payload,
        resent_from=delivery,
        next_attempt_at=timezone.now(),
    )
    audit.record(
        "webhook.resend",
        actor=actor,
        team=delivery.endpoint.team,
        obj=delivery.endpoint,
        request=request,
        event=delivery.event,
    )
    _send_on_commit(again.pk)
    return again


def _send_on_commit(delivery_id: int) -> None:
    from sites_app import tasks_notify

    # Beat sends whatever is due, so a message lost here only delays the delivery.
    transaction.on_commit(
        lambda: tasks_notify.safe_delay(tasks_notify.deliver_webhook, delivery_id)
    )


# --- delivering -------------------------------------------------------------------------


@dataclass
class Answer:
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    duration_ms: int = 0


def retry_delay(attempts: int) -> float:
    return min(LONGEST_WAIT, FIRST_RETRY * 2 ** max(0, attempts - 1))


def deliver(delivery_id: int) -> str:
    """Claim the delivery, make one request, record it, and schedule the next try if needed."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    if not claimed:
        return "not due"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if not delivery.endpoint.is_active:  # paused: it waits, and goes out once resumed
        WebhookDelivery.objects.filter(pk=delivery_id).update(locked_until=None)
        return "paused"
    answer = _post(delivery)
    WebhookAttempt.objects.create(
        delivery=delivery,
        status_code=answer.status_code,
        duration_ms=answer.duration_ms,
        error=answer.error[:300],
        response_excerpt=answer.excerpt[:300],
    )
    attempts = delivery.attempts + 1
    changes = {
        "attempts": attempts,
        "locked_until": None,
        "last_status_code": answer.status_code,
        "last_error": answer.error[:300],
    }
    finished = timezone.now()
    if answer.status_code is not None and 200 <= answer.status_code < 300:
        changes |= {"status": DeliveryStatus.DELIVERED, "finished_at": finished}
        outcome = "delivered"
    else:
        next_at = finished + timedelta(seconds=retry_delay(attempts))
        give_up_at = delivery.created_at + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
        if next_at > give_up_at:
            changes |= {
                "status": DeliveryStatus.FAILED,
                "finished_at": finished,
                "next_attempt_at": None,
            }
            outcome = "gave up"
        else:
            changes["next_attempt_at"] = next_at
            outcome = "will retry"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
    log.info(
        "webhook delivery %s (%s) attempt %s: %s %s",
        delivery.pk,
        delivery.event,
        attempts,
        answer.status_code or answer.error,
        outcome,
    )
    return outcome


def _post(delivery: WebhookDelivery) -> Answer:
    endpoint = delivery.endpoint
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        host, addresses = resolve_checked(endpoint.url)
        secret = endpoint.secret()
    except UnsafeDestination as exc:
        return Answer(error=f"Refused: {exc.message}", duration_ms=took())
    except SecretUnreadable:
        return Answer(error="The signing secret cannot be decrypted; make a new one.")
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    parts = urlsplit(endpoint.url)
    default_port = 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GandiSitesPortal-Webhooks/1",
        "Host": host if port == default_port else f"{host}:{port}",
        "X-Portal-Event": delivery.event,
        "X-Portal-Delivery": str(delivery.delivery_id),
        SIGNATURE_HEADER: signature(secret, int(time.time()), body),
    }
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    error = "The host has no address."
    # Only the addresses checked above are connected to, in order (a dual-stack host whose
    # first address does not answer is reached on the next).
    for address in addresses:
        try:
            status, excerpt = _request(parts.scheme, host, address, port, path, headers, body)
        except (
            urllib3.exceptions.NewConnectionError,
            urllib3.exceptions.ConnectTimeoutError,
        ) as exc:
            error = _plain_error(exc)
            continue
        except urllib3.exceptions.HTTPError as exc:
            return Answer(error=_plain_error(exc), duration_ms=took())
        problem = ""
        if 300 <= status < 400:
            problem = f"Answered {status} (a redirect, which webhooks do not follow)."
        elif not 200 <= status < 300:
            problem = f"Answered {status}."
        return Answer(status_code=status, error=problem, excerpt=excerpt, duration_ms=took())
    return Answer(error=error, duration_ms=took())


def _request(
    scheme: str, host: str, address: str, port: int, path: str, headers: dict, body: bytes
) -> tuple[int, str]:
    """One POST to `address`, never redirected or retried; (status, start of the answer)."""
    timeout = urllib3.Timeout(connect=settings.WEBHOOK_TIMEOUT, read=settings.WEBHOOK_TIMEOUT)
    if scheme == "https":
        # Connect to the checked address, but verify the certificate for the host name.
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=settings.WEBHOOK_CA_BUNDLE or None,
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    with pool:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(EXCERPT, decode_content=False).decode("utf-8", "replace")
        finally:
            response.close()
    return response.status, excerpt


def _plain_error(exc: Exception) -> str:
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return f"No answer within {settings.WEBHOOK_TIMEOUT:g} s."
    if isinstance(exc, urllib3.exceptions.SSLError):
        return f"The TLS connection failed: {exc}"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "The connection was refused or the host is unreachable."
    return f"The request failed: {exc}"


def due_deliveries(now=None) -> list[int]:
    """Ids of pending deliveries whose next try is due and that no worker holds."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
