"""The rules of a need (outsourcing, enclave request, reserved contract) in one place.

What its data must be, who may post and publish it, which state changes are allowed, when a
reserved contract takes responses and who is eligible for it. Forms, the catalog import and
the API all go through these functions.
"""

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _

from marketplace.database import utcnow
from marketplace.needs.models import NEED_KINDS, NEED_STATES, RESERVATIONS
from marketplace.offers.rules import parse_domains
from marketplace.offers.validation import (
    collect,
    parse_bool,
    parse_cpv_list,
    parse_date,
    parse_deadline,
    parse_decimal,
    parse_int,
    parse_text,
    split_list,
)
from marketplace.orgs.geography import InvalidPostcode, province_code, province_for_postcode

# Target state -> the states it may be reached from. Awarded, closed and cancelled are final.
NEED_TRANSITIONS = {
    "open": {"draft"},
    "in_discussion": {"open"},
    "awarded": {"open", "in_discussion"},
    "closed": {"open", "in_discussion"},
    "cancelled": {"draft", "open", "in_discussion"},
}
ACTIVE_STATES = ("open", "in_discussion")
MAX_LOTS = 50
MAX_VALUE = 10_000_000_000


def _text(errors, data, field, label, required=False, max_length=200):
    return (
        collect(errors, field, parse_text, data.get(field), label=label, required=required, max_length=max_length) or ""
    )


def _tender_url(errors: dict, value) -> str:
    url = (str(value or "")).strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        errors["tender_url"] = _("De link naar de opdrachtdocumenten moet een webadres zijn dat begint met https://.")
    return url


def _lots(errors: dict, value) -> list[dict]:
    """Lots as [{'title', 'is_reserved'}]; rows without a title are ignored."""
    lots = []
    for row in value or []:
        title = str(row.get("title") or "").strip()
        if not title:
            continue
        if len(title) > 200:
            errors["lots"] = _("De titel van een perceel mag ten hoogste 200 tekens lang zijn.")
        lots.append({"number": len(lots) + 1, "title": title, "is_reserved": parse_bool(row.get("is_reserved"))})
    if len(lots) > MAX_LOTS:
        errors["lots"] = _("Een opdracht kan ten hoogste %(max)s percelen hebben.", max=MAX_LOTS)
    if lots and not any(lot["is_reserved"] for lot in lots):
        errors["lots"] = _("Duid minstens één voorbehouden perceel aan: anders is de opdracht niet voorbehouden.")
    return lots


