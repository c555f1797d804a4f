"""Telling suppliers of new needs that fit them (subscriptions), and users of new results of a saved search.

A subscription is matched on activity domain and province (an empty list means any). "Immediate"
subscribers are told in the transaction that publishes the need (an event listener); "daily" ones
get one digest from `flask --app wsgi leads send-digests`. Each need put before a supplier this way
is a suggested lead with a `match_suggested` event.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.audit.services import record_audit
from marketplace.database import utcnow
from marketplace.events.services import on_event
from marketplace.extensions import db
from marketplace.leads.models import FREQUENCIES, SavedSearch, Subscription
from marketplace.leads.notifications import absolute_url, mail_user
from marketplace.leads.services import suggest_matches
from marketplace.needs.models import Need
from marketplace.needs.rules import accepts_responses, eligibility_class, eligibility_for
from marketplace.offers.models import Offer
from marketplace.offers.validation import NotAllowed, RuleViolation, collect, parse_text
from marketplace.orgs.geography import PROVINCES
from marketplace.taxonomy.models import ActivityDomain

MAX_PER_DIGEST = 50
DIGEST_BATCH = 50


def _known_domains() -> set[str]:
    return set(db.session.scalars(select(ActivityDomain.code)))


def create_subscription(organisation, user, domains, provinces, frequency: str) -> Subscription:
    """A supplier subscribes to new needs in these domains and provinces."""
    if organisation is None or not organisation.is_social_economy:
        raise NotAllowed(_("Alleen leveranciers uit de sociale economie kunnen zich abonneren op nieuwe vragen."))
    errors = {}
    domains, provinces = sorted(set(domains or [])), sorted(set(provinces or []))
    if set(domains) - _known_domains():
        errors["domains"] = _("Kies activiteitsdomeinen uit de lijst.")
    if set(provinces) - set(PROVINCES):
        errors["provinces"] = _("Kies provincies uit de lijst.")
    if not domains and not provinces:
        errors["domains"] = _("Kies minstens één activiteitsdomein of provincie.")
    if frequency not in FREQUENCIES:
        errors["frequency"] = _("Kies hoe vaak u mail wilt: meteen of één keer per dag.")
    if errors:
        raise RuleViolation(errors)
    subscription = Subscription(
        organisation_id=organisation.id, user_id=user.id, domains=domains, provinces=provinces, frequency=frequency
    )
    db.session.add(subscription)
    db.session.flush()
    record_audit("subscription.create", subscription, actor_id=user.id)
    db.session.commit()
    return subscription


def create_saved_search(organisation, user, data: dict) -> SavedSearch:
    """Keep a search; new needs (target 'need') or offers (target 'offer') that meet it are mailed daily."""
    errors: dict = {}
    name = collect(errors, "name", parse_text, data.get("name"), label=_("de naam"), required=True, max_length=120)
    query = collect(errors, "query", parse_text, data.get("query"), label=_("de zoekwoorden"), max_length=200) or ""
    target = data.get("target")
    if target not in ("need", "offer"):
        errors["target"] = _("Kies of u naar vragen of naar leveranciers zoekt.")
    domain, province = data.get("domain") or "", data.get("province") or ""
    if domain and domain not in _known_domains():
        errors["domain"] = _("Kies een activiteitsdomein uit de lijst.")
    if province and province not in PROVINCES:
        errors["province"] = _("Kies een provincie uit de lijst.")
    if not (query or domain or province) and "name" not in errors:
        errors["query"] = _("Vul zoekwoorden in of kies een domein of provincie.")
    if errors:
        raise RuleViolation(errors)
    search = SavedSearch(
        organisation_id=organisation.id,
        user_id=user.id,
        target=target,
        name=name,
        query=query,
        domain=domain,
        province=province,
    )
    db.session.add(search)
    db.session.flush()
    record_audit("saved_search.create", search, actor_id=user.id)
    db.session.commit()
    return search


def delete_own(obj, user) -> None:
    """Remove a subscription or saved search of this user."""
    if obj.user_id != user.id:
        raise NotAllowed(_("Dit is niet uw abonnement."))
    record_audit(f"{type(obj).__name__.lower()}.delete", obj, actor_id=user.id)
    db.session.delete(obj)
    db.session.commit()


def fits(subscription: Subscription, need: Need) -> bool:
    """Does a need fall within a subscription, and may its supplier answer it?"""
    return bool(_fitting(subscription, [need], {need.id: {d.code for d in need.domains}}, {}))


def _fitting(subscription: Subscription, needs: list[Need], domain_codes: dict, eligible: dict) -> list[Need]:
    """The needs that fit a subscription. A daily run puts thousands of needs before each subscription:
    `domain_codes` (need id: its domain codes) is read once per run, and `eligible` remembers the answer
    per organisation and class of need."""
    provinces, domains = set(subscription.provinces or ()), set(subscription.domains or ())
    fitting = []
    for need in needs:
        if need.organisation_id == subscription.organisation_id:
            continue
        if provinces and need.province not in provinces:
            continue
        if domains and not domain_codes[need.id] & domains:
            continue
        key = (subscription.organisation_id, eligibility_class(need))
        if key not in eligible:
            eligible[key] = eligibility_for(need, subscription.organisation)[0]
        if eligible[key]:
            fitting.append(need)
    return fitting


def _need_item(need: Need) -> dict:
    return {
        "title": need.title,
        "kind": need.kind,
        "province": need.province,
        "url": absolute_url("needs.detail", need_id=need.id),
    }


def _tell(subscription: Subscription, needs: list[Need]) -> bool:
    suggest_matches(needs, subscription.organisation)
    return mail_user(
        subscription.user,
        "digest_subscription",
        lambda: _("Nieuwe vragen die bij u passen (%(count)s)", count=len(needs)),
        "digest_subscription",
        absolute_url("leads.alerts"),
        items=[_need_item(n) for n in needs],
    )


@on_event
def _on_need_published(event) -> None:
    """Immediate subscribers hear of a new need in the transaction that publishes it."""
    if event.kind != "need_published" or event.need_id is None:
        return
    need = db.session.get(Need, event.need_id)
    subscriptions = db.session.scalars(
        select(Subscription).where(Subscription.frequency == "immediate").options(selectinload(Subscription.user))
    ).all()
    for subscription in subscriptions:
        if fits(subscription, need):
            _tell(subscription, [need])


def send_digests(now: datetime | None = None) -> tuple[int, int]:
    """Daily digests of subscriptions and saved searches; returns (mails queued, lists looked at).

    Subscriptions are committed in batches; saved searches one by one.
    """
    now = now or utcnow()
    queued = looked = 0
    subscription_ids = list(
        db.session.scalars(select(Subscription.id).where(Subscription.frequency == "daily").order_by(Subscription.id))
    )
    for start in range(0, len(subscription_ids), DIGEST_BATCH):
        # Committed per batch: a failure holds back one batch, and a commit (which expires what the
        # session holds) reloads the new needs once per batch rather than once per subscription.
        subscriptions = db.session.scalars(
            select(Subscription)
            .where(Subscription.id.in_(subscription_ids[start : start + DIGEST_BATCH]))
            .options(selectinload(Subscription.organisation), selectinload(Subscription.user))
            .order_by(Subscription.id)
        ).all()
        since = min(s.last_sent_at for s in subscriptions)
        new_needs = db.session.scalars(
            select(Need)
            .where(Need.published_at > since, Need.published_at <= now)
            .options(selectinload(Need.domains), selectinload(Need.organisation))
            .order_by(Need.published_at)
        ).all()
        new_needs = [n for n in new_needs if accepts_responses(n, now)]
        domain_codes = {n.id: {d.code for d in n.domains} for n in new_needs}
        eligible: dict = {}
        for subscription in subscriptions:
            looked += 1
            unseen = [n for n in new_needs if n.published_at > subscription.last_sent_at]
            fitting = _fitting(subscription, unseen, domain_codes, eligible)
            if fitting and _tell(subscription, fitting[:MAX_PER_DIGEST]):
                queued += 1
            subscription.last_sent_at = now
        db.session.commit()
    for search in db.session.scalars(select(SavedSearch).order_by(SavedSearch.id)).all():
        looked += 1
        items = new_results(search, now)
        if items and mail_user(
            search.user,
            "digest_saved_search",
            lambda s=search: _("Nieuw voor uw zoekopdracht %(name)s", name=s.name),
            "digest_saved_search",
            absolute_url("leads.alerts"),
            items=items,
            search_name=search.name,
        ):
            queued += 1
        search.last_sent_at = now
        db.session.commit()
    return queued, looked


def _words_in(query: str, text: str) -> bool:
    text = text.lower()
    return all(word in text for word in query.lower().split())


def new_results(search: SavedSearch, now: datetime) -> list[dict]:
    """What was published since the search last ran and meets it (words in title or description)."""
    if search.target == "need":
        rows = db.session.scalars(
            select(Need)
            .where(
                Need.published_at > search.last_sent_at,
                Need.published_at <= now,
                Need.organisation_id != search.organisation_id,
            )
            .options(selectinload(Need.domains))
        ).all()
        rows = [
            n
            for n in rows
            if accepts_responses(n, now)
            and (not search.province or n.province == search.province)
            and (not search.domain or search.domain in {d.code for d in n.domains})
            and _words_in(search.query, f"{n.title} {n.description}")
        ]
        return [_need_item(n) for n in rows[:MAX_PER_DIGEST]]
    rows = db.session.scalars(
        select(Offer)
        .where(Offer.state == "published", Offer.published_at > search.last_sent_at, Offer.published_at <= now)
        .options(selectinload(Offer.domains), selectinload(Offer.organisation))
    ).all()
    rows = [
        o
        for o in rows
        if (not search.province or search.province in (o.regions or []))
        and (not search.domain or search.domain in {d.code for d in o.domains})
        and _words_in(search.query, f"{o.title} {o.description} {o.organisation.name}")
    ]
    return [
        {"title": f"{o.title} – {o.organisation.name}", "url": absolute_url("offers.detail", offer_id=o.id)}
        for o in rows[:MAX_PER_DIGEST]
    ]
