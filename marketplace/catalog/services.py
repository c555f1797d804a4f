"""Importing a catalog file in one transaction, and exporting the catalog in the same format.

The import checks the whole file first (records.parse_catalog) and writes nothing when any
line is wrong. Then it upserts by key (kbo for organisations, ref for offers and needs): a
record equal to what Werkbrug holds is left alone, so importing a file twice changes nothing
the second time. Records that are not in the file are left alone too: an import adds and
updates, it never deletes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.events.services import record_event
from marketplace.extensions import db
from marketplace.needs.models import Lot, Need
from marketplace.offers.models import Offer
from marketplace.orgs.models import Organisation
from marketplace.search.models import record_change
from marketplace.taxonomy.models import ActivityDomain
from marketplace.taxonomy.services import sync_domains

from . import records
from .records import Catalog, CatalogError

# Needs that are still asked for; closed, awarded and cancelled ones stay out of an export.
EXPORTED_NEED_STATES = ("open", "in_discussion")
PROGRESS_EVERY = 500
FLUSH_EVERY = 200


@dataclass
class ImportResult:
    counts: dict = field(default_factory=dict)  # ("organisation"|"offer"|"need", "created"|...) -> n
    dry_run: bool = False

    def add(self, what: str, outcome: str) -> None:
        self.counts[(what, outcome)] = self.counts.get((what, outcome), 0) + 1

    def get(self, what: str, outcome: str) -> int:
        return self.counts.get((what, outcome), 0)

    @property
    def changed(self) -> int:
        return sum(n for (_, outcome), n in self.counts.items() if outcome != "unchanged")


def _noop(message: str) -> None:
    return None


def _normal_kbos(values) -> set[str]:
    from marketplace.orgs.kbo import InvalidKbo, normalise_kbo

    normal = set()
    for value in values:
        try:
            normal.add(normalise_kbo(str(value)))
        except InvalidKbo:
            continue
    return normal


def check_catalog(data) -> Catalog:
    """The checked catalog of parsed JSON `data`, or CatalogError; reads the database, writes nothing."""
    from marketplace.taxonomy.services import load_domains

    # The import syncs the taxonomy first, so the file's domains count as known.
    known = set(db.session.scalars(select(ActivityDomain.code))) | {d["code"] for d in load_domains()}
    wanted: set[str] = set()
    if isinstance(data, dict):
        for key, name in (("organizations", "kbo"), ("needs", "buyer_kbo")):
            rows = data.get(key)
            if isinstance(rows, list):
                wanted.update(str(r.get(name)) for r in rows if isinstance(r, dict) and r.get(name))
    existing = {}
    for chunk in _chunks(sorted(_normal_kbos(wanted)), 500):
        for org in db.session.scalars(select(Organisation).where(Organisation.kbo.in_(chunk))):
            existing[org.kbo] = org
    catalog = records.parse_catalog(data, known, existing)
    _check_keys_held_elsewhere(catalog)
    return catalog


def _check_keys_held_elsewhere(catalog: Catalog) -> None:
    """A ref that Werkbrug already holds for another organisation (or another kind of need) is an error."""
    problems = []
    offers = {o["ref"]: (org["kbo"], o["place"]) for org in catalog.organisations for o in org["offers"]}
    for chunk in _chunks(sorted(offers), 500):
        rows = db.session.execute(
            select(Offer.ref, Organisation.kbo).join(Offer.organisation).where(Offer.ref.in_(chunk))
        )
        for ref, kbo in rows:
            if kbo != offers[ref][0]:
                problems.append(
                    _(
                        "%(place)s.ref: aanbod %(ref)s hoort in Werkbrug bij organisatie %(kbo)s.",
                        place=offers[ref][1],
                        ref=ref,
                        kbo=kbo,
                    )
                )
    needs = {n["ref"]: n for n in catalog.needs}
    for chunk in _chunks(sorted(needs), 500):
        rows = db.session.execute(
            select(Need.ref, Need.kind, Organisation.kbo).join(Need.organisation).where(Need.ref.in_(chunk))
        )
        for ref, kind, kbo in rows:
            need = needs[ref]
            if kbo != need["buyer_kbo"]:
                problems.append(
                    _(
                        "%(place)s.ref: vraag %(ref)s hoort in Werkbrug bij organisatie %(kbo)s.",
                        place=need["place"],
                        ref=ref,
                        kbo=kbo,
                    )
                )
            elif kind != need["kind"]:
                problems.append(
                    _(
                        "%(place)s.kind: vraag %(ref)s is in Werkbrug van het soort %(kind)s.",
                        place=need["place"],
                        ref=ref,
                        kind=kind,
                    )
                )
    if problems:
        raise CatalogError(problems)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_catalog(data, *, dry_run: bool = False, actor=None, progress: Callable[[str], None] = _noop) -> ImportResult:
    """Check and write a parsed catalog file in one transaction; CatalogError changes nothing.

    With `dry_run` everything is done and then rolled back, so the counts are exactly what a
    real import would do.
    """
    catalog = check_catalog(data)
    progress(
        _(
            "bestand in orde: %(orgs)s organisaties, %(offers)s aanbiedingen, %(needs)s vragen",
            orgs=len(catalog.organisations),
            offers=catalog.offer_count,
            needs=len(catalog.needs),
        )
    )
    result = ImportResult(dry_run=dry_run)
    try:
        sync_domains(commit=False)
        _write(catalog, result, actor, progress)
        record_audit(
            "catalog.import",
            detail=", ".join(f"{what} {outcome}: {n}" for (what, outcome), n in sorted(result.counts.items())),
            actor_id=getattr(actor, "id", None),
        )
        db.session.flush()
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return result


def _write(catalog: Catalog, result: ImportResult, actor, progress) -> None:
    now = utcnow()
    domains = {d.code: d for d in db.session.scalars(select(ActivityDomain))}
    kbos = [o["kbo"] for o in catalog.organisations]
    orgs: dict[str, Organisation] = {}
    for chunk in _chunks(kbos, 500):
        for org in db.session.scalars(select(Organisation).where(Organisation.kbo.in_(chunk))):
            orgs[org.kbo] = org
    offer_refs = [o["ref"] for org in catalog.organisations for o in org["offers"]]
    offers: dict[str, Offer] = {}
    for chunk in _chunks(offer_refs, 500):
        query = select(Offer).where(Offer.ref.in_(chunk)).options(selectinload(Offer.domains))
        for offer in db.session.scalars(query):
            offers[offer.ref] = offer

    # Written in batches: one flush gives the new rows their ids for the search change log.
    touched: list[tuple[str, Organisation | Offer]] = []
    for n, clean in enumerate(catalog.organisations, start=1):
        org, changed = _upsert_organisation(orgs.get(clean["kbo"]), clean, now, result)
        orgs[org.kbo] = org
        if changed:
            touched.append(("organisation", org))
        for offer_clean in clean["offers"]:
            offer = _upsert_offer(offers.get(offer_clean["ref"]), org, offer_clean, domains, now, result)
            if offer is not None:
                touched.append(("offer", offer))
        if n % FLUSH_EVERY == 0 or n == len(catalog.organisations):
            db.session.flush()
            for doc_type, obj in touched:
                record_change(doc_type, obj.id)
            touched.clear()
        if n % PROGRESS_EVERY == 0:
            progress(_("organisaties: %(n)s/%(total)s", n=n, total=len(catalog.organisations)))

    missing = {n["buyer_kbo"] for n in catalog.needs} - orgs.keys()
    for chunk in _chunks(sorted(missing), 500):
        for org in db.session.scalars(select(Organisation).where(Organisation.kbo.in_(chunk))):
            orgs[org.kbo] = org
    needs: dict[str, Need] = {}
    for chunk in _chunks([n["ref"] for n in catalog.needs], 500):
        query = select(Need).where(Need.ref.in_(chunk)).options(selectinload(Need.domains), selectinload(Need.lots))
        for need in db.session.scalars(query):
            needs[need.ref] = need
    for n, clean in enumerate(catalog.needs, start=1):
        _upsert_need(needs.get(clean["ref"]), orgs[clean["buyer_kbo"]], clean, domains, now, actor, result)
        if n % PROGRESS_EVERY == 0:
            progress(_("vragen: %(n)s/%(total)s", n=n, total=len(catalog.needs)))


def _upsert_organisation(org: Organisation | None, clean: dict, now, result: ImportResult) -> tuple[Organisation, bool]:
    """(the organisation, whether it was created or changed); not flushed yet."""
    if org is not None and records.organisation_record(records.organisation_values(org)) == (
        records.organisation_record(clean)
    ):
        result.add("organisation", "unchanged")
        return org, False
    created = org is None
    if created:
        # Imported from the ministry's list: verified, and open to be claimed by its people.
        org = Organisation(kbo=clean["kbo"], verification_state="verified", verified_at=now, is_imported=True)
        db.session.add(org)
    for name in records.ORG_FIELDS:
        setattr(org, name, clean[name])
    if clean["is_recognised_maatwerk"] and not org.recognition_source:
        org.recognition_source = "catalogus-import"
    org.is_eligible_declared = clean["is_eligible"]
    if clean["is_eligible"] and org.eligibility_confirmed_at is None:
        org.eligibility_confirmed_at = now
    elif not clean["is_eligible"]:
        org.eligibility_confirmed_at = None
    result.add("organisation", "created" if created else "updated")
    return org, True


def _upsert_offer(offer: Offer | None, org: Organisation, clean: dict, domains: dict, now, result) -> Offer | None:
    """The offer when it was created or changed (not flushed yet), else None."""
    if offer is not None and records.offer_record(records.offer_values(offer)) == records.offer_record(clean):
        result.add("offer", "unchanged")
        return None
    created = offer is None
    if created:
        offer = Offer(ref=clean["ref"], organisation=org, state="published", published_at=now)
        db.session.add(offer)
    for name in records.OFFER_FIELDS:
        setattr(offer, name, clean[name])
    offer.domains = [domains[c] for c in clean["domains"]]
    result.add("offer", "created" if created else "updated")
    return offer


def _upsert_need(need: Need | None, buyer: Organisation, clean: dict, domains: dict, now, actor, result) -> None:
    if need is not None and records.need_record(records.need_values(need)) == records.need_record(clean):
        result.add("need", "unchanged")
        return
    created = need is None
    if created:
        need = Need(ref=clean["ref"], kind=clean["kind"], organisation_id=buyer.id, state="open", published_at=now)
        need.organisation = buyer
        db.session.add(need)
    for name in records.NEED_FIELDS:
        if name in clean and name not in ("ref", "kind"):
            setattr(need, name, clean[name])
    need.domains = [domains[c] for c in clean["domains"]]
    if clean["kind"] == "reserved_contract":
        need.lots = [
            Lot(number=lot["number"], title=lot["title"], is_reserved=lot["is_reserved"]) for lot in clean["lots"]
        ]
    db.session.flush()
    record_change("need", need.id)
    if created:
        record_event("need_published", need=need, actor=actor, occurred_at=now)
    result.add("need", "created" if created else "updated")


def export_catalog() -> dict:
    """The catalog of verified organisations, their published offers and their open needs, sorted by key."""
    orgs = db.session.scalars(
        select(Organisation).where(Organisation.verification_state == "verified").order_by(Organisation.kbo)
    ).all()
    offers_by_org: dict[int, list[Offer]] = {}
    query = select(Offer).where(Offer.state == "published").options(selectinload(Offer.domains)).order_by(Offer.ref)
    for offer in db.session.scalars(query):
        offers_by_org.setdefault(offer.organisation_id, []).append(offer)
    organizations = [
        records.organisation_record(
            records.organisation_values(org),
            [records.offer_record(records.offer_values(o)) for o in offers_by_org.get(org.id, [])],
        )
        for org in orgs
    ]
    exported = {org.id for org in orgs}
    query = (
        select(Need)
        .where(Need.state.in_(EXPORTED_NEED_STATES))
        .options(selectinload(Need.domains), selectinload(Need.lots), selectinload(Need.organisation))
        .order_by(Need.ref)
    )
    needs = [
        records.need_record(records.need_values(n)) for n in db.session.scalars(query) if n.organisation_id in exported
    ]
    return {"organizations": organizations, "needs": needs}
