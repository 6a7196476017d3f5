"""The CSP hook of tests/browser/conftest.py sees what the browser blocks, so every other
browser test fails on a violation; and the pages htmx refreshes run clean under the CSP."""

from playwright.sync_api import expect


def test_the_browser_blocks_inline_code_and_the_test_hears_of_it(page, csp_violations):
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
        window.blocked = 0;
        document.addEventListener("securitypolicyviolation", () => { window.blocked += 1; });
        document.head.insertAdjacentHTML("beforeend", "<style>body { color: red }</style>");
        document.body.insertAdjacentHTML("beforeend", '<img src="x" onerror="window.ran = 1">');
    }"""
    )
    page.wait_for_function("() => window.blocked >= 2")
    assert page.evaluate("() => window.ran") is None  # the inline handler never ran
    directives = " ".join(csp_violations)
    assert "style-src-elem" in directives
    assert "script-src-attr" in directives
    csp_violations.clear()  # seen on purpose: this test must not fail for them


def test_the_team_page_confirms_before_leaving_without_inline_code(page, login, alice):
    login(page, alice)
    page.goto("/team/")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Leave team").click()
    expect(page.get_by_role("button", name="Leave team")).to_be_visible()
    assert asked == ["Leave Acme Web?"]
