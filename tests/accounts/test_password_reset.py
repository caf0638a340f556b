"""Password reset by email, through a real SMTP server on this machine."""

import asyncio
import http.cookiejar
import logging
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from bs4 import BeautifulSoup
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

import portal.accounts.password_reset
from portal.extensions import db, limiter
from portal.models import User
from portal.web import mail
from portal.web.mail import MAIL_THREAD_NAME, send_mail

from ..conftest import PASSWORD, csrf_token_from, log_in, make_app
from ..helpers import free_port, soup

NEW_PASSWORD = "violet tangerine lighthouse"
LINK = re.compile(r"https?://\S+/reset-password/\S+")


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    def start(**kwargs):
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        started.append(controller)
        return controller, inbox

    started = []
    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def inbox(app, smtp_server):
    controller, inbox = smtp_server()
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    return inbox


def wait_for_mail():
    """Messages go out on the mail thread: wait until every one has been handed over."""
    assert mail.wait_idle(timeout=10)


def request_reset(client, email):
    token = csrf_token_from(client.get("/reset-password"))
    response = client.post("/reset-password", data={"email": email, "csrf_token": token})
    response.close()  # as a WSGI server does once the answer is sent: mail is queued then
    wait_for_mail()
    return response


def link_in(message) -> str:
    match = LINK.search(message.get_content())
    assert match, "the message has a reset link"
    return match.group()


def set_password(client, link, password=NEW_PASSWORD, confirm=None):
    token = csrf_token_from(client.get(link))
    return client.post(link, data={"password": password, "confirm": confirm or password, "csrf_token": token})


def reset_link_for(client, inbox, email) -> str:
    assert request_reset(client, email).status_code == 303
    return link_in(inbox.messages[-1])


def assert_link_refused(response):
    assert response.status_code == 400
    page = soup(response)
    assert page.h1.get_text() == "That link no longer works"
    form = page.select_one('form[action="/reset-password"]')
    assert form is not None and form.select_one('input[name="email"]') is not None


def password_hash_of(app, user_id) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


# ---- the whole journey -----------------------------------------------------------

def test_reset_by_email_from_request_to_new_password(app, client, user, inbox):
    response = client.get("/reset-password")
    assert response.status_code == 200
    assert soup(response).select_one('meta[name="robots"]')["content"] == "noindex"

    response = request_reset(client, "  Reader@Example.com ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/reset-password/sent"
    page = client.get(response.headers["Location"])
    assert "If an account exists for that address, we’ve sent a link" in page.get_data(as_text=True)

    [message] = inbox.messages
    assert message["To"] == user.email
    assert message["From"] == app.config["MAIL_SENDER"]
    assert message["Subject"] == "Reset your Tech Desk password"
    body = message.get_content()
    assert "Hello reader@example.com," in body
    assert "for 1 hour" in body
    assert "If you didn't ask for this, ignore this email" in body
    link = link_in(message)
    assert link.startswith("http://localhost/reset-password/")

    response = client.get(link)
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "Choose a new password"
    assert page.select_one('meta[name="robots"]')["content"] == "noindex"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"

    response = set_password(client, link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    account = client.get("/account")
    assert account.status_code == 200
    assert "Your password is changed and you’re signed in." in account.get_data(as_text=True)

    # The old password no longer signs in; the new one does.
    assert log_in(app.test_client(), user.email, PASSWORD).status_code == 400
    assert log_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 303

    # The link worked once.
    assert_link_refused(app.test_client().get(link))
    assert_link_refused(set_password(app.test_client(), link, "another fine password"))


def test_reset_signs_out_other_sessions(app, client, user, inbox):
    elsewhere = app.test_client()
    assert log_in(elsewhere, user.email).status_code == 303
    assert elsewhere.get("/account").status_code == 200

    link = reset_link_for(client, inbox, user.email)
    assert set_password(client, link).status_code == 303

    response = elsewhere.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/account").status_code == 200


def test_link_for_someone_signed_in_as_another_reader(app, client, make_user, inbox):
    owner = make_user("owner@example.com")
    other = make_user("other@example.com")
    link = reset_link_for(app.test_client(), inbox, owner.email)
    assert log_in(client, other.email).status_code == 303

    assert set_password(client, link).status_code == 303
    assert "owner@example.com" in client.get("/account").get_data(as_text=True)


# ---- links that must not work ----------------------------------------------------

def test_expired_link_is_refused(app, client, user, inbox, monkeypatch):
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    with monkeypatch.context() as m:
        # The link was sent a second longer ago than it is valid for.
        m.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - max_age - 1)
        link = reset_link_for(client, inbox, user.email)

    assert_link_refused(client.get(link))
    assert_link_refused(set_password(client, link))
    assert log_in(app.test_client(), user.email, PASSWORD).status_code == 303


def test_link_valid_just_before_it_expires(app, client, user, inbox, monkeypatch):
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    with monkeypatch.context() as m:
        m.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - max_age + 30)
        link = reset_link_for(client, inbox, user.email)
    assert set_password(client, link).status_code == 303


