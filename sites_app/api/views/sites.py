"""Sites: list (the page's search, filters and sort), detail with vhosts, and the changes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from sites_app.access import Right
from sites_app.api import base
from sites_app.api.pagination import KeysetPagination
from sites_app.api.problems import Conflict
from sites_app.api.serializers.operations import AcceptedSerializer
from sites_app.api.serializers.sites import (
    DeleteSerializer,
    SiteCreateSerializer,
    SiteDetailSerializer,
    SiteFilterSerializer,
    SiteSerializer,
    UpgradeOfferSerializer,
    UpgradeSerializer,
    VhostsChangeSerializer,
)
from sites_app.api.views import changes
from sites_app.crypto import SecretUnreadable
from sites_app.gandi.errors import GandiError
from sites_app.models import GandiAccount, OperationKind, Site
from sites_app.services import quotes, site_query
from sites_app.views.sites import _offers, _quote_changed

IDEMPOTENCY = OpenApiParameter(
    changes.HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Re-sending the same key returns the same operation.",
)
ACCEPTED = {202: AcceptedSerializer, 409: OpenApiResponse(description="Refused (problem)")}


class SiteList(base.TeamAPIView):
    """GET: the team's sites, searched, filtered and sorted like the Sites page (cursor pages).
    POST: create a site (dry-run first; billing and up): 202 with the operation."""

    serializer_class = SiteSerializer
    pagination_class = KeysetPagination
    team_field = "account__team"

    def get_queryset(self):
        return Site.objects.present().filter(account__team=self.team)

    def filters(self) -> dict:
        if not hasattr(self, "_filters"):
            found = SiteFilterSerializer(data=self.request.query_params)
            found.is_valid(raise_exception=True)
            self._filters = found.validated_data
        return self._filters

    def keyset(self, request) -> tuple[list[str], bool]:
        """The page's sort (e.g. paid_until, gandi_id) in the order of its index, then the
        primary key; sites without the date (Gandi did not give it yet) come last."""
        ordering = site_query.ordering(self.filters().get("sort"))
        return [f.lstrip("-") for f in ordering] + ["pk"], ordering[0].startswith("-")

    @extend_schema(
        operation_id="sites_list",
        parameters=[SiteFilterSerializer],
        responses=SiteSerializer(many=True),
    )
    def get(self, request):
        account_ids = self.team_account_ids()
        sites = Site.objects.present().filter(account_id__in=account_ids)
        sites = site_query.filter_sites(sites, self.filters())
        page = self.paginate_queryset(sites)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    @extend_schema(request=SiteCreateSerializer, responses=ACCEPTED, parameters=[IDEMPOTENCY])
    def post(self, request):
        base.require(request, Right.SPEND)
        data = SiteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        account = GandiAccount.objects.filter(team=self.team, pk=data["account"]).first()
        if account is None:
            raise exceptions.ValidationError({"account": ["No such Gandi account in this team."]})
        key = changes.idempotency_key(request)
        if (done := changes.existing(request, account, key)) is not None:
            return done
        params = {k: data[k] for k in ("name", "provider", "package", "duration", "vhosts")}
        params.update(_confirmed_price(account, params, data))
        gandi_params = {k: params[k] for k in ("name", "provider", "package", "duration", "vhosts")}
        try:
            problems = account.client(for_request=True).site_create_dry_run(**gandi_params)
        except (GandiError, SecretUnreadable) as exc:
            raise changes.gandi_unavailable(exc) from None
        txt = changes.dry_run_errors(problems, set(gandi_params))
        return changes.submit(
            request,
            account=account,
            kind=OperationKind.CREATE,
            params=params,
            key=key,
            txt_problems=txt,
        )


def _confirmed_price(account: GandiAccount, params: dict, data: dict) -> dict:
    """Creating spends money: the price is shown (409 `price_required`) and echoed back, as
    the create page asks to confirm it; a price that moved meanwhile is refused (409)."""
    try:
        quote = quotes.create_quote(
            account,
            provider=params["provider"],
            package=params["package"],
            duration=params["duration"],
        )
    except (GandiError, SecretUnreadable) as exc:
        raise changes.gandi_unavailable(exc) from None
    if quote is None:  # Gandi lists no price for it: its own answer decides
        return {}
    offered = {"price": round(quote.total, 2), "currency": quote.currency}
    if "quoted_price" not in data:
        exc = Conflict(
            f"Creating this site costs {quote.words()}: send the request again with "
            "quoted_price and quoted_currency to confirm it.",
            code="price_required",
        )
        exc.extra = {"quote": offered}
        raise exc
    if quotes.differs(quote, data["quoted_price"], data.get("quoted_currency", "")):
        exc = Conflict(
            f"The price changed: this site now costs {quote.words()} (you sent "
            f"{data['quoted_price']:.2f} {data.get('quoted_currency', '')}). Nothing was sent.",
            code="price_changed",
        )
        exc.extra = {"quote": offered}
        raise exc
    return offered


class SiteDetail(base.TeamAPIView):
    """GET: one site with its vhosts in order. DELETE: delete it, with its name as
    confirmation (billing and up): 202 with the operation."""

    serializer_class = SiteDetailSerializer
    team_field = "account__team"

    def get_queryset(self):
        return Site.objects.select_related("account").prefetch_related("vhosts")

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=DeleteSerializer,
        responses=ACCEPTED,
        parameters=[
            IDEMPOTENCY,
            OpenApiParameter("confirm_name", str, description="Or in the JSON body."),
        ],
    )
    def delete(self, request, pk):
        base.require(request, Right.DELETE)
        site = self.get_object()
        body = request.data if isinstance(request.data, dict) and request.data else None
        data = DeleteSerializer(data=body or request.query_params)
        data.is_valid(raise_exception=True)
        if data.validated_data["confirm_name"].strip() != site.name:
            raise exceptions.ValidationError(
                {"confirm_name": [f"That is not the site's name: send “{site.name}” exactly."]}
            )
        key = changes.idempotency_key(request)
        if (done := changes.existing(request, site.account, key)) is not None:
            return done
        if site.is_removed:
            raise Conflict("This site is already deleted.", code="refused")
        return changes.submit(
            request,
            account=site.account,
            kind=OperationKind.DELETE,
            params={"name": site.name},
            key=key,
            site=site,
        )


class SiteVhosts(base.TeamAPIView):
    """PUT: the complete new ordered vhost list (operators and up): 202 with the operation;
    409 with the TXT records when a vhost's domain needs an ownership proof."""

    serializer_class = VhostsChangeSerializer
    team_field = "account__team"

    def get_queryset(self):
        return Site.objects.select_related("account")

    @extend_schema(responses=ACCEPTED, parameters=[IDEMPOTENCY])
    def put(self, request, pk):
        base.require(request, Right.OPERATE)
        site = self.get_object()
        data = VhostsChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new_list = data.validated_data["vhosts"]
        key = changes.idempotency_key(request)
        if (done := changes.existing(request, site.account, key)) is not None:
            return done
        if site.is_removed:
            raise Conflict("This site no longer exists at Gandi.", code="refused")
        if site.parking_vhost and site.parking_vhost not in new_list:
            raise exceptions.ValidationError(
                {"vhosts": [f"The parking vhost {site.parking_vhost} must stay."]}
            )
        try:
            client = site.account.client(for_request=True)
            problems = client.site_update_dry_run(site.gandi_id, vhosts=new_list)
        except (GandiError, SecretUnreadable) as exc:
            raise changes.gandi_unavailable(exc) from None
        txt = changes.dry_run_errors(problems, {"vhosts"})
        current = site.vhost_names()
        params = {
            "vhosts": new_list,
            "added_vhosts": [v for v in new_list if v not in current],
            "based_on": current,
        }
        return changes.submit(
            request,
            account=site.account,
            kind=OperationKind.UPDATE_VHOSTS,
            params=params,
            key=key,
            site=site,
            txt_problems=txt,
        )


