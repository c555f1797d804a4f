"""Reservation advice for a procurement officer: can this contract be reserved?

The rule is shown on the page as it is written here, so an officer can check the advice:

1. At least WHOLE_CONTRACT_MIN eligible suppliers can deliver → reserve the whole contract
   (with at least WHOLE_CONTRACT_MIN recognised maatwerkbedrijven it may be narrowed to them).
2. One or two eligible suppliers → reserve a lot: too few for competition on the whole
   contract, enough for the part they can deliver.
3. No eligible supplier and an estimated value of at least SOCIAL_CLAUSE_MIN_VALUE euro →
   a social clause: an execution condition that a share of the work goes to target-group
   workers or is subcontracted to the social economy.
4. Otherwise → a social award criterion, which rewards social value without excluding anyone.

Eligible: verified organisation eligible under art. 20 of directive 2014/24/EU (recognised
maatwerkbedrijven, and organisations whose declaration an administrator confirmed).
"""

from dataclasses import dataclass

WHOLE_CONTRACT_MIN = 3
SOCIAL_CLAUSE_MIN_VALUE = 30_000  # euro excl. VAT: the Belgian threshold for an accepted invoice

ADVICE_WHOLE = "reserve_whole"
ADVICE_LOT = "reserve_lot"
ADVICE_CLAUSE = "social_clause"
ADVICE_CRITERION = "social_criterion"


@dataclass(frozen=True)
class Advice:
    kind: str
    eligible: int
    recognised: int
    may_narrow_to_recognised: bool
    rule_number: int


def advise(eligible: int, recognised: int, estimated_value: float | None) -> Advice:
    """Apply the rule above to the counts of suppliers that could deliver."""
    narrow = recognised >= WHOLE_CONTRACT_MIN
    if eligible >= WHOLE_CONTRACT_MIN:
        return Advice(ADVICE_WHOLE, eligible, recognised, narrow, 1)
    if eligible >= 1:
        return Advice(ADVICE_LOT, eligible, recognised, False, 2)
    if estimated_value is not None and estimated_value >= SOCIAL_CLAUSE_MIN_VALUE:
        return Advice(ADVICE_CLAUSE, eligible, recognised, False, 3)
    return Advice(ADVICE_CRITERION, eligible, recognised, False, 4)


def count_suppliers(facts: list[dict]) -> tuple[int, int]:
    """(eligible, recognised) distinct organisations among offer facts from the index."""
    eligible = {f["org_id"] for f in facts if f.get("eligible")}
    recognised = {f["org_id"] for f in facts if f.get("recognised")}
    return len(eligible), len(recognised)


def advice_for(domains, cpv_codes, province, estimated_value) -> Advice:
    """Count the suppliers that could deliver (domains or CPV class, serving the province) and advise."""
    from marketplace.search.documents import cpv_terms
    from marketplace.search.querying import offer_facts

    classes = [t for t in cpv_terms(cpv_codes) if len(t) == 6 and t.endswith("*")]
    facts = offer_facts(domains=list(domains or []), cpv_classes=classes, province=province or None)
    eligible, recognised = count_suppliers(facts)
    return advise(eligible, recognised, float(estimated_value) if estimated_value is not None else None)
