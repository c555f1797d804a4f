"""Crawling every page and download an analyst can reach finds no ondernemingsnummer, firm name, person name or
e-mail address of a single firm's deal, and no published cell below the suppression threshold.

The world: five collaborations made through the real services (needs published by marketplace/needs, interest,
agreement and award through marketplace/leads, so the events and the indicator counters are the real ones)
between firms, people, e-mail addresses, enterprise numbers, need titles, messages and deal values that are
distinctive enough to be found anywhere they leak. Three buyers in Antwerpen, one in Limburg (a cell that rests on
a single deal, below the threshold), and a public buyer in Vlaams-Brabant that awards a reserved contract.

What must not be shown, and why the assertion is shaped as it is:

- The regular buyers are firms that are not suppliers (no offers, so the public supplier directory never names
  them). Their names and enterprise numbers (0123.456.789 and 0123456789) may appear on no page and in no
  download the analyst reaches. Since a deal pairs a buyer with a supplier, a page that showed a deal would show
  its buyer: this check is what proves no buyer/supplier pairing is shown.
- The suppliers of the deals are in the public supplier directory on purpose (a maatwerkbedrijf lists its
  offers to be found). Their names and numbers may appear only on the pages that list suppliers (directory,
  profiles, offers, search), never on any other page, so never beside a deal or an indicator figure.
- The public buyer and its awarded supplier are published in the OCDS download of reserved contracts on purpose
  (buyers and awarded suppliers of public contracts are public procurement data, published under OCDS), and a
  reserved contract names its buyer on its public page and on the public contracts list. Those are the only
  places the public buyer's name and number, the awarded supplier beside it, and the award's value may appear.
- No person (the people of every firm in a deal) and no e-mail address may appear anywhere, the OCDS
  download included; nor may the titles of the private needs, the messages exchanged, or the value of any
  private deal (the aggregates shown are sums of several deals, never one deal's value).
- Every published count cell that is not suppressed (CSV and JSON downloads, the API's indicator, the published
  page) is at least the threshold (INDICATOR_MIN_ORGS), and every published cell of the downloads rests on at
  least the threshold of distinct organisations on each side it involves (the figure's roles in definitions.py).

The crawl starts from the home page, the indicator dashboard, and every GET route of the URL map with its URL
variables filled with the deals' objects (what an analyst could type); it follows every same-site link and GET
form, skipping only logout and the language switch (both POST forms that change state).

The analyst's own dashboard shows figures without suppression by design (tests/indicator/test_views.py): it
holds no names, which this crawl checks, but its small numbers are not "published" cells.
"""

import csv
import io
import itertools
import json
from collections import deque
from datetime import date
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from marketplace.extensions import db
from marketplace.indicator.definitions import FIGURES
from marketplace.indicator.queries import current_quarter, load_cells
from tests import factories

PASSWORD = "een lange zin als wachtwoord"
MAX_PAGES = 1500
# Pages that list suppliers on purpose: a supplier of a deal may be named there (see the docstring).
SUPPLIER_LISTINGS = {
    "offers.directory",
    "offers.profile",
    "offers.detail",
    "search.index",
    "search.download",
    "search.advice",
    "api.v1.suppliers",
}
# Public procurement data: the public buyer, its awarded supplier and the award may be named there (and on the
# reserved contract's own public page, see is_procurement_page).
PROCUREMENT_PAGES = {"indicator.ocds", "needs.contracts", "api.v1.reserved_contracts"}
# Links that change state or language: not followed.
SKIPPED_ENDPOINTS = {"accounts.logout", "main.set_language", "static"}


def kbo_forms(kbo: str) -> list[str]:
    return [kbo, f"{kbo[:4]}.{kbo[4:7]}.{kbo[7:]}"]


def value_forms(value: int) -> list[str]:
    """How a euro amount can be written: 61357, 61.357, 61,357, 61 357 (also with a no-break space)."""
    text = str(value)
    head, tail = text[:-3], text[-3:]
    return [text, f"{head}.{tail}", f"{head},{tail}", f"{head} {tail}", f"{head}\u00a0{tail}", f"{head}\u202f{tail}"]


