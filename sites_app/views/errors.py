"""Friendly error pages (wired in portal/urls.py)."""

from django.shortcuts import render


def permission_denied(request, exception=None):
    reason = str(exception) if exception and str(exception) else None
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Plain template, no context processors: the database may be what failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
