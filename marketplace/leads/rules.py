"""The rules of leads, messages and collaborations in one place: which step is allowed, and why not.

Each `*_error` function returns a Dutch message (translated) saying why a step is refused, or None.
Pages, the CLI and the import all go through these functions (via the services).
"""

from datetime import date, datetime

from flask_babel import gettext as _

from marketplace.events.models import COLLABORATION_TYPES
from marketplace.leads.models import DECLINE_REASONS, LEAD_STATES, STOP_REASONS
from marketplace.needs.rules import accepts_responses, eligibility_for, is_past_deadline
from marketplace.offers.validation import collect, parse_date, parse_decimal, parse_int, parse_text

# Target state -> the states a lead may be in to reach it.
LEAD_TRANSITIONS = {
    # From "invited": the supplier answers the invitation (the service moves the lead into discussion).
    "interested": {None, "suggested", "withdrawn", "invited"},
    "invited": {None, "suggested"},
    # The buyer answers an interested supplier, or the supplier accepts an invitation.
    "in_discussion": {"interested", "invited"},
    "agreed": {"interested", "invited", "in_discussion"},
    "declined": {"suggested", "interested", "invited", "in_discussion"},
    "withdrawn": {"interested", "invited", "in_discussion"},
}
MAX_MESSAGE_LENGTH = 5000
MAX_AVAILABILITY_LENGTH = 500
MAX_VALUE_EUR = 10_000_000_000
# Needs a collaboration can still be agreed on.
AGREEABLE_NEED_STATES = ("open", "in_discussion")


def lead_transition_error(current: str | None, target: str) -> str | None:
    """Why a lead in `current` (None: no lead yet) cannot move to `target`, or None when it can."""
    if current in LEAD_TRANSITIONS.get(target, set()):
        return None
    if current == "agreed":
        return _("Met deze leverancier is al een akkoord vastgelegd.")
    if current in ("declined", "withdrawn") and target != "interested":
        return _("Dit contact is afgesloten: het werd afgewezen of ingetrokken.")
    if target == "interested" and current in ("interested", "in_discussion"):
        return _("U hebt al interesse getoond in deze vraag.")
    if target == "invited" and current in ("invited", "interested", "in_discussion"):
        return _("Deze leverancier is al uitgenodigd of in gesprek.")
    return _(
        "Dit contact kan niet van '%(current)s' naar '%(target)s'.",
        current=LEAD_STATES.get(current or "", current or "–"),
        target=LEAD_STATES.get(target, target),
    )


def interest_error(need, organisation, current_state: str | None = None, now: datetime | None = None) -> str | None:
    """Why this supplier may not express interest in this need now, or None when it may.

    Checked before the supplier writes anything, so the page can say it up front.
    """
    if organisation is None:
        return _("U werkt niet voor een organisatie.")
    if organisation.id == need.organisation_id:
        return _("U kunt geen interesse tonen in een vraag van uw eigen organisatie.")
    if is_past_deadline(need, now):
        return _("De uiterste indieningsdatum is voorbij: deze opdracht neemt geen reacties meer aan.")
    if not accepts_responses(need, now):
        return _("Deze vraag neemt geen reacties meer aan.")
    eligible, reason = eligibility_for(need, organisation)
    if not eligible:
        return reason
    return lead_transition_error(current_state, "interested")


def invitation_error(need, supplier, current_state: str | None = None, now: datetime | None = None) -> str | None:
    """Why the buyer may not invite this supplier to this need, or None when it may."""
    if supplier.id == need.organisation_id:
        return _("U kunt uw eigen organisatie niet uitnodigen.")
    if not accepts_responses(need, now):
        return _("Deze vraag neemt geen reacties meer aan: u kunt niemand meer uitnodigen.")
    eligible, reason = eligibility_for(need, supplier)
    if not eligible:
        return _("Deze leverancier komt niet in aanmerking: %(reason)s", reason=reason)
    return lead_transition_error(current_state, "invited")