def build_deals() -> dict:
    """The firms, people and deals; returns the strings that identify them, by where they may appear."""
    from marketplace.leads import services as leads

    n = iter(range(9_101, 9_200))
    people = {}
    ids = {"org_id": [], "user_id": [], "offer_id": [], "need_id": [], "lead_id": [], "collaboration_id": []}

    def person(first: str, last: str, domain: str):
        email = f"{first.lower()}.{last.lower()}@{domain}"
        user = factories.make_user(email=email, name=f"{first} {last}", password=PASSWORD)
        people[email] = user.name
        ids["user_id"].append(user.id)
        return user

    def firm(name, kind, who, **fields):
        organisation = factories.make_org(name=name, kind=kind, member=who, kbo=factories.kbo_for(next(n)), **fields)
        ids["org_id"].append(organisation.id)
        return organisation

    suppliers = [
        firm("Olmenhof Ijzerwerk vzw", "maatwerkbedrijf", person("Ottilie", "Olmenhofstra", "olmenhof-ijzer.be")),
        firm("Kapelhoek Groenzorg vzw", "maatwerkbedrijf", person("Kasimir", "Kapelhoeven", "kapelhoek-groen.be")),
        firm("Meersdonk Verpakking vzw", "maatwerkbedrijf", person("Melisande", "Meersdonckx", "meersdonk-pak.be")),
    ]
    for supplier in suppliers:
        offer = factories.make_offer(supplier, has_enclave=True, enclave_max_team="8", regions=["VAN", "VLI", "VBR"])
        ids["offer_id"].append(offer.id)
    buyer_fields = [
        ("Quirijnen Kwekerijen NV", "Zebulon", "Quirijnsen", "quirijnen-kwek.be", "VAN", "2000", "01.19"),
        ("Hoornaert Tegelhandel BV", "Xaveria", "Hoornaerts", "hoornaert-tegel.be", "VAN", "2018", "46.73"),
        ("Vandeputte Zeefdruk BV", "Wendelina", "Vandeputtens", "vandeputte-zeef.be", "VAN", "2060", "18.12"),
        ("Wuytack Dakwerken NV", "Yolanthe", "Wuytackx", "wuytack-dak.be", "VLI", "3500", "43.91"),
    ]
    buyers = [
        firm(
            name,
            "onderneming",
            person(first, last, domain),
            province=province,
            postcode=postcode,
            municipality="Gemeente",
            nace=nace,
            size_class="klein",
        )
        for name, first, last, domain, province, postcode, nace in buyer_fields
    ]
    public = firm(
        "Stadsbestuur Zwalmbeke",
        "overheid",
        person("Ulrike", "Zwalmbekers", "zwalmbeke.be"),
        province="VBR",
        postcode="3000",
        municipality="Leuven",
        nace="84.11",
        size_class="groot",
    )

    # Every deal starts on the first day of the current quarter (Europe/Brussels), so all count in that quarter.
    quarter = current_quarter()
    start = date(int(quarter[:4]), 3 * int(quarter[-1]) - 2, 1).isoformat()
    private_values = [61_357, 48_913, 27_689, 93_571]
    titles = [
        "Snoeiwerk Quirijnendomein",
        "Tegelsorteren Hoornaertloods",
        "Zeefdrukraam Vandeputtehal",
        "Dakgoten Wuytackterrein",
    ]
    messages = []
    for index, (buyer, supplier, value, title) in enumerate(
        zip(buyers, [suppliers[0], suppliers[1], suppliers[2], suppliers[0]], private_values, titles, strict=True)
    ):
        kind = "enclave" if index == 2 else "outsourcing"
        need = factories.make_need(buyer, kind=kind, title=title, postcode=buyer.postcode)
        message = f"Vertrouwelijke offerte nummer {title.split()[0]}"
        messages.append(message)
        lead = leads.express_interest(need, supplier, actor=supplier.memberships[0].user, message=message)
        data = {
            "type": "enclave" if kind == "enclave" else "uitbesteding",
            "starts_on": start,
            "value_eur": str(value),
            "fte": "2",
            "workers": "4",
        }
        collaboration = leads.record_agreement(lead, data, actor=buyer.memberships[0].user)
        ids["need_id"].append(need.id)
        ids["lead_id"].append(lead.id)
        ids["collaboration_id"].append(collaboration.id)

    contract = factories.make_need(
        public, kind="reserved_contract", title="Groenbeheer Zwalmbeke begraafplaatsen", postcode="3000"
    )
    lead = leads.express_interest(contract, suppliers[1], actor=suppliers[1].memberships[0].user)
    award_value = 75_319
    collaboration = leads.record_award(
        lead, {"starts_on": start, "value_eur": str(award_value), "fte": "3"}, actor=public.memberships[0].user
    )
    ids["need_id"].append(contract.id)
    ids["lead_id"].append(lead.id)
    ids["collaboration_id"].append(collaboration.id)
    identities = {
        "buyers": [(buyer.name, buyer.kbo) for buyer in buyers],
        "suppliers": [(supplier.name, supplier.kbo) for supplier in suppliers],
        "public": (public.name, public.kbo),
        "awarded": (suppliers[1].name, suppliers[1].kbo),
    }
    db.session.remove()
    return {
        **identities,
        "people": people,
        "titles": titles,
        "messages": messages,
        "private_values": private_values,
        "award_value": award_value,
        "ids": ids,
    }