def test_max_age_setting_applies(app, client, user, inbox):
    link = reset_link_for(client, inbox, user.email)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert_link_refused(client.get(link))


def test_tampered_and_foreign_tokens_are_refused(app, client, user, inbox):
    link = reset_link_for(client, inbox, user.email)
    token = link.rsplit("/", 1)[1]
    # Change the signature's first character: every bit of it counts (the last character's low
    # bits are base64 padding, so changing that one can leave the signature the same).
    payload_and_time, _, signature = token.rpartition(".")
    flipped = f"{payload_and_time}.{'A' if signature[0] != 'A' else 'Q'}{signature[1:]}"
    timestamp_and_signature = token.partition(".")[2]
    with app.app_context():
        other_payload = URLSafeTimedSerializer(app.secret_key, salt="password-reset").dumps(
            {"id": user.id + 1, "v": 1, "h": "x"})
        wrong_key = URLSafeTimedSerializer("not the key", salt="password-reset").dumps(
            {"id": user.id, "v": 1, "h": "x"})
        wrong_salt = URLSafeTimedSerializer(app.secret_key, salt="something-else").dumps(
            {"id": user.id, "v": 1, "h": "x"})
    forged = other_payload.partition(".")[0] + "." + timestamp_and_signature

    for bad in [flipped, forged, wrong_key, wrong_salt, "nonsense", "a.b.c", token + "x"]:
        assert_link_refused(client.get(f"/reset-password/{bad}"))
        assert_link_refused(set_password(client, f"/reset-password/{bad}"))
    assert log_in(app.test_client(), user.email, PASSWORD).status_code == 303


def test_link_of_a_deleted_account_is_refused(app, client, user, inbox):
    link = reset_link_for(client, inbox, user.email)
    with app.app_context():
        db.session.delete(db.session.get(User, user.id))
        db.session.commit()
    assert_link_refused(client.get(link))


def test_link_is_void_once_the_password_changes_another_way(app, client, user, inbox):
    link = reset_link_for(client, inbox, user.email)
    with app.app_context():  # e.g. changed directly, without bumping session_version
        db.session.get(User, user.id).password_hash = "pbkdf2:sha256:1000$salt$0000"
        db.session.commit()
    assert_link_refused(client.get(link))


def test_using_one_link_voids_the_others(app, client, user, inbox):
    first = reset_link_for(client, inbox, user.email)
    second = reset_link_for(client, inbox, user.email)
    assert set_password(client, second).status_code == 303
    assert_link_refused(app.test_client().get(first))


# ---- the new password form --------------------------------------------------------

