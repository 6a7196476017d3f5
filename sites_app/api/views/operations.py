"""Operations: list (filters), detail, cancel and retry through the pages' services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from sites_app.access import Right
from sites_app.api import base
from sites_app.api.pagination import PortalCursorPagination
from sites_app.api.problems import Conflict
from sites_app.api.serializers.operations import (
    AcceptedSerializer,
    MessageSerializer,
    OperationFilterSerializer,
    OperationSerializer,
)
from sites_app.api.views.changes import accepted
from sites_app.models import Operation
from sites_app.services import operations as op_service
from sites_app.views.operations import KIND_RIGHTS


class OperationList(base.TeamAPIView):
    """The team's operations, newest first, filtered like the Operations page."""

    serializer_class = OperationSerializer
    pagination_class = PortalCursorPagination
    team_field = "account__team"

    @extend_schema(operation_id="operations_list", parameters=[OperationFilterSerializer])
    def get(self, request):
        found = OperationFilterSerializer(data=request.query_params)
        found.is_valid(raise_exception=True)
        data = found.validated_data
        account_ids = self.team_account_ids()
        ops = Operation.objects.filter(account_id__in=account_ids).select_related("requested_by")
        for name, column in (
            ("status", "status"),
            ("kind", "kind"),
            ("step", "gandi_step"),
            ("site", "site_id"),
            ("account", "account_id"),
        ):
            if data.get(name):
                ops = ops.filter(**{column: data[name]})
        page = self.paginate_queryset(ops)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class OperationDetail(base.TeamAPIView):
    """One operation: its status, Gandi step and progress; poll it until it is final."""

    serializer_class = OperationSerializer
    team_field = "account__team"

    def get_queryset(self):
        return Operation.objects.select_related("account__team", "site", "requested_by")

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)


class OperationCancel(OperationDetail):
    """Cancel while queued, billing or waiting (operators and up)."""

    http_method_names = ["post", "options"]

    @extend_schema(request=None, responses={202: MessageSerializer})
    def post(self, request, pk):
        base.require(request, Right.OPERATE)
        op = self.get_object()
        try:
            message = op_service.request_cancel(op, request.user, request=request._request)
        except op_service.OperationRefused as exc:
            raise Conflict(exc.message, code="refused") from None
        op.refresh_from_db()
        return Response({"detail": message, "operation": self.get_serializer(op).data}, status=202)


class OperationRetry(OperationDetail):
    """Send again where Gandi certainly did not act; a second retry returns the first."""

    http_method_names = ["post", "options"]

    @extend_schema(request=None, responses={202: AcceptedSerializer})
    def post(self, request, pk):
        op = self.get_object()
        base.require(request, KIND_RIGHTS[op.kind])
        try:
            new = op_service.retry_operation(op, request.user, request=request._request)
        except op_service.OperationRefused as exc:
            if (earlier := op.retried_as) is not None:
                return accepted(request, earlier, created=False)
            raise Conflict(exc.message, code="refused") from None
        return accepted(request, new, created=True)
