"""Factories for test data: plain functions that commit and return models."""

import itertools

from marketplace.database import utcnow
from marketplace.extensions import db

_counter = itertools.count(1)


def import_all_models() -> None:
    from marketplace.models import import_all_models as _import_all_models

    _import_all_models()


def kbo_for(n: int) -> str:
    """A valid, unique enterprise number: 8 digits and 97 minus their remainder."""
    body = 10_000_000 + n
    return f"{body:08d}{97 - body % 97:02d}"


def make_user(email=None, password="correct horse battery", name="Test Persoon", role=None, confirmed=True, **extra):
    from marketplace.accounts.models import User
    from marketplace.accounts.passwords import hash_password

    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.be",
        name=name,
        password_hash=hash_password(password),
        platform_role=role,
        email_confirmed_at=utcnow() if confirmed else None,
        **extra,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_org(name=None, kind="maatwerkbedrijf", member=None, member_role="owner", verified=True, **fields):
    from marketplace.orgs.models import Membership, Organisation

    n = next(_counter)
    defaults = {
        "kbo": kbo_for(n),
        "name": name or f"Organisatie {n}",
        "kind": kind,
        "province": "VAN",
        "postcode": "2000",
        "municipality": "Antwerpen",
        "nace": "82.92",
        "size_class": "klein",
        "verification_state": "verified" if verified else "pending",
        "verified_at": utcnow() if verified else None,
        "is_recognised_maatwerk": kind == "maatwerkbedrijf",
    }
    defaults.update(fields)
    organisation = Organisation(**defaults)
    db.session.add(organisation)
    db.session.flush()
    if member is not None:
        db.session.add(Membership(user_id=member.id, organisation_id=organisation.id, role=member_role))
    db.session.commit()
    return organisation


def make_domain(code="groenonderhoud", label_nl=None, label_en=None, **fields):
    from sqlalchemy import select

    from marketplace.taxonomy.models import ActivityDomain

    existing = db.session.scalar(select(ActivityDomain).where(ActivityDomain.code == code))
    if existing:
        return existing
    domain = ActivityDomain(
        code=code, label_nl=label_nl or code.capitalize(), label_en=label_en or code.capitalize(), **fields
    )
    db.session.add(domain)
    db.session.commit()
    return domain


def offer_data(**overrides) -> dict:
    """Valid input for an offer (as a form or the import gives it)."""
    make_domain("groenonderhoud", "Groen- en natuuronderhoud", "Green and nature maintenance")
    data = {
        "title": "Groenonderhoud door onze ploegen",
        "description": "Maaien en snoeien.",
        "domains": ["groenonderhoud"],
        "regions": ["VAN"],
        "capacity_fte": "12,5",
        "cpv_codes": "77310000-6",
        "has_enclave": False,
        "certifications": "VCA",
    }
    data.update(overrides)
    return data


def make_offer(organisation, state="published", **overrides):
    from marketplace.offers.services import create_offer, publish_offer

    offer = create_offer(organisation, offer_data(**overrides))
    if state in ("published", "archived"):
        publish_offer(offer)
    if state == "archived":
        from marketplace.offers.services import archive_offer

        archive_offer(offer)
    return offer


def need_data(kind="outsourcing", **overrides) -> dict:
    """Valid input for a need of `kind`."""
    from datetime import timedelta

    make_domain("groenonderhoud", "Groen- en natuuronderhoud", "Green and nature maintenance")
    data = {
        "kind": kind,
        "title": "Onderhoud van onze bedrijfstuin",
        "description": "Wekelijks maaien.",
        "domains": ["groenonderhoud"],
        "postcode": "2000",
        "volume_fte": "2",
        "starts_on": "2027-01-04",
        "ends_on": "2027-12-31",
        "budget_min_eur": "1000",
        "budget_max_eur": "5000",
    }
    if kind == "enclave":
        data.update(
            team_size="4",
            site_address="Havenlaan 1, 2000 Antwerpen",
            host_core_activity="Verpakking",
            tasks="Dozen vouwen",
            risks_and_safety="Veiligheidsschoenen",
            working_hours="8u-16u",
            travel="Met de bus",
        )
    if kind == "reserved_contract":
        data.update(
            procurement_reference="2026/GRO/001",
            cpv_codes="77310000-6",
            estimated_value_eur="120000",
            deadline_at=utcnow() + timedelta(days=30),
            reservation="res-ws",
            tender_url="https://www.publicprocurement.be/x",
            lots=[{"title": "Perceel groen", "is_reserved": True}],
        )
    data.update(overrides)
    return data


def make_need(organisation, kind="outsourcing", state="open", **overrides):
    from marketplace.needs.services import create_need, publish_need

    need = create_need(organisation, kind, need_data(kind, **overrides))
    if state != "draft":
        publish_need(need)
    if state not in ("draft", "open"):
        need.state = state
        db.session.commit()
    return need
