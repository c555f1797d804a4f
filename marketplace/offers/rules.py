"""The rules of an offer: what its data must be, who may publish it, which state changes are allowed.

Forms, the catalog import and the API all go through these functions.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.offers.models import OFFER_STATES
from marketplace.offers.validation import (
    collect,
    parse_bool,
    parse_cpv_list,
    parse_decimal,
    parse_int,
    parse_text,
    split_list,
)
from marketplace.orgs.geography import PROVINCES, province_code
from marketplace.taxonomy.models import ActivityDomain

# Target state -> the states it may be reached from. Archived offers may be published again.
OFFER_TRANSITIONS = {
    "published": {"draft", "archived"},
    "archived": {"draft", "published"},
}
MAX_TEAM = 500


def known_domain_codes() -> set[str]:
    return set(db.session.scalars(select(ActivityDomain.code)))


def parse_domains(value, errors: dict, known: set[str] | None) -> list[str]:
    codes = [c.lower() for c in split_list(value)]
    known = known_domain_codes() if known is None else known
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors["domains"] = _("Onbekend activiteitsdomein: %(codes)s.", codes=", ".join(unknown))
    return codes


def parse_regions(value, errors: dict, *, required: bool) -> list[str]:
    regions, unknown = [], []
    for item in split_list(value):
        code = province_code(item)
        if code is None:
            unknown.append(item)
        elif code not in regions:
            regions.append(code)
    if unknown:
        errors["regions"] = _("Onbekende provincie: %(names)s.", names=", ".join(unknown))
    elif required and not regions:
        errors["regions"] = _("Kies minstens één provincie waar u werkt.")
    return regions


def clean_offer_data(data: dict, known_domains: set[str] | None = None) -> tuple[dict, dict[str, str]]:
    """(clean values, {field: message}) for the fields of an offer."""
    errors: dict[str, str] = {}
    clean = {
        "title": collect(errors, "title", parse_text, data.get("title"), label=_("de titel"), required=True),
        "description": collect(
            errors, "description", parse_text, data.get("description"), label=_("de beschrijving"), max_length=10_000
        )
        or "",
        "domains": parse_domains(data.get("domains"), errors, known_domains),
        "free_tags": split_list(data.get("free_tags")),
        "cpv_codes": collect(errors, "cpv_codes", parse_cpv_list, data.get("cpv_codes")) or [],
        "regions": parse_regions(data.get("regions"), errors, required=True),
        "capacity_fte": collect(
            errors, "capacity_fte", parse_decimal, data.get("capacity_fte"), label=_("de capaciteit"), maximum=100_000
        ),
        "has_enclave": parse_bool(data.get("has_enclave")),
        "certifications": split_list(data.get("certifications")),
    }
    team = collect(
        errors,
        "enclave_max_team",
        parse_int,
        data.get("enclave_max_team"),
        label=_("de grootste ploeg"),
        minimum=0,
        maximum=MAX_TEAM,
    )
    if clean["has_enclave"] and not team and "enclave_max_team" not in errors:
        errors["enclave_max_team"] = _("Geef aan hoeveel werknemers uw grootste enclaveploeg telt (minstens 1).")
    clean["enclave_max_team"] = (team or 0) if clean["has_enclave"] else 0
    if not clean["domains"] and not clean["free_tags"] and "domains" not in errors:
        errors["domains"] = _("Kies minstens één activiteitsdomein.")
    if any(len(c) > 100 for c in clean["certifications"]):
        errors["certifications"] = _("Een certificaat mag ten hoogste 100 tekens lang zijn.")
    return clean, errors


def validate_offer_data(data: dict, known_domains: set[str] | None = None) -> dict[str, str]:
    """{field: message} for each field of `data` that breaks a rule; empty when all is well."""
    return clean_offer_data(data, known_domains)[1]


def may_create_offer(organisation) -> str | None:
    """Why this organisation may not have offers, or None when it may."""
    if organisation is None or not organisation.is_social_economy:
        return _("Alleen maatwerkbedrijven en sociale ondernemingen kunnen aanbod plaatsen.")
    return None


def may_publish_offer(organisation) -> str | None:
    """Why this organisation may not publish offers, or None when it may."""
    reason = may_create_offer(organisation)
    if reason:
        return reason
    if not organisation.is_verified:
        return _("Uw organisatie is nog niet geverifieerd: u kunt pas publiceren na de verificatie.")
    return None


def offer_transition_error(offer, target: str) -> str | None:
    """Why `offer` cannot move to `target`, or None when it can."""
    if target not in OFFER_TRANSITIONS or offer.state not in OFFER_TRANSITIONS[target]:
        return _(
            "Dit aanbod kan niet van '%(current)s' naar '%(target)s'.",
            current=OFFER_STATES.get(offer.state, offer.state),
            target=OFFER_STATES.get(target, target),
        )
    return None


def region_labels(codes: list[str]) -> list[str]:
    return [str(PROVINCES.get(c, c)) for c in codes]