class SiteUpgrade(base.TeamAPIView):
    """GET: the offers above the current package with Gandi's price. POST: upgrade, echoing
    the quote back (billing and up); 409 `price_changed` when Gandi's price moved."""

    serializer_class = UpgradeSerializer
    team_field = "account__team"

    def get_queryset(self):
        return Site.objects.select_related("account")

    def offers(self, site: Site) -> list[dict]:
        offers, problem = _offers(site)
        if problem:
            raise changes.gandi_unavailable(GandiError(problem))
        return offers

    @extend_schema(responses=UpgradeOfferSerializer(many=True))
    def get(self, request, pk):
        """The packages above the current one, each with the quote to echo back."""
        site = self.get_object()
        return Response(
            [
                {
                    "package": o["name"],
                    "price": o["price"].price if o["price"] else None,
                    "currency": o["price"].currency if o["price"] else "",
                }
                for o in self.offers(site)
            ]
        )

    @extend_schema(responses=ACCEPTED, parameters=[IDEMPOTENCY])
    def post(self, request, pk):
        base.require(request, Right.SPEND)
        site = self.get_object()
        data = UpgradeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        key = changes.idempotency_key(request)
        if (done := changes.existing(request, site.account, key)) is not None:
            return done
        if site.is_removed:
            raise Conflict("This site no longer exists at Gandi.", code="refused")
        offer = next((o for o in self.offers(site) if o["name"] == data["package"]), None)
        if offer is None:
            raise exceptions.ValidationError(
                {"package": [f"“{data['package']}” is not an upgrade of {site.package}."]}
            )
        changed = _quote_changed(
            offer,
            {"quoted_price": str(data["quoted_price"]), "quoted_currency": data["quoted_currency"]},
        )
        if changed:
            raise Conflict(changed, code="price_changed")
        params = {"package": offer["name"]}
        if offer["price"] is not None:
            params.update(price=offer["price"].price, currency=offer["price"].currency)
        return changes.submit(
            request,
            account=site.account,
            kind=OperationKind.UPGRADE,
            params=params,
            key=key,
            site=site,
        )
