"""Parsing and checking of offer and need fields, shared by forms, the catalog import and the API.

Values may come typed (from a form or JSON) or as text (from a CSV file); each parser returns
the clean value or raises `FieldError` with a message for the user.
"""

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

BRUSSELS = ZoneInfo("Europe/Brussels")

_CPV_RE = re.compile(r"^([0-9]{8})(?:-([0-9]))?$", re.ASCII)
_CPV_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)
# Codes of the official CPV 2008 list whose check digit does not follow the weighted sum
# (they kept the digit of an earlier revision). Accept them as published.
_CPV_CHECK_EXCEPTIONS = {"72413000": "8", "72415000": "2", "72600000": "6"}


class FieldError(ValueError):
    """A value the user must correct; the message names what is wrong."""


class RuleViolation(Exception):
    """Data that breaks the rules: `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotAllowed(Exception):
    """An action the organisation or the object's state does not allow; the message says why."""


def cpv_check_digit(code8: str) -> str:
    """The check digit of an 8-digit CPV code."""
    if code8 in _CPV_CHECK_EXCEPTIONS:
        return _CPV_CHECK_EXCEPTIONS[code8]
    return str(sum(int(d) * w for d, w in zip(code8, _CPV_WEIGHTS, strict=True)) % 10)


def normalise_cpv(value: str) -> str:
    """'90911200' or '90911200-8' -> '90911200-8'; FieldError for a malformed code or a wrong check digit."""
    text = (value or "").strip().replace(" ", "")
    match = _CPV_RE.match(text)
    if not match:
        raise FieldError(
            _(
                "CPV-code %(code)s is ongeldig: gebruik 8 cijfers, "
                "eventueel met streepje en controlecijfer (90911200-8).",
                code=value.strip(),
            )
        )
    body, check = match.groups()
    expected = cpv_check_digit(body)
    if check is not None and check != expected:
        raise FieldError(
            _(
                "Het controlecijfer van CPV-code %(code)s klopt niet: voor %(body)s is het %(expected)s.",
                code=text,
                body=body,
                expected=expected,
            )
        )
    return f"{body}-{expected}"


def split_list(value) -> list[str]:
    """A list as given, or text split on commas, semicolons, '|' and line breaks; blanks dropped."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[,;|\n\r]+", str(value))
    seen, result = set(), []
    for item in (i.strip() for i in items):
        if item and item not in seen:
            seen.add(item)
            result.append(item)
    return result


def parse_cpv_list(value) -> list[str]:
    codes = []
    for item in split_list(value if not isinstance(value, str) else re.sub(r"\s+", ",", value)):
        code = normalise_cpv(item)
        if code not in codes:
            codes.append(code)
    return codes


def parse_text(value, *, label: str, required: bool = False, max_length: int = 200) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise FieldError(_("Vul %(label)s in.", label=label))
    if len(text) > max_length:
        raise FieldError(_("%(label)s mag ten hoogste %(max)s tekens lang zijn.", label=label, max=max_length))
    return text


def parse_decimal(value, *, label: str, required: bool = False, minimum=0, maximum=None) -> Decimal | None:
    """A number as typed in Belgium ('1.234,50') or in a file ('1234.50')."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(_("Vul %(label)s in.", label=label))
        return None
    if isinstance(value, bool):
        raise FieldError(_("%(label)s moet een getal zijn.", label=label))
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text, re.ASCII):
            raise FieldError(_("%(label)s moet een getal zijn, bijvoorbeeld 1.234,50.", label=label))
        try:
            number = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern above already rules this out
            raise FieldError(_("%(label)s moet een getal zijn.", label=label)) from exc
    if not number.is_finite():
        raise FieldError(_("%(label)s moet een getal zijn.", label=label))
    if minimum is not None and number < minimum:
        raise FieldError(_("%(label)s mag niet kleiner zijn dan %(min)s.", label=label, min=minimum))
    if maximum is not None and number > maximum:
        raise FieldError(_("%(label)s mag niet groter zijn dan %(max)s.", label=label, max=maximum))
    return number


def parse_int(value, *, label: str, required: bool = False, minimum=None, maximum=None) -> int | None:
    number = parse_decimal(value, label=label, required=required, minimum=minimum, maximum=maximum)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise FieldError(_("%(label)s moet een geheel getal zijn.", label=label))
    return int(number)


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "ja", "on", "y", "j", "x"}


def parse_date(value, *, label: str, required: bool = False) -> date | None:
    """A date as 2026-11-28 (forms, files) or 28/11/2026 (typed by hand)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(_("Vul %(label)s in.", label=label))
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FieldError(_("%(label)s is geen geldige datum: schrijf bijvoorbeeld 28/11/2026.", label=label))


def parse_deadline(value, *, label: str, required: bool = False) -> datetime | None:
    """A moment stored as naive UTC.

    Aware datetimes and ISO text with an offset are converted; a naive datetime is taken as UTC
    (how the database stores it); text without an offset is a Brussels clock time, as people write it.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(_("Vul %(label)s in.", label=label))
        return None
    if isinstance(value, datetime):
        moment = value
        if moment.tzinfo is None:
            return moment
    else:
        text = str(value).strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise FieldError(
                _("%(label)s is geen geldig tijdstip: schrijf bijvoorbeeld 2026-11-28T12:00.", label=label)
            ) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=BRUSSELS)
    return moment.astimezone(UTC).replace(tzinfo=None)


def brussels_time(moment: datetime | None) -> datetime | None:
    """A stored naive-UTC moment as Brussels clock time (for showing and for forms)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(BRUSSELS)


def collect(errors: dict[str, str], field: str, parse, *args, **kwargs):
    """Run one parser, recording its message under `field`; returns the value or None."""
    try:
        return parse(*args, **kwargs)
    except FieldError as exc:
        errors[field] = str(exc)
        return None
