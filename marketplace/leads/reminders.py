"""Outcome capture: some weeks after a need or contract closes without a recorded outcome, ask its parties.

The reminder row (OutcomeReport with `requested_at`) is written with the mail, in one transaction per
need, so each organisation is asked once, even when the command runs twice or is interrupted.
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.leads.models import Collaboration, Lead, OutcomeReport
from marketplace.leads.notifications import absolute_url, mail_organisation
from marketplace.needs.models import Need
from marketplace.needs.rules import ACTIVE_STATES


def _took_part():
    """A supplier takes part in a need when it showed interest or was invited."""
    return or_(Lead.interest_at.is_not(None), Lead.invited_at.is_not(None))


def _has_report(need_id, organisation_id):
    return exists().where(OutcomeReport.need_id == need_id, OutcomeReport.organisation_id == organisation_id)


def needs_due_for_outcome(now: datetime, days: int) -> list[int]:
    """Ids of the needs closed (or reserved contracts past their deadline) at least `days` ago, without a collaboration,
    with a party not asked yet.

    A need whose parties were all asked (or answered) drops out in the query itself: otherwise the daily
    run would read every need ever closed without a deal, again each day.
    """
    cutoff = now - timedelta(days=days)
    closed = and_(Need.state.in_(("closed", "awarded")), Need.closed_at <= cutoff)
    past_deadline = and_(Need.kind == "reserved_contract", Need.state.in_(ACTIVE_STATES), Need.deadline_at <= cutoff)
    has_collaboration = exists().where(Collaboration.need_id == Need.id)
    supplier_not_asked = exists().where(
        Lead.need_id == Need.id, _took_part(), ~_has_report(Lead.need_id, Lead.supplier_org_id)
    )
    party_not_asked = or_(~_has_report(Need.id, Need.organisation_id), supplier_not_asked)
    return list(
        db.session.scalars(
            select(Need.id).where(or_(closed, past_deadline), ~has_collaboration, party_not_asked).order_by(Need.id)
        )
    )


def _parties(need: Need) -> list[tuple[int, str]]:
    """(organisation id, role): the buyer, and every supplier that showed interest or was invited."""
    suppliers = db.session.scalars(
        select(Lead.supplier_org_id).where(Lead.need_id == need.id, _took_part()).order_by(Lead.id)
    )
    return [(need.organisation_id, "buyer")] + [(org_id, "supplier") for org_id in suppliers]


def remind_outcomes(now: datetime | None = None, days: int = 28) -> int:
    """Ask each party of each due need, once; returns how many organisations were asked."""
    now = now or utcnow()
    asked = 0
    # One need at a time, by id: a commit expires every object the session holds, and holding them all
    # made each commit cost as much as the whole list (2,500 needs: 80 s of the run went to expiring).
    for need_id in needs_due_for_outcome(now, days):
        need = db.session.get(Need, need_id)
        already = set(db.session.scalars(select(OutcomeReport.organisation_id).where(OutcomeReport.need_id == need.id)))
        for organisation_id, role in _parties(need):
            if organisation_id in already:
                continue
            db.session.add(OutcomeReport(need_id=need.id, organisation_id=organisation_id, role=role, requested_at=now))
            already.add(organisation_id)
            mail_organisation(
                organisation_id,
                "lead_outcome",
                lambda n=need: _("Leidde %(title)s tot een akkoord?", title=n.title),
                "lead_outcome_reminder",
                absolute_url("leads.outcome", need_id=need.id),
                need=need,
            )
            asked += 1
        db.session.commit()
    return asked
