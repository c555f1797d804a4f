"""Creating the schema on an empty database, so that an import or demo load works on a fresh file."""

from sqlalchemy import inspect

from marketplace.config import PROJECT_ROOT
from marketplace.extensions import db

MIGRATIONS = PROJECT_ROOT / "migrations"


def ensure_schema() -> bool:
    """Create the tables when the database has none; True when it did.

    With migrations in the project the database is upgraded (so Alembic knows its revision);
    without them (early development) the tables come from the models.
    """
    if inspect(db.engine).has_table("organisation"):
        return False
    versions = MIGRATIONS / "versions"
    if versions.is_dir() and any(versions.glob("*.py")):
        from flask_migrate import upgrade

        upgrade(directory=str(MIGRATIONS))
    else:
        from marketplace.models import import_all_models

        import_all_models()
        db.create_all()
    return True
