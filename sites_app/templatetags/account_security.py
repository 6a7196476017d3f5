"""Template helpers of the account pages: when a session was last used."""

from datetime import UTC, datetime

from django import template
from django.conf import settings

from sites_app.services import session_limits

register = template.Library()


@register.filter
def last_seen(user_session) -> datetime | None:
    """The last request of an allauth UserSession (our idle clock), else its sign-in time."""
    seen = session_limits.last_seen(user_session._session_store(user_session.session_key))
    if seen is None:
        return user_session.last_seen_at
    return datetime.fromtimestamp(seen, tz=UTC)


@register.filter
def bootstrap_widget(field) -> str:
    """A bound field's widget with Bootstrap's class, for allauth's forms (not ours)."""
    if field.widget_type == "checkbox":
        css = "form-check-input"
    elif field.widget_type == "select":
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.simple_tag
def session_limits_text() -> str:
    return (
        f"A session ends {settings.SESSION_IDLE_MINUTES:g} minutes after its last use and at "
        f"most {settings.SESSION_ABSOLUTE_HOURS:g} hours after signing in."
    )
