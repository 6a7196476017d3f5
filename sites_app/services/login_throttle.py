"""Sign-in throttling with django-axes: one handler, three limits.

Axes counts failures per lock-out parameter but compares them all with one limit. We count
three ways over the cool-off window (README "Accounts and security" justifies the numbers):
the (user name, address) pair, the account from any address, and the address over any user
names. Each count is scaled to the pair's limit, so axes' one comparison applies all three.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def limits() -> list[int]:
    """The limit of each entry of AXES_LOCKOUT_PARAMETERS, in the same order."""
    return [
        settings.AXES_FAILURE_LIMIT,
        settings.AXES_ACCOUNT_FAILURE_LIMIT,
        settings.AXES_ADDRESS_FAILURE_LIMIT,
    ]


class PortalAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        base = settings.AXES_FAILURE_LIMIT
        scaled = []
        for attempts, limit in zip(
            self.get_user_attempts(request, credentials), limits(), strict=True
        ):
            count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            # count >= limit  <=>  count * base // limit >= base (for integers, limit > 0)
            scaled.append(count * base // max(limit, 1))
        return max(scaled, default=0)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """A success clears only its own pair: signing in to one's own account must not wipe
        the count of an address that is guessing at other accounts."""
        username = get_client_username(request, credentials)
        pair = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address)
        count, _ = pair.delete()
        return count


def lockout_reason(request: HttpRequest, credentials: dict | None = None) -> tuple[str, str]:
    """Which limit was reached: (what is locked, in words for the audit log)."""
    handler = PortalAxesHandler()
    username = get_client_username(request, credentials)
    locked = [
        (f"pair:{username}|{request.axes_ip_address}", "this user name from this address"),
        (f"account:{username}", "this account"),
        (f"address:{request.axes_ip_address}", "this address"),
    ]
    attempts_lists = handler.get_user_attempts(request, credentials)
    checks = list(zip(attempts_lists, limits(), locked, strict=True))
    # The widest lock first: once an account is locked, its pairs filling up is no news.
    for attempts, limit, (what, words) in [checks[1], checks[2], checks[0]]:
        count = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if count >= limit:
            return what, f"{count} failed sign-ins for {words}"
    return "unknown", "too many failed sign-ins"
