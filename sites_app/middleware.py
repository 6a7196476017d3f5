"""Portal middleware: a friendly 405 page, and no caching of signed-in pages."""

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


class FriendlyMethodNotAllowedMiddleware:
    """A page for 405 responses (Django's `require_POST` and friends send an empty body)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            friendly = render(request, "405.html", status=405)
            friendly["Allow"] = response.get("Allow", "")
            return friendly
        return response


class NoStoreForSignedInMiddleware:
    """Pages seen signed in (team data, a one-time invitation link) are never cached: not by
    the browser's back button on a shared computer, not by a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # Cache-Control: ..., no-store, private
        return response
