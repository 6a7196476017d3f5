"""Declarations for Profile → API tokens (a person's own tokens; the API itself is walked by
tests/api/test_api_matrix.py)."""

from tests.matrix import SIGNED_IN, Route, declare


def _token(world) -> dict:
    from sites_app.models import ApiToken

    row, _ = ApiToken.issue(
        team=world.team, user=world.users["viewer"], name="m", access="read", days=1, networks=[]
    )
    return {"token_id": row.pk}


declare(
    Route("api_token_list", get=SIGNED_IN),
    Route("api_token_create", post=SIGNED_IN),
    Route(
        "api_token_revoke",
        post=SIGNED_IN,
        kwargs=_token,
        outsider_404=False,
        own_tests="only its creator may revoke it (404 for others): tests/api/test_token_pages.py",
    ),
)
