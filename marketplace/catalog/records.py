"""The catalog file format: reading a file into checked records, and writing models back as records.

Format (see the dev-matching README): ``{"organizations": [...], "needs": [...]}``. Organisations
carry their offers; a need names its buyer by ``buyer_kbo``. ``kbo`` and ``ref`` are the keys.
Besides the documented fields the format takes a few optional ones that the site holds:
organisation ``eligible_reserved`` (defaults to ``recognized_maatwerk``) and ``description``;
offer and need ``domains`` (taxonomy codes; by default derived from ``activities`` and ``cpv``);
need ``procurement_reference`` (defaults to the ref), ``lots``, ``tender_url`` and the on-site
details of an enclave request. The export writes them only where they differ from the default,
so that exporting an imported file gives that file back.

Every problem is reported with its place in the file (``organizations[3].kbo: ...``), in Dutch.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from marketplace.needs.rules import clean_need_data, may_post_need
from marketplace.offers.rules import clean_offer_data
from marketplace.offers.validation import brussels_time
from marketplace.orgs.geography import CATALOG_NAMES, InvalidPostcode, province_code, province_for_postcode
from marketplace.orgs.kbo import InvalidKbo, normalise_kbo
from marketplace.orgs.models import ORG_KINDS, SIZE_CLASSES
from marketplace.taxonomy.services import domains_for_cpv, domains_for_terms

# No deadline is "in the past" for an import: a file may hold contracts whose deadline passed.
_LONG_AGO = datetime(1970, 1, 1)
_NACE_RE = re.compile(r"[0-9]{2}(\.[0-9]{1,3})?", re.ASCII)
_REF_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,39}", re.ASCII)
_DATE_ONLY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# Catalog `reservation` -> (eForms BT-71 code, narrowed to recognised maatwerkbedrijven).
RESERVATION_CODES = {"maatwerk": ("res-ws", True), "res-ws": ("res-ws", False), "res-pub-ser": ("res-pub-ser", False)}
ENCLAVE_DETAILS = ("site_address", "host_core_activity", "tasks", "risks_and_safety", "working_hours", "travel")

# Field names of the offer/need rules -> the catalog's names, to place an error in the file.
OFFER_FIELD_PATHS = {
    "free_tags": "activities",
    "cpv_codes": "cpv",
    "has_enclave": "enclave.available",
    "enclave_max_team": "enclave.max_team",
}
NEED_FIELD_PATHS = {
    "free_tags": "activities",
    "cpv_codes": "cpv",
    "starts_on": "start",
    "ends_on": "end",
    "budget_max_eur": "budget_eur",
    "budget_min_eur": "budget_eur",
    "estimated_value_eur": "budget_eur",
    "deadline_at": "deadline",
    "is_recognised_only": "reservation",
}


class CatalogError(Exception):
    """A file that cannot be imported; `problems` lists 'place: message' lines."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Catalog:
    """A checked file: organisations (with their offers) and needs, as clean values for the models."""

    organisations: list[dict] = field(default_factory=list)
    needs: list[dict] = field(default_factory=list)

    @property
    def offer_count(self) -> int:
        return sum(len(o["offers"]) for o in self.organisations)