def clean_need_data(
    data: dict, known_domains: set[str] | None = None, now: datetime | None = None
) -> tuple[dict, dict[str, str]]:
    """(clean values, {field: message}) for a need of `data['kind']`."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    kind = str(data.get("kind") or "")
    if kind not in NEED_KINDS:
        return {}, {"kind": _("Kies het soort vraag: uitbesteding, enclave of voorbehouden opdracht.")}
    clean: dict = {
        "kind": kind,
        "title": _text(errors, data, "title", _("de titel"), required=True),
        "description": _text(errors, data, "description", _("de beschrijving"), max_length=10_000),
        "domains": parse_domains(data.get("domains"), errors, known_domains),
        "free_tags": split_list(data.get("free_tags")),
        "volume_fte": collect(
            errors, "volume_fte", parse_decimal, data.get("volume_fte"), label=_("het volume"), maximum=100_000
        ),
        "starts_on": collect(
            errors, "starts_on", parse_date, data.get("starts_on"), label=_("de startdatum"), required=kind == "enclave"
        ),
        "ends_on": collect(errors, "ends_on", parse_date, data.get("ends_on"), label=_("de einddatum")),
        "budget_min_eur": collect(
            errors,
            "budget_min_eur",
            parse_decimal,
            data.get("budget_min_eur"),
            label=_("het minimumbudget"),
            maximum=MAX_VALUE,
        ),
        "budget_max_eur": collect(
            errors,
            "budget_max_eur",
            parse_decimal,
            data.get("budget_max_eur"),
            label=_("het maximumbudget"),
            maximum=MAX_VALUE,
        ),
    }
    # Where the work is asked: the postcode decides the province (Flanders and Brussels only).
    postcode = str(data.get("postcode") or "").strip()
    clean["postcode"], clean["province"] = postcode, ""
    try:
        clean["province"] = province_for_postcode(postcode)
    except InvalidPostcode:
        errors["postcode"] = (
            _("Vul de postcode in.")
            if not postcode
            else _(
                "Postcode %(postcode)s ligt niet in Vlaanderen of Brussel: "
                "gebruik een Belgische postcode van 4 cijfers.",
                postcode=postcode,
            )
        )
    given_province = data.get("province")
    if given_province and clean["province"] and province_code(str(given_province)) != clean["province"]:
        errors["province"] = _("De provincie past niet bij postcode %(postcode)s.", postcode=postcode)
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        errors["ends_on"] = _("De einddatum moet na de startdatum liggen.")
    low, high = clean["budget_min_eur"], clean["budget_max_eur"]
    if low is not None and high is not None and high < low:
        errors["budget_max_eur"] = _("Het maximumbudget moet groter zijn dan het minimumbudget.")
    if not clean["domains"] and not clean["free_tags"] and "domains" not in errors:
        errors["domains"] = _("Kies minstens één activiteitsdomein.")

    if kind == "enclave":
        clean["team_size"] = collect(
            errors,
            "team_size",
            parse_int,
            data.get("team_size"),
            label=_("het aantal werknemers"),
            required=True,
            minimum=1,
            maximum=500,
        )
        clean["site_address"] = _text(errors, data, "site_address", _("het adres van de werkplek"), True, 300)
        clean["host_core_activity"] = _text(
            errors, data, "host_core_activity", _("de kernactiviteit van uw bedrijf"), True, 5_000
        )
        clean["tasks"] = _text(errors, data, "tasks", _("de taken"), True, 5_000)
        clean["risks_and_safety"] = _text(errors, data, "risks_and_safety", _("de risico's en veiligheid"), True, 5_000)
        clean["working_hours"] = _text(errors, data, "working_hours", _("de werkuren"), True, 300)
        clean["travel"] = _text(errors, data, "travel", _("de verplaatsing"), False, 5_000)
    elif kind == "reserved_contract":
        clean["procurement_reference"] = _text(
            errors, data, "procurement_reference", _("de referentie van de opdracht"), True, 100
        )
        clean["cpv_codes"] = collect(errors, "cpv_codes", parse_cpv_list, data.get("cpv_codes")) or []
        if not clean["cpv_codes"] and "cpv_codes" not in errors:
            errors["cpv_codes"] = _("Vul minstens één CPV-code in, bijvoorbeeld 90911200-8.")
        clean["estimated_value_eur"] = collect(
            errors,
            "estimated_value_eur",
            parse_decimal,
            data.get("estimated_value_eur"),
            label=_("de geraamde waarde"),
            required=True,
            minimum=1,
            maximum=MAX_VALUE,
        )
        clean["deadline_at"] = collect(
            errors,
            "deadline_at",
            parse_deadline,
            data.get("deadline_at"),
            label=_("de uiterste indieningsdatum"),
            required=True,
        )
        if clean["deadline_at"] and clean["deadline_at"] <= now:
            errors["deadline_at"] = _("De uiterste indieningsdatum moet in de toekomst liggen.")
        reservation = str(data.get("reservation") or "").strip()
        if reservation not in RESERVATIONS:
            errors["reservation"] = _("Kies het soort voorbehoud (res-ws of res-pub-ser).")
        clean["reservation"] = reservation
        clean["is_recognised_only"] = parse_bool(data.get("is_recognised_only"))
        if clean["is_recognised_only"] and reservation == "res-pub-ser":
            errors["is_recognised_only"] = _(
                "Beperken tot erkende maatwerkbedrijven kan alleen bij voorbehoud voor beschutte werkplaatsen (res-ws)."
            )
        clean["is_execution_reserved"] = parse_bool(data.get("is_execution_reserved"))
        clean["tender_url"] = _tender_url(errors, data.get("tender_url"))
        clean["lots"] = _lots(errors, data.get("lots"))
    if kind != "reserved_contract":
        clean["cpv_codes"] = collect(errors, "cpv_codes", parse_cpv_list, data.get("cpv_codes")) or []
    return clean, errors


def validate_need_data(
    data: dict, known_domains: set[str] | None = None, now: datetime | None = None
) -> dict[str, str]:
    """{field: message} for each field of `data` that breaks a rule; empty when all is well."""
    return clean_need_data(data, known_domains, now)[1]


def may_post_need(organisation, kind: str) -> str | None:
    """Why this organisation may not post a need of this kind, or None when it may."""
    if organisation is None:
        return _("U werkt niet voor een organisatie.")
    if kind == "reserved_contract" and organisation.kind != "overheid":
        return _("Alleen overheden kunnen een voorbehouden opdracht plaatsen.")
    return None


def may_publish_need(organisation, kind: str) -> str | None:
    """Why this organisation may not publish a need of this kind, or None when it may."""
    reason = may_post_need(organisation, kind)
    if reason:
        return reason
    if not organisation.is_verified:
        return _("Uw organisatie is nog niet geverifieerd: u kunt pas publiceren na de verificatie.")
    return None


def need_transition_error(need, target: str) -> str | None:
    """Why `need` cannot move to `target`, or None when it can."""
    if target in NEED_TRANSITIONS and need.state in NEED_TRANSITIONS[target]:
        return None
    if need.state == "cancelled":
        return _("Een geannuleerde vraag kan niet meer heropend of gewijzigd worden.")
    if target in ("awarded", "in_discussion") and need.state == "draft":
        return _("Een vraag kan pas gegund worden of in gesprek gaan nadat ze gepubliceerd is.")
    return _(
        "Deze vraag kan niet van '%(current)s' naar '%(target)s'.",
        current=NEED_STATES.get(need.state, need.state),
        target=NEED_STATES.get(target, target),
    )


def is_past_deadline(need, now: datetime | None = None) -> bool:
    return need.kind == "reserved_contract" and need.deadline_at is not None and need.deadline_at <= (now or utcnow())


def accepts_responses(need, now: datetime | None = None) -> bool:
    """Open for suppliers' responses: published, active, and (for a reserved contract) before its deadline."""
    return need.state in ACTIVE_STATES and not is_past_deadline(need, now)


