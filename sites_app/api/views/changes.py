"""The asynchronous changes, as the pages make them: dry run, then one Operation row through
services.operations.request_operation, answered 202 with the operation's URL.

`Idempotency-Key` (8..200 characters) is stored as the Operation's key, hashed together with
the team and the token, so a re-sent request gets the same operation and two tokens (or two
teams) can never collide.
"""

from __future__ import annotations

import hashlib
import secrets

from django.urls import reverse
from rest_framework import exceptions, status
from rest_framework.response import Response

from sites_app.api.problems import Conflict
from sites_app.api.serializers.operations import OperationSerializer
from sites_app.crypto import SecretUnreadable
from sites_app.gandi.errors import GandiError
from sites_app.models import GandiAccount, Operation, PendingRequest, Site
from sites_app.services.operations import OperationRefused, request_operation
from sites_app.services.verification import read_problems, start_pending

HEADER = "Idempotency-Key"


def idempotency_key(request) -> str:
    """The Operation key for this request: from the header, else a fresh one."""
    sent = request.headers.get(HEADER, "")
    if not sent:
        return f"api-{secrets.token_urlsafe(24)}"
    if not 8 <= len(sent) <= 200 or not sent.isprintable():
        raise exceptions.ValidationError({HEADER: ["Send 8 to 200 printable characters."]})
    token = request.auth
    scope = f"{token.team_id}:{token.pk}:{sent}"
    return "api-" + hashlib.sha256(scope.encode()).hexdigest()[:56]


def accepted(request, op: Operation, created: bool) -> Response:
    url = request.build_absolute_uri(reverse("api:operation-detail", kwargs={"pk": op.pk}))
    body = {
        "operation": OperationSerializer(op, context={"request": request}).data,
        "created": created,
    }
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": url})


def existing(request, account: GandiAccount, key: str) -> Response | None:
    """A re-sent request: the operation its first sending made (or its pending proof)."""
    op = Operation.objects.filter(account=account, idempotency_key=key).first()
    if op is not None:
        return accepted(request, op, created=False)
    pending = PendingRequest.objects.filter(account=account, idempotency_key=key).first()
    if pending is not None:
        raise proof_needed(request, pending)
    return None


def proof_needed(request, pending: PendingRequest) -> Conflict:
    exc = Conflict(
        "Some vhosts are on domains Gandi does not manage: publish these TXT records, then "
        "POST to the verification's check URL (or confirm on the verification page).",
        code="ownership_proof_required",
    )
    api_url = request.build_absolute_uri(
        reverse("api:verification-detail", kwargs={"pk": pending.pk})
    )
    exc.extra = {
        "verification": {
            "id": pending.pk,
            "url": api_url,
            "check_url": request.build_absolute_uri(
                reverse("api:verification-check", kwargs={"pk": pending.pk})
            ),
        },
        "verification_url": request.build_absolute_uri(
            reverse("verification_detail", kwargs={"pending_id": pending.pk})
        ),
        "records": [
            {"name": r.txt_name, "type": "TXT", "ttl": r.ttl, "value": r.txt_value}
            for r in pending.records.all()
        ],
    }
    return exc


def gandi_unavailable(exc: GandiError | SecretUnreadable) -> exceptions.APIException:
    error = exceptions.APIException(f"Gandi could not check this request: {exc.message}")
    error.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return error


def dry_run_errors(problems, fields: set[str]):
    """Field errors from Gandi's dry run as a 400; the TXT problems are returned."""
    outcome = read_problems(problems, fields)
    if outcome.field_errors:
        raise exceptions.ValidationError(
            {
                ("non_field_errors" if name == "__all__" else name): errors
                for name, errors in outcome.field_errors.items()
            }
        )
    return outcome.txt_problems


def submit(
    request,
    *,
    account: GandiAccount,
    kind: str,
    params: dict,
    key: str,
    site: Site | None = None,
    txt_problems=None,
) -> Response:
    if txt_problems:
        pending = start_pending(
            account=account,
            kind=kind,
            user=request.user,
            params=params,
            idempotency_key=key,
            txt_problems=txt_problems,
            site=site,
            request=request._request,
        )
        raise proof_needed(request, pending)
    try:
        op, created = request_operation(
            account=account,
            kind=kind,
            user=request.user,
            params=params,
            idempotency_key=key,
            site=site,
            request=request._request,
        )
    except OperationRefused as exc:
        raise Conflict(exc.message, code="refused") from None
    return accepted(request, op, created)