def read_file(path: str) -> dict:
    """The parsed JSON of a catalog file, or CatalogError with a message a person can act on."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise CatalogError([_("%(path)s: bestand niet gevonden.", path=path)]) from None
    except IsADirectoryError:
        raise CatalogError([_("%(path)s: dit is een map, geen bestand.", path=path)]) from None
    except UnicodeDecodeError:
        raise CatalogError([_("%(path)s: het bestand is geen UTF-8-tekst.", path=path)]) from None
    except OSError as exc:
        raise CatalogError([_("%(path)s: kan het bestand niet lezen (%(error)s).", path=path, error=exc)]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            [
                _(
                    "%(path)s: geen geldige JSON op regel %(line)s, kolom %(column)s (%(error)s).",
                    path=path,
                    line=exc.lineno,
                    column=exc.colno,
                    error=exc.msg,
                )
            ]
        ) from None


def derived_domains(activities: list[str], cpv: list[str]) -> list[str]:
    """The domains an offer or need belongs to when the file names none."""
    codes = domains_for_terms(activities)
    codes += [c for c in domains_for_cpv(cpv) if c not in codes]
    return codes


def _kbo(problems: list[str], place: str, value) -> str | None:
    try:
        return normalise_kbo(str(value) if value is not None else "")
    except InvalidKbo:
        text = str(value or "").strip().upper().removeprefix("BE").replace(".", "").replace(" ", "")
        if len(text) == 10 and text.isascii() and text.isdigit() and text[0] in "01":
            message = _(
                "%(place)s: %(value)s is geen geldig ondernemingsnummer (het controlegetal klopt niet).",
                place=place,
                value=value,
            )
        else:
            message = _(
                "%(place)s: %(value)s is geen geldig ondernemingsnummer "
                "(10 cijfers die beginnen met 0 of 1, bv. 0403.019.261).",
                place=place,
                value=value,
            )
        problems.append(message)
        return None


def _text(problems, place, value, *, required=True, max_length=200) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(_("%(place)s: moet tekst zijn.", place=place))
        return ""
    text = value.strip()
    if required and not text:
        problems.append(_("%(place)s: ontbreekt.", place=place))
    elif len(text) > max_length:
        problems.append(_("%(place)s: ten hoogste %(max)s tekens.", place=place, max=max_length))
    return text


def _bool(problems, place, value, default=False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        problems.append(_("%(place)s: moet true of false zijn.", place=place))
        return default
    return value


def _list(problems, place, value) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(_("%(place)s: moet een lijst zijn.", place=place))
        return []
    return value


def _province(problems, place, value) -> str | None:
    code = province_code(value) if isinstance(value, str) else None
    if code is None:
        problems.append(
            _(
                "%(place)s: onbekende provincie %(value)s (kies uit %(names)s).",
                place=place,
                value=json.dumps(value, ensure_ascii=False),
                names=", ".join(CATALOG_NAMES.values()),
            )
        )
    return code


def _place_rule_errors(problems, place, errors: dict, paths: dict, skip=()) -> None:
    for name, message in errors.items():
        if name in skip:
            continue
        problems.append(f"{place}.{paths.get(name, name)}: {message}")


def _organisation(problems, place, raw) -> dict | None:
    if not isinstance(raw, dict):
        problems.append(_("%(place)s: moet een object zijn.", place=place))
        return None
    kind = raw.get("kind") if isinstance(raw.get("kind"), str) else repr(raw.get("kind"))
    if kind not in ORG_KINDS:
        problems.append(
            _(
                "%(place)s.kind: onbekend soort organisatie %(value)s (kies uit %(kinds)s).",
                place=place,
                value=json.dumps(kind, ensure_ascii=False),
                kinds=", ".join(ORG_KINDS),
            )
        )
    size = raw.get("size") if isinstance(raw.get("size"), str) else repr(raw.get("size"))
    if size not in SIZE_CLASSES:
        problems.append(
            _(
                "%(place)s.size: onbekende grootteklasse %(value)s (kies uit %(sizes)s).",
                place=place,
                value=json.dumps(size, ensure_ascii=False),
                sizes=", ".join(SIZE_CLASSES),
            )
        )
    recognised = _bool(problems, f"{place}.recognized_maatwerk", raw.get("recognized_maatwerk"))
    if recognised and kind != "maatwerkbedrijf":
        problems.append(
            _(
                "%(place)s.recognized_maatwerk: alleen een maatwerkbedrijf kan erkend zijn als maatwerkbedrijf.",
                place=place,
            )
        )
    org = {
        "kbo": _kbo(problems, f"{place}.kbo", raw.get("kbo")),
        "name": _text(problems, f"{place}.name", raw.get("name")),
        "kind": kind,
        "size_class": size,
        "description": _text(
            problems, f"{place}.description", raw.get("description"), required=False, max_length=10_000
        ),
        "is_recognised_maatwerk": recognised,
        # A recognised maatwerkbedrijf is eligible for reserved contracts whatever the file says.
        "is_eligible": _bool(problems, f"{place}.eligible_reserved", raw.get("eligible_reserved"), recognised)
        or recognised,
        "municipality": _text(
            problems, f"{place}.municipality", raw.get("municipality"), required=False, max_length=100
        ),
        "nace": _text(problems, f"{place}.nace", raw.get("nace"), required=False, max_length=10),
        "website": _text(problems, f"{place}.website", raw.get("website"), required=False, max_length=300),
        "offers": [],
    }
    if org["nace"] and not _NACE_RE.fullmatch(org["nace"]):
        problems.append(_("%(place)s.nace: %(value)s is geen NACE-code (bv. 81.21).", place=place, value=org["nace"]))
    if org["website"] and not re.match(r"https?://[^\s/]+", org["website"]):
        problems.append(_("%(place)s.website: een webadres begint met https://.", place=place))
    org["province"] = _province(problems, f"{place}.province", raw.get("province"))
    postcode = raw.get("postcode")
    org["postcode"] = str(postcode or "").strip()
    try:
        from_postcode = province_for_postcode(org["postcode"])
        if org["province"] and from_postcode != org["province"]:
            problems.append(
                _(
                    "%(place)s.province: %(province)s past niet bij postcode %(postcode)s.",
                    place=place,
                    province=raw.get("province"),
                    postcode=org["postcode"],
                )
            )
    except InvalidPostcode:
        problems.append(
            _(
                "%(place)s.postcode: %(value)s is geen postcode in Vlaanderen of Brussel.",
                place=place,
                value=json.dumps(postcode, ensure_ascii=False),
            )
        )
    return org


def _ref(problems, place, value, seen: dict, what: str) -> str | None:
    if not isinstance(value, str) or not _REF_RE.fullmatch(value.strip()):
        problems.append(
            _(
                "%(place)s: %(value)s is geen geldige ref (letters, cijfers, '-', ten hoogste 40 tekens).",
                place=place,
                value=json.dumps(value, ensure_ascii=False),
            )
        )
        return None
    ref = value.strip()
    if ref in seen:
        problems.append(
            _(
                "%(place)s: %(what)s %(ref)s komt al voor in %(first)s.",
                place=place,
                what=what,
                ref=ref,
                first=seen[ref],
            )
        )
        return None
    seen[ref] = place
    return ref


def _domains(problems, place, raw: dict, activities: list, cpv: list, known: set[str]) -> list[str]:
    if raw.get("domains") is None:
        return derived_domains([a for a in activities if isinstance(a, str)], [c for c in cpv if isinstance(c, str)])
    codes = [str(c) for c in _list(problems, f"{place}.domains", raw.get("domains"))]
    unknown = [c for c in codes if c not in known]
    if unknown:
        problems.append(
            _("%(place)s.domains: onbekend activiteitsdomein %(codes)s.", place=place, codes=", ".join(unknown))
        )
    return codes


def _offer(problems, place, raw, known: set[str], seen_refs: dict) -> dict | None:
    if not isinstance(raw, dict):
        problems.append(_("%(place)s: moet een object zijn.", place=place))
        return None
    ref = _ref(problems, f"{place}.ref", raw.get("ref"), seen_refs, _("aanbod"))
    activities = _list(problems, f"{place}.activities", raw.get("activities"))
    cpv = _list(problems, f"{place}.cpv", raw.get("cpv"))
    enclave = raw.get("enclave") or {}
    if not isinstance(enclave, dict):
        problems.append(_("%(place)s.enclave: moet een object zijn met available en max_team.", place=place))
        enclave = {}
    data = {
        "title": raw.get("title"),
        "description": raw.get("description"),
        "domains": _domains(problems, place, raw, activities, cpv, known),
        "free_tags": activities,
        "cpv_codes": cpv,
        "regions": _list(problems, f"{place}.regions", raw.get("regions")),
        "capacity_fte": raw.get("capacity_fte"),
        "has_enclave": _bool(problems, f"{place}.enclave.available", enclave.get("available")),
        "enclave_max_team": enclave.get("max_team"),
        "certifications": _list(problems, f"{place}.certifications", raw.get("certifications")),
    }
    clean, errors = clean_offer_data(data, known)
    # An offer may carry only free activities; the rules' "choose a domain" is for the site's form.
    skip = ("domains",) if raw.get("domains") is None else ()
    _place_rule_errors(problems, place, errors, OFFER_FIELD_PATHS, skip)
    clean["domains"] = data["domains"]
    clean["ref"] = ref
    clean["place"] = place
    clean["explicit_domains"] = raw.get("domains") is not None
    return clean


def _deadline_value(value):
    # A date alone means the end of that day in Brussels, as tender notices put it.
    if isinstance(value, str) and _DATE_ONLY_RE.fullmatch(value.strip()):
        return f"{value.strip()}T23:59"
    return value


def _need(problems, place, raw, known: set[str], seen_refs: dict, buyers: dict) -> dict | None:
    if not isinstance(raw, dict):
        problems.append(_("%(place)s: moet een object zijn.", place=place))
        return None
    ref = _ref(problems, f"{place}.ref", raw.get("ref"), seen_refs, _("vraag"))
    kind = raw.get("kind")
    buyer_kbo = _kbo(problems, f"{place}.buyer_kbo", raw.get("buyer_kbo"))
    buyer = buyers.get(buyer_kbo) if buyer_kbo else None
    if buyer_kbo and buyer is None:
        problems.append(
            _(
                "%(place)s.buyer_kbo: organisatie %(kbo)s staat niet in het bestand of in Werkbrug.",
                place=place,
                kbo=buyer_kbo,
            )
        )
    if buyer is not None and kind in ("outsourcing", "enclave", "reserved_contract"):
        reason = may_post_need(buyer, kind)
        if reason:
            problems.append(f"{place}.buyer_kbo: {reason}")
    activities = _list(problems, f"{place}.activities", raw.get("activities"))
    cpv = _list(problems, f"{place}.cpv", raw.get("cpv"))
    given_province = raw.get("province")
    if given_province is not None:
        _province(problems, f"{place}.province", given_province)
    data = {
        "kind": kind,
        "title": raw.get("title"),
        "description": raw.get("description"),
        "domains": _domains(problems, place, raw, activities, cpv, known),
        "free_tags": activities,
        "cpv_codes": cpv,
        "postcode": raw.get("postcode"),
        "province": given_province if province_code(str(given_province or "")) else None,
        "volume_fte": raw.get("volume_fte"),
        "starts_on": raw.get("start"),
        "ends_on": raw.get("end"),
        "team_size": raw.get("team_size"),
        **{name: raw.get(name) for name in ENCLAVE_DETAILS},
    }
    budget = raw.get("budget_eur")
    if kind == "reserved_contract":
        reservation = raw.get("reservation")
        code, recognised_only = RESERVATION_CODES.get(str(reservation), ("", False))
        if not code:
            problems.append(
                _(
                    "%(place)s.reservation: %(value)s is onbekend (kies maatwerk of res-ws).",
                    place=place,
                    value=json.dumps(reservation, ensure_ascii=False),
                )
            )
        lots = [
            {"title": lot.get("title"), "is_reserved": lot.get("reserved", True)} if isinstance(lot, dict) else {}
            for lot in _list(problems, f"{place}.lots", raw.get("lots"))
        ]
        data.update(
            procurement_reference=raw.get("procurement_reference") or ref,
            estimated_value_eur=budget,
            deadline_at=_deadline_value(raw.get("deadline")),
            reservation=code or "res-ws",
            is_recognised_only=recognised_only,
            is_execution_reserved=bool(raw.get("execution_reserved", False)),
            tender_url=raw.get("tender_url"),
            lots=lots,
        )
    else:
        data["budget_max_eur"] = budget
    clean, errors = clean_need_data(data, known, now=_LONG_AGO)
    if "kind" in errors:
        problems.append(
            _(
                "%(place)s.kind: onbekend soort vraag %(value)s (kies outsourcing, enclave of reserved_contract).",
                place=place,
                value=json.dumps(kind, ensure_ascii=False),
            )
        )
        return None
    # What the catalog format does not require, though the site's forms ask for it.
    skip = {"kind", "province"} if given_province is not None and not data["province"] else {"kind"}
    if raw.get("domains") is None:
        skip.add("domains")
    if kind == "enclave":
        skip.update(name for name in ENCLAVE_DETAILS if raw.get(name) is None)
    if kind == "reserved_contract" and budget is None:
        skip.add("estimated_value_eur")
    _place_rule_errors(problems, place, errors, NEED_FIELD_PATHS, skip)
    clean["domains"] = data["domains"]
    clean["ref"] = ref
    clean["buyer_kbo"] = buyer_kbo
    clean["place"] = place
    clean["explicit_domains"] = raw.get("domains") is not None
    return clean


def parse_catalog(data, known_domains: set[str], existing_orgs: dict | None = None) -> Catalog:
    """Check a whole parsed file; CatalogError lists every problem found, each with its place.

    `existing_orgs` maps kbo -> Organisation already in Werkbrug, so a need may name a buyer that
    is not in the file.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CatalogError([_("bestand: moet een object zijn met de lijsten organizations en needs.")])
    if not isinstance(data.get("organizations", []), list):
        raise CatalogError([_("organizations: moet een lijst zijn.")])
    catalog = Catalog()
    seen_kbo: dict[str, str] = {}
    seen_offers: dict[str, str] = {}
    for i, raw in enumerate(data.get("organizations") or []):
        place = f"organizations[{i}]"
        org = _organisation(problems, place, raw)
        if org is None:
            continue
        if org["kbo"]:
            if org["kbo"] in seen_kbo:
                problems.append(
                    _(
                        "%(place)s.kbo: ondernemingsnummer %(kbo)s komt al voor in %(first)s.",
                        place=place,
                        kbo=org["kbo"],
                        first=seen_kbo[org["kbo"]],
                    )
                )
            seen_kbo[org["kbo"]] = place
        for j, raw_offer in enumerate(_list(problems, f"{place}.offers", raw.get("offers"))):
            offer = _offer(problems, f"{place}.offers[{j}]", raw_offer, known_domains, seen_offers)
            if offer is not None:
                org["offers"].append(offer)
        catalog.organisations.append(org)
    buyers = dict(existing_orgs or {})
    for org in catalog.organisations:
        if org["kbo"] and org["kind"] in ORG_KINDS:
            buyers[org["kbo"]] = _BuyerView(org["kind"])
    seen_needs: dict[str, str] = {}
    if not isinstance(data.get("needs", []), list):
        problems.append(_("needs: moet een lijst zijn."))
    else:
        for k, raw in enumerate(data.get("needs") or []):
            need = _need(problems, f"needs[{k}]", raw, known_domains, seen_needs, buyers)
            if need is not None:
                catalog.needs.append(need)
    if problems:
        raise CatalogError(problems)
    return catalog


