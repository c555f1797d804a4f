"""Make the database a browser session runs against: the schema, the demo data, and known accounts.

Run as `python -m tests.browser.seed` with MARKETPLACE_INSTANCE, DATABASE_URL and SEARCH_INDEX_DIR set;
it prints nothing on success. The accounts below are the roles the journeys and the access matrix act as.
"""

import subprocess
import sys

PASSWORD = "correct horse battery"

# email -> (name, platform role, organisation key or None)
ACCOUNTS = {
    "admin@werkbrug.test": ("Ada Beheerder", "admin", None),
    "analist@werkbrug.test": ("Anna Analist", "analyst", None),
    "leverancier@werkbrug.test": ("Lies Leverancier", None, "supplier"),
    "koper@werkbrug.test": ("Koen Koper", None, "buyer"),
    "aankoper@werkbrug.test": ("Paul Aankoper", None, "public"),
    "ander@werkbrug.test": ("Olga Ander", None, "other"),
}

ORGANISATIONS = {
    "supplier": {
        "name": "Maatwerk De Brug",
        "kind": "maatwerkbedrijf",
        "province": "VAN",
        "postcode": "2000",
        "municipality": "Antwerpen",
    },
    "buyer": {
        "name": "Bakkerij Peeters",
        "kind": "onderneming",
        "province": "VAN",
        "postcode": "2018",
        "municipality": "Antwerpen",
        "nace": "10.71",
    },
    "public": {
        "name": "Stad Mechelen",
        "kind": "overheid",
        "province": "VAN",
        "postcode": "2800",
        "municipality": "Mechelen",
        "nace": "84.11",
        "size_class": "groot",
    },
    "other": {
        "name": "Drukkerij Anders",
        "kind": "onderneming",
        "province": "VOV",
        "postcode": "9000",
        "municipality": "Gent",
        "nace": "18.12",
    },
}


def _demo_load() -> None:
    """Load the project's demo data when the demo feature offers `demo load`."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "load"], capture_output=True, text=True
    )
    if result.returncode != 0 and "No such command" not in result.stderr:
        raise SystemExit(f"demo load failed:\n{result.stdout}\n{result.stderr}")


def main() -> None:
    from sqlalchemy import select

    from marketplace import create_app
    from marketplace.accounts.models import User
    from marketplace.extensions import db
    from tests import factories

    app = create_app()
    with app.app_context():
        factories.import_all_models()
        db.create_all()
    _demo_load()
    with app.app_context():
        organisations = {}
        for key, fields in ORGANISATIONS.items():
            organisations[key] = factories.make_org(**fields)
        for email, (name, role, org_key) in ACCOUNTS.items():
            if db.session.scalar(select(User).where(User.email == email)):
                continue
            user = factories.make_user(email=email, name=name, role=role, password=PASSWORD)
            if org_key:
                from marketplace.orgs.models import Membership

                db.session.add(Membership(user_id=user.id, organisation_id=organisations[org_key].id, role="owner"))
                db.session.commit()
        factories.make_offer(
            organisations["supplier"],
            title="Enclaveploeg verpakking en groenonderhoud",
            description="Onze ploegen verpakken, etiketteren en onderhouden groen, ook op uw site.",
            has_enclave=True,
            enclave_max_team="8",
        )


if __name__ == "__main__":
    main()