@pytest.mark.parametrize(("password", "confirm", "error"), [
    ("short", "short", "Use at least 8 characters."),
    ("password123", "password123", "one of the most common ones"),
    (NEW_PASSWORD, "something else entirely", "The passwords don’t match."),
])
def test_unacceptable_new_password_is_explained(app, client, user, inbox, password, confirm, error):
    link = reset_link_for(client, inbox, user.email)
    response = set_password(client, link, password, confirm)
    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert soup(response).h1.get_text() == "Choose a new password"
    # Nothing changed, and the link still works.
    assert log_in(app.test_client(), user.email, PASSWORD).status_code == 303
    assert set_password(client, link).status_code == 303


def test_reset_form_needs_its_csrf_token(app, client, user, inbox):
    link = reset_link_for(client, inbox, user.email)
    client.get(link)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert log_in(app.test_client(), user.email, PASSWORD).status_code == 303


# ---- asking for a link ----------------------------------------------------------

def test_unknown_address_gets_the_same_answer_and_no_mail(app, user, inbox):
    known = request_reset(app.test_client(), user.email)
    unknown_client = app.test_client()
    unknown = request_reset(unknown_client, "nobody@example.com")

    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == user.email
    assert unknown.status_code == known.status_code == 303
    assert unknown.headers["Location"] == known.headers["Location"]
    assert unknown.get_data() == known.get_data()
    # The same headers too (their values differ only in rate-limit counts and cookie timestamps).
    assert sorted(unknown.headers.keys()) == sorted(known.headers.keys())
    assert (unknown_client.get(unknown.headers["Location"]).get_data()
            == app.test_client().get(known.headers["Location"]).get_data())


def test_request_form_errors_and_csrf(app, client, user, inbox):
    token = csrf_token_from(client.get("/reset-password"))
    response = client.post("/reset-password", data={"email": "", "csrf_token": token})
    assert response.status_code == 400
    assert soup(response).select_one("#email-errors") is not None

    response = client.post("/reset-password", data={"email": user.email})
    assert response.status_code == 400
    wait_for_mail()
    assert inbox.messages == []


def test_requests_are_rate_limited_per_address(app, client, inbox):
    for n in range(5):
        assert request_reset(client, f"someone{n}@example.com").status_code == 303
    response = request_reset(client, "someone-else@example.com")
    assert response.status_code == 429
    assert client.get("/reset-password").status_code == 200  # the page itself still shows


def from_address(app, n):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n}"
    return client


def test_past_the_account_limit_the_page_answers_as_usual_and_sends_nothing(app, user, make_user, inbox):
    # Each request from a different client address, as from an attacker with many.
    first = request_reset(from_address(app, 1), user.email)
    for n in range(2, 6):
        assert request_reset(from_address(app, n), user.email).status_code == 303
    assert len(inbox.messages) == 5

    # The owner's own request, the sixth this hour: no 429, the usual answer, but no more mail.
    owner = from_address(app, 99)
    sixth = request_reset(owner, user.email.upper())
    assert sixth.status_code == first.status_code == 303
    assert sixth.headers["Location"] == first.headers["Location"] == "/reset-password/sent"
    assert sixth.get_data() == first.get_data()
    assert sorted(sixth.headers.keys()) == sorted(first.headers.keys())
    page = owner.get(sixth.headers["Location"])
    assert page.status_code == 200
    assert soup(page).h1.get_text() == "Check your email"
    assert len(inbox.messages) == 5

    # Another account's limit is its own.
    other = make_user("other@example.com")
    assert request_reset(from_address(app, 99), other.email).status_code == 303
    assert [m["To"] for m in inbox.messages[5:]] == [other.email]


def test_the_account_limit_counts_unknown_addresses_alike(app, inbox):
    for n in range(1, 8):
        response = request_reset(from_address(app, n), "nobody@example.com")
        assert response.status_code == 303
        assert response.headers["Location"] == "/reset-password/sent"
    assert inbox.messages == []