@dataclass
class _BuyerView:
    """What the need rules ask of a buyer that is still only a line in the file."""

    kind: str


# ---- writing models back as records (the export, and the import's "did anything change") ----


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _cpv_out(codes) -> list[str]:
    return [str(c).split("-")[0] for c in codes or []]


def _deadline_out(moment: datetime | None) -> str | None:
    local = brussels_time(moment)
    if local is None:
        return None
    if (local.hour, local.minute) == (23, 59):
        return local.date().isoformat()
    return local.replace(tzinfo=None).isoformat(timespec="minutes")


def _domains_out(record: dict, codes: list[str]) -> None:
    if sorted(codes) != sorted(derived_domains(record.get("activities", []), record.get("cpv", []))):
        record["domains"] = sorted(codes)


OFFER_FIELDS = (
    "ref", "title", "description", "free_tags", "cpv_codes", "regions", "capacity_fte", "has_enclave",
    "enclave_max_team", "certifications",
)  # fmt: skip
ORG_FIELDS = (
    "kbo", "name", "kind", "description", "province", "postcode", "municipality", "nace", "size_class", "website",
    "is_recognised_maatwerk",
)  # fmt: skip
NEED_FIELDS = (
    "ref", "kind", "title", "description", "free_tags", "cpv_codes", "province", "postcode", "volume_fte",
    "starts_on", "ends_on", "budget_max_eur", "team_size", "procurement_reference", "estimated_value_eur",
    "deadline_at", "reservation", "is_recognised_only", "is_execution_reserved", "tender_url", *ENCLAVE_DETAILS,
)  # fmt: skip


