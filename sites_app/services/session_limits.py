"""Session lifetimes (ASVS 3.3.1, 3.3.2): an absolute limit from sign-in and an idle limit.

The idle clock lives in the cache, not in the session row, so that reading a page writes
nothing to the database; htmx polls (GETs a page makes by itself) do not count as activity.
The same clock is the "last seen" of the active-sessions page. While Redis is unavailable the
idle limit cannot be read and is not enforced (the absolute limit, kept in the session, still
is), so a Redis outage neither signs everyone out nor turns pages into errors.
"""

from __future__ import annotations

import contextlib
import secrets
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import caches
from django.http import HttpRequest

from portal.cache import UNAVAILABLE

SIGNED_IN_AT_KEY = "portal_signed_in_at"
# A random id kept inside the session: the session key itself changes (password change,
# privilege change), the id stays for the session's whole life.
SESSION_ID_KEY = "portal_session_id"


def _seen_key(session_id: str) -> str:
    return f"session-seen:{session_id}"


def _clock():
    return caches["strict"]


def _touch(session_id: str, now: float) -> None:
    with contextlib.suppress(UNAVAILABLE):  # Redis is down: the idle clock resumes with it
        _clock().set(_seen_key(session_id), now, timeout=idle_seconds())


def idle_seconds() -> int:
    return int(settings.SESSION_IDLE_MINUTES * 60)


def mark_signed_in(request: HttpRequest) -> None:
    """Start both clocks; called when someone signs in."""
    now = time.time()
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[SESSION_ID_KEY] = session_id = secrets.token_urlsafe(16)
    _touch(session_id, now)


def last_seen(session_store) -> float | None:
    """When a session (a SessionStore) was last used, epoch seconds, for the sessions page."""
    session_id = session_store.get(SESSION_ID_KEY)
    if not session_id:
        return None
    try:
        return _clock().get(_seen_key(session_id))
    except UNAVAILABLE:
        return None


def _expired_because(request: HttpRequest, now: float) -> str | None:
    signed_in_at = request.session.get(SIGNED_IN_AT_KEY)
    if signed_in_at is None or now - signed_in_at > settings.SESSION_ABSOLUTE_HOURS * 3600:
        return "Your session has ended (sessions last at most a day's work). Please sign in again."
    try:
        seen = _clock().get(_seen_key(request.session.get(SESSION_ID_KEY, "")))
    except UNAVAILABLE:
        return None  # cannot be told while Redis is down; the absolute limit above still holds
    if seen is None or now - seen > idle_seconds():
        return "You were signed out after a while without activity. Please sign in again."
    return None


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.user.is_authenticated:
            now = time.time()
            reason = _expired_because(request, now)
            if reason:
                logout(request)
                messages.info(request, reason)
                response = redirect_to_login(request.get_full_path())
                if request.headers.get("HX-Request"):
                    response["HX-Redirect"] = response["Location"]
                return response
            polling = request.method == "GET" and request.headers.get("HX-Request")
            if not polling:
                _touch(request.session[SESSION_ID_KEY], now)
        return self.get_response(request)
