"""Survey e-mails: a plain-text and an HTML body in one message, sent over SMTP.

The settings come from `CXSCORE_SMTP_URL` (or `surveys.smtp_url` in cxscore.yaml); the password is never
logged or shown (`SmtpSettings.redacted()`). One connection sends a whole batch.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from jinja2 import Environment, PackageLoader, select_autoescape

from cxscore.errors import MailError
from cxscore.surveys.messages import catalogue
from cxscore.surveys.settings import SMTP_ENV, SmtpSettings

__all__ = ["Invitation", "Mailer", "compose"]

_TEMPLATES = Environment(
    loader=PackageLoader("cxscore.surveys", "templates"),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Invitation:
    """What an invitation e-mail says."""

    to: str
    name: str | None
    survey_title: str
    first_question: str | None
    link: str
    unsubscribe_link: str
    expires: str
    language: str
    reminder: bool = False


def _line(text: str | None) -> str:
    """One line of text: a name or title from the data cannot add header lines to an e-mail."""
    return " ".join(str(text or "").split())


def compose(invitation: Invitation, sender: str) -> EmailMessage:
    r"""The e-mail for `invitation`: plain text first, HTML as the alternative.

    >>> message = compose(Invitation("ann@example.com", "Ann\nBcc: x@evil.example", "Pulse", None,
    ...     "http://h/s/t", "http://h/u/t", "2025-03-20", "en"), "surveys@example.com")
    >>> message["To"], message["Subject"]
    ('"Ann Bcc: x@evil.example" <ann@example.com>', 'Pulse: a quick question')
    """
    invitation = replace(
        invitation,
        name=_line(invitation.name) or None,
        survey_title=_line(invitation.survey_title),
        to=_line(invitation.to),
    )
    t = catalogue(invitation.language)
    subject_key = "email_reminder_subject" if invitation.reminder else "email_subject"
    values = {
        "language": invitation.language,
        "subject": t[subject_key].format(survey=invitation.survey_title),
        "greeting": (
            t["email_greeting"].format(name=invitation.name)
            if invitation.name
            else t["email_greeting_anonymous"]
        ),
        "intro": t["email_intro"],
        "question": invitation.first_question,
        "button": t["email_button"],
        "link": invitation.link,
        "expires": t["email_expires"].format(date=invitation.expires),
        "unsubscribe": t["email_unsubscribe"],
        "unsubscribe_link": invitation.unsubscribe_link,
    }
    message = EmailMessage()
    message["Subject"] = values["subject"]
    message["From"] = sender
    message["To"] = formataddr((invitation.name or "", invitation.to))
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    message["List-Unsubscribe"] = f"<{invitation.unsubscribe_link}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_TEMPLATES.get_template("email.txt").render(values))
    message.add_alternative(_TEMPLATES.get_template("email.html").render(values), subtype="html")
    return message


class Mailer:
    """Sends messages over one SMTP connection; use as a context manager around a batch."""

    def __init__(self, settings: SmtpSettings | None) -> None:
        if settings is None:
            raise MailError(
                f"No SMTP server is configured. Set {SMTP_ENV}=smtp://user:password@host:port "
                "(or surveys.smtp_url in cxscore.yaml, without the password), or use --dry-run."
            )
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    @contextmanager
    def connected(self) -> Iterator[Mailer]:
        s = self.settings
        try:
            if s.tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password or "")
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(
                f"Cannot connect to the SMTP server {s.redacted()}: {_reason(error)}. Check that it runs "
                f"and accepts the user, or fix {SMTP_ENV}."
            ) from None
        self._smtp = smtp
        try:
            yield self
        finally:
            self._smtp = None
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            raise MailError("Mailer.send needs an open connection: use `with mailer.connected():`.")
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise MailError(
                f"The SMTP server refused the address {message['To']}. Fix the contact's e-mail."
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(
                f"Sending to {message['To']} through {self.settings.redacted()} failed: {_reason(error)}."
            ) from None


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def sender_address(sender: str) -> str:
    """The From header for a configured sender (``Name <address>`` or a bare address)."""
    if "<" in sender:
        return sender
    return formataddr(("", sender))