def offer_values(offer) -> dict:
    """An Offer as the plain values a record is made of."""
    return {**{name: getattr(offer, name) for name in OFFER_FIELDS}, "domains": [d.code for d in offer.domains]}


def organisation_values(org) -> dict:
    values = {name: getattr(org, name) for name in ORG_FIELDS}
    values["is_eligible"] = bool(org.is_eligible_reserved)
    return values


def need_values(need) -> dict:
    values = {name: getattr(need, name) for name in NEED_FIELDS}
    values.update(
        buyer_kbo=need.organisation.kbo,
        domains=[d.code for d in need.domains],
        lots=[{"title": lot.title, "is_reserved": bool(lot.is_reserved)} for lot in need.lots],
    )
    return values


def offer_record(v: dict) -> dict:
    """The catalog record of an offer's values (offer_values, or the import's clean values)."""
    record = {
        "ref": v["ref"],
        "title": v["title"],
        "description": v["description"] or "",
        "activities": list(v["free_tags"] or []),
        "cpv": _cpv_out(v["cpv_codes"]),
        "regions": [CATALOG_NAMES.get(c, c) for c in v["regions"] or []],
    }
    if v["capacity_fte"] is not None:
        record["capacity_fte"] = _number(v["capacity_fte"])
    record["enclave"] = {"available": bool(v["has_enclave"]), "max_team": int(v["enclave_max_team"] or 0)}
    record["certifications"] = list(v["certifications"] or [])
    _domains_out(record, v["domains"])
    return record


