"""Provinces of Flanders and Brussels, and the province a Belgian postcode lies in."""

from flask_babel import lazy_gettext as _l

# ISO 3166-2:BE codes; Brussels is a region, listed beside the provinces as the field does.
PROVINCES = {
    "VAN": _l("Antwerpen"),
    "VLI": _l("Limburg"),
    "VOV": _l("Oost-Vlaanderen"),
    "VBR": _l("Vlaams-Brabant"),
    "VWV": _l("West-Vlaanderen"),
    "BRU": _l("Brussel"),
}
# Dutch names as written in the catalog format, and common variants.
PROVINCE_NAMES = {
    "antwerpen": "VAN",
    "limburg": "VLI",
    "oost-vlaanderen": "VOV",
    "vlaams-brabant": "VBR",
    "west-vlaanderen": "VWV",
    "brussel": "BRU",
    "brussels": "BRU",
    "bruxelles": "BRU",
    "brussels hoofdstedelijk gewest": "BRU",
    "antwerp": "VAN",
    "east flanders": "VOV",
    "west flanders": "VWV",
    "flemish brabant": "VBR",
}
CATALOG_NAMES = {
    "VAN": "Antwerpen",
    "VLI": "Limburg",
    "VOV": "Oost-Vlaanderen",
    "VBR": "Vlaams-Brabant",
    "VWV": "West-Vlaanderen",
    "BRU": "Brussel",
}

_RANGES = (
    (1000, 1299, "BRU"),
    (1500, 1999, "VBR"),
    (2000, 2999, "VAN"),
    (3000, 3499, "VBR"),
    (3500, 3999, "VLI"),
    (8000, 8999, "VWV"),
    (9000, 9999, "VOV"),
)


class InvalidPostcode(ValueError):
    """A postcode that is malformed or outside Flanders and Brussels."""


def province_code(name_or_code: str) -> str | None:
    """'Oost-Vlaanderen' or 'VOV' -> 'VOV'; None when unknown."""
    value = (name_or_code or "").strip()
    if value.upper() in PROVINCES:
        return value.upper()
    return PROVINCE_NAMES.get(value.lower())


def province_for_postcode(postcode: str) -> str:
    """The province code of a Flemish or Brussels postcode, or InvalidPostcode."""
    value = (postcode or "").strip()
    if len(value) != 4 or not value.isascii() or not value.isdigit():
        raise InvalidPostcode(value)
    number = int(value)
    for low, high, code in _RANGES:
        if low <= number <= high:
            return code
    raise InvalidPostcode(value)


def province_label(code: str | None) -> str:
    return str(PROVINCES.get(code, code or ""))
