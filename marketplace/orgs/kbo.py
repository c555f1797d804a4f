"""Belgian enterprise numbers (ondernemingsnummer, KBO/BCE).

A thin layer over python-stdnum: it accepts `0403.019.261`, `0403019261` and `BE0403019261`
and returns the 10-digit normal form. The explicit ASCII check guards against digits of
other scripts, which `str.isdigit` accepts.
"""

import re

from stdnum import exceptions as stdnum_errors
from stdnum.be import vat

_ALLOWED = re.compile(r"(?:BE)?[0-9 .\-/]{9,14}", re.ASCII | re.IGNORECASE)


class InvalidKbo(ValueError):
    """Not a valid Belgian enterprise number."""


def normalise_kbo(raw: str) -> str:
    """The 10-digit form of a valid enterprise number, or InvalidKbo."""
    value = (raw or "").strip()
    if not _ALLOWED.fullmatch(value):
        raise InvalidKbo(raw)
    try:
        return vat.validate(value)
    except stdnum_errors.ValidationError as error:
        raise InvalidKbo(raw) from error


def format_kbo(kbo: str) -> str:
    """0403019261 -> 0403.019.261, the way it is printed on documents."""
    return f"{kbo[:4]}.{kbo[4:7]}.{kbo[7:]}" if len(kbo) == 10 else kbo
