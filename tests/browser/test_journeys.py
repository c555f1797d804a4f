"""The journeys of the demo roles, end to end in a real browser, each page checked with axe-core.

Each journey runs in Dutch and in English; the first also once by keyboard alone and once at 200%
zoom in a 360-pixel-wide window. The last page of each is kept in test-artifacts/.
"""

import itertools
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.browser.seed import ADMIN, ANALYST, PASSWORD, PROCUREMENT, SME, SUPPLIER

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)
MODES = {
    "nl": {"language": "nl"},
    "en": {"language": "en"},
    "keyboard": {"language": "nl", "keyboard": True},
    "zoom-360": {"language": "nl", "width": 360, "height": 740, "zoom": 2.0},
}


def kbo_for(n: int) -> str:
    body = 19_000_000 + n
    return f"{body:08d}{97 - body % 97:02d}"


@pytest.mark.parametrize("mode", list(MODES))
def test_maatwerkbedrijf_registers_is_verified_and_publishes_an_offer(open_page, mode):
    n = next(_numbers)
    address = f"nieuw-maatwerk-{mode}-{n}@voorbeeld.be"
    org_name = f"Maatwerk Nieuw {mode} {n}"
    person = open_page(**MODES[mode])

    # An account, confirmed through the link in the mail.
    person.goto("/registreren")
    person.fill("#name", "Nina Nieuw")
    person.fill("#email", address)
    person.fill("#password", PASSWORD)
    person.fill("#password_again", PASSWORD)
    person.submit("/registreren")
    assert not person.errors(), person.errors()
    person.goto(person.server.link_in_last_mail(address, "/registreren/bevestigen/"), expect_status=None)
    person.login(address)

    # The organisation, registered and waiting for verification.
    person.goto("/organisaties/nieuw")
    person.fill("#kbo", kbo_for(n))
    person.tick("input[name=kind][value=maatwerkbedrijf]")
    person.fill("#name", org_name)
    person.fill("#postcode", "2000")
    person.fill("#municipality", "Antwerpen")
    person.fill("#nace", "81.30")
    person.tick("input[name=size_class][value=klein]")
    person.submit("/organisaties/nieuw")
    assert not person.errors(), person.errors()

    # An administrator verifies it.
    admin = open_page(**MODES[mode])
    admin.login(ADMIN)
    admin.goto("/beheer/organisaties")
    admin.press(f"main a:text-is('{org_name}')")
    admin.submit("/verifieren")
    assert not admin.errors(), admin.errors()

    # The maatwerkbedrijf writes its offer and publishes it.
    person.goto("/aanbod/nieuw")
    person.fill("#title", f"Verpakken en etiketteren {n}")
    person.fill("#description", "Handmatig verpakken, etiketteren en sorteren in ons atelier.")
    person.tick("input[name=domains] >> nth=0")
    person.tick("input[name=regions][value=VAN]")
    person.fill("#capacity_fte", "6")
    person.submit()
    assert not person.errors(), person.errors()
    person.submit("/publiceren")
    assert not person.errors(), person.errors()

    # Anyone finds it in the public directory.
    visitor = open_page(**MODES[mode])
    visitor.goto("/leveranciers")
    assert org_name in visitor.text()
    visitor.press(f"main a:text-is('{org_name}')")
    assert re.search(f"Verpakken en etiketteren {n}", visitor.text())


def indicator_total(analyst) -> float:
    """The sum of every figure the analyst's dashboard shows beside the headline (a crude but honest count)."""
    analyst.goto("/indicator/dashboard")
    cells = analyst.page.locator("table.indicator-table >> nth=0 >> td").all_inner_texts()
    total = 0.0
    for cell in cells:
        number = re.sub(r"[^0-9,]", "", cell.replace(".", "")).replace(",", ".")
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", number):
            total += float(number)
    return total