def organisation_record(v: dict, offers=()) -> dict:
    """The catalog record of an organisation's values, with the records of its offers."""
    record = {"kbo": v["kbo"], "name": v["name"], "kind": v["kind"], "recognized_maatwerk": v["is_recognised_maatwerk"]}
    if v["is_eligible"] != v["is_recognised_maatwerk"]:
        record["eligible_reserved"] = v["is_eligible"]
    record.update(
        province=CATALOG_NAMES.get(v["province"], v["province"]),
        postcode=v["postcode"],
        municipality=v["municipality"] or "",
        nace=v["nace"] or "",
        size=v["size_class"],
        website=v["website"] or "",
    )
    if v["description"]:
        record["description"] = v["description"]
    record["offers"] = list(offers)
    return record


def need_record(v: dict) -> dict:
    """The catalog record of a need's values (need_values, or the import's clean values)."""
    kind = v["kind"]
    record = {
        "ref": v["ref"],
        "buyer_kbo": v["buyer_kbo"],
        "kind": kind,
        "title": v["title"],
        "description": v["description"] or "",
        "activities": list(v["free_tags"] or []),
        "cpv": _cpv_out(v["cpv_codes"]),
        "province": CATALOG_NAMES.get(v["province"], v["province"]),
        "postcode": v["postcode"],
    }
    if kind == "enclave" and v.get("team_size") is not None:
        record["team_size"] = v["team_size"]
    if v["volume_fte"] is not None:
        record["volume_fte"] = _number(v["volume_fte"])
    if v["starts_on"]:
        record["start"] = v["starts_on"].isoformat()
    if v["ends_on"]:
        record["end"] = v["ends_on"].isoformat()
    budget = v.get("estimated_value_eur") if kind == "reserved_contract" else v.get("budget_max_eur")
    if budget is not None:
        record["budget_eur"] = _number(budget)
    if kind == "reserved_contract":
        record["deadline"] = _deadline_out(v["deadline_at"])
        record["reservation"] = "maatwerk" if v["is_recognised_only"] else v["reservation"]
        if v["procurement_reference"] and v["procurement_reference"] != v["ref"]:
            record["procurement_reference"] = v["procurement_reference"]
        if v["is_execution_reserved"]:
            record["execution_reserved"] = True
        if v["tender_url"]:
            record["tender_url"] = v["tender_url"]
        if v.get("lots"):
            record["lots"] = [{"title": lot["title"], "reserved": bool(lot["is_reserved"])} for lot in v["lots"]]
    if kind == "enclave":
        for name in ENCLAVE_DETAILS:
            if v.get(name):
                record[name] = v[name]
    _domains_out(record, v["domains"])
    return record