def clean_message(body) -> tuple[str, str | None]:
    """(the message as it will be kept, why it is refused or None). Line breaks are kept."""
    text = str(body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return text, _("Schrijf een bericht: een leeg bericht kan niet verstuurd worden.")
    if len(text) > MAX_MESSAGE_LENGTH:
        return text, _("Een bericht mag ten hoogste %(max)s tekens lang zijn.", max=MAX_MESSAGE_LENGTH)
    return text, None


def message_error(lead, sender_role: str | None, now: datetime | None = None) -> str | None:
    """Why this party may not write in this lead's thread now, or None."""
    if sender_role is None:
        return _("Alleen de twee organisaties van dit contact kunnen berichten sturen.")
    if lead.state in ("declined", "withdrawn"):
        return _("Dit contact is afgesloten: u kunt geen berichten meer sturen.")
    if lead.state == "suggested":
        if sender_role == "supplier":
            return _("Toon eerst interesse in deze vraag; daarna kunt u berichten sturen.")
        return _("Nodig deze leverancier eerst uit; daarna kunt u berichten sturen.")
    # After a reserved contract's deadline a supplier cannot add to its answer, except in an agreed lead.
    if sender_role == "supplier" and lead.state != "agreed" and is_past_deadline(lead.need, now):
        return _("De uiterste indieningsdatum is voorbij: deze opdracht neemt geen reacties meer aan.")
    return None


def decline_error(lead, reason: str) -> str | None:
    if reason not in DECLINE_REASONS:
        return _("Kies een reden uit de lijst.")
    return lead_transition_error(lead.state, "declined")


def clean_collaboration_data(data: dict, collaboration_type: str | None = None) -> tuple[dict, dict[str, str]]:
    """(clean values, {field: message}) for an agreement: type, period, value, VTE and (enclave) workers."""
    errors: dict[str, str] = {}
    kind = collaboration_type or str(data.get("type") or "")
    if kind not in COLLABORATION_TYPES:
        errors["type"] = _("Kies het soort samenwerking: uitbesteding, enclave of voorbehouden opdracht.")
    clean = {
        "type": kind,
        "starts_on": collect(
            errors, "starts_on", parse_date, data.get("starts_on"), label=_("de startdatum"), required=True
        ),
        "ends_on": collect(errors, "ends_on", parse_date, data.get("ends_on"), label=_("de einddatum")),
        "value_eur": collect(
            errors, "value_eur", parse_decimal, data.get("value_eur"), label=_("de waarde"), maximum=MAX_VALUE_EUR
        ),
        "fte": collect(errors, "fte", parse_decimal, data.get("fte"), label=_("het aantal VTE"), maximum=100_000),
        "workers": collect(
            errors,
            "workers",
            parse_int,
            data.get("workers"),
            label=_("het aantal werknemers"),
            required=kind == "enclave",
            minimum=1,
            maximum=500,
        ),
    }
    if clean["starts_on"] and clean["ends_on"] and clean["ends_on"] < clean["starts_on"]:
        errors["ends_on"] = _("De einddatum mag niet voor de startdatum liggen.")
    return clean, errors


def agreement_error(lead) -> str | None:
    """Why no agreement can be recorded on this lead now, or None."""
    need = lead.need
    if need.state not in AGREEABLE_NEED_STATES:
        if need.state == "cancelled":
            return _("Deze vraag is geannuleerd: er kan geen akkoord meer op komen.")
        return _("Deze vraag is afgesloten: er kan geen akkoord meer op komen.")
    return lead_transition_error(lead.state, "agreed")


def shortlist_error(lead) -> str | None:
    need = lead.need
    if need.kind != "reserved_contract":
        return _("Alleen bij een voorbehouden opdracht kunt u leveranciers op een kortelijst zetten.")
    if need.state not in AGREEABLE_NEED_STATES:
        return _("Deze opdracht is afgesloten of geannuleerd.")
    if lead.state in ("declined", "withdrawn", "agreed"):
        return _("Dit contact is afgesloten.")
    eligible, reason = eligibility_for(need, lead.supplier)
    if not eligible:
        return _("Deze leverancier komt niet in aanmerking: %(reason)s", reason=reason)
    return None


def award_error(lead) -> str | None:
    """Why this reserved contract cannot be awarded to this lead's supplier, or None."""
    need = lead.need
    if need.kind != "reserved_contract":
        return _("Alleen een voorbehouden opdracht wordt gegund; leg voor een andere vraag een akkoord vast.")
    if need.state == "cancelled":
        return _("Deze opdracht is geannuleerd: ze kan niet meer gegund worden.")
    if need.state not in AGREEABLE_NEED_STATES:
        return _("Deze opdracht is al gegund of afgesloten.")
    eligible, reason = eligibility_for(need, lead.supplier)
    if not eligible:
        return _("Deze leverancier komt niet in aanmerking: %(reason)s", reason=reason)
    if lead.state in ("declined", "withdrawn"):
        return _("Dit contact is afgesloten: het werd afgewezen of ingetrokken.")
    return None


def collaboration_end_error(collaboration, target: str, reason: str = "", ended_on: date | None = None) -> str | None:
    """Why a collaboration cannot be completed ('afgerond') or stopped ('stopgezet') now, or None."""
    if collaboration.state != "lopend":
        return _("Deze samenwerking is al afgerond of stopgezet.")
    if target == "stopgezet" and reason not in STOP_REASONS:
        return _("Kies waarom de samenwerking vroegtijdig stopt.")
    if ended_on is not None and ended_on < collaboration.starts_on:
        return _("De einddatum mag niet voor de startdatum liggen.")
    return None


def extension_error(collaboration, new_end: date | None) -> str | None:
    if collaboration.state != "lopend":
        return _("Alleen een lopende samenwerking kan verlengd worden.")
    if new_end is None:
        return _("Vul de nieuwe einddatum in.")
    if new_end < collaboration.starts_on:
        return _("De einddatum mag niet voor de startdatum liggen.")
    if collaboration.ends_on is not None and new_end <= collaboration.ends_on:
        return _("De nieuwe einddatum moet na de huidige einddatum liggen.")
    return None


def clean_availability(value) -> tuple[str, str | None]:
    try:
        return parse_text(value, label=_("de beschikbaarheid"), max_length=MAX_AVAILABILITY_LENGTH), None
    except ValueError as exc:
        return str(value or "").strip(), str(exc)
