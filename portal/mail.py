"""Outgoing mail: plain-text messages through the SMTP server in MAIL_*, or to the log in development."""

import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

# Tests wait for threads of this name to finish before looking for the message.
MAIL_THREAD_NAME = "portal-send-mail"


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


def send_mail_in_background(to: str, subject: str, body: str) -> threading.Thread:
    """send_mail() on a thread of its own, so the response neither waits for the mail server nor
    shows, by how long it took, whether a message was sent at all."""
    app = current_app._get_current_object()

    def run():
        with app.app_context():
            send_mail(to, subject, body)

    thread = threading.Thread(target=run, name=MAIL_THREAD_NAME)
    thread.start()
    return thread
