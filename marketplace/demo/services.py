"""Demo data: the project's own demo catalog and one account for each role.

Loading is idempotent: the catalog is imported by key, and accounts and memberships that exist
are left as they are (a password changed on the site stays changed).
"""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import hash_password
from marketplace.catalog.records import read_file
from marketplace.catalog.services import ImportResult, import_catalog
from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.orgs.models import Membership, Organisation

DEMO_CATALOG = Path(__file__).with_name("catalog.json")
DEMO_PASSWORD = "werkbrug-demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    platform_role: str | None = None
    organisation_kbo: str | None = None  # the organisation this person owns
    organisation_name: str = ""

    @property
    def role_label(self) -> str:
        return self.platform_role or "owner"


DEMO_ACCOUNTS = (
    DemoAccount("admin@werkbrug.demo", "Ada Beheerder", platform_role="admin"),
    DemoAccount("analist@werkbrug.demo", "Anouk Analist", platform_role="analyst"),
    # De Scheldewerkplaats vzw, a recognised maatwerkbedrijf in Antwerpen.
    DemoAccount(
        "leverancier@werkbrug.demo",
        "Lotte Leverancier",
        organisation_kbo="0799000183",
        organisation_name="De Scheldewerkplaats vzw",
    ),
    # Snoepfabriek Van Damme bv, an SME buyer with an outsourcing need and an enclave request.
    DemoAccount(
        "kmo@werkbrug.demo", "Karel Kmo", organisation_kbo="0799003054", organisation_name="Snoepfabriek Van Damme bv"
    ),
    # Stad Zandhoven, a public buyer with a reserved contract in lots.
    DemoAccount(
        "aankoper@werkbrug.demo", "Ali Aankoper", organisation_kbo="0799003648", organisation_name="Stad Zandhoven"
    ),
)


class DemoRefused(Exception):
    """Demo data may not be loaded here (production)."""


def load_demo(env_name: str, progress=lambda message: None) -> tuple[ImportResult, list[tuple[DemoAccount, bool]]]:
    """Import the demo catalog, then make the demo accounts; returns (import result, [(account, created)])."""
    if env_name == "production":
        raise DemoRefused("production")
    result = import_catalog(read_file(str(DEMO_CATALOG)), progress=progress)
    return result, ensure_demo_accounts()


def ensure_demo_accounts() -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts and their memberships that are missing, in one transaction."""
    outcome = []
    for account in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == account.email))
        created = user is None
        if created:
            user = User(
                email=account.email,
                name=account.name,
                password_hash=hash_password(DEMO_PASSWORD),
                platform_role=account.platform_role,
                email_confirmed_at=utcnow(),
            )
            db.session.add(user)
            db.session.flush()
        if account.organisation_kbo:
            org = db.session.scalar(select(Organisation).where(Organisation.kbo == account.organisation_kbo))
            membership = db.session.scalar(
                select(Membership).where(Membership.user_id == user.id, Membership.organisation_id == org.id)
            )
            if membership is None:
                db.session.add(Membership(user_id=user.id, organisation_id=org.id, role="owner"))
                # Someone runs this profile now: it is no longer waiting to be claimed.
                org.is_imported = False
        outcome.append((account, created))
    db.session.commit()
    return outcome
