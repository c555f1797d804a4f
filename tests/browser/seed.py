"""Make the database a browser session runs against: the schema, the taxonomy and the demo data.

Run as `python -m tests.browser.seed` with MARKETPLACE_INSTANCE, DATABASE_URL and SEARCH_INDEX_DIR set.
The journeys act as the demo roles that `flask demo load` makes (see marketplace/demo), plus a
member of a second firm for the checks that one firm cannot see another's work.
"""

# The demo accounts (marketplace/demo/services.py: DEMO_PASSWORD).
PASSWORD = "werkbrug-demo"
ADMIN = "admin@werkbrug.demo"
ANALYST = "analist@werkbrug.demo"
SUPPLIER = "leverancier@werkbrug.demo"
SME = "kmo@werkbrug.demo"
PROCUREMENT = "aankoper@werkbrug.demo"
OTHER_FIRM = "ander@voorbeeld.be"


def _run(app, *args: str) -> None:
    """A CLI command of the app, in this process (one start-up for all of them)."""
    result = app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.output}")


def main() -> None:
    from marketplace import create_app
    from marketplace.extensions import db
    from tests import factories

    app = create_app()
    with app.app_context():
        factories.import_all_models()
        db.create_all()
    _run(app, "taxonomy", "sync")
    _run(app, "demo", "load")
    with app.app_context():
        user = factories.make_user(email=OTHER_FIRM, name="Olga Ander", password=PASSWORD)
        factories.make_org(name="Drukkerij Anders", kind="onderneming", member=user, province="VOV", postcode="9000")


if __name__ == "__main__":
    main()
