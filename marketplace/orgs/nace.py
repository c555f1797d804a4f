"""NACE sections (A-U) from a NACE-BEL code, for the breakdowns the policy plan reports."""

import re

from flask_babel import lazy_gettext as _l

NACE_VERSION = "NACE-BEL 2008"

# (first division, last division, section)
_DIVISIONS = (
    (1, 3, "A"),
    (5, 9, "B"),
    (10, 33, "C"),
    (35, 35, "D"),
    (36, 39, "E"),
    (41, 43, "F"),
    (45, 47, "G"),
    (49, 53, "H"),
    (55, 56, "I"),
    (58, 63, "J"),
    (64, 66, "K"),
    (68, 68, "L"),
    (69, 75, "M"),
    (77, 82, "N"),
    (84, 84, "O"),
    (85, 85, "P"),
    (86, 88, "Q"),
    (90, 93, "R"),
    (94, 96, "S"),
    (97, 98, "T"),
    (99, 99, "U"),
)
SECTIONS = {
    "A": _l("Landbouw, bosbouw en visserij"),
    "B": _l("Winning van delfstoffen"),
    "C": _l("Industrie"),
    "D": _l("Energievoorziening"),
    "E": _l("Water, afval en sanering"),
    "F": _l("Bouwnijverheid"),
    "G": _l("Groot- en detailhandel"),
    "H": _l("Vervoer en opslag"),
    "I": _l("Horeca"),
    "J": _l("Informatie en communicatie"),
    "K": _l("Financiële activiteiten"),
    "L": _l("Exploitatie van onroerend goed"),
    "M": _l("Vrije beroepen en wetenschap"),
    "N": _l("Administratieve en ondersteunende diensten"),
    "O": _l("Openbaar bestuur"),
    "P": _l("Onderwijs"),
    "Q": _l("Gezondheidszorg en maatschappelijke dienstverlening"),
    "R": _l("Kunst, amusement en recreatie"),
    "S": _l("Overige diensten"),
    "T": _l("Huishoudens als werkgever"),
    "U": _l("Extraterritoriale organisaties"),
}
_CODE = re.compile(r"[0-9]{2}(\.[0-9]{1,3})?", re.ASCII)


class InvalidNace(ValueError):
    """Not a NACE code of the form 12, 12.3 or 12.34(5)."""


def normalise_nace(raw: str) -> str:
    value = (raw or "").strip()
    if not value:
        return ""
    if not _CODE.fullmatch(value) or not section_for_code(value):
        raise InvalidNace(raw)
    return value


def section_for_code(code: str | None) -> str:
    """'82.92' -> 'N'; '' when unknown."""
    if not code or len(code) < 2 or not code[:2].isascii() or not code[:2].isdigit():
        return ""
    division = int(code[:2])
    for low, high, section in _DIVISIONS:
        if low <= division <= high:
            return section
    return ""
