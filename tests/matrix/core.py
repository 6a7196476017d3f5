"""Declarations for the portal's core URLs (sites_app/urls/__init__.py)."""

from tests.matrix import SIGNED_IN, Route, declare

declare(
    # Reads only; it answers a POST like a GET, which changes nothing.
    Route("dashboard", get=SIGNED_IN, post=SIGNED_IN),
    Route("switch_team", post=SIGNED_IN),
    Route("profile", get=SIGNED_IN, post=SIGNED_IN),
)
