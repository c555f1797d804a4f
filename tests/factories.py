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
