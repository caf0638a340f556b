"""Outgoing mail: plain-text messages through the SMTP server in MAIL_*, or to the log in development.

Mail is composed and sent by a job on this process's mail thread (submit_after()), never on the
request path: a reader waits neither for the mail server nor for the lookups and rendering a
message needs, and a page that sends mail for some addresses and not others answers in the same
time for all.
"""

import atexit
import smtplib
import ssl
import threading
from collections import deque
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import Flask, Response, current_app

MAIL_THREAD_NAME = "portal-send-mail"
# Jobs waiting past this many are dropped (and logged), so a flood of requests can't grow memory
# without bound: at a few hundred milliseconds a message, a few minutes of mail.
MAIL_QUEUE_SIZE = 1000
# A process that exits (a gunicorn worker told to stop) sends what it has queued for this long at
# most; what is still queued after that is lost. Below gunicorn's graceful_timeout (30 s).
DRAIN_AT_EXIT_SECONDS = 10


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    sender = current_app.config["MAIL_SENDER"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # The sender's domain, not socket.getfqdn(), which may wait on DNS.
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message. A failure is logged, never raised: the reader who caused the
    message must see the same page whether or not it went out."""
    config = current_app.config
    logger = current_app.logger
    message = build_message(to, subject, body)
    if not config["MAIL_SERVER"]:
        if config["ENV"] == "production":
            # The body may hold a secret (a reset link): keep it out of production logs.
            logger.error("MAIL_SERVER is not set: a message to %s was not sent", to)
        else:
            # The body as written, not transfer-encoded, so a link can be copied from the log.
            logger.info("MAIL_SERVER is not set; this message was not sent:\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
                        message["From"], to, subject, body)
        return
    try:
        _deliver(message)
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send mail to %s through %s:%s", to, config["MAIL_SERVER"], config["MAIL_PORT"])


def _deliver(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


class MailWorker:
    """A queue of mail jobs and the daemon thread, started with the first job, that runs them one
    at a time, each in an app context of the app that submitted it."""

    def __init__(self, capacity: int):
        self._capacity = capacity
        self._jobs: deque[tuple[Flask, Callable[[], None]]] = deque()
        self._running = False  # a job is taken off the queue and not yet done
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, app: Flask, job: Callable[[], None]) -> None:
        with self._changed:
            if len(self._jobs) >= self._capacity:
                app.logger.error("The mail queue is full (%d messages waiting): a message was dropped",
                                 self._capacity)
                return
            self._jobs.append((app, job))
            if self._thread is None or not self._thread.is_alive():  # first job, or a forked child
                self._thread = threading.Thread(target=self._work, name=MAIL_THREAD_NAME, daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every job submitted so far has run: True, or False if `timeout` seconds
        passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._jobs and not self._running, timeout)

    def _work(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._jobs)
                app, job = self._jobs.popleft()
                self._running = True
            try:
                # Leaving the app context removes the job's database session (Flask-SQLAlchemy
                # scopes sessions to it), so no job sees another's objects or keeps a connection.
                with app.app_context():
                    job()
            except Exception:
                # send_mail() logs its own failures; this is any other fault of a job, which must
                # not stop the mail queued after it.
                app.logger.exception("A mail job failed")
            finally:
                with self._changed:
                    self._running = False
                    self._changed.notify_all()


_worker = MailWorker(MAIL_QUEUE_SIZE)
atexit.register(_worker.wait_idle, DRAIN_AT_EXIT_SECONDS)


def submit_after(response: Response, job: Callable[[], None]) -> None:
    """Run `job` (which composes a message and calls send_mail) on the mail thread, in an app
    context of the current app, once `response` has been sent: queued only when the server closes
    it, so not even the start of the job can overlap, and slow, the answer."""
    app = current_app._get_current_object()
    response.call_on_close(lambda: _worker.submit(app, job))


def wait_idle(timeout: float | None = None) -> bool:
    """Wait until every mail job submitted so far has run (tests; shutdown): False on timeout."""
    return _worker.wait_idle(timeout)