def display_state(need, now: datetime | None = None) -> str:
    """The state to show: an open reserved contract past its deadline shows as closed."""
    if need.state in ACTIVE_STATES and is_past_deadline(need, now):
        return "closed"
    return need.state


def is_editable(need) -> bool:
    return need.state in ("draft", "open", "in_discussion")


def eligibility_class(need) -> tuple[bool, bool]:
    """All that `eligibility_for` reads of a need: for one organisation, needs of one class get one answer."""
    return need.kind == "reserved_contract", bool(need.is_recognised_only)


def eligibility_for(need, organisation) -> tuple[bool, str]:
    """May this supplier respond to (or be shortlisted for) this need, and why (not)."""
    if organisation is None or not organisation.is_social_economy:
        return False, _("Alleen maatwerkbedrijven en sociale ondernemingen kunnen reageren.")
    if not organisation.is_verified:
        return False, _("Uw organisatie is nog niet geverifieerd.")
    if need.kind != "reserved_contract":
        return True, _("Uw organisatie is een geverifieerde leverancier uit de sociale economie.")
    if need.is_recognised_only:
        if organisation.is_recognised_maatwerk:
            return True, _("Deze opdracht is voorbehouden aan erkende maatwerkbedrijven, en uw organisatie is erkend.")
        return False, _(
            "Deze opdracht is voorbehouden aan erkende maatwerkbedrijven; "
            "uw organisatie is niet erkend als maatwerkbedrijf."
        )
    if organisation.is_eligible_reserved:
        return True, _(
            "Uw organisatie komt in aanmerking voor voorbehouden opdrachten (EU-richtlijn 2014/24, art. 20)."
        )
    if organisation.is_eligible_declared:
        return False, _(
            "Uw verklaring dat u in aanmerking komt voor voorbehouden opdrachten "
            "is nog niet bevestigd door een beheerder."
        )
    return False, _(
        "Deze opdracht is voorbehouden aan organisaties die personen met een handicap of kansengroepen integreren "
        "(minstens 30 procent van de werknemers, EU-richtlijn 2014/24, art. 20); "
        "uw organisatie heeft dat niet verklaard."
    )
