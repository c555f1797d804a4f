"""Account mail through a real SMTP server on 127.0.0.1: register, confirm, reset."""

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db


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


@pytest.fixture()
def inbox(app):
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_SEND_INLINE=True)
    yield box
    controller.stop()
    app.config.update(MAIL_SERVER="")


def _link(content: str) -> str:
    return re.search(r"http://localhost(/\S+)", content).group(1)


def test_registration_and_reset_mail_arrive_and_work(client, inbox):
    password = "een lange zin als wachtwoord"
    client.post(
        "/registreren",
        data={"name": "An", "email": "an@example.be", "password": password, "password_again": password},
    )
    [(recipients, subject, content)] = inbox.messages
    assert recipients == ["an@example.be"]
    assert subject == "Bevestig uw e-mailadres voor Werkbrug"
    client.get(_link(content))
    assert db.session.scalar(select(User)).is_confirmed

    client.post("/wachtwoord-vergeten", data={"email": "an@example.be"})
    (_, subject, content) = inbox.messages[1]
    assert subject == "Een nieuw wachtwoord voor Werkbrug"
    new = "een ander lang wachtwoord"
    response = client.post(_link(content), data={"password": new, "password_again": new})
    assert response.headers["Location"].endswith("/aanmelden")
    assert client.post("/aanmelden", data={"email": "an@example.be", "password": new}).status_code == 302
