"""Gandi accounts of a team: checking a key, saving it encrypted, testing the connection.

A key is checked before it is saved (version.info, then site.count) so a typo is caught on
the form, not later in a worker. The key passes through here in clear only as a function
argument; it is never logged, audited or put in an exception text.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from sites_app import audit
from sites_app.crypto import SecretUnreadable
from sites_app.gandi.errors import GandiError
from sites_app.models import Endpoint, GandiAccount, Team
from sites_app.models.accounts import key_fingerprint


@dataclass(frozen=True)
class CheckResult:
    api_version: str
    site_count: int


# Plain http is tolerated only for a simulator on this machine: the key then never leaves it.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

KEY_NEEDED_FOR_NEW_ENDPOINT = "Enter the API key again to use it with a new endpoint."


KEY_IN_USE = (
    "This key's Gandi account is already connected to the portal, in another team: its sites "
    "are managed there. Ask an owner of that team to invite you, rather than adding it twice."
)


class KeyInUse(ValueError):
    """Another team's account holds this key at this endpoint: one Gandi account, one portal
    account, so no Gandi site is upgraded or deleted from two teams at once."""

    def __init__(self) -> None:
        super().__init__(KEY_IN_USE)


def key_in_use_elsewhere(
    team: Team, url: str, api_key: str, *, exclude: GandiAccount | None = None
) -> bool:
    """Whether an account of another team holds this key at this endpoint."""
    others = GandiAccount.objects.filter(key_fingerprint=key_fingerprint(url, api_key))
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exclude(team=team).exists()


def _save_refusing_a_shared_key(account: GandiAccount, **save) -> None:
    """Save; the database's one-account-per-key constraint (two teams adding the same key at
    the same moment) becomes KeyInUse."""
    try:
        with transaction.atomic():
            account.save(**save)
    except IntegrityError:
        if GandiAccount.objects.filter(key_fingerprint=account.key_fingerprint).exists():
            raise KeyInUse() from None
        raise


class KeyNeededForNewEndpoint(ValueError):
    """The endpoint changed but no key was entered: the stored key stays where it was checked,
    so whoever can edit an account cannot send its key to a URL of their choosing."""

    def __init__(self) -> None:
        super().__init__(KEY_NEEDED_FOR_NEW_ENDPOINT)


UNREADABLE_KEY = (
    "This key was stored with an encryption key that is no longer configured; enter the key again."
)


@sensitive_variables()
def key_is_readable(account: GandiAccount) -> bool:
    try:
        account.api_key()
    except SecretUnreadable:
        return False
    return True


@sensitive_variables()
def same_key_account(
    team: Team, url: str, api_key: str, *, exclude: GandiAccount | None = None
) -> GandiAccount | None:
    """The team's account that already holds this key on this endpoint: adding it again would
    list every one of its sites twice."""
    others = GandiAccount.objects.filter(team=team)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    for other in others:
        if other.url != url:
            continue
        try:
            if hmac.compare_digest(other.api_key(), api_key):
                return other
        except SecretUnreadable:
            continue
    return None


def custom_url_problem(url: str) -> str | None:
    """Why this custom endpoint URL is refused, or None when it is acceptable."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and settings.DEBUG and parts.hostname in LOOPBACK_HOSTS:
        return None
    if settings.DEBUG:
        return (
            "The custom URL must start with https:// (plain http is accepted only for "
            "127.0.0.1, localhost or ::1, e.g. a local simulator)."
        )
    return "The custom URL must start with https://: the API key must not travel in clear."


def endpoint_changes(account: GandiAccount, endpoint: str, custom_url: str) -> bool:
    custom_url = custom_url if endpoint == Endpoint.CUSTOM else ""
    return (endpoint, custom_url) != (account.endpoint, account.custom_url)


def endpoint_url(endpoint: str, custom_url: str = "") -> str:
    return {
        Endpoint.PRODUCTION: settings.GANDI_PRODUCTION_URL,
        Endpoint.OTE: settings.GANDI_OTE_URL,
        Endpoint.SIMULATOR: settings.GANDI_SIMULATOR_URL,
    }.get(endpoint, custom_url)


@sensitive_variables("api_key")
def check_key(url: str, api_key: str) -> CheckResult:
    """Ask Gandi whether the key works here; raises a GandiError subclass with `.message`."""
    from sites_app.gandi.client import client_for

    client = client_for(url, api_key, for_request=True)
    # Someone is waiting on the page: one quick retry, not the workers' patient backoff.
    client.read_retries = min(client.read_retries, 1)
    info = client.version_info()
    count = client.site_count()
    return CheckResult(api_version=str(info.get("api_version", "")), site_count=count)


@sensitive_variables("api_key")
def add_account(
    team: Team,
    *,
    name: str,
    endpoint: str,
    custom_url: str,
    api_key: str,
    actor,
    request: HttpRequest | None = None,
) -> tuple[GandiAccount, CheckResult]:
    """Check the key, then store the account with the key encrypted. Raises GandiError."""
    result = check_key(endpoint_url(endpoint, custom_url), api_key)
    account = GandiAccount(
        team=team,
        name=name,
        endpoint=endpoint,
        custom_url=custom_url if endpoint == Endpoint.CUSTOM else "",
        created_by=actor,
        last_success_at=timezone.now(),
    )
    account.set_api_key(api_key)
    with transaction.atomic():
        _save_refusing_a_shared_key(account)
        audit.record(
            "gandi_account.add",
            actor=actor,
            team=team,
            obj=account,
            request=request,
            endpoint=endpoint,
            key_hint=account.key_hint,
        )
        transaction.on_commit(lambda: import_sites(account))
    return account, result


