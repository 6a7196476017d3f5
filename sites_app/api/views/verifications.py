"""Ownership proofs of creates and vhost changes on domains Gandi does not manage: list,
detail, check (DNS now, then the submit) and drop, through the verification page's services
(services/verification.py) and with the page's rights."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from sites_app.access import Right
from sites_app.api import base
from sites_app.api.pagination import PortalCursorPagination
from sites_app.api.problems import Conflict
from sites_app.api.serializers.operations import AcceptedSerializer
from sites_app.api.serializers.verifications import (
    MissingSerializer,
    RecordSerializer,
    VerificationFilterSerializer,
    VerificationSerializer,
)
from sites_app.api.views import changes
from sites_app.crypto import SecretUnreadable
from sites_app.gandi.errors import GandiError
from sites_app.models import OwnershipRecord, PendingRequest
from sites_app.services import verification
from sites_app.services.operations import OperationRefused
from sites_app.services.quotes import QuoteChanged
from sites_app.views.verification import confirm_right

REFUSED = OpenApiResponse(description="Refused (problem): abandoned, submitted, price changed")


class VerificationList(base.TeamAPIView):
    """The team's ownership proofs, newest first, filtered by site or status."""

    serializer_class = VerificationSerializer
    pagination_class = PortalCursorPagination
    team_field = "account__team"

    @extend_schema(operation_id="verifications_list", parameters=[VerificationFilterSerializer])
    def get(self, request):
        found = VerificationFilterSerializer(data=request.query_params)
        found.is_valid(raise_exception=True)
        data = found.validated_data
        account_ids = self.team_account_ids()
        proofs = (
            PendingRequest.objects.filter(account_id__in=account_ids)
            .select_related("site", "requested_by", "operation__requested_by")
            .prefetch_related("records")
        )
        if data.get("status"):
            proofs = proofs.filter(status=data["status"])
        if data.get("site"):
            proofs = proofs.filter(site_id=data["site"])
        page = self.paginate_queryset(proofs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class VerificationDetail(base.TeamAPIView):
    """GET: what is asked (per vhost the TXT record to publish, and whether DNS shows it).
    DELETE: drop it (operators and up); nothing is sent to Gandi."""

    serializer_class = VerificationSerializer
    team_field = "account__team"

    def get_queryset(self):
        return PendingRequest.objects.select_related(
            "account__team", "site", "requested_by", "operation__requested_by"
        ).prefetch_related("records")

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses={204: None, 409: REFUSED})
    def delete(self, request, pk):
        base.require(request, Right.OPERATE)
        pending = self.get_object()
        if pending.operation_id is None:
            verification.abandon(pending, request.user, request=request._request)
            pending.refresh_from_db()
        if pending.operation_id is not None:
            raise Conflict(
                f"This request was already submitted as operation {pending.operation_id}; "
                "cancel the operation instead, while it can be.",
                code="submitted",
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerificationCheck(VerificationDetail):
    """Look at DNS now, as the page's "Check DNS now"; once every record is found, submit the
    request as the page's confirm does (one operation, however often it is sent): 202 with
    the operation. 200 with the records DNS does not show yet. Needs the original action's
    right: billing and up for a create (its confirmed price is checked again), operators and
    up for a vhost change."""

    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="verifications_check",
        request=None,
        responses={202: AcceptedSerializer, 200: MissingSerializer, 409: REFUSED},
    )
    def post(self, request, pk):
        pending = self.get_object()
        base.require(request, confirm_right(pending))
        try:
            outcome = verification.check_and_submit(pending, request.user, request=request._request)
        except QuoteChanged as exc:
            raise Conflict(
                f"{exc.message} DELETE this verification and create the site again.",
                code="price_changed",
            ) from None
        except OperationRefused as exc:
            raise Conflict(exc.message, code="refused") from None
        except (GandiError, SecretUnreadable) as exc:
            raise changes.gandi_unavailable(exc) from None
        if outcome.operation is not None:
            return changes.accepted(request, outcome.operation, outcome.created)
        pending = self.get_object()  # what the check wrote
        return Response(
            {
                "detail": missing_words(outcome.missing, len(pending.records.all())),
                "missing": RecordSerializer(outcome.missing, many=True).data,
                "verification": self.get_serializer(pending).data,
            }
        )


def missing_words(missing: list[OwnershipRecord], total: int) -> str:
    found = "; ".join(
        f"{record.txt_name} (DNS answered: {record.last_answer or 'not looked up yet'})"
        for record in missing
    )
    return (
        f"DNS does not show {len(missing)} of the {total} TXT records yet: {found}. Nothing "
        "was sent to Gandi. Publish each record as shown, then check again (DNS changes can "
        "take a few minutes to show)."
    )
