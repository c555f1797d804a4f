from datetime import date, timedelta
from decimal import Decimal

import pytest

from marketplace.database import utcnow
from marketplace.events.models import Event
from marketplace.extensions import db
from marketplace.leads import services
from marketplace.leads.models import Collaboration, Lead, Message
from marketplace.offers.validation import NotAllowed, RuleViolation
from tests.factories import make_need, make_org, make_user
from tests.leads.helpers import count, event_kinds, events, mails


def test_supplier_expresses_interest_with_event_first_answer_and_mail(parties):
    lead = services.express_interest(
        parties.need, parties.supplier, parties.supplier_user, "Wij kunnen\nstarten.", "Vanaf maart, 4 mensen"
    )
    assert (lead.state, lead.availability, lead.offer_id) == ("interested", "Vanaf maart, 4 mensen", parties.offer.id)
    assert lead.buyer_org_id == parties.buyer.id and lead.waiting_for == "buyer"
    assert lead.messages[0].body == "Wij kunnen\nstarten."
    assert event_kinds()[-2:] == ["interest_expressed", "first_answer"]
    event = events("interest_expressed")[0]
    assert (event.lead_id, event.supplier_org_id, event.buyer_org_id) == (
        lead.id,
        parties.supplier.id,
        parties.buyer.id,
    )
    assert (event.buyer_province, event.buyer_kind, event.need_kind) == ("VOV", "onderneming", "outsourcing")
    [mail] = mails("lead_interest")
    assert mail.recipient == parties.buyer_user.email
    assert f"http://localhost/contacten/{lead.id}" in mail.body
    assert "http://localhost/uitschrijven/" in mail.body


def test_supplier_cannot_express_interest_in_own_need(parties):
    own_need = make_need(parties.supplier)
    with pytest.raises(NotAllowed, match="eigen organisatie"):
        services.express_interest(own_need, parties.supplier, parties.supplier_user)
    assert count(Lead) == 0


def test_ineligible_supplier_is_told_why_and_nothing_is_written(parties, public_buyer):
    _, city = public_buyer
    contract = make_need(city, kind="reserved_contract")
    social = make_org(kind="sociale_onderneming", member=make_user())
    narrowed = make_need(city, kind="reserved_contract", is_recognised_only=True, procurement_reference="R2")
    before = count(Event)
    with pytest.raises(NotAllowed, match="art. 20"):
        services.express_interest(contract, social, None, "Wij willen graag")
    confirmed = make_org(kind="sociale_onderneming", is_eligible_declared=True, eligibility_confirmed_at=utcnow())
    with pytest.raises(NotAllowed, match="niet erkend als maatwerkbedrijf"):
        services.express_interest(narrowed, confirmed)
    assert count(Lead) == 0 and count(Message) == 0 and count(Event) == before
    assert services.express_interest(contract, confirmed).state == "interested"


def test_nobody_responds_after_the_deadline(parties, public_buyer):
    _, city = public_buyer
    contract = make_need(city, kind="reserved_contract")
    later = contract.deadline_at + timedelta(minutes=1)
    with pytest.raises(NotAllowed, match="indieningsdatum is voorbij"):
        services.express_interest(contract, parties.supplier, now=later)
    with pytest.raises(NotAllowed, match="geen reacties meer"):
        services.invite_supplier(contract, parties.supplier, now=later)
    assert count(Lead) == 0


def test_second_interest_is_refused_and_leaves_one_lead(parties):
    services.express_interest(parties.need, parties.supplier)
    with pytest.raises(NotAllowed, match="al interesse"):
        services.express_interest(parties.need, parties.supplier)
    assert count(Lead) == 1 and len(events("interest_expressed")) == 1


def test_invitation_then_answer_moves_lead_and_need_into_discussion(parties):
    lead = services.invite_supplier(parties.need, parties.supplier, parties.buyer_user, "Interesse?")
    assert (lead.state, lead.waiting_for) == ("invited", "supplier")
    assert events("invitation_sent")[0].lead_id == lead.id
    [mail] = mails("lead_invitation")
    assert mail.recipient == parties.supplier_user.email and "Interesse?" in mail.body
    with pytest.raises(NotAllowed, match="al uitgenodigd"):
        services.invite_supplier(parties.need, parties.supplier)
    services.express_interest(parties.need, parties.supplier, parties.supplier_user)
    assert lead.state == "in_discussion" and parties.need.state == "in_discussion"
    assert len(events("first_answer")) == 1


