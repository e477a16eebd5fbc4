"""The e-mail outbox: messages are queued in the database and delivered separately."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import Flask
from sqlmodel import Session, select

from web.models import OutboxEmail, utcnow

log = logging.getLogger("stagebrug.mail")


def queue_email(
    *, session: Session, to: str, subject: str, body: str, language: str = "nl", calendar: tuple[str, str] | None = None
) -> OutboxEmail:
    """Put an e-mail in the outbox, optionally with an iCalendar invitation: (text, method)."""
    mail = OutboxEmail(to_address=to, subject=subject, body_text=body, language=language,
                       calendar=calendar[0] if calendar else None, calendar_method=calendar[1] if calendar else None)
    session.add(mail)
    session.flush()
    return mail


def deliver_outbox(*, session: Session, app: Flask, limit: int = 100) -> int:
    """Send unsent e-mails (console in development, SMTP in production); return how many were sent."""
    pending = session.exec(
        select(OutboxEmail).where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < 5).order_by(OutboxEmail.id).limit(limit)
    ).all()
    sent = 0
    for mail in pending:
        mail.attempts += 1
        try:
            _send(app, mail)
        except (OSError, smtplib.SMTPException) as exc:
            mail.last_error = str(exc)[:1000]
            log.warning("outbox: could not send mail %s: %s", mail.id, exc)
        else:
            mail.sent_at = utcnow()
            sent += 1
        session.add(mail)
    session.flush()
    return sent


def build_message(app: Flask, mail: OutboxEmail) -> EmailMessage:
    """The MIME message of an outbox row: the text, and an invitation as a text/calendar part with its method."""
    message = EmailMessage()
    message["From"] = app.config["MAIL_FROM"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message.set_content(mail.body_text)
    if mail.calendar:
        method = mail.calendar_method or "REQUEST"
        message.add_alternative(mail.calendar, subtype="calendar", params={"method": method})
        message.add_attachment(mail.calendar.encode("utf-8"), maintype="application", subtype="ics", filename="uitnodiging.ics")
    return message


def _send(app: Flask, mail: OutboxEmail) -> None:
    backend = app.config["MAIL_BACKEND"]
    if backend == "memory":
        return
    if backend == "console":
        print(f"\n--- e-mail to {mail.to_address} ---\nSubject: {mail.subject}\n\n{mail.body_text}\n--- end ---\n", flush=True)
        return
    message = build_message(app, mail)
    with smtplib.SMTP(app.config["MAIL_SERVER"], app.config["MAIL_PORT"], timeout=20) as smtp:
        if app.config["MAIL_USE_TLS"]:
            smtp.starttls()
        if app.config["MAIL_USERNAME"]:
            smtp.login(app.config["MAIL_USERNAME"], app.config["MAIL_PASSWORD"])
        smtp.send_message(message)
