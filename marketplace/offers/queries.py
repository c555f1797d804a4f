"""Reads for the public directory, profile pages and one's own offers."""

from collections import defaultdict

from sqlalchemy import exists, select

from marketplace.extensions import db
from marketplace.offers.models import Offer
from marketplace.orgs.geography import PROVINCES
from marketplace.orgs.models import SOCIAL_KINDS, Organisation
from marketplace.taxonomy.models import ActivityDomain, offer_domain

PER_PAGE = 25


def directory_page(domain: str = "", province: str = "", page: int = 1, per_page: int = PER_PAGE):
    """Verified social-economy organisations, by name; filtered on a domain of a published offer and a province."""
    stmt = select(Organisation).where(
        Organisation.kind.in_(SOCIAL_KINDS), Organisation.verification_state == "verified"
    )
    if province in PROVINCES:
        stmt = stmt.where(Organisation.province == province)
    if domain:
        stmt = stmt.where(
            exists(
                select(1)
                .select_from(Offer)
                .join(offer_domain, offer_domain.c.offer_id == Offer.id)
                .join(ActivityDomain, ActivityDomain.id == offer_domain.c.domain_id)
                .where(
                    Offer.organisation_id == Organisation.id,
                    Offer.state == "published",
                    ActivityDomain.code == domain,
                )
            )
        )
    stmt = stmt.order_by(Organisation.name, Organisation.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def domains_by_organisation(organisation_ids: list[int]) -> dict[int, list[ActivityDomain]]:
    """The activity domains of each organisation's published offers (one query for a page)."""
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        select(Offer.organisation_id, ActivityDomain)
        .join(offer_domain, offer_domain.c.offer_id == Offer.id)
        .join(ActivityDomain, ActivityDomain.id == offer_domain.c.domain_id)
        .where(Offer.organisation_id.in_(organisation_ids), Offer.state == "published")
        .order_by(ActivityDomain.label_nl)
    )
    # De-duplicated here: PostgreSQL cannot compare the JSON columns a SELECT DISTINCT would need.
    result: dict[int, list[ActivityDomain]] = defaultdict(list)
    for organisation_id, domain in rows:
        if domain not in result[organisation_id]:
            result[organisation_id].append(domain)
    return result


def published_offers_of(organisation_id: int) -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer)
            .where(Offer.organisation_id == organisation_id, Offer.state == "published")
            .order_by(Offer.title)
        )
    )


def own_offers_page(organisation_id: int, page: int = 1, per_page: int = PER_PAGE):
    stmt = select(Offer).where(Offer.organisation_id == organisation_id).order_by(Offer.updated_at.desc(), Offer.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
