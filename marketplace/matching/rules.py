"""Which offers may match which needs (hard rules) and how a match is scored (soft rules).

Hard rules are filters on database facts, applied after the index proposed candidates: a
result that breaks one never shows, whatever its score. Pure functions, no Flask request.
"""

from dataclasses import dataclass

# Weights of the transparent score (they sum to 1 for a perfect match of a social-economy supplier).
WEIGHT_TEXT = 0.50
WEIGHT_DOMAINS = 0.15
WEIGHT_REGION = 0.20
WEIGHT_CAPACITY = 0.05
WEIGHT_SOCIAL = 0.10
# Regular firms may offer the same work, but the platform exists for the social economy.
REGULAR_FIRM_FACTOR = 0.5


def needs_team_at_client(need) -> bool:
    return need.kind == "enclave"


def hard_rule_violation(need, offer) -> str | None:
    """Why offer may never be proposed for need (a short code), or None when it may."""
    org = offer.organisation
    if need.kind == "reserved_contract":
        if need.is_recognised_only and not org.is_recognised_maatwerk:
            return "not_recognised"
        if not org.is_eligible_reserved:
            return "not_eligible"
    if need.kind == "enclave":
        if not offer.has_enclave:
            return "no_enclave"
        if need.province not in (offer.regions or []):
            return "region_not_served"
        if (offer.enclave_max_team or 0) < (need.team_size or 1):
            return "team_too_small"
    return None


def index_filters_for_need(need) -> dict:
    """The same hard rules as an index filter, so that candidates are not wasted on forbidden offers."""
    filters: dict = {}
    if need.kind == "reserved_contract":
        if need.is_recognised_only:
            filters["recognised"] = True
        else:
            filters["eligible"] = True
    if need.kind == "enclave":
        filters.update(enclave=True, provinces=[need.province], min_team=need.team_size or 1)
    return filters


@dataclass
class Factors:
    text: float  # 0..1, relative to the best candidate
    domains: float  # share of the need's domains the offer shares (0..1)
    region: bool
    capacity: float  # 1 when it can take the volume or field the team, less when not
    social: float  # 1 recognised maatwerkbedrijf, 0.8 other social enterprise, 0 regular firm

    def score(self) -> float:
        value = (
            WEIGHT_TEXT * self.text
            + WEIGHT_DOMAINS * self.domains
            + WEIGHT_REGION * (1.0 if self.region else 0.0)
            + WEIGHT_CAPACITY * self.capacity
            + WEIGHT_SOCIAL * self.social
        )
        if self.social == 0:
            value *= REGULAR_FIRM_FACTOR
        return round(value, 4)


def capacity_fit(need, offer) -> float:
    if need.kind == "enclave":
        return 1.0 if (offer.enclave_max_team or 0) >= (need.team_size or 1) else 0.0
    if not need.volume_fte:
        return 1.0
    capacity = float(offer.capacity_fte or 0)
    volume = float(need.volume_fte)
    if capacity >= volume:
        return 1.0
    return 0.5 if capacity >= volume / 2 else 0.0


def social_factor(org) -> float:
    if org.is_recognised_maatwerk:
        return 1.0
    if org.is_social_economy:
        return 0.8
    return 0.0


def domain_share(need_codes: set, offer_codes: set) -> float:
    if not need_codes:
        return 0.0
    return len(need_codes & offer_codes) / len(need_codes)
