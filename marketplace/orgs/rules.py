"""Organisation rules: input checks with their messages, and who may change memberships.

Pure functions: no request, no writes.
"""

import re

from flask_babel import gettext as _

from marketplace.orgs.geography import InvalidPostcode, province_for_postcode
from marketplace.orgs.kbo import InvalidKbo, normalise_kbo
from marketplace.orgs.nace import InvalidNace, normalise_nace

_SEPARATORS = re.compile(r"[ .\-/]", re.ASCII)


def kbo_problem(raw: str) -> str | None:
    """Why an ondernemingsnummer is refused, or None. A bad check digit gets its own message."""
    try:
        normalise_kbo(raw)
    except InvalidKbo:
        digits = _SEPARATORS.sub("", (raw or "").strip())
        if digits[:2].upper() == "BE":
            digits = digits[2:]
        if len(digits) == 9:
            digits = "0" + digits
        if len(digits) == 10 and digits.isascii() and digits.isdigit() and digits[0] in "01":
            return _(
                "Het ondernemingsnummer %(kbo)s klopt niet: de laatste twee cijfers (het controlegetal) passen "
                "niet bij de eerste acht. Kijk het na op uw documenten of in de KBO.",
                kbo=raw.strip(),
            )
        return _("Vul een geldig ondernemingsnummer in: 10 cijfers, beginnend met 0 of 1, bijvoorbeeld 0403.019.261.")
    return None


def postcode_problem(raw: str) -> str | None:
    try:
        province_for_postcode(raw)
    except InvalidPostcode:
        return _(
            "Vul een postcode in Vlaanderen of Brussel in: 4 cijfers, bijvoorbeeld 9000. "
            "Werkbrug is er voor organisaties in Vlaanderen en Brussel."
        )
    return None


def nace_problem(raw: str) -> str | None:
    try:
        normalise_nace(raw)
    except InvalidNace:
        return _("Vul een geldige NACE-code in, bijvoorbeeld 81.30 of 82.92.")
    return None


def normalise_website(raw: str) -> str:
    """'www.x.be' -> 'https://www.x.be'; '' stays ''."""
    value = (raw or "").strip()
    if value and not re.match(r"https?://", value, re.IGNORECASE):
        value = "https://" + value
    return value


_WEBSITE = re.compile(r"https?://[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+(:[0-9]{1,5})?(/\S*)?", re.ASCII | re.IGNORECASE)


def website_problem(raw: str) -> str | None:
    value = normalise_website(raw)
    if value and (len(value) > 300 or not _WEBSITE.fullmatch(value)):
        return _("Vul een geldig webadres in, bijvoorbeeld www.voorbeeld.be.")
    return None


def owner_count(organisation) -> int:
    return sum(1 for m in organisation.memberships if m.role == "owner")


def can_leave_owner_role(membership) -> bool:
    """An organisation always keeps at least one owner."""
    return membership.role != "owner" or owner_count(membership.organisation) > 1
