"""Fixtures of the leads tests: a buyer, a supplier with an offer, and a published need."""

from dataclasses import dataclass

import pytest

from tests.factories import make_need, make_offer, make_org, make_user


@dataclass
class Parties:
    buyer_user: object
    buyer: object
    supplier_user: object
    supplier: object
    offer: object
    need: object


@pytest.fixture()
def parties(app):
    buyer_user = make_user(name="Koper Persoon")
    buyer = make_org(
        name="Bouwbedrijf Janssens", kind="onderneming", member=buyer_user, province="VOV", postcode="9000"
    )
    supplier_user = make_user(name="Leverancier Persoon")
    supplier = make_org(name="Maatwerk Groen", kind="maatwerkbedrijf", member=supplier_user)
    offer = make_offer(supplier)
    need = make_need(buyer)
    return Parties(buyer_user, buyer, supplier_user, supplier, offer, need)


@pytest.fixture()
def public_buyer(app):
    user = make_user(name="Aankoper Stad")
    org = make_org(name="Stad Gent", kind="overheid", member=user, province="VOV", postcode="9000")
    return user, org


@pytest.fixture()
def login_as(login_as):
    """Switch users within one test: the app context (and its `g`) outlives each test request."""
    from flask import g

    def _login(user, organisation=None):
        for name in ("_login_user", "membership"):
            g.pop(name, None)
        return login_as(user, organisation)

    return _login