def test_messages_are_kept_with_line_breaks_and_checked(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    message = services.send_message(lead, parties.buyer, parties.buyer_user, "Goed!\r\nWanneer <b>kan</b> u?")
    assert message.body == "Goed!\nWanneer <b>kan</b> u?"
    assert lead.state == "in_discussion" and lead.waiting_for == "supplier"
    assert mails("lead_message")[0].recipient == parties.supplier_user.email
    for bad in ("", "   \n ", "x" * 5001):
        with pytest.raises(RuleViolation):
            services.send_message(lead, parties.supplier, None, bad)
    stranger = make_org(kind="maatwerkbedrijf")
    with pytest.raises(NotAllowed):
        services.send_message(lead, stranger, None, "Hallo")
    assert count(Message) == 1


def test_buyer_declines_with_reason_from_the_list(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    with pytest.raises(NotAllowed, match="reden"):
        services.decline_lead(lead, parties.buyer, "no-reason")
    services.decline_lead(lead, parties.buyer, "capacity", parties.buyer_user, "Te laat.")
    assert (lead.state, lead.decline_reason, lead.declined_by) == ("declined", "capacity", "buyer")
    assert events("interest_declined")[0].detail == "reason=capacity;by=buyer"
    assert mails("lead_answer")[0].recipient == parties.supplier_user.email
    with pytest.raises(NotAllowed):
        services.send_message(lead, parties.supplier, None, "En nu?")


def test_supplier_withdraws_interest(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    services.decline_lead(lead, parties.supplier, "capacity")
    assert lead.state == "withdrawn" and events("interest_declined")[0].detail == "reason=capacity;by=supplier"


def agreement(**overrides):
    data = {"type": "uitbesteding", "starts_on": "2027-01-04", "ends_on": "2027-06-30", "value_eur": "12.500,00"}
    data.update(fte="2,5")
    data.update(overrides)
    return data


def test_agreement_makes_a_collaboration_and_the_event_the_indicator_needs(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    collaboration = services.record_agreement(lead, agreement(), parties.buyer_user)
    assert lead.state == "agreed" and collaboration.state == "lopend"
    assert (collaboration.value_eur, collaboration.fte) == (Decimal("12500.00"), Decimal("2.5"))
    [event] = events("agreement")
    assert event.detail == "start=2027-01-04;end=2027-06-30"
    assert (event.collaboration_id, event.collaboration_type) == (collaboration.id, "uitbesteding")
    assert (event.supplier_org_id, event.buyer_org_id, event.value_eur, event.fte) == (
        parties.supplier.id,
        parties.buyer.id,
        Decimal("12500.00"),
        Decimal("2.5"),
    )
    assert not events("enclave_started")
    assert mails("collab_agreement")[0].recipient == parties.supplier_user.email
    with pytest.raises(NotAllowed, match="al een akkoord"):
        services.record_agreement(lead, agreement())
    assert count(Collaboration) == 1


def test_enclave_agreement_records_enclave_started_with_workers(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    with pytest.raises(RuleViolation) as caught:
        services.record_agreement(lead, agreement(type="enclave"))
    assert "workers" in caught.value.errors
    services.record_agreement(lead, agreement(type="enclave", workers="6"))
    [event] = events("enclave_started")
    assert (event.workers, event.collaboration_type, event.buyer_org_id) == (6, "enclave", parties.buyer.id)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": "2026-12-31"}, "ends_on"),
        ({"value_eur": "-5"}, "value_eur"),
        ({"fte": "-1"}, "fte"),
        ({"starts_on": ""}, "starts_on"),
        ({"type": "stage"}, "type"),
    ],
)
def test_agreement_data_rules(parties, overrides, field):
    lead = services.express_interest(parties.need, parties.supplier)
    with pytest.raises(RuleViolation) as caught:
        services.record_agreement(lead, agreement(**overrides))
    assert field in caught.value.errors
    assert count(Collaboration) == 0 and not events("agreement")


@pytest.mark.parametrize("state", ["closed", "cancelled"])
def test_no_agreement_on_a_closed_or_cancelled_need(parties, state):
    lead = services.express_interest(parties.need, parties.supplier)
    parties.need.state = state
    db.session.commit()
    with pytest.raises(NotAllowed, match="geannuleerd|afgesloten"):
        services.record_agreement(lead, agreement())
    assert count(Collaboration) == 0


def test_a_failing_mail_leaves_neither_the_change_nor_its_event(parties, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(services, "mail_organisation", broken)
    before = count(Event)
    with pytest.raises(RuntimeError):
        services.express_interest(parties.need, parties.supplier)
    db.session.rollback()
    assert count(Lead) == 0 and count(Event) == before


def test_a_failing_event_leaves_no_agreement(parties, monkeypatch):
    lead = services.express_interest(parties.need, parties.supplier)
    real = services.record_event

    def failing(kind, **kwargs):
        if kind == "agreement":
            raise RuntimeError("log full")
        return real(kind, **kwargs)

    monkeypatch.setattr(services, "record_event", failing)
    with pytest.raises(RuntimeError):
        services.record_agreement(lead, agreement())
    db.session.rollback()
    assert count(Collaboration) == 0 and db.session.get(Lead, lead.id).state == "interested"


def test_award_of_a_reserved_contract_tells_the_others(parties, public_buyer):
    officer, city = public_buyer
    contract = make_need(city, kind="reserved_contract")
    winner = services.express_interest(contract, parties.supplier)
    other_org = make_org(name="Ander Maatwerk", kind="maatwerkbedrijf", member=make_user())
    other = services.express_interest(contract, other_org)
    services.set_shortlisted(winner, True, officer)
    with pytest.raises(NotAllowed, match="gegund"):
        services.record_agreement(winner, agreement())
    collaboration = services.record_award(winner, {"starts_on": "2027-02-01", "value_eur": "100000"}, officer)
    assert contract.state == "awarded" and collaboration.type == "voorbehouden_opdracht"
    assert (winner.state, other.state, other.decline_reason) == ("agreed", "declined", "other_supplier")
    [award] = events("award")
    assert (award.supplier_org_id, award.value_eur, award.need_kind) == (
        parties.supplier.id,
        Decimal("100000.00"),
        "reserved_contract",
    )
    assert events("agreement")[0].detail == "start=2027-02-01"
    recipients = {m.recipient: m.body for m in mails("lead_award")}
    assert set(recipients) == {parties.supplier_user.email, other_org.memberships[0].user.email}
    with pytest.raises(NotAllowed, match="al gegund"):
        services.record_award(other, {"starts_on": "2027-02-01"})


def test_no_award_after_cancellation(parties, public_buyer):
    _, city = public_buyer
    contract = make_need(city, kind="reserved_contract")
    lead = services.express_interest(contract, parties.supplier)
    contract.state = "cancelled"
    db.session.commit()
    with pytest.raises(NotAllowed, match="geannuleerd"):
        services.record_award(lead, {"starts_on": "2027-02-01"})


def test_shortlist_only_for_reserved_contracts(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    with pytest.raises(NotAllowed, match="voorbehouden opdracht"):
        services.set_shortlisted(lead, True)


def test_collaboration_follow_up_extend_complete_stop(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    collaboration = services.record_agreement(lead, agreement())
    with pytest.raises(NotAllowed, match="na de huidige"):
        services.extend_collaboration(collaboration, date(2027, 3, 1))
    services.extend_collaboration(collaboration, date(2027, 12, 31))
    assert events("collaboration_extended")[0].detail == "end=2027-12-31"
    with pytest.raises(NotAllowed, match="waarom"):
        services.end_collaboration(collaboration, "stopgezet", reason="")
    services.end_collaboration(collaboration, "stopgezet", reason="financial", ended_on=date(2027, 9, 30))
    assert (collaboration.state, collaboration.ended_on) == ("stopgezet", date(2027, 9, 30))
    [stopped] = events("collaboration_stopped")
    assert stopped.detail == "end=2027-09-30;reason=financial" and stopped.collaboration_id == collaboration.id
    with pytest.raises(NotAllowed, match="al afgerond"):
        services.end_collaboration(collaboration, "afgerond")
    with pytest.raises(NotAllowed):
        services.extend_collaboration(collaboration, date(2028, 1, 1))


def test_complete_collaboration(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    collaboration = services.record_agreement(lead, agreement())
    services.end_collaboration(collaboration, "afgerond")
    assert collaboration.state == "afgerond" and events("collaboration_completed")[0].detail == ""


def test_outcome_report_keeps_who_answered(parties):
    services.express_interest(parties.need, parties.supplier)
    report = services.report_outcome(parties.need, parties.buyer, True, "5.000,00", actor=parties.buyer_user)
    assert (report.role, report.answered_by_id, report.value_eur) == ("buyer", parties.buyer_user.id, Decimal("5000"))
    assert events("outcome_reported")[0].detail == "deal=yes;role=buyer"
    supplier_report = services.report_outcome(parties.need, parties.supplier, False, actor=parties.supplier_user)
    assert supplier_report.role == "supplier" and supplier_report.value_eur is None
    with pytest.raises(NotAllowed):
        services.report_outcome(parties.need, make_org(), True)


def test_no_messages_on_a_lead_that_is_only_suggested(parties):
    lead = services.suggest_match(parties.need, parties.supplier)
    assert lead.state == "suggested" and events("match_suggested")[0].lead_id == lead.id
    assert services.suggest_match(parties.need, parties.supplier) is None
    with pytest.raises(NotAllowed, match="eerst interesse"):
        services.send_message(lead, parties.supplier, None, "Hallo")
    assert services.express_interest(parties.need, parties.supplier).state == "interested"


def test_the_same_message_sent_twice_at_once_is_kept_once(parties):
    lead = services.express_interest(parties.need, parties.supplier)
    first = services.send_message(lead, parties.buyer, None, "Wanneer kan u starten?")
    again = services.send_message(lead, parties.buyer, None, "Wanneer kan u starten?")
    assert again.id == first.id and count(Message) == 1 and len(mails("lead_message")) == 1
    services.send_message(lead, parties.buyer, None, "En de prijs?")
    assert count(Message) == 2