def forbidden_strings(deals: dict, supplier_listing: bool, procurement: bool) -> dict[str, str]:
    """{string: what it is} that may not appear on a page (which may list suppliers, or be procurement data)."""
    forbidden = {}
    for name, kbo in deals["buyers"]:
        forbidden[name] = f"name of buyer {name}"
        for form in kbo_forms(kbo):
            forbidden[form] = f"number of buyer {name}"
    for email, name in deals["people"].items():
        forbidden[email] = f"e-mail of {name}"
        forbidden[name] = f"person {name}"
    for text in deals["titles"] + deals["messages"]:
        forbidden[text] = "a private need or message"
    for value in deals["private_values"]:
        for form in value_forms(value):
            forbidden[form] = f"the value of a private deal ({value})"
    for name, kbo in deals["suppliers"]:
        if supplier_listing or (procurement and (name, kbo) == deals["awarded"]):
            continue
        forbidden[name] = f"name of supplier {name}"
        for form in kbo_forms(kbo):
            forbidden[form] = f"number of supplier {name}"
    if not procurement:
        name, kbo = deals["public"]
        forbidden[name] = f"name of public buyer {name}"
        for form in kbo_forms(kbo):
            forbidden[form] = f"number of public buyer {name}"
        for form in value_forms(deals["award_value"]):
            forbidden[form] = f"the value of the award ({deals['award_value']})"
    return forbidden


def is_procurement_page(deals: dict, url: str, endpoint: str | None) -> bool:
    contract_page = f"/vragen/{deals['ids']['need_id'][-1]}"
    return endpoint in PROCUREMENT_PAGES or urlsplit(url).path == contract_page


def links_of(url: str, response) -> list[str]:
    """Same-site links (a href) and GET forms (submitted as they stand) of an HTML page."""
    if response.mimetype != "text/html":
        return []
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    found = [urljoin(url, a["href"]) for a in soup.find_all("a", href=True)]
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() != "get":
            continue
        fields = []
        for field in form.find_all(["input", "select"]):
            name = field.get("name")
            if not name or field.get("type") in ("submit", "button"):
                continue
            if field.name == "select":
                option = field.find("option", selected=True) or field.find("option")
                value = option.get("value", option.get_text()) if option else ""
            elif field.get("type") in ("checkbox", "radio"):
                if not field.has_attr("checked"):
                    continue
                value = field.get("value", "on")
            else:
                value = field.get("value", "")
            fields.append(f"{name}={value}")
        found.append(urljoin(url, form.get("action") or url) + ("?" + "&".join(fields) if fields else ""))
    return found


