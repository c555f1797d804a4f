"""Login throttling: per account and per address, counters in the database."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from marketplace.accounts import throttle
from marketplace.accounts.models import ThrottleCounter
from marketplace.extensions import db
from tests.accounts.test_views import PASSWORD, log_in


def test_account_is_throttled_after_the_limit_even_with_the_right_password(app, client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert log_in(client, "jan@example.be", "fout wachtwoord").status_code == 200
    response = log_in(client, "jan@example.be")
    assert response.status_code == 429
    assert "te vaak een fout wachtwoord" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_address_is_throttled_across_accounts(app, client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        for n in range(3):
            log_in(client, f"gok{n}@example.be", "fout wachtwoord")
        assert log_in(client, "jan@example.be").status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 20


def test_other_accounts_from_other_addresses_are_not_affected(app, client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    make_user(email="piet@example.be", password=PASSWORD)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        log_in(client, "jan@example.be", "fout wachtwoord")
    assert log_in(client, "piet@example.be").status_code == 302


def test_success_clears_the_account_counter(client, make_user):
    make_user(email="jan@example.be", password=PASSWORD)
    log_in(client, "jan@example.be", "fout")
    log_in(client, "jan@example.be")
    keys = set(db.session.scalars(select(ThrottleCounter.key)))
    assert keys == {throttle.address_key("127.0.0.1")}


def test_counter_restarts_after_the_window(app):
    throttle.record_failure("jan@example.be", "10.0.0.1")
    throttle.record_failure("jan@example.be", "10.0.0.1")
    db.session.commit()
    app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] = -1
    try:
        throttle.record_failure("jan@example.be", "10.0.0.1")
        db.session.commit()
    finally:
        app.config["LOGIN_THROTTLE_WINDOW_SECONDS"] = 900
    counter = db.session.get(ThrottleCounter, throttle.account_key("jan@example.be"))
    db.session.refresh(counter)
    assert counter.count == 1


def test_concurrent_failures_are_all_counted(app):
    """Threads with their own connections, as workers would: no increment is lost."""

    def fail(_):
        with app.app_context():
            throttle.record_failure("jan@example.be", "10.0.0.2")
            db.session.commit()
            db.session.remove()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fail, range(40)))
    db.session.expire_all()
    counter = db.session.get(ThrottleCounter, throttle.account_key("jan@example.be"))
    assert counter.count == 40


def test_the_password_hash_is_checked_outside_any_transaction(client, make_user, monkeypatch):
    """Argon2 takes long on purpose (0.1-0.7 s on 2 busy cores). Checked inside the transaction of the
    throttle query, it held SQLite's write lock (BEGIN IMMEDIATE): every login froze all other requests
    for that long (found by benchmarks/load.py)."""
    from marketplace.accounts import services

    seen = []
    real = services.verify_password

    def watching(password_hash, password):
        seen.append(db.session().in_transaction())
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", watching)
    make_user(email="jan@example.be", password=PASSWORD)
    assert log_in(client, "jan@example.be", "fout wachtwoord").status_code == 200
    assert log_in(client, "niemand@example.be", "fout wachtwoord").status_code == 200
    assert log_in(client, "jan@example.be").status_code == 302
    assert client.get("/account").status_code == 200
    assert seen == [False, False, False]
    counters = {key: count for key, count in db.session.execute(select(ThrottleCounter.key, ThrottleCounter.count))}
    # Both failures counted; the success cleared jan's account counter.
    assert counters == {throttle.address_key("127.0.0.1"): 2, throttle.account_key("niemand@example.be"): 1}
