"""What every API view shares: the token's live membership and rights, team-scoped lookups,
and an audit event for every use of a write token."""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS

from sites_app import access, audit
from sites_app.access import Right
from sites_app.models import ApiToken, GandiAccount, Membership
from sites_app.models.audit import AuditEvent

MAX_PK = 2**63 - 1


def token_of(request) -> ApiToken:
    token = request.auth
    if not isinstance(token, ApiToken):
        raise exceptions.NotAuthenticated("Send Authorization: Bearer <token>.")
    return token


def membership_of(request) -> Membership:
    return token_of(request).membership


def rights_of(request) -> frozenset[Right]:
    """The creator's live role in the token's team, capped at read for a read-only token."""
    token = token_of(request)
    rights = access.rights_of(token.membership.role)
    return rights if token.can_write else rights & {Right.VIEW}


def require(request, right: Right) -> Membership:
    membership = membership_of(request)
    if right in rights_of(request):
        return membership
    if right in access.rights_of(membership.role):
        raise exceptions.PermissionDenied(
            f"The token {token_of(request).visible_id} is read-only: it cannot "
            f"{access.RIGHT_WORDS[right]}."
        )
    access.require(membership, right)  # raises with the role's words
    return membership


class TeamAPIView(GenericAPIView):
    """Base of the resource views: objects of the token's team only (another team's: 404)."""

    team_field = "team"
    read_right = Right.VIEW

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require(request, self.read_right)

    @property
    def membership(self) -> Membership:
        return membership_of(self.request)

    @property
    def team(self):
        return self.membership.team

    def team_queryset(self, queryset):
        return queryset.filter(**{self.team_field: self.team})

    def team_account_ids(self) -> list[int]:
        """The team's Gandi accounts, for lists filtered by `account_id__in` (an index on
        the listed table's account, no join to the team)."""
        return list(GandiAccount.objects.filter(team=self.team).values_list("pk", flat=True))

    def get_object(self):
        try:
            pk = int(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        except (TypeError, ValueError):
            raise Http404 from None
        if not 0 < pk <= MAX_PK:
            raise Http404
        obj = self.team_queryset(self.get_queryset()).filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = request.auth
        if request.method not in SAFE_METHODS and isinstance(token, ApiToken):
            audit.record(
                "api.write",
                actor=token.created_by,
                team=token.team,
                obj=token,
                outcome=(
                    AuditEvent.Outcome.SUCCESS
                    if response.status_code < 400
                    else AuditEvent.Outcome.FAILURE
                ),
                request=request._request,
                token=token.name,
                token_id=token.visible_id,
                method=request.method,
                path=request.path,
                status=response.status_code,
            )
        return response
