import email
import email.policy
import socket
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from marketplace.database import utcnow
from marketplace.extensions import db
from marketplace.leads import services
from marketplace.leads.models import Lead, OutcomeReport, SavedSearch
from marketplace.leads.reminders import needs_due_for_outcome, remind_outcomes
from marketplace.leads.subscriptions import create_saved_search, create_subscription, send_digests
from marketplace.mail.services import send_pending
from tests.factories import make_need, make_offer, make_org, make_user
from tests.leads.helpers import events, mails


def close_long_ago(need, days=30):
    need.state, need.closed_at = "closed", utcnow() - timedelta(days=days)
    db.session.commit()


def test_outcome_reminder_asks_buyer_and_supplier_once(app, parties):
    services.express_interest(parties.need, parties.supplier)
    quiet_need = make_need(parties.buyer, title="Recent afgesloten")
    close_long_ago(parties.need)
    close_long_ago(quiet_need, days=3)
    assert remind_outcomes(days=28) == 2
    assert {m.recipient for m in mails("lead_outcome")} == {parties.buyer_user.email, parties.supplier_user.email}
    assert f"http://localhost/vragen/{parties.need.id}/resultaat" in mails("lead_outcome")[0].body
    assert remind_outcomes(days=28) == 0
    assert len(mails("lead_outcome")) == 2
    runner = app.test_cli_runner()
    result = runner.invoke(args=["leads", "remind-outcomes"])
    assert result.exit_code == 0 and "0 organisaties" in result.output


def test_a_need_drops_out_of_the_reminder_query_once_every_party_was_asked(parties):
    """The daily run must not read every need ever closed without a deal again each day."""
    services.express_interest(parties.need, parties.supplier)
    close_long_ago(parties.need)
    services.report_outcome(parties.need, parties.buyer, had_deal=False)  # the buyer answers before being asked
    db.session.commit()
    assert needs_due_for_outcome(utcnow(), 28) == [parties.need.id]  # the supplier was not asked yet
    assert remind_outcomes(days=28) == 1
    assert [m.recipient for m in mails("lead_outcome")] == [parties.supplier_user.email]
    assert needs_due_for_outcome(utcnow(), 28) == []


def test_no_reminder_when_an_outcome_was_recorded(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    services.record_agreement(lead, {"type": "uitbesteding", "starts_on": "2027-01-04"})
    close_long_ago(parties.need)
    assert remind_outcomes(days=28) == 0


def test_answering_the_reminder_clears_it_from_mijn_werkbrug(client, login_as, parties):
    services.express_interest(parties.need, parties.supplier)
    close_long_ago(parties.need)
    remind_outcomes(days=28)
    login_as(parties.buyer_user, parties.buyer)
    assert "Wat leverde" in client.get("/mijn-werkbrug").get_data(as_text=True)
    client.post(f"/vragen/{parties.need.id}/resultaat", data={"had_deal": "yes", "value_eur": "8.000,00"})
    report = db.session.scalar(select(OutcomeReport).where(OutcomeReport.organisation_id == parties.buyer.id))
    assert report.answered_by_id == parties.buyer_user.id and report.had_deal
    assert "Wat leverde" not in client.get("/mijn-werkbrug").get_data(as_text=True)


def test_immediate_subscription_hears_of_a_new_need_when_it_is_published(parties):
    create_subscription(parties.supplier, parties.supplier_user, ["groenonderhoud"], ["VAN"], "immediate")
    other_province = make_need(parties.buyer, postcode="9000")
    assert not mails("digest_subscription")
    need = make_need(parties.buyer, title="Bedrijfstuin Antwerpen")
    [mail] = mails("digest_subscription")
    assert mail.recipient == parties.supplier_user.email and f"http://localhost/vragen/{need.id}" in mail.body
    lead = db.session.scalar(select(Lead).where(Lead.need_id == need.id))
    assert lead.state == "suggested" and events("match_suggested")[-1].lead_id == lead.id
    assert db.session.scalar(select(Lead).where(Lead.need_id == other_province.id)) is None


def test_daily_digest_collects_new_needs_once(app, parties, public_buyer):
    subscription = create_subscription(parties.supplier, parties.supplier_user, ["groenonderhoud"], [], "daily")
    subscription.last_sent_at = utcnow() - timedelta(days=1)
    db.session.commit()
    _, city = public_buyer
    make_need(parties.buyer, title="Tuin A")
    make_need(city, kind="reserved_contract", title="Parkonderhoud Gent")
    not_eligible_user = make_user()
    other_supplier = make_org(kind="sociale_onderneming", member=not_eligible_user)
    create_subscription(other_supplier, not_eligible_user, ["groenonderhoud"], [], "daily").last_sent_at = (
        utcnow() - timedelta(days=1)
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["leads", "send-digests"])
    assert result.exit_code == 0
    by_recipient = {m.recipient: m.body for m in mails("digest_subscription")}
    assert "Tuin A" in by_recipient[parties.supplier_user.email]
    assert "Parkonderhoud Gent" in by_recipient[parties.supplier_user.email]
    # A supplier that may not answer a reserved contract does not hear of it.
    assert "Parkonderhoud Gent" not in by_recipient[not_eligible_user.email]
    send_digests()
    assert len(mails("digest_subscription")) == 2


def test_saved_search_mails_new_offers_to_a_procurement_officer(public_buyer, parties):
    officer, city = public_buyer
    # The search was saved after the parties' offer: only what is published later is news.
    search = create_saved_search(city, officer, {"name": "Groen", "target": "offer", "query": "groenonderhoud"})
    make_offer(make_org(name="Nieuw Groen vzw", kind="maatwerkbedrijf"), title="Groenonderhoud in Gent")
    send_digests()
    [mail] = mails("digest_saved_search")
    assert mail.recipient == officer.email and "Nieuw Groen vzw" in mail.body and "Maatwerk Groen" not in mail.body
    assert db.session.get(SavedSearch, search.id).last_sent_at > utcnow() - timedelta(minutes=1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, str(message["Subject"]), message.get_content()))
        return "250 OK"


def test_invitation_arrives_through_a_real_smtp_server(app, parties):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        lead = services.invite_supplier(parties.need, parties.supplier, parties.buyer_user, "Komt u kijken?")
        assert send_pending() == (1, 0)
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER="")
    [(recipients, subject, content)] = inbox.messages
    assert recipients == [parties.supplier_user.email]
    assert subject.strip() == f"Bouwbedrijf Janssens nodigt u uit voor {parties.need.title}"
    assert f"/contacten/{lead.id}" in content and "/uitschrijven/" in content
