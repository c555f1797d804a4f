"""A stored script never runs: markup typed into an offer, a need and a thread message, through the
real pages, is shown back as text on every page that shows it, in a real Chromium.

Each page is checked three ways: `window.__xss` (which the payload would set) is undefined; the
page holds no element the payload would have made (a <script> with its text, an <img src=x>);
and Chromium reported no Content Security Policy refusal (the CSP would block an inline script
that got through, so a refusal is the trace of one). The payload must also be readable as text.
"""

import itertools
import re

import pytest

from tests.browser.seed import SME, SUPPLIER

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss=1</script>"
IMAGE = '<img src=x onerror="window.__xss=2">'
_numbers = itertools.count(1)


def watch_csp(visitor) -> list[str]:
    """Console messages in which Chromium reports a refused script or handler (CSP)."""
    refusals: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to execute" in message.text:
            refusals.append(message.text)

    visitor.page.on("console", on_console)
    return refusals


def assert_shown_as_text(visitor, refusals: list[str], *texts: str) -> None:
    page = visitor.page
    where = page.url
    assert page.evaluate("() => typeof window.__xss") == "undefined", where
    assert page.evaluate('() => document.querySelectorAll(\'img[src="x"], img[src$="/x"]\').length') == 0, where
    scripts = page.evaluate("() => Array.from(document.scripts).map(s => s.src + ' ' + s.textContent)")
    assert [s for s in scripts if "__xss" in s] == [], where
    assert all(re.search(r"/static/", s) for s in scripts), (where, scripts)
    assert refusals == [], (where, refusals)
    shown = visitor.text()
    for text in texts:
        assert text in shown, (where, text, shown[:1500])


def test_stored_markup_is_shown_as_text_and_never_runs(open_page):
    n = next(_numbers)
    marker = f"Kwartelkoning{n}"
    supplier = open_page("nl")
    supplier_refusals = watch_csp(supplier)
    supplier.login(SUPPLIER)

    # An offer whose title and description carry the payload, published.
    offer_title = f"Groenonderhoud {marker} {SCRIPT}"
    supplier.goto("/aanbod/nieuw")
    supplier.fill("#title", offer_title)
    supplier.fill("#description", f"Maaien en snoeien {marker}. {IMAGE} {SCRIPT}")
    supplier.tick("input[name=domains][value=groenonderhoud]")
    supplier.tick("input[name=regions][value=VAN]")
    supplier.fill("#capacity_fte", "4")
    supplier.submit()
    assert not supplier.errors(), supplier.errors()
    supplier.submit("/publiceren")
    assert not supplier.errors(), supplier.errors()
    offer_path = supplier.page.url.removeprefix(supplier.server.url)
    assert_shown_as_text(supplier, supplier_refusals, offer_title, IMAGE)

    # A firm posts a need that carries it too.
    sme = open_page("nl")
    sme_refusals = watch_csp(sme)
    sme.login(SME)
    need_title = f"Tuinonderhoud {marker} {IMAGE}"
    sme.goto("/vragen/nieuw/uitbesteding")
    sme.fill("#title", need_title)
    sme.fill("#description", f"Wekelijks maaien {marker}. {SCRIPT}")
    sme.tick("input[name=domains][value=groenonderhoud]")
    sme.fill("#postcode", "2000")
    sme.submit()
    assert not sme.errors(), sme.errors()
    sme.submit("/publiceren")
    assert not sme.errors(), sme.errors()
    need_path = sme.page.url.removeprefix(sme.server.url)
    assert_shown_as_text(sme, sme_refusals, need_title, SCRIPT)

    # The supplier answers it, and writes in the thread.
    supplier.goto(need_path)
    assert_shown_as_text(supplier, supplier_refusals, need_title, SCRIPT)
    supplier.goto(f"{need_path}/interesse")
    supplier.fill("#availability", f"Vanaf maart {SCRIPT}")
    supplier.fill("#message", f"Graag {marker} {IMAGE}")
    supplier.submit()
    assert not supplier.errors(), supplier.errors()
    thread_path = supplier.page.url.removeprefix(supplier.server.url)
    assert re.fullmatch(r"/contacten/[0-9]+(#.*)?", thread_path), thread_path
    supplier.fill("#body", f"Past dinsdag? {SCRIPT} {IMAGE}")
    supplier.submit("/berichten")
    assert not supplier.errors(), supplier.errors()
    assert_shown_as_text(supplier, supplier_refusals, f"Past dinsdag? {SCRIPT} {IMAGE}", f"Graag {marker} {IMAGE}")

    # Every page that shows the payload, for the people who see it.
    pages = {
        supplier: [
            (offer_path, [offer_title]),
            ("/mijn-aanbod", [offer_title]),
            (f"/zoeken?q={marker}", [offer_title, SCRIPT]),
            ("/mijn-kansen", [need_title]),
            ("/contacten", [need_title]),
        ],
        sme: [
            (thread_path.split("#")[0], [f"Past dinsdag? {SCRIPT} {IMAGE}", f"Graag {marker} {IMAGE}"]),
            ("/contacten", [need_title]),
            ("/mijn-vragen", [need_title]),
            (need_path, [need_title]),
        ],
    }
    refusals = {supplier: supplier_refusals, sme: sme_refusals}
    for visitor, paths in pages.items():
        for path, texts in paths:
            visitor.goto(path)
            assert_shown_as_text(visitor, refusals[visitor], *texts)

    # And for anyone: the directory's profile page and the public offer page.
    visitor = open_page("nl")
    visitor_refusals = watch_csp(visitor)
    visitor.goto("/leveranciers")
    visitor.press("main a:text-is('De Scheldewerkplaats vzw')")
    assert_shown_as_text(visitor, visitor_refusals, offer_title)
    visitor.goto(offer_path)
    assert_shown_as_text(visitor, visitor_refusals, offer_title, IMAGE)
    visitor.goto(f"/zoeken?q={marker}")
    assert_shown_as_text(visitor, visitor_refusals, offer_title)
