"""`flask --app wsgi mail send-pending|status`: deliver the outbox by hand and see what waits in it."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.mail import services
from marketplace.mail.models import OutgoingMail


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["mail", *args], catch_exceptions=False)


def _queue(*recipients):
    db.session.add_all(OutgoingMail(recipient=r, subject="Onderwerp", body="Tekst") for r in recipients)
    db.session.commit()


def test_send_pending_delivers_what_is_due_and_says_how_much(app, monkeypatch):
    delivered = []
    monkeypatch.setattr(services, "_deliver", lambda message, mail_id: delivered.append(message["To"]))
    _queue("a@example.be", "b@example.be")
    result = _run(app, "send-pending")
    assert result.exit_code == 0
    assert "2 verzonden, 0 mislukt." in result.output
    assert sorted(delivered) == ["a@example.be", "b@example.be"]
    assert "0 verzonden" in _run(app, "send-pending").output  # nothing is sent twice


def test_send_pending_keeps_a_refused_mail_for_later_and_status_counts_it(app, monkeypatch):
    def refuse(message, mail_id):
        raise OSError("connection refused")

    monkeypatch.setattr(services, "_deliver", refuse)
    _queue("a@example.be")
    assert "0 verzonden, 1 mislukt." in _run(app, "send-pending").output
    assert db.session.scalar(select(OutgoingMail.attempts)) == 1
    output = _run(app, "status").output
    assert "1 wachtend (waarvan 1 na een mislukte poging), 0 opgegeven" in output


def test_status_counts_the_mail_given_up_on(app):
    db.session.add(OutgoingMail(recipient="x@example.be", subject="S", body="T", attempts=services.MAX_ATTEMPTS))
    db.session.commit()
    assert f"0 wachtend (waarvan 0 na een mislukte poging), 1 opgegeven na {services.MAX_ATTEMPTS} pogingen." in (
        _run(app, "status").output
    )


def test_send_pending_refuses_a_limit_below_one(app):
    result = app.test_cli_runner().invoke(args=["mail", "send-pending", "--limit", "0"])
    assert result.exit_code == 2
    assert "--limit" in result.output