def import_sites(account: GandiAccount) -> None:
    """A new account's sites are read from Gandi at once (the list says how far it got)."""
    from sites_app import tasks
    from sites_app.services import sync_status

    sync_status.mark_requested([account])
    tasks.sync_account_sites.delay(account.pk)


# The account's "last successful check" follows the workers' real calls, written at most
# this often per account (a sync of thousands of sites makes one write a minute, not one a call).
SUCCESS_EVERY = timedelta(minutes=1)


def success_recorder(account_id: int) -> Callable[[], None]:
    """A GandiClient.on_success hook: one UPDATE per account and minute, and none at all
    from a client that already wrote within the minute."""
    next_write = [0.0]

    def record() -> None:
        if time.monotonic() < next_write[0]:
            return
        next_write[0] = time.monotonic() + SUCCESS_EVERY.total_seconds()
        now = timezone.now()
        GandiAccount.objects.filter(
            Q(last_success_at__isnull=True) | Q(last_success_at__lt=now - SUCCESS_EVERY),
            pk=account_id,
        ).update(last_success_at=now, last_check_error="")

    return record


@sensitive_variables("new_api_key")
def update_account(
    account: GandiAccount,
    *,
    name: str,
    endpoint: str,
    custom_url: str,
    new_api_key: str = "",
    actor,
    request: HttpRequest | None = None,
) -> CheckResult | None:
    """Save changes; a new key is checked first, at the new endpoint if it changes (raises
    GandiError). A new endpoint needs a new key (raises KeyNeededForNewEndpoint): the stored
    key is never sent to a URL it was not checked with.

    Returns the check's result, or None when nothing Gandi-related changed.
    """
    if endpoint_changes(account, endpoint, custom_url) and not new_api_key:
        raise KeyNeededForNewEndpoint()
    custom_url = custom_url if endpoint == Endpoint.CUSTOM else ""
    result = None
    if new_api_key:
        result = check_key(endpoint_url(endpoint, custom_url), new_api_key)
    changed = [
        field
        for field, value in (("name", name), ("endpoint", endpoint), ("custom_url", custom_url))
        if getattr(account, field) != value
    ]
    account.name, account.endpoint, account.custom_url = name, endpoint, custom_url
    fields = [*changed]
    old_hint = account.key_hint
    if new_api_key:
        account.set_api_key(new_api_key)
        fields += ["api_key_encrypted", "key_hint"]
    if result is not None:
        account.last_success_at = timezone.now()
        account.last_check_error = ""
        fields += ["last_success_at", "last_check_error"]
    if new_api_key:
        fields.append("key_fingerprint")
    with transaction.atomic():
        if fields:
            _save_refusing_a_shared_key(account, update_fields=fields)
        if changed:
            audit.record(
                "gandi_account.change",
                actor=actor,
                team=account.team,
                obj=account,
                request=request,
                fields=changed,
            )
        if new_api_key:
            audit.record(
                "gandi_account.key_replace",
                actor=actor,
                team=account.team,
                obj=account,
                request=request,
                old_key_hint=old_hint,
                key_hint=account.key_hint,
            )
    return result


def check_connection(
    account: GandiAccount, *, actor, request: HttpRequest | None = None
) -> CheckResult:
    """Check the stored key now; remembers the outcome on the account. Raises GandiError,
    or SecretUnreadable (its text is UNREADABLE_KEY) when no encryption key can read it."""
    try:
        result = check_key(account.url, account.api_key())
    except (GandiError, SecretUnreadable) as exc:
        error = exc.message if isinstance(exc, GandiError) else UNREADABLE_KEY
        account.last_check_error = error
        account.save(update_fields=["last_check_error"])
        audit.record(
            "gandi_account.test",
            actor=actor,
            team=account.team,
            obj=account,
            request=request,
            outcome="failure",
            error=error,
        )
        if isinstance(exc, SecretUnreadable):
            raise SecretUnreadable(UNREADABLE_KEY) from None
        raise
    account.last_success_at = timezone.now()
    account.last_check_error = ""
    account.save(update_fields=["last_success_at", "last_check_error"])
    audit.record(
        "gandi_account.test",
        actor=actor,
        team=account.team,
        obj=account,
        request=request,
        site_count=result.site_count,
    )
    return result


class AccountBusyError(Exception):
    """The account still has operations in flight at Gandi."""


def in_flight_operations(account: GandiAccount) -> int:
    return account.operations.in_flight().count()


def remove_account(account: GandiAccount, *, actor, request: HttpRequest | None = None) -> None:
    """Forget the account (nothing changes at Gandi); refused while operations are in flight,
    whose outcome the portal would otherwise never learn."""
    with transaction.atomic():
        busy = in_flight_operations(account)
        if busy:
            raise AccountBusyError(
                f"{busy} operation(s) of this account are still in progress at Gandi. "
                "Wait until they finish, then remove the account."
            )
        audit.record(
            "gandi_account.remove",
            actor=actor,
            team=account.team,
            obj=account,
            request=request,
            key_hint=account.key_hint,
        )
        account.delete()


def rotate_stored_keys() -> tuple[int, list[GandiAccount]]:
    """Re-encrypt every stored key with the first ENCRYPTION_KEYS entry.

    Returns (re-encrypted count, accounts no configured key can read).
    """
    from cryptography.fernet import InvalidToken

    from sites_app import crypto

    done, unreadable = 0, []
    for account_id in GandiAccount.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            account = GandiAccount.objects.select_for_update().get(pk=account_id)
            try:
                token = crypto.reencrypt(account.api_key_encrypted)
            except InvalidToken:  # report it and go on with the others
                unreadable.append(account)
                continue
            account.api_key_encrypted = token
            account.save(update_fields=["api_key_encrypted"])
            audit.record("gandi_account.key_rotated", team=account.team, obj=account)
            done += 1
    return done, unreadable