@pytest.mark.parametrize("mode", ["nl", "en"])
def test_sme_enclave_request_to_collaboration_counted_by_the_indicator(open_page, mode):
    n = next(_numbers)
    today = date.today()
    analyst = open_page(**MODES[mode])
    analyst.login(ANALYST)
    before = indicator_total(analyst)

    # The SME posts an enclave request and publishes it.
    sme = open_page(**MODES[mode])
    sme.login(SME)
    sme.goto("/vragen/nieuw/enclave")
    sme.fill("#title", f"Enclave aan onze verpakkingslijn {n}")
    sme.fill("#description", "Een ploeg die pralines in dozen verpakt en etiketteert aan onze verpakkingslijn.")
    sme.tick("input[name=domains][value=verpakking]")
    sme.fill("#host_core_activity", "Productie en verpakking van snoepgoed")
    sme.fill("#tasks", "Dozen vullen, sluiten en etiketteren")
    sme.fill("#risks_and_safety", "Hygiëneregels voor voeding; veiligheidsschoenen")
    sme.fill("#team_size", "6")
    sme.fill("#site_address", "Industrieweg 5, 2440 Geel")
    sme.fill("#postcode", "2440")
    sme.fill("#working_hours", "Maandag tot vrijdag, 8 tot 16 uur")
    sme.fill("#travel", "Parking op het terrein")
    sme.fill("#starts_on", (today + timedelta(days=14)).isoformat())
    sme.fill("#ends_on", (today + timedelta(days=200)).isoformat())
    sme.submit()
    assert not sme.errors(), sme.errors()
    sme.submit("/publiceren")
    assert not sme.errors(), sme.errors()
    need_path = sme.page.url.removeprefix(sme.server.url)

    # It sees the suppliers that fit, with the reasons, and invites the demo maatwerkbedrijf.
    matching = sme.page.locator(".matching-suppliers")
    assert "De Scheldewerkplaats vzw" in matching.inner_text()
    assert matching.locator(".card").first.locator("li").count() > 0, "no reasons shown"
    sme.press("form[action*='/uitnodigen/'] button:has-text('De Scheldewerkplaats vzw')")
    assert not sme.errors(), sme.errors()

    # The supplier takes up the invitation and answers in the thread.
    supplier = open_page(**MODES[mode])
    supplier.login(SUPPLIER)
    supplier.goto(need_path)
    supplier.press(".lead-panel a[href*='/contacten/']")
    thread_path = supplier.page.url.removeprefix(supplier.server.url)
    supplier.press("main a[href$='/interesse']")
    supplier.fill("#availability", "Vanaf volgende maand, met zes mensen en een begeleider")
    supplier.fill("#message", "Wij komen graag eens kijken aan de lijn.")
    supplier.submit()
    assert not supplier.errors(), supplier.errors()
    supplier.goto(thread_path)
    supplier.fill("#body", "Past dinsdag om 10 uur voor een bezoek?")
    supplier.submit("/berichten")
    assert "Past dinsdag om 10 uur" in supplier.text()

    # The SME reads the answer and records the agreement.
    sme.goto(thread_path)
    assert "Past dinsdag om 10 uur" in sme.text()
    sme.press("main a[href$='/akkoord']")
    sme.tick("input[name=type][value=enclave]")
    sme.fill("#starts_on", today.isoformat())
    sme.fill("#ends_on", (today + timedelta(days=200)).isoformat())
    sme.fill("#value_eur", "48000")
    sme.fill("#fte", "5")
    sme.fill("#workers", "6")
    sme.submit()
    assert not sme.errors(), sme.errors()

    # The analyst sees the indicator count it.
    assert indicator_total(analyst) > before


@pytest.mark.parametrize("mode", ["nl", "en"])
def test_procurement_officer_reserves_a_contract_shortlists_and_awards(open_page, mode):
    n = next(_numbers)
    today = date.today()
    officer = open_page(**MODES[mode])
    officer.login(PROCUREMENT)

    # A reserved contract (res-ws), open to recognised maatwerkbedrijven only.
    officer.goto("/vragen/nieuw/voorbehouden-opdracht")
    officer.fill("#procurement_reference", f"2026/VERP/{n:03d}")
    officer.fill("#title", f"Verpakken van geschenkpakketten {n}")
    officer.fill("#description", "Samenstellen en verpakken van 4.000 geschenkpakketten voor het personeel.")
    officer.tick("input[name=domains][value=verpakking]")
    officer.fill("#postcode", "2240")
    officer.fill("#starts_on", (today + timedelta(days=60)).isoformat())
    officer.fill("#ends_on", (today + timedelta(days=120)).isoformat())
    officer.fill("#estimated_value_eur", "60000")
    officer.fill("#cpv_codes", "79921000")
    officer.fill("#deadline_date", (today + timedelta(days=30)).isoformat())
    officer.fill("#deadline_time", "12:00")
    officer.tick("input[name=reservation][value=res-ws]")
    officer.tick("#is_recognised_only")
    officer.submit()
    assert not officer.errors(), officer.errors()
    officer.submit("/publiceren")
    assert not officer.errors(), officer.errors()
    contract_path = officer.page.url.removeprefix(officer.server.url)

    # Eligible suppliers, searched with filters.
    officer.goto("/zoeken?q=verpakken")
    officer.select("#province", "VAN")
    officer.tick("#recognised")
    officer.submit_get()
    results = officer.text()
    assert "De Scheldewerkplaats vzw" in results

    # Invite, shortlist and award.
    officer.goto(contract_path)
    officer.press("form[action*='/uitnodigen/'] button:has-text('De Scheldewerkplaats vzw')")
    officer.goto(contract_path)
    officer.press(".lead-panel a[href*='/contacten/']")
    officer.submit("/kortelijst")
    assert not officer.errors(), officer.errors()
    officer.press("main a[href$='/gunnen']")
    officer.fill("#starts_on", (today + timedelta(days=60)).isoformat())
    officer.fill("#ends_on", (today + timedelta(days=120)).isoformat())
    officer.fill("#value_eur", "58500")
    officer.fill("#fte", "8")
    officer.submit()
    assert not officer.errors(), officer.errors()


@pytest.mark.parametrize("mode", ["nl", "en", "keyboard", "zoom-360"])
def test_visitor_browses_the_directory_and_downloads_the_indicator(open_page, mode):
    visitor = open_page(**MODES[mode])
    visitor.goto("/")
    visitor.press("nav.main-nav a[href='/leveranciers']")
    assert "De Scheldewerkplaats vzw" in visitor.text()
    visitor.press("main a:text-is('De Scheldewerkplaats vzw')")
    visitor.press("nav.main-nav a[href='/indicator']")
    link = visitor.page.locator("main a[href$='data.csv']").first
    with visitor.page.expect_download() as download_info:
        if visitor.keyboard:
            visitor._focus(link)
            visitor.page.keyboard.press("Enter")
        else:
            link.click()
    download = download_info.value
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    header = content.splitlines()[0]
    assert len(content.splitlines()) > 1 and ("," in header or ";" in header), content[:300]
