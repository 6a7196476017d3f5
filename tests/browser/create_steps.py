"""The create form's two steps as a person clicks them: check the request, accept the price."""

from __future__ import annotations

CHECK = "Check the request and price"


def check_and_confirm(page) -> None:
    page.get_by_role("button", name=CHECK).click()
    page.get_by_label("I accept").check()
    page.get_by_role("button", name="Confirm and create").click()