def test_the_request_leaves_the_account_to_the_mail_thread(app, client, user, inbox, monkeypatch):
    """Whether the address has an account is looked at only off the request path, so the answer
    can't show it by its timing."""
    calls = []

    def recorded(function):
        def record(*args, **kwargs):
            calls.append((function.__name__, threading.current_thread().name))
            return function(*args, **kwargs)
        return record

    for name in ("user_by_email", "reset_token", "render_template"):
        monkeypatch.setattr(portal.accounts.password_reset, name, recorded(getattr(portal.accounts.password_reset, name)))
    token = csrf_token_from(client.get("/reset-password"))
    made = {}
    for email in (user.email, "nobody@example.com"):
        calls.clear()
        response = client.post("/reset-password", data={"email": email, "csrf_token": token})
        assert response.status_code == 303
        wait_for_mail()
        assert calls == []  # nothing, not even on the mail thread, until the answer is sent
        response.close()
        wait_for_mail()
        made[email] = list(calls)
    assert made == {
        user.email: [("user_by_email", MAIL_THREAD_NAME), ("reset_token", MAIL_THREAD_NAME),
                     ("render_template", MAIL_THREAD_NAME)],
        "nobody@example.com": [("user_by_email", MAIL_THREAD_NAME)],
    }
    assert [m["To"] for m in inbox.messages] == [user.email]


SLOW_STEP = 0.04  # seconds
TIMING_SAMPLES = 60


def test_known_and_unknown_addresses_answer_in_the_same_time(app, client, user, inbox, monkeypatch):
    """The audit's finding: a request for an existing account answered measurably later. Making
    the link's token slow (as a slow database or template would make the work for an account)
    shows plainly whether that work is on the request path: it would add SLOW_STEP to every
    answer for the known address."""
    app.config.update(PASSWORD_RESET_LIMIT_PER_ADDRESS="1000 per minute",
                      PASSWORD_RESET_LIMIT_PER_ACCOUNT="1000 per hour")
    reset_token = portal.accounts.password_reset.reset_token

    def slow_reset_token(user):
        time.sleep(SLOW_STEP)
        return reset_token(user)

    monkeypatch.setattr(portal.accounts.password_reset, "reset_token", slow_reset_token)
    token = csrf_token_from(client.get("/reset-password"))
    timings = {user.email: [], "nobody@example.com": []}
    for n in range(TIMING_SAMPLES):
        # Interleaved, each first in turn, so drift and the mail thread's work weigh on both alike.
        for email in sorted(timings, reverse=n % 2 == 1):
            start = time.perf_counter()
            response = client.post("/reset-password", data={"email": email, "csrf_token": token})
            timings[email].append(time.perf_counter() - start)
            assert response.status_code == 303
            response.close()
    wait_for_mail()
    assert len(inbox.messages) == TIMING_SAMPLES  # the known address's work was done, elsewhere

    known, unknown = (statistics.median(timings[email]) for email in timings)
    # A quarter of the slow step: well above this machine's noise between two medians, well
    # below what the work on the request path would add.
    assert abs(known - unknown) < SLOW_STEP / 4, f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms"


def test_link_uses_the_public_url(app, client, user, inbox):
    app.config["PUBLIC_URL"] = "https://news.example.com"
    link = reset_link_for(client, inbox, user.email)
    assert link.startswith("https://news.example.com/reset-password/")
    # The link works on this site whichever host it names.
    path = link.removeprefix("https://news.example.com")
    assert set_password(client, path).status_code == 303


def test_link_valid_for_follows_the_setting(app, client, user, inbox):
    app.config["PASSWORD_RESET_MAX_AGE"] = 1800
    request_reset(client, user.email)
    assert "for 30 minutes" in inbox.messages[0].get_content()
    page = client.get("/reset-password/sent").get_data(as_text=True)
    assert "for 30 minutes" in page


# ---- sending ----------------------------------------------------------------------

def test_without_a_mail_server_the_message_goes_to_the_log(app, client, user, caplog):
    assert not app.config["MAIL_SERVER"]
    caplog.set_level(logging.INFO, logger=app.logger.name)
    response = request_reset(client, user.email)
    assert response.status_code == 303

    [record] = [r for r in caplog.records if r.name == app.logger.name]
    assert record.levelno == logging.INFO
    text = record.getMessage()
    assert "To: reader@example.com" in text
    assert "Subject: Reset your Tech Desk password" in text
    link = LINK.search(text).group()
    assert set_password(client, link).status_code == 303


