"""Sending e-mail through Flask-Mail.

Without MAIL_SERVER (the demo) a mail is written to the log instead, so that a reset link
can still be followed on a developer's machine.
"""
from flask import current_app
from flask_mail import Message

from ..core.extensions import mail


def send(subject: str, recipients: list[str], body: str) -> bool:
    """Send a plain-text mail; True when it was handed to the SMTP server."""
    if not current_app.config.get("MAIL_SERVER"):
        current_app.logger.warning("MAIL_SERVER is not set; mail to %s not sent:\n%s\n%s",
                                   ", ".join(recipients), subject, body)
        return False
    try:
        mail.send(Message(subject=subject, recipients=recipients, body=body))
    except OSError:  # smtplib errors derive from OSError
        current_app.logger.exception("could not send mail to %s", ", ".join(recipients))
        return False
    return True
