"""The people and objects the security tests act with.

Every acting role has its own organisation; the objects under test (a need, an offer, a lead, a
collaboration, ...) belong to two further organisations that none of the roles is a member of, so
an object-level page is always tried on someone else's object.
"""

import secrets
from dataclasses import dataclass, field

from marketplace.extensions import db
from tests import factories

ROLES = ("anonymous", "other", "supplier", "buyer", "procurement", "analyst", "admin")


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> user id
    orgs: dict = field(default_factory=dict)  # role -> organisation id
    objects: dict = field(default_factory=dict)  # URL variable name -> id of someone else's object


def build_world() -> World:
    world = World()
    world.users["admin"] = factories.make_user(email="admin@example.be", role="admin", name="Ada Beheer").id
    world.users["analyst"] = factories.make_user(email="analist@example.be", role="analyst", name="Anna Analist").id
    for role, kind, member_role, verified in (
        ("other", "onderneming", "member", False),
        ("supplier", "maatwerkbedrijf", "owner", True),
        ("buyer", "onderneming", "owner", True),
        ("procurement", "overheid", "owner", True),
    ):
        user = factories.make_user(email=f"{role}@example.be")
        world.users[role] = user.id
        world.orgs[role] = factories.make_org(
            name=f"Eigen {role}", kind=kind, member=user, member_role=member_role, verified=verified
        ).id

    victim_buyer_user = factories.make_user(email="victim-buyer@example.be", name="Vera Vreemd")
    victim_buyer = factories.make_org(name="Vreemde Koper NV", kind="onderneming", member=victim_buyer_user)
    victim_supplier_user = factories.make_user(email="victim-supplier@example.be", name="Victor Vreemd")
    victim_supplier = factories.make_org(
        name="Vreemd Maatwerk vzw", kind="maatwerkbedrijf", member=victim_supplier_user
    )
    offer = factories.make_offer(victim_supplier)
    from marketplace.orgs.models import Invitation

    invitation = Invitation(
        organisation_id=victim_buyer.id, email="nieuw@example.be", invited_by_id=victim_buyer_user.id
    )
    db.session.add(invitation)
    db.session.commit()
    world.objects["invitation_id"] = invitation.id
    world.objects["membership_id"] = victim_buyer_user.memberships[0].id
    from marketplace.orgs.models import ProfileClaim

    claim = ProfileClaim(
        organisation_id=victim_supplier.id, user_id=victim_buyer_user.id, evidence="Ik ben zaakvoerder."
    )
    db.session.add(claim)
    db.session.commit()
    world.objects["claim_id"] = claim.id
    world.objects["user_id"] = victim_buyer_user.id
    need = factories.make_need(victim_buyer)
    world.objects.update(
        org_id=victim_supplier.id,
        offer_id=offer.id,
        need_id=need.id,
        victim_buyer_id=victim_buyer.id,
        victim_buyer_user_id=victim_buyer_user.id,
        victim_supplier_user_id=victim_supplier_user.id,
    )
    try:
        from marketplace.leads import services as leads

        lead = leads.express_interest(need, victim_supplier, actor=victim_supplier_user, message="Wij doen dit graag.")
        collaboration = leads.record_agreement(
            lead,
            {"type": "uitbesteding", "starts_on": "2027-01-04", "value_eur": "5000", "fte": "2"},
            actor=victim_buyer_user,
        )
        world.objects.update(lead_id=lead.id, collaboration_id=collaboration.id, item_id=lead.id)
    except ImportError:
        pass
    try:
        from marketplace.api.models import SCOPES
        from marketplace.api.services import create_api_client

        api_client, _secret = create_api_client(victim_buyer, "Vreemde koppeling", list(SCOPES), victim_buyer_user)
        world.objects["client_id"] = api_client.id
    except ImportError:
        pass
    db.session.commit()
    # Requests run in app contexts of their own: this one must hold no transaction (SQLite would lock).
    db.session.remove()
    return world


def client_for(app, world: World, role: str):
    """A test client logged in (through a real server-side session) as the role, acting for its organisation."""
    from marketplace.accounts.models import UserSession

    client = app.test_client()
    if role == "anonymous":
        return client
    sid = secrets.token_urlsafe(32)
    with app.app_context():
        db.session.add(UserSession(id=sid, user_id=world.users[role]))
        db.session.commit()
    with client.session_transaction() as flask_session:
        flask_session["sid"] = sid
        flask_session["_user_id"] = str(world.users[role])
        flask_session["_fresh"] = True
        if role in world.orgs:
            flask_session["org_id"] = world.orgs[role]
    return client