def test_production_without_a_mail_server_keeps_the_link_out_of_the_log(app, user, caplog):
    app.config["ENV"] = "production"
    caplog.set_level(logging.INFO, logger=app.logger.name)
    with app.app_context():
        send_mail(user.email, "Secret", "https://example.com/reset-password/secret-token")
    [record] = [r for r in caplog.records if r.name == app.logger.name]
    assert record.levelno == logging.ERROR
    assert "secret-token" not in record.getMessage()


def test_a_mail_server_that_is_down_is_logged_not_shown(app, client, user, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    caplog.set_level(logging.INFO, logger=app.logger.name)

    response = request_reset(client, user.email)
    assert response.status_code == 303
    assert response.headers["Location"] == "/reset-password/sent"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "Could not send mail to reader@example.com" in errors[0].getMessage()
    assert "reset-password/" not in caplog.text


def test_send_mail_signs_in_when_a_username_is_set(app, smtp_server):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    controller, inbox = smtp_server(authenticator=authenticator, auth_require_tls=False)
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port,
                      MAIL_USERNAME="portal", MAIL_PASSWORD="s3cret")
    with app.app_context():
        send_mail("someone@example.com", "Hello", "Ünïcode body ’")
    assert logins == [(b"portal", b"s3cret")]
    [message] = inbox.messages
    assert message["To"] == "someone@example.com"
    assert message.get_content().strip() == "Ünïcode body ’"
    assert message["Message-ID"].endswith("@localhost>")
    assert message["Date"]


def test_send_mail_logs_a_refused_login(app, smtp_server, caplog):
    def refuse(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=False, handled=False)

    controller, inbox = smtp_server(authenticator=refuse, auth_require_tls=False)
    app.config.update(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port,
                      MAIL_USERNAME="portal", MAIL_PASSWORD="wrong")
    with app.app_context():
        send_mail("someone@example.com", "Hello", "Body")
    assert inbox.messages == []
    assert "Could not send mail to someone@example.com" in caplog.text


# ---- the mail thread ------------------------------------------------------------

def test_a_failing_mail_job_is_logged_and_the_next_one_still_runs(app, caplog):
    worker = mail.MailWorker(capacity=10)
    ran = []

    def broken():
        raise RuntimeError("a bug in a mail job")

    worker.submit(app, broken)
    worker.submit(app, lambda: ran.append(True))
    assert worker.wait_idle(timeout=10)
    assert ran == [True]
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == "A mail job failed"
    assert "a bug in a mail job" in caplog.text


def test_each_mail_job_has_its_own_database_session(app, user):
    sessions = []

    def read_the_user():
        db.session.get(User, user.id)  # leaves its transaction open, as a job that only reads does
        sessions.append(db.session())

    worker = mail.MailWorker(capacity=10)
    worker.submit(app, read_the_user)
    worker.submit(app, read_the_user)
    assert worker.wait_idle(timeout=10)
    first, second = sessions
    assert first is not second
    with app.app_context():
        assert db.engine.pool.checkedout() == 0  # both sessions were removed, their connections returned


def test_a_full_mail_queue_drops_and_logs(app, caplog):
    worker = mail.MailWorker(capacity=2)
    release = threading.Event()
    ran = []
    worker.submit(app, lambda: release.wait(10))  # taken off the queue at once: the thread is busy
    assert not worker.wait_idle(timeout=0.2)
    for n in range(3):
        worker.submit(app, lambda n=n: ran.append(n))
    release.set()
    assert worker.wait_idle(timeout=10)
    assert len(ran) == 2
    assert "The mail queue is full (2 messages waiting): a message was dropped" in caplog.text