def crawl(app, client, starts: list[str]) -> dict[str, tuple[str | None, object]]:
    """Breadth-first over every same-site link the client reaches: {url: (endpoint, response)}."""
    adapter = app.url_map.bind("localhost")
    seen, queue, visited = set(starts), deque(starts), {}
    while queue:
        url = queue.popleft()
        assert len(visited) < MAX_PAGES, f"more than {MAX_PAGES} pages: the crawl does not end"
        path = urlsplit(url)
        try:
            endpoint, _args = adapter.match(path.path, method="GET")
        except (HTTPException, RoutingException):  # a 404 or a POST-only route is still fetched and checked
            endpoint = None
        if endpoint in SKIPPED_ENDPOINTS:
            continue
        with app.app_context():
            response = client.get(url)
        visited[url] = (endpoint, response)
        targets = links_of(url, response)
        if response.status_code in (301, 302, 303, 307, 308):
            targets.append(urljoin(url, response.headers["Location"]))
        for target in targets:
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https", "") or parts.netloc not in ("", "localhost"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local not in seen:
                seen.add(local)
                queue.append(local)
    return visited


def typed_urls(app, ids: dict) -> list[str]:
    """Every GET route of the URL map, with its URL variables filled with the deals' objects (as a typed URL)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        choices = []
        for name in sorted(rule.arguments):
            converter = rule._converters[name]
            if name in ids:
                choices.append([(name, value) for value in ids[name]])
            elif hasattr(converter, "items"):
                choices.append([(name, value) for value in sorted(converter.items)])
            else:
                break  # a token: nothing of the deals to fill in
        else:
            for combination in itertools.product(*choices):
                urls.append(app.url_for(rule.endpoint, **dict(combination), _external=False))
    return sorted(urls)


def published_records(visited: dict) -> dict[str, list[dict]]:
    """The rows of every download of published figures the crawl fetched, by URL."""
    records = {}
    for url, (endpoint, response) in visited.items():
        text = response.get_data(as_text=True)
        if endpoint == "indicator.data_csv":
            records[url] = list(csv.DictReader(io.StringIO(text)))
        elif endpoint in ("indicator.data_json", "api.v1.indicator"):
            document = json.loads(text)
            records[url] = [
                {name: str(value).lower() if name == "suppressed" else str(value) for name, value in row.items()}
                for row in document["rows"]
            ]
    return records


def resting_cells(figure: str, quarter: str, dimension: str, value: str) -> list[tuple[tuple, tuple]]:
    """The stored cells a published figure is computed from, with the organisation roles it rests on."""
    definition = FIGURES[figure]
    if not definition.derived:
        return [((figure, quarter, dimension, value), definition.roles)]
    if figure == "median_days_first_answer":  # read from the histogram's cell over all answers
        return [(("first_answer_days", quarter, "all", ""), ("b", "s"))]
    return [((part, quarter, dimension, value), FIGURES[part].roles) for part in definition.parts]


def small_cells(app, records: dict[str, list[dict]]) -> list[str]:
    threshold = app.config["INDICATOR_MIN_ORGS"]
    quarters = sorted({row["quarter"] for rows in records.values() for row in rows})
    with app.app_context():
        cells = load_cells(quarters)
    problems = []
    for url, rows in records.items():
        for row in rows:
            where = f"{url}: {row['figure']} {row['quarter']} {row['dimension']}={row['dimension_value']}"
            if row["suppressed"] == "true":
                if row["value"] not in ("", "None"):
                    problems.append(f"{where}: suppressed but shows {row['value']}")
                continue
            if row["unit"] in ("count", "organisations") and Decimal(row["value"]) < threshold:
                problems.append(f"{where}: count {row['value']} below the threshold {threshold}")
            for key, roles in resting_cells(row["figure"], row["quarter"], row["dimension"], row["dimension_value"]):
                cell = cells.get(key)
                for role in roles:
                    if cell is not None and 0 < cell.distinct(role) < threshold:
                        problems.append(f"{where}: rests on {cell.distinct(role)} organisation(s) of role {role}")
    return problems


def published_page_problems(app, visited: dict) -> list[str]:
    """Count cells of the published indicator page (headline, buyers, breakdowns): zero, suppressed, or enough."""
    threshold = app.config["INDICATOR_MIN_ORGS"]
    problems = []
    for url, (endpoint, response) in visited.items():
        if endpoint != "indicator.published":
            continue
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        tables = soup.find_all("table")
        assert tables, url
        for table in tables:
            caption = table.caption.get_text(" ", strip=True)
            # Not the side figures (euro, VTE, days) nor the NACE breakdown (shown as shares of the total).
            if caption.startswith("Waarde") or "aandeel" in caption:
                continue
            for cell in table.find_all("td", class_="num"):
                text = cell.get_text(strip=True)
                if text in ("afgeschermd", "geen gegevens"):
                    continue
                count = int(text.replace(".", ""))
                if 0 < count < threshold:
                    problems.append(f"{url}: {caption}: a published count of {count}")
    return problems


@pytest.mark.slow
def test_an_analyst_reaches_no_firm_of_a_deal_and_no_small_published_cell(app):
    deals = build_deals()
    factories.make_user(email="analist.crawl@example.be", password=PASSWORD, role="analyst", name="Anna Lyse")
    db.session.remove()
    client = app.test_client()
    with app.app_context():
        login = client.post("/aanmelden", data={"email": "analist.crawl@example.be", "password": PASSWORD})
    assert login.status_code == 302

    visited = crawl(app, client, ["/", "/indicator/dashboard", *typed_urls(app, deals["ids"])])

    # The crawl reached the analyst's pages and every download, and saw the data where it is public.
    reached = {endpoint for endpoint, response in visited.values() if response.status_code == 200}
    assert {
        "indicator.dashboard_view",
        "indicator.published",
        "indicator.methodology",
        "indicator.data_csv",
        "indicator.data_json",
        "indicator.ocds",
        "api.v1.indicator",
        "offers.directory",
        "offers.profile",
    } <= reached
    directory = next(r for e, r in visited.values() if e == "offers.directory").get_data(as_text=True)
    assert all(name in directory for name, _kbo in deals["suppliers"])
    ocds = next(r for e, r in visited.values() if e == "indicator.ocds").get_data(as_text=True)
    assert deals["public"][0] in ocds and deals["awarded"][0] in ocds and "75319" in ocds

    leaks = []
    for url, (endpoint, response) in visited.items():
        lowered = response.get_data(as_text=True).lower()
        forbidden = forbidden_strings(deals, endpoint in SUPPLIER_LISTINGS, is_procurement_page(deals, url, endpoint))
        leaks += [f"{url} ({endpoint}): {what}" for text, what in forbidden.items() if text.lower() in lowered]
    assert leaks == [], "\n".join(leaks)

    records = published_records(visited)
    assert len(records) == 3 and all(records.values())
    # The world holds a cell that rests on a single deal (the one buyer in Limburg): it is published suppressed.
    quarter = current_quarter()
    with app.app_context():
        limburg = load_cells([quarter])[("active_collaborations", quarter, "province", "VLI")]
    assert (limburg.total, limburg.distinct("b")) == (1, 1)
    for rows in records.values():
        (row,) = [
            r
            for r in rows
            if (r["figure"], r["quarter"], r["dimension"], r["dimension_value"])
            == ("active_collaborations", quarter, "province", "VLI")
        ]
        assert row["suppressed"] == "true"
    assert small_cells(app, records) == []
    assert published_page_problems(app, visited) == []
