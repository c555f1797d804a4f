"""The taxonomy of activity domains: kept in `domains.json`, synced into the database.

The file is the source; `sync_domains` upserts it (by code) so that labels, synonyms and
CPV/NACE links changed in the file reach the site. Domains that left the file are kept:
offers and needs may still point at them, and an administrator decides about those.
"""

import json
from functools import cache
from pathlib import Path

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.taxonomy.models import ActivityDomain

DOMAINS_FILE = Path(__file__).with_name("domains.json")
FIELDS = ("label_nl", "label_en", "synonyms", "cpv_codes", "nace_codes")


@cache
def load_domains(path: str | None = None) -> tuple[dict, ...]:
    """The domains of the file, as dicts with the model's field names."""
    with open(path or DOMAINS_FILE, encoding="utf-8") as f:
        data = json.load(f)
    return tuple(
        {
            "code": d["code"],
            "label_nl": d["label_nl"],
            "label_en": d["label_en"],
            "synonyms": list(d.get("synonyms", [])),
            "cpv_codes": list(d.get("cpv_prefixes", [])),
            "nace_codes": list(d.get("nace_codes", [])),
        }
        for d in data["domains"]
    )


def sync_domains(commit: bool = True) -> tuple[int, int]:
    """Upsert the file's domains; returns (created, updated). Running it twice changes nothing.

    `commit=False` leaves the commit to the caller (the catalog import syncs in its own transaction).
    """
    existing = {d.code: d for d in db.session.scalars(select(ActivityDomain))}
    created = updated = 0
    for row in load_domains():
        domain = existing.get(row["code"])
        if domain is None:
            db.session.add(ActivityDomain(**row))
            created += 1
            continue
        if any(getattr(domain, field) != row[field] for field in FIELDS):
            for field in FIELDS:
                setattr(domain, field, row[field])
            updated += 1
    db.session.flush()
    if commit:
        db.session.commit()
    return created, updated


def _digits(code) -> str:
    return "".join(ch for ch in str(code) if ch.isascii() and ch.isdigit())[:8]


def domains_for_cpv(codes) -> list[str]:
    """Codes of the domains whose CPV prefixes cover any of `codes` ('77311000' or '77311000-3')."""
    found = []
    digits = [_digits(c) for c in codes or []]
    for domain in load_domains():
        if any(d.startswith(p) for d in digits for p in domain["cpv_codes"] if d):
            found.append(domain["code"])
    return found


def _terms(domain: dict) -> set[str]:
    words = {domain["code"], domain["code"].replace("_", " "), domain["label_nl"], domain["label_en"]}
    words.update(domain["synonyms"])
    return {w.lower() for w in words}


# Shorter words match only as a whole activity: 'sets' or 'linnen' inside a longer word misleads.
MIN_PART = 6


def domains_for_terms(terms) -> list[str]:
    """Codes of the domains that free-text activities ('hagen snoeien', 'verpakkingslijn') belong to.

    An activity that is a domain word belongs to that domain only; otherwise it belongs to every
    domain with a word of at least MIN_PART letters inside it (Dutch compounds: 'voedingsverpakking').
    """
    domains = load_domains()
    found: list[str] = []
    for raw in terms or []:
        term = " ".join(str(raw).lower().split())
        if not term:
            continue
        exact = [d["code"] for d in domains if term in _terms(d)]
        matches = exact or [d["code"] for d in domains if any(len(w) >= MIN_PART and w in term for w in _terms(d))]
        found.extend(code for code in matches if code not in found)
    return found


def domain_choices(language: str = "nl") -> list[tuple[str, str]]:
    """(code, label) of every domain in the database, sorted by label in that language."""
    domains = db.session.scalars(select(ActivityDomain)).all()
    return sorted(((d.code, d.label(language)) for d in domains), key=lambda c: c[1].lower())


def synonyms_by_term() -> dict[str, list[str]]:
    """For the search: each domain's code as a word ('schoonmaak') -> its labels and synonyms.

    One entry per domain; the search treats each entry with its key as one group of words
    that mean the same.
    """
    groups: dict[str, list[str]] = {}
    for d in db.session.scalars(select(ActivityDomain).order_by(ActivityDomain.code)):
        key = d.code.replace("_", " ")
        words = groups.setdefault(key, [])
        for word in (d.label_nl, d.label_en, *(d.synonyms or [])):
            if word and word.lower() != key and word not in words:
                words.append(word)
    return groups
