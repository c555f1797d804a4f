"""Every public page, in Dutch and in English, passes axe-core's WCAG 2.0/2.1 A and AA rules."""

import pytest

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/over",
    "/toegankelijkheid",
    "/aanmelden",
    "/registreren",
    "/leveranciers",
    "/opdrachten",
    "/zoeken",
    "/zoeken?q=verpakking",
    "/indicator",
    "/indicator/methodology",
]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_public_pages_pass_axe(open_page, language):
    visitor = open_page(language)
    for path in PUBLIC_PAGES:
        visitor.goto(path)
    visitor.goto("/bestaat-niet", expect_status=404)
    assert len(visitor.checked) == len(PUBLIC_PAGES) + 1


def test_language_switch_button_changes_the_language(open_page):
    visitor = open_page("nl")
    visitor.goto("/over")
    visitor.page.get_by_role("button", name="English").click()
    visitor.language = "en"
    visitor.check()
    assert visitor.page.url.endswith("/over")
