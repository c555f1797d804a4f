"""Import every feature's models, so the metadata (and Alembic) knows every table."""

import importlib
import pkgutil


def import_all_models() -> None:
    import marketplace

    for module in pkgutil.walk_packages(marketplace.__path__, "marketplace."):
        if module.name.endswith(".models") and module.name != "marketplace.models":
            importlib.import_module(module.name)
