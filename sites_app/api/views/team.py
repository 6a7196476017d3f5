"""The team's Gandi accounts (list, test connection), members and audit events (read)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from sites_app.access import Right
from sites_app.api import base
from sites_app.api.pagination import PortalCursorPagination
from sites_app.api.serializers.team import (
    AuditEventSerializer,
    AuditFilterSerializer,
    ConnectionSerializer,
    GandiAccountSerializer,
    MemberSerializer,
)
from sites_app.crypto import SecretUnreadable
from sites_app.gandi.errors import GandiError
from sites_app.models import AuditEvent, GandiAccount, Membership
from sites_app.services import gandi_accounts


class AccountList(base.TeamAPIView):
    """The team's Gandi accounts; never their keys."""

    serializer_class = GandiAccountSerializer
    pagination_class = None

    def get_queryset(self):
        return self.team_queryset(GandiAccount.objects.order_by("name"))

    @extend_schema(operation_id="accounts_list", responses=GandiAccountSerializer(many=True))
    def get(self, request):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


class AccountTest(base.TeamAPIView):
    """Check an account's stored key against Gandi now (operators and up)."""

    serializer_class = ConnectionSerializer

    def get_queryset(self):
        return GandiAccount.objects.select_related("team")

    @extend_schema(request=None, responses={200: ConnectionSerializer})
    def post(self, request, pk):
        base.require(request, Right.OPERATE)
        account = self.get_object()
        try:
            result = gandi_accounts.check_connection(
                account, actor=request.user, request=request._request
            )
        except (GandiError, SecretUnreadable) as exc:
            return Response({"ok": False, "message": exc.message})
        return Response(
            {"ok": True, "message": f"Connected: Gandi sees {result.site_count} sites."}
        )


class MemberList(base.TeamAPIView):
    """The team's members and their roles."""

    serializer_class = MemberSerializer
    pagination_class = None

    def get_queryset(self):
        return self.team_queryset(Membership.objects.select_related("user")).order_by(
            "user__username"
        )

    @extend_schema(operation_id="members_list", responses=MemberSerializer(many=True))
    def get(self, request):
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


class AuditList(base.TeamAPIView):
    """The team's audit events, newest first, filtered by person, action or object."""

    serializer_class = AuditEventSerializer
    pagination_class = PortalCursorPagination

    @extend_schema(operation_id="audit_list", parameters=[AuditFilterSerializer])
    def get(self, request):
        found = AuditFilterSerializer(data=request.query_params)
        if not found.is_valid():
            raise exceptions.ValidationError(found.errors)
        data = found.validated_data
        events = AuditEvent.objects.filter(team=self.team)
        for name, column in (
            ("actor", "actor_label"),
            ("action", "action"),
            ("object_type", "object_type"),
            ("object_id", "object_id"),
        ):
            if data.get(name):
                events = events.filter(**{column: data[name]})
        page = self.paginate_queryset(events)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