class SlowInbox(Inbox):
    """Takes its time to accept each recipient, as a busy mail server does."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(2)
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_gunicorn_sends_the_queued_mail_before_a_worker_stops(app, user):
    """Under the production server: the mail job is queued once the answer is sent, and a worker
    told to stop (a deploy, a restart) first sends what it has queued."""
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.update(PORTAL_ENV="production", PORTAL_SECRET_KEY="s3cret", PORTAL_PUBLIC_URL=f"http://127.0.0.1:{port}",
                   PORTAL_SESSION_COOKIE_SECURE="0", PORTAL_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                   PORTAL_MAIL_SERVER=controller.hostname, PORTAL_MAIL_PORT=str(controller.port),
                   PORTAL_BIND=f"127.0.0.1:{port}", PORTAL_WORKERS="1")
        project = Path(__file__).resolve().parents[2]
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=project, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            base = f"http://127.0.0.1:{port}"
            browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            for _ in range(100):
                try:
                    page = browser.open(base + "/reset-password", timeout=2)
                    break
                except OSError:
                    time.sleep(0.1)
            token = BeautifulSoup(page.read(), "html.parser").select_one('input[name="csrf_token"]')["value"]
            form = urllib.parse.urlencode({"email": user.email, "csrf_token": token}).encode()
            with browser.open(base + "/reset-password", data=form, timeout=5) as sent:  # follows the 303
                assert sent.url == base + "/reset-password/sent"
            assert inbox.messages == []  # the mail server is still taking its time
        finally:
            server.terminate()
            output, _ = server.communicate(timeout=30)
        assert [m["To"] for m in inbox.messages] == [user.email], output
        assert link_in(inbox.messages[0]).startswith(base + "/reset-password/")
    finally:
        controller.stop()


# ---- limits shared through Redis --------------------------------------------------

def test_the_account_limit_is_shared_through_redis(tmp_path, smtp_server, redis_url):
    controller, inbox = smtp_server()
    shared = {"REDIS_URL": redis_url, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
              "PASSWORD_RESET_LIMIT_PER_ACCOUNT": "2 per hour",
              "MAIL_SERVER": controller.hostname, "MAIL_PORT": controller.port}
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    first = make_app(tmp_path / "one", **shared)
    with first.app_context():
        db.session.add(User(email="reader@example.com", password_hash="x"))
        db.session.commit()
    for n in range(2):
        assert request_reset(from_address(first, n + 1), "reader@example.com").status_code == 303
    assert len(inbox.messages) == 2
    second = make_app(tmp_path / "two", **shared)  # a fresh connection: nothing in-process carries over
    with second.app_context():
        db.session.add(User(email="reader@example.com", password_hash="x"))
        db.session.commit()
    assert request_reset(from_address(second, 3), "reader@example.com").status_code == 303
    assert len(inbox.messages) == 2


def test_a_fault_counting_the_account_limit_still_sends_the_link(app, user, inbox, monkeypatch, caplog):
    strategy = limiter.limiter
    hit = strategy.hit

    def unreachable_for_the_account_limit(item, *identifiers, **kwargs):
        if "reset-account" in identifiers:  # the per-address limit, counted first, still works
            raise strategy.storage.base_exceptions("storage went away")
        return hit(item, *identifiers, **kwargs)

    monkeypatch.setattr(strategy, "hit", unreachable_for_the_account_limit)
    assert request_reset(from_address(app, 1), user.email).status_code == 303
    assert [m["To"] for m in inbox.messages] == [user.email]
    assert "Could not count a password reset request; sending the link anyway" in caplog.text


def test_reset_mail_still_goes_out_when_redis_is_unreachable(tmp_path, smtp_server):
    controller, inbox = smtp_server()
    app = make_app(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", PASSWORD_RESET_LIMIT_PER_ACCOUNT="1 per hour",
                   MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    with app.app_context():
        db.session.add(User(email="reader@example.com", password_hash="x"))
        db.session.commit()
    assert request_reset(from_address(app, 1), "reader@example.com").status_code == 303
    assert [m["To"] for m in inbox.messages] == ["reader@example.com"]
